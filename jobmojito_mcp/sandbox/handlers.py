"""The endpoints' behaviour, on already schema-checked parameters: the six of creation here, the
seven after it in ``lifecycle.py``; ``ROUTES`` maps every endpoint to its handler.

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
==================================================  =============================================

Legacy templates (offline_elai, offline_synthesia) are refused by all three create endpoints
with 422 ``interview_template_id``: it is a rule about the template, not a failed lookup. A
``merchant_id`` other than the sandbox merchant is "not permitted": 403 on the list, 500 on the
create endpoints (which report authorization failures as server errors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobmojito_mcp.sandbox import lifecycle, validation
from jobmojito_mcp.sandbox.candidates import decide
from jobmojito_mcp.sandbox.catalogue import PLATFORM_TEMPLATE_ID, list_templates
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
from jobmojito_mcp.sandbox.registrations import enrol
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.updates import update

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


# Helpers ----------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Route:
    """How one endpoint is reached: its contract tool, its methods, its handler."""

    tool: str
    methods: frozenset[str]
    handle: Callable[[SandboxState, dict[str, Any]], Any]


ROUTES: dict[str, Route] = {
    "merchant-avatar-list": Route("list_avatars", frozenset({"GET"}), list_avatars),
    "job-interview-create": Route("create_interview", frozenset({"POST"}), create_interview),
    "job-interview-create-from-array": Route(
        "create_interview_from_questions", frozenset({"POST"}), create_from_array
    ),
    "job-interview-create-for-candidate-with-token": Route(
        "create_interview_for_candidate", frozenset({"POST"}), create_for_candidate
    ),
    "job-interview-set-state": Route("set_interview_state", frozenset({"POST"}), set_state),
    # GET per the OpenAPI description; POST with a JSON body too, as the cookbook says.
    "job-interview-get": Route("get_interview_definition", frozenset({"GET", "POST"}), get_interview),
    "merchant-interview-list": Route("list_interviews", frozenset({"GET"}), lifecycle.list_interviews),
    "job-interview-update": Route("update_interview", frozenset({"POST"}), update),
    "job-interview-register-users": Route(
        "register_users_for_interview", frozenset({"POST"}), lifecycle.register_users
    ),
    "merchant-result-list": Route("list_interview_results", frozenset({"GET"}), lifecycle.list_results),
    # GET per the OpenAPI description; POST with a JSON body too, as the cookbook calls it.
    "job-interview-details": Route(
        "get_interview_result_details", frozenset({"GET", "POST"}), lifecycle.result_details
    ),
    "job-interview-pdf": Route("generate_interview_report", frozenset({"POST"}), lifecycle.report),
    "merchant-status": Route("get_merchant_status", frozenset({"GET"}), lifecycle.merchant_status),
}
