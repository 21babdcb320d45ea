"""The interviews toolset's endpoints: templates, the three creates, state, definition, list, update.

Each handler takes the state and the request's parameters (JSON body, or coerced query) and
returns the JSON answer, or raises :class:`ApiError`. Unknown ids are answered the way the real
API answers them, which differs per endpoint:

==================================================  =============================================
job-interview-create                                 unknown/deleted template or knowledge base: 422
job-interview-create-from-array                      unknown/deleted template or knowledge base: 500
job-interview-create-for-candidate-with-token        unknown position_def_set_id: 404;
                                                     unknown template: 422
job-interview-set-state                              unknown (or deleted) position_id: 500
job-interview-get                                    unknown (or deleted) position_id: 404
merchant-interview-list                              another merchant_id: 403
job-interview-update                                 unknown position_id: 404; unknown template or
                                                     knowledge base, a question change on an active
                                                     offline-avatar interview: 422 (``updates.py``)
==================================================  =============================================

Legacy templates (offline_elai, offline_synthesia) are refused by all three create endpoints
with 422 ``interview_template_id``: it is a rule about the template, not a failed lookup. A
``merchant_id`` other than the sandbox merchant is "not permitted": 403 on the lists, 500 on the
create endpoints (which report authorization failures as server errors).
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.sandbox import validation
from jobmojito_mcp.sandbox.candidates import decide
from jobmojito_mcp.sandbox.catalogue import PLATFORM_TEMPLATE_ID, SANDBOX_MERCHANT_ID, list_templates, page_of
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import (
    DEFAULT_MAX_DURATION,
    Interview,
    generated_questions,
    given_questions,
    new_interview,
    now,
)
from jobmojito_mcp.sandbox.lookups import check_knowledge_base, check_merchant, usable_template
from jobmojito_mcp.sandbox.records import Result
from jobmojito_mcp.sandbox.registrations import enrol
from jobmojito_mcp.sandbox.state import SandboxState

SUGGESTED_TONES = frozenset({"relaxed", "simple", "professional", "persuasive"})

Answer = dict[str, Any]


def list_avatars(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    return list_templates(query)


def create_interview(state: SandboxState, body: dict[str, Any]) -> Answer:
    requested = validation.interview_length(body.get("interview_length"))
    validation.check_max_duration(body)
    check_merchant(body, status=500)
    template = usable_template(body["interview_template_id"], unknown_status=422)
    check_knowledge_base(body.get("knowledge_base_store_id"), "knowledge_base_store_id", unknown_status=422)
    max_duration = body.get("max_duration") or DEFAULT_MAX_DURATION
    questions = generated_questions(
        body["name"], body.get("description") or "", body["mojito_language_code"], requested, max_duration
    )
    tone = body.get("interview_tone")
    interview = new_interview(
        {**body, "max_duration": max_duration},
        template=template,
        questions=questions,
        description=body.get("description")
        or f"Interview for the {body['name']} position ({body['location']}).",
        candidate_expectations=body.get("candidate_expectations")
        or f"Relevant experience for the {body['name']} position and clear communication.",
        creation_parameters={
            "source": "job-interview-create",
            "interview_type": body.get("interview_type") or "pre-screening",
            "seniority_level": body.get("seniority_level"),
            "interview_tone": tone if tone in SUGGESTED_TONES else "relaxed",
            "interview_length": requested,
            "interview_attempts": body.get("interview_attempts"),
        },
    )
    answer: Answer = {
        "interview_def_set_id": interview.id,
        "questions_generated": len(questions),
        "max_duration": max_duration,
    }
    return _saved_with_embed(state, interview, body, answer)


def create_from_array(state: SandboxState, body: dict[str, Any]) -> Answer:
    validation.check_questions(body["questions"])
    check_merchant(body, status=500)
    template = usable_template(body["interview_template_id"], unknown_status=500)
    check_knowledge_base(body.get("knowledge_base_store_id"), "knowledge_base_store_id", unknown_status=500)
    for index, question in enumerate(body["questions"]):
        name = f"questions[{index}].knowledge_base_id"
        check_knowledge_base(question.get("knowledge_base_id"), name, unknown_status=500)
    interview = new_interview(
        body,
        template=template,
        questions=given_questions(body["questions"]),
        description=body["description"],
        candidate_expectations=body.get("candidate_expectations"),
        creation_parameters={
            "source": "job-interview-create-from-array",
            "interview_type": body.get("interview_type"),
            "seniority_level": body.get("seniority_level"),
            "interview_attempts": body.get("interview_attempts"),
        },
    )
    return _saved_with_embed(state, interview, body, {"interview_def_set_id": interview.id})


def create_for_candidate(state: SandboxState, body: dict[str, Any]) -> Answer:
    validation.check_for_candidate(body)
    check_merchant(body, status=500)
    interview = _position_for(state, body)
    ids = {"position_def_set_id": interview.position_id, "interview_def_set_id": interview.id}
    email = body["candidate_email"].strip().casefold()
    previous = interview.candidates.get(email)
    if previous is not None:
        return {
            "status": "already-applied",
            "reason": "This candidate has already applied to this position.",
            **ids,
            "profile_interview_id": previous["profile_interview_id"],
            "interview_url": previous["interview_url"],
        }
    definition = interview.definition
    position_text = " ".join(
        definition.get(key) or ""
        for key in ("name", "description", "interview_description_long", "candidate_expectations")
    )
    decision = decide(body["candidate_resume"], position_text)
    link = enrol(
        state,
        interview,
        name=body["candidate_name"],
        email=body["candidate_email"],
        external_id=body.get("candidate_external_id"),
    )
    interview.candidates[email] |= {
        "status": decision.status,
        "candidate_country_code": body["candidate_country_code"],
    }
    answer: Answer = {
        "status": decision.status,
        **ids,
        "profile_interview_id": link.profile_interview_id,
        "interview_url": link.url,
    }
    if decision.reason is not None:
        answer["reason"] = decision.reason
    return _saved_with_embed(state, interview, body, answer)


def set_state(state: SandboxState, body: dict[str, Any]) -> Answer:
    validation.check_set_state(body)
    interview = state.interviews.get(body["position_id"])
    if interview is None:
        raise ApiError(500, "Interview definition not found.", "position_id")
    status = body.get("status")
    if status == "deleted":
        state.interviews.delete(interview.id)
        return {"success": True}
    if status is not None:
        interview.definition["status"] = status
    answer: Answer = {"success": True}
    if body.get("is_embedded") is True:
        answer = interview.ensure_embed()
    elif body.get("is_embedded") is False:
        interview.embed = None
    interview.definition["updated_at"] = now()
    state.interviews.save(interview)
    return answer


def get_interview(state: SandboxState, query: dict[str, Any]) -> Answer:
    interview = state.interviews.get(query["position_id"])
    if interview is None:
        raise ApiError(404, "Interview definition not found.", "position_id")
    return interview.definition


def _position_for(state: SandboxState, body: dict[str, Any]) -> Interview:
    """Reuse the position named by id (404 if unknown) or external id, else create it."""
    position_id = body.get("position_def_set_id")
    if position_id:
        interview = state.interviews.get(position_id)
        if interview is None:
            raise ApiError(404, "Position not found.", "position_def_set_id")
        return interview
    external_id = body.get("position_external_id")
    if external_id:
        existing = state.interviews.by_external_id(external_id)
        if existing is not None:
            return existing
    template = usable_template(body.get("interview_template_id") or PLATFORM_TEMPLATE_ID, unknown_status=422)
    max_duration = body.get("max_duration") or DEFAULT_MAX_DURATION
    fields = {
        **body,
        "name": body["position_name"],
        "location": body["position_location"],
        "description_long": body.get("position_description_long"),
        "status": "active",
        "type": "interview",
        "visibility": "merchant_invite",
        "max_duration": max_duration,
    }
    questions = generated_questions(
        body["position_name"],
        body.get("position_description") or "",
        body["mojito_language_code"],
        None,
        max_duration,
    )
    return new_interview(
        fields,
        template=template,
        questions=questions,
        description=body.get("position_description"),
        candidate_expectations=None,
        creation_parameters={
            "source": "job-interview-create-for-candidate-with-token",
            "position_country_code": body["position_country_code"],
        },
        external_id=external_id,
    )


def _saved_with_embed(
    state: SandboxState, interview: Interview, body: dict[str, Any], answer: Answer
) -> Answer:
    if body.get("is_embedded"):
        answer.update(interview.ensure_embed())
    state.interviews.save(interview)
    return answer


def list_interviews(state: SandboxState, query: dict[str, Any]) -> Answer:
    """Newest-updated first; ``type`` defaults to interview, ``status`` omitted means every status;
    ``filter_text`` is a case-insensitive part of the name. The sandbox has no public or demo
    interviews, so ``show_public`` and ``show_demo`` add nothing."""
    check_merchant(query, status=403)
    kind, status = query.get("type") or "interview", query.get("status")
    text = (query.get("filter_text") or "").casefold()
    results = state.results.all()

    def wanted(interview: Interview) -> bool:
        definition = interview.definition
        return (
            definition.get("type") == kind
            and status in (None, definition.get("status"))
            and text in str(definition.get("name") or "").casefold()
            and query.get("filter_emoji") in (None, definition.get("emoji"))
        )

    matches = sorted(
        (i for i in state.interviews.all() if wanted(i)),
        key=lambda i: i.definition["updated_at"],
        reverse=True,
    )
    return page_of([_interview_row(i, results) for i in matches], query)


def _interview_row(interview: Interview, results: list[Result]) -> Answer:
    definition = interview.definition
    taken = [r for r in results if r.interview_id == interview.id and r.started_at]
    durations = [r.details["duration"] / 10 for r in taken if r.completed and r.details]
    return {
        "id": interview.id,
        "merchant_id": SANDBOX_MERCHANT_ID,
        "name": definition.get("name"),
        "emoji": definition.get("emoji"),
        "type": definition.get("type"),
        "type_avatar": definition.get("interview_template_type"),
        "status": definition.get("status"),
        "visibility": definition.get("visibility"),
        "mojito_language_code": definition.get("mojito_language_code"),
        "speech_language_code": definition.get("speech_language_code"),
        "environment": None,
        "is_ats": False,
        "is_multi_stage": bool(definition.get("is_multistage")),
        "recording": definition.get("recording"),
        "recording_full_session": definition.get("recording_full_session"),
        "billing_single_position": False,
        "billing_single_position_end_at": None,
        "cover_image_url": definition.get("cover_image_url"),
        "interview_count": len(taken),
        "interview_last": max((r.started_at for r in taken if r.started_at), default=None),
        "calc_duration": round(sum(durations) / len(durations)) if durations else None,
        "created_at": definition.get("created_at"),
        "updated_at": definition.get("updated_at"),
    }
