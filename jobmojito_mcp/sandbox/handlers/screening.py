"""The screening endpoints: pre-screening positions, and résumés screened against them.

=============================================  ===============================================
pre-screening-create                           update of an unknown (or another merchant's)
                                               position: 404; create without a create-only
                                               field: 422; another merchant_id: 422
job-interview-pre-screening-api-resume-text    unknown or another merchant's position: 404
job-interview-pre-screening-api-resume-binary  the same; no file part, or a text part named
                                               ``file``: 422; ``form`` not a JSON object: 422
=============================================  ===============================================

A screening creates or reuses the candidate (keyed by e-mail), stores the résumé as a file,
records a row that ``merchant-result-list?step=pre-screening`` lists, and charges
``SCREENING_CREDITS`` to the ledger (event ``pre_screening``). A candidate already screened on the
position is no longer in the ``candidate_action`` state: the answer is the documented early exit
``{decision_status, message}``, and nothing is stored or charged. The rule is in ``screening.py``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID
from jobmojito_mcp.sandbox.documents import UploadedFile, extract_text
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.records import Result
from jobmojito_mcp.sandbox.screening import SCREENING_CREDITS, Position, screen
from jobmojito_mcp.sandbox.state import SandboxState

Answer = dict[str, Any]

_CREATE_ONLY = ("position_name", "position_location", "position_country_code", "mojito_language_code")
_KEPT = (
    "position_name", "position_location", "position_country_code", "position_description",
    "position_description_long", "mojito_language_code", "type", "status", "visibility",
    "assessment_rules", "form_fields", "candidate_expectations", "kombo_parameters",
    "interview_available_till",
)  # fmt: skip


def upsert(state: SandboxState, body: dict[str, Any]) -> Answer:
    """Create a position (the four create-only fields needed), or update one: sent fields replace
    the stored ones, the two arrays whole."""
    merchant_id = body.get("merchant_id")
    if merchant_id is not None and merchant_id != SANDBOX_MERCHANT_ID:
        raise ApiError(422, "Merchant could not be resolved.", "merchant_id")
    target = body.get("update_position_def_set_id")
    given = {name: body[name] for name in _KEPT if name in body}
    if given.get("position_country_code"):
        given["position_country_code"] = str(given["position_country_code"]).upper()
    _check_form(given)
    stamp = now()
    if target:
        position = state.positions.get(target)
        if position is None or position.merchant_id != SANDBOX_MERCHANT_ID:
            raise ApiError(404, "Pre-screening position not found.", "update_position_def_set_id")
        position.definition |= given
        position.updated_at = stamp
        state.positions.save(position)
        return _ids(position) | {"updated": True}
    for name in _CREATE_ONLY:
        if not given.get(name):
            raise ApiError(422, f"{name} is required to create a position.", name)
    definition = {"type": "resume", "status": "draft", "visibility": "merchant_invite"} | given
    if body.get("creation_parameters") is not None:
        definition["creation_parameters"] = body["creation_parameters"]
    position = Position(
        id=str(uuid.uuid4()),
        pre_screening_id=str(uuid.uuid4()),
        merchant_id=SANDBOX_MERCHANT_ID,
        definition=definition,
        created_at=stamp,
        updated_at=stamp,
    )
    state.positions.save(position)
    return _ids(position) | {"created": True}


def _check_form(given: dict[str, Any]) -> None:
    """A form position needs a form: at least one form_fields entry for form and resume_with_form."""
    if given.get("type") in ("form", "resume_with_form") and not given.get("form_fields"):
        raise ApiError(422, f"form_fields needs at least one entry for type {given['type']}.", "form_fields")


def _ids(position: Position) -> Answer:
    return {"position_def_set_id": position.id, "interview_pre_screening_id": position.pre_screening_id}


def resume_text(state: SandboxState, body: dict[str, Any]) -> Answer:
    return _screen(state, body, body["candidate_resume"], kind="txt", size=len(body["candidate_resume"]))


def resume_binary(state: SandboxState, params: dict[str, Any]) -> Answer:
    upload = params.get("file")
    if not isinstance(upload, UploadedFile):
        raise ApiError(422, "file must be an uploaded file part.", "file")
    form = params.get("form")
    if form is not None:
        try:
            form = json.loads(form)
        except ValueError:
            form = None
        if not isinstance(form, dict):
            raise ApiError(422, "form must be a JSON-encoded object.", "form")
    kind, text = extract_text(upload.data)
    return _screen(state, params | {"form": form}, text, kind=kind, size=len(upload.data))


def _screen(state: SandboxState, body: dict[str, Any], resume: str, *, kind: str | None, size: int) -> Answer:
    position = state.positions.get(body["position_id"])
    if position is None or position.merchant_id != SANDBOX_MERCHANT_ID:
        raise ApiError(404, "Position not found.", "position_id")
    email = body["candidate_email"].strip().casefold()
    earlier = position.screened.get(email)
    if earlier is not None:
        return {
            "decision_status": earlier["decision_status"],
            "message": "The candidate is not waiting for pre-screening on this position (already screened: "
            f"{earlier['decision_status']}).",
        }
    profile_interview_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{position.id}/{email}"))
    answer: Answer = {
        "success": True,
        "profile_interview_id": profile_interview_id,
        "interview_result_pre_screening_id": str(uuid.uuid4()),
        "interview_file_id": str(uuid.uuid4()),
        "pre_screening_score": None,
        "resume_ai_analysis": None,
        "resume_ai_education": None,
        "resume_ai_technical_experience": None,
        "resume_ai_is_switching_profession": None,
        "processing_reason": None,
    }
    if not resume.strip():
        reason = "no text could be read from the file" if kind else "the file type could not be recognised"
        answer |= {
            "success": False,
            "decision_status": "recruiter_action",
            "recommendation": "recruiter_action",
            "processing_reason": f"Screening failed: {reason} ({size} bytes).",
        }
    else:
        verdict = screen(position, resume, body.get("form") or {}, body.get("candidate_country_code"))
        answer |= {
            "decision_status": verdict.recommendation,
            "recommendation": verdict.recommendation,
            "pre_screening_score": verdict.score,
            "resume_ai_analysis": verdict.analysis,
            "resume_ai_education": verdict.education,
            "resume_ai_technical_experience": verdict.experience,
            "resume_ai_is_switching_profession": False,
        }
    position.screened[email] = {
        "decision_status": answer["decision_status"],
        "interview_result_pre_screening_id": answer["interview_result_pre_screening_id"],
    }
    state.positions.save(position)
    _record(state, position, body, answer)
    return answer


def _record(state: SandboxState, position: Position, body: dict[str, Any], answer: Answer) -> None:
    """The result row list_interview_results shows with step=pre-screening, and the charge."""
    stamp = now()
    row = Result(
        id=str(uuid.uuid4()),
        seq=state.results.count() + 1,
        interview_id=position.id,
        profile_interview_id=answer["profile_interview_id"],
        candidate_name=body["candidate_name"],
        candidate_email=body["candidate_email"].strip().casefold(),
        external_id=body.get("candidate_external_id"),
        position_name=position.definition.get("position_name"),
        type="interview",
        mojito_language_code=position.definition.get("mojito_language_code"),
        created_at=stamp,
        updated_at=stamp,
        decision_status=answer["decision_status"],
        extra={
            "listed": {
                "position_step": "pre-screening",
                "interview_result_pre_screening_id": answer["interview_result_pre_screening_id"],
                "score": answer["pre_screening_score"],
                "status": "completed",
                "processing_status": "completed" if answer["success"] else "failed",
                "processing_error": answer["processing_reason"],
            }
        },
    )
    state.results.save(row)
    account = state.account
    if account.charge(SCREENING_CREDITS, "pre_screening", row.id, stamp):
        row.charged = True
        state.results.save(row)
    state.save_account(account)
