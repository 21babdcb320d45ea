"""``job-interview-update``: a partial update of a stored interview, and the questions diff.

Only the fields sent are written; ``null`` clears a nullable one and blank identity strings are
stored as null. ``questions``, when sent, is the complete ordered list and is applied as a diff
against the stored questions. Each sent item is matched, in this order, on ``external_id``, then
``id``, then identical content (the fields other than ``id``, ignoring null and false ones):

- matched and unchanged: **kept** (same id);
- matched but changed: the stored one is unlinked and the item re-created with a new id
  (**replaced**, ``{from, to}``; follow-ups pointing at the old id are pointed at the new one);
- unmatched: **added** (its own ``id`` if it has an unused one, else a new id);
- stored questions nothing matched: **removed** (unlinked).

Sending back exactly what ``job-interview-get`` returned therefore changes nothing. When an
active interview's questions change it is re-published (``reactivated: true``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from jobmojito_mcp.sandbox import validation
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.lookups import check_knowledge_base, usable_template

if TYPE_CHECKING:
    from jobmojito_mcp.sandbox.state import SandboxState

# Body field -> definition field; a blank string is stored as null.
_IDENTITY = {
    "name": "name", "code": "code", "location": "interview_location", "cover_image_url": "cover_image_url",
    "description": "description", "description_long": "interview_description_long",
    "interview_department": "interview_department", "interview_salary": "interview_salary",
    "interview_available_till": "interview_available_till", "recruiter_profile_id": "recruiter_profile_id",
}  # fmt: skip
# Stored under the same name, as sent.
_SETTINGS = (
    "visibility", "tags", "type_credit", "coach_plan", "knowledge_base_store_id", "recording",
    "recording_full_session", "result_view", "candidate_video_introduction", "interview_conversation_speed",
    "max_followups", "max_duration", "questions_random_subset", "required_pronunciation",
    "result_enable_edit_transcript", "candidate_expectations", "candidate_expectations_json",
    "pdf_export_auto_config",
)  # fmt: skip
# Generation metadata: kept in creation_parameters; existing questions are not regenerated.
_GENERATION = ("interview_type", "interview_tone", "seniority_level", "hiring_for_company")
# The credit product a type implies, unless type_credit is sent too.
_TYPE_CREDIT = {"coaching": "interview_coach_starter"}


def update(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    interview = state.interviews.get(body["position_id"])
    if interview is None:
        raise ApiError(404, "Interview not found.", "position_id")
    definition = interview.definition
    template = None
    if "interview_template_id" in body:
        template = usable_template(body["interview_template_id"], unknown_status=422)
    check_knowledge_base(body.get("knowledge_base_store_id"), "knowledge_base_store_id", unknown_status=422)
    answer: dict[str, Any] = {
        "position_id": body["position_id"],
        "is_multistage": bool(definition.get("is_multistage")),
        "updated_fields": [name for name in body if name != "position_id"],
    }
    questions, diff = None, None
    if "questions" in body:
        validation.check_questions(body["questions"])
        questions, diff = diff_questions(definition.get("questions") or [], body["questions"])
        changed = bool(diff["added"] or diff["removed"] or diff["replaced"])
        uses_offline = str(definition.get("interview_template_type") or "").startswith("offline_")
        if changed and definition.get("status") == "active" and uses_offline:
            raise ApiError(
                422,
                "Questions of an active interview with a pre-recorded (offline) avatar cannot change: "
                "set it to draft first.",
                "questions",
            )
        diff["reactivated"] = changed and definition.get("status") == "active"
        answer["questions_diff"] = diff
    if body.get("status") == "deleted":  # the same routine as set-state
        state.interviews.delete(interview.id)
        return answer

    for field, stored in _IDENTITY.items():
        if field in body:
            value = body[field]
            definition[stored] = None if isinstance(value, str) and not value.strip() else value
    for field in _SETTINGS:
        if field in body:
            definition[field] = body[field]
    if "status" in body:
        definition["status"] = body["status"]
    if "type" in body:
        definition["type"] = body["type"]
        if "type_credit" not in body:
            definition["type_credit"] = _TYPE_CREDIT.get(body["type"])
    if template is not None:
        definition["interview_template_id"] = template.id
        definition["interview_template_type"] = template.type
        definition["is_voice_only"] = template.type == "interactive_elevenlabs"
    scoring = dict(definition.get("result_scoring") or {})
    if "custom_scoring" in body and body["custom_scoring"] is not None:
        scoring |= body["custom_scoring"]
    if "interview_attempts" in body:
        scoring["max_retries"] = body["interview_attempts"]
    if scoring != (definition.get("result_scoring") or {}):
        definition["result_scoring"] = scoring
    generation = {name: body[name] for name in _GENERATION if name in body}
    if generation:
        definition["creation_parameters"] = {**(definition.get("creation_parameters") or {}), **generation}
    if questions is not None:
        definition["questions"] = questions
        if (
            body.get("regenerate_candidate_expectations")
            and definition.get("type") == "interview"
            and "candidate_expectations_json" not in body
        ):
            definition["candidate_expectations_json"] = expectations_for(questions)
    definition["updated_at"] = now()
    state.interviews.save(interview)
    return answer


def _content(question: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in question.items() if key != "id" and value not in (None, False)}


def diff_questions(
    stored: list[dict[str, Any]], sent: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The new question list and the diff (see the module docstring)."""
    unmatched = list(stored)
    kept_ids = {q.get("id") for q in stored}
    result: list[dict[str, Any]] = []
    diff: dict[str, Any] = {"kept": [], "added": [], "removed": [], "replaced": [], "question_ids": []}

    def claim(match: Any) -> dict[str, Any] | None:
        found = next((q for q in unmatched if match(q)), None)
        if found is not None:
            unmatched.remove(found)
        return found

    for item in sent:
        external, own, content = item.get("external_id"), item.get("id"), _content(item)
        match = (
            (claim(lambda q, value=external: q.get("external_id") == value) if external else None)
            or (claim(lambda q, value=own: q.get("id") == value) if own else None)
            or claim(lambda q, value=content: _content(q) == value)
        )
        if match is not None and _content(match) == content:
            result.append(match)
            diff["kept"].append(match.get("id"))
        elif match is not None:
            fresh = {**item, "id": str(uuid.uuid4())}
            result.append(fresh)
            diff["replaced"].append({"from": match.get("id"), "to": fresh["id"]})
        else:
            usable = own if own and own not in kept_ids else str(uuid.uuid4())
            kept_ids.add(usable)
            result.append({**item, "id": usable})
            diff["added"].append(usable)
    moved = {pair["from"]: pair["to"] for pair in diff["replaced"]}
    for question in result:
        main = question.get("conditional_question_main_id")
        if main in moved:
            question["conditional_question_main_id"] = moved[main]
    diff["removed"] = [q.get("id") for q in unmatched]
    diff["question_ids"] = [q["id"] for q in result]
    return result, diff


def expectations_for(questions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The rubric re-derived from the questions (the sandbox's stand-in for the AI's)."""
    topics = [str(q.get("question", "")).rstrip("?.!") for q in questions[:5]]
    return {
        "strong": [f"A specific, measurable example for: {topic}" for topic in topics],
        "moderate": [f"A relevant but general answer to: {topic}" for topic in topics],
        "weak": [f"No concrete answer to: {topic}" for topic in topics],
    }
