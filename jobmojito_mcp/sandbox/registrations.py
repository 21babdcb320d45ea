"""Candidates registered for an interview: their one-time links, their result rows, their e-mails.

A registration (``job-interview-register-users``, or an enrolment by
``job-interview-create-for-candidate-with-token``) creates or updates the candidate's profile on
the interview (one ``profile_interview_id`` per e-mail and interview), mints a one-time link,
and makes sure the results list has a row for the candidate, not started until they take the
interview (``takes.py``). Each link can be used once; registering again mints a new one.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jobmojito_mcp.sandbox.interviews import Interview, now
from jobmojito_mcp.sandbox.records import Link, Result

if TYPE_CHECKING:
    from jobmojito_mcp.sandbox.state import SandboxState

INTERVIEW_URL = "https://sandbox.jobmojito.invalid/interview/{token}"


def _flag(value: Any) -> bool:
    """The API's loose flags: true or "true" (any case) is on; anything else is off."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def enrol(
    state: SandboxState,
    interview: Interview,
    *,
    name: str | None,
    email: str,
    external_id: str | None = None,
    is_test: Any = False,
    hide_menu: Any = None,
    hide_iframe: Any = None,
) -> Link:
    """Register one candidate on ``interview`` (the caller saves it) and mint their link."""
    test = _flag(is_test)
    key = email.strip().casefold()
    profile = interview.candidates.get(key)
    if profile is None:
        profile = {"profile_interview_id": str(uuid.uuid4()), "created_at": now()}
        interview.candidates[key] = profile
    profile.update(
        {
            "candidate_name": name if name is not None else profile.get("candidate_name"),
            "email": email.strip(),
            "external_id": external_id if external_id is not None else profile.get("external_id"),
        }
    )
    token = secrets.token_urlsafe(24)
    flags = {key: "1" for key, value in (("view_hm", hide_menu), ("view_hi", hide_iframe)) if _flag(value)}
    url = INTERVIEW_URL.format(token=token) + (f"?{urlencode(flags)}" if flags else "")
    link = Link(
        token=token,
        url=url,
        interview_id=interview.id,
        profile_interview_id=profile["profile_interview_id"],
        email=profile["email"],
        name=profile["candidate_name"],
        is_test=test,
        created_at=now(),
    )
    if state.auto_take is not None and not test:
        link.take_at = time.time() + state.auto_take
    profile["interview_url"] = url
    state.links.save(link)
    if not test:
        account = state.account
        account.invitations_sent += 1
        state.save_account(account)
    waiting_row(state, interview, link)
    return link


def waiting_row(state: SandboxState, interview: Interview, link: Link) -> Result:
    """The candidate's not-started row on this interview, created when there is none."""
    existing = state.results.find(
        lambda row: (
            row.profile_interview_id == link.profile_interview_id
            and row.interview_result_id is None
            and row.is_test == link.is_test
        )
    )
    if existing is not None:
        existing.candidate_name, existing.candidate_email = link.name, link.email
        existing.updated_at = now()
        state.results.save(existing)
        return existing
    definition = interview.definition
    stamp = now()
    row = Result(
        id=str(uuid.uuid4()),
        seq=state.results.count() + 1,
        interview_id=interview.id,
        profile_interview_id=link.profile_interview_id,
        candidate_name=link.name,
        candidate_email=link.email,
        external_id=interview.candidates.get((link.email or "").casefold(), {}).get("external_id"),
        position_name=definition.get("name"),
        type=definition.get("type"),
        mojito_language_code=definition.get("mojito_language_code"),
        created_at=stamp,
        updated_at=stamp,
        is_test=link.is_test,
    )
    state.results.save(row)
    return row
