"""The candidates toolset's endpoint: registering candidates for an interview.

==============================  ==================================================================
job-interview-register-users    unknown interview_id: 422; another merchant_id: 403
==============================  ==================================================================
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.lookups import check_merchant
from jobmojito_mcp.sandbox.records import Email
from jobmojito_mcp.sandbox.registrations import enrol
from jobmojito_mcp.sandbox.state import SandboxState

Answer = dict[str, Any]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register_users(state: SandboxState, body: dict[str, Any]) -> list[Answer]:
    """One answer per user, in order: ``result`` "ok" with an ``interview_url``, or "Error: ..." for
    that user alone (a missing or malformed e-mail, no invitations left)."""
    check_merchant(body, status=403)
    interview = state.interviews.get(body["interview_id"])
    if interview is None:
        raise ApiError(422, "Interview not found.", "interview_id")
    test = body.get("is_test") in (True, "true", "TRUE", "True")
    if test and interview.definition.get("status") == "draft":  # a test run of a draft compiles it first
        interview.definition["calc_definition_json"] = {
            "compiled_at": now(),
            "steps": len(interview.definition["questions"] or []),
        }
    answers = []
    for user in body["users"]:
        email, name = user.get("email"), user.get("name")
        answer: Answer = {"name": name, "email": email or "", "external_id": user.get("external_id")}
        answers.append(answer)
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            answer["result"] = "Error: a valid e-mail address is required."
            continue
        if not test and state.account.invitations_available <= 0:
            answer["result"] = "Error: no invitations left (invitations_limit reached; see merchant-status)."
            continue
        link = enrol(
            state,
            interview,
            name=name,
            email=email,
            external_id=user.get("external_id"),
            is_test=test,
            hide_menu=body.get("hide_menu"),
            hide_iframe=body.get("hide_iframe"),
        )
        answer |= {
            "result": "ok",
            "interview_url": link.url,
            "profile_interview_id": link.profile_interview_id,
        }
        if body.get("send_email") is True:
            state.outbox.save(
                Email(
                    id=str(uuid.uuid4()),
                    to=link.email or email,
                    name=name,
                    subject=f"Your interview for {interview.definition.get('name')}",
                    interview_url=link.url,
                    interview_id=interview.id,
                    sent_at=now(),
                )
            )
    state.interviews.save(interview)
    return answers
