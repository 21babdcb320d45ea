"""The candidates toolset's endpoints: registering candidates for an interview, the candidate list,
another attempt, and signed links.

=============================================  ===================================================
job-interview-register-users                   unknown interview_id: 422; another merchant_id: 403
merchant-candidate-list                        another merchant_id: 403
job-interview-result-request-another-attempt   unknown result, or not completed: 422
job-interview-token                            unknown interview, candidate or result: 422;
                                               a needed id missing: 422; another merchant_id: 403
=============================================  ===================================================

The candidate list is one row per person (e-mail) across interviews, its ``id`` the person's first
``profile_interview_id``. Everyone in the sandbox came by invitation (registration, enrolment or
invite-users): ``source=registered`` and ``tab=leads`` list nobody, nor ``tab=pre-screening``
(the sandbox runs no pre-screening); ``tab=interview`` is who took an interview, ``no-action`` who
has not.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID, page_of
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import Interview, now
from jobmojito_mcp.sandbox.lookups import check_merchant
from jobmojito_mcp.sandbox.records import Email, Link
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


# ---------------------------------------------------------------------------------------------
# merchant-candidate-list


def profile_id_of(email: str) -> str:
    """The person behind an e-mail (the results list's ``profile_id`` uses the same)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email.casefold()}"))


def candidate_rows(state: SandboxState) -> list[Answer]:
    """Every candidate the account has, one row per e-mail, oldest first."""
    people: dict[str, Answer] = {}
    for interview in state.interviews.all():
        for key, profile in interview.candidates.items():
            row = people.get(key)
            if row is None or profile["created_at"] < row["created_at"]:
                people[key] = {
                    "id": profile["profile_interview_id"],
                    "profile_id": profile_id_of(key),
                    "merchant_id": SANDBOX_MERCHANT_ID,
                    "name": profile.get("candidate_name") or (row or {}).get("name"),
                    "email": profile.get("email"),
                    "email_auth": profile.get("email"),
                    "emoji": None,
                    "external_id": profile.get("external_id"),
                    "mojito_language_code": interview.definition.get("mojito_language_code"),
                    "created_at": profile["created_at"],
                    "updated_at": profile["created_at"],
                    "deleted_at": None,
                }
    taken: dict[str, list[str]] = {}
    for result in state.results.all():
        if result.started_at and not result.is_test:
            taken.setdefault((result.candidate_email or "").casefold(), []).append(result.started_at)
    for key, row in people.items():
        stamps = taken.get(key, [])
        row |= {
            "status": "active" if stamps else "invited",
            "interview_count": len(stamps),
            "pre_screening_count": 0,
            "public_avatar_count": 0,
            "interview_last": max(stamps, default=None),
            "last_login_at": max(stamps, default=None),
        }
    return sorted(people.values(), key=lambda row: row["created_at"])


_CANDIDATE_TABS: dict[str, Callable[[Answer], bool]] = {
    "": lambda row: True,
    "interview": lambda row: row["interview_count"] > 0,
    "no-action": lambda row: row["interview_count"] == 0,
    "pre-screening": lambda row: row["pre_screening_count"] > 0,
    "leads": lambda row: False,  # people who signed up themselves: none in the sandbox
}


def list_candidates(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    text = (query.get("filter_text") or "").casefold()
    in_tab = _CANDIDATE_TABS[query.get("tab") or ""]
    rows = [
        row
        for row in candidate_rows(state)
        if in_tab(row)
        and query.get("source") in (None, "invited")
        and query.get("filter_emoji") in (None, row["emoji"])
        and (not text or text in f"{row['name'] or ''} {row['email'] or ''}".casefold())
    ]
    order = query.get("order_by") or "created_at_newest"
    if order.startswith("name"):
        rows.sort(key=lambda row: (row["name"] or "").casefold(), reverse=order == "name_decending")
    else:
        rows.sort(key=lambda row: row["created_at"], reverse=order == "created_at_newest")
    return page_of(rows, query)


# ---------------------------------------------------------------------------------------------
# job-interview-result-request-another-attempt


def another_attempt(state: SandboxState, body: dict[str, Any]) -> Answer:
    """The result goes back to draft, flagged unsuccessful, its decision erased; the candidate gets a
    fresh one-time link (no e-mail: JobMojito documents none) for the retake, a new attempt."""
    result_id = body["interview_result_id"]
    row = state.results.find(lambda r: r.interview_result_id == result_id)
    if row is None:
        raise ApiError(422, "Interview result not found.", "interview_result_id")
    if not row.completed or row.details is None:
        raise ApiError(
            422, "Only an active, submitted interview result can be attempted again.", "interview_result_id"
        )
    row.details = {**row.details, "status": "draft", "unsuccessful": True}
    row.decision_status, row.recruiter_shortlist = None, False
    row.extra["another_attempt_at"] = row.updated_at = now()
    state.results.save(row)
    interview = state.interviews.get(row.interview_id)
    if interview is not None and row.candidate_email:
        state.links.save(
            _link(interview, row.profile_interview_id, row.candidate_email, row.candidate_name, row.is_test)
        )
    return {}


# ---------------------------------------------------------------------------------------------
# job-interview-token

TAKE_URL = "https://sandbox.jobmojito.invalid/interview/take/{token}/"
VIEW_URL = "https://sandbox.jobmojito.invalid/{page}/{id}/"
_NEEDS = {
    "interview-for-profile": ("interview_profile_id", "interview_id"),
    "results-for-profile": ("interview_profile_id",),
    "interview-result-candidate": ("interview_result_id",),
    "interview-result-talent-seeker": ("interview_result_id",),
    "interview-results-for-position": ("interview_id",),
}


def _jwt(claims: Answer) -> str:
    """A JWT-shaped token (unsigned here: nothing verifies it); no ``exp``, as none is documented."""

    def part(value: Answer) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_urlsafe(32)}"


def _link(
    interview: Interview, profile_interview_id: str, email: str, name: str | None, is_test: bool
) -> Link:
    """A fresh one-time link for someone already on the interview (no invitation counted)."""
    token = secrets.token_urlsafe(24)
    return Link(
        token=token,
        url=TAKE_URL.format(token=token),
        interview_id=interview.id,
        profile_interview_id=profile_interview_id,
        email=email,
        name=name,
        is_test=is_test,
        created_at=now(),
        invited=False,
    )


def _profile(state: SandboxState, wanted: str, interview: Interview | None) -> tuple[Interview, Answer]:
    """The candidate profile (on ``interview``, or on any) whose profile_interview_id or profile_id
    is ``wanted`` (the reference's wording allows either), with its interview; 422 when none."""
    owners = [interview] if interview is not None else state.interviews.all()
    for owner in owners:
        for key, profile in owner.candidates.items():
            if wanted in (profile["profile_interview_id"], profile_id_of(key)):
                return owner, profile
    raise ApiError(422, "Candidate profile not found.", "interview_profile_id")


_PAGES = {
    "results-for-profile": ("results/profile", "interview_profile_id"),
    "interview-result-candidate": ("result/candidate", "interview_result_id"),
    "interview-result-talent-seeker": ("result/recruiter", "interview_result_id"),
    "interview-results-for-position": ("results/position", "interview_id"),
}


def interview_token(state: SandboxState, body: dict[str, Any]) -> str:
    """The signed URL, as a bare JSON string. The menu shows only for the string "false"."""
    check_merchant(body, status=403)
    kind = body["type"]
    for name in _NEEDS[kind]:
        if not body.get(name):
            raise ApiError(422, f"{name} is required for type {kind}.", name)
    claims: Answer = {"type": kind, "iat": int(time.time()), "merchant_id": SANDBOX_MERCHANT_ID}
    interview = None
    if "interview_id" in _NEEDS[kind]:
        interview = state.interviews.get(body["interview_id"])
        if interview is None:
            raise ApiError(422, "Interview not found.", "interview_id")
        claims["interview_id"] = interview.id
    profile = None
    if "interview_profile_id" in _NEEDS[kind]:
        owner, profile = _profile(state, body["interview_profile_id"], interview)
        interview = interview or owner
        claims["interview_profile_id"] = profile["profile_interview_id"]
    if "interview_result_id" in _NEEDS[kind]:
        row = state.results.find(lambda r: r.interview_result_id == body["interview_result_id"])
        if row is None:
            raise ApiError(422, "Interview result not found.", "interview_result_id")
        claims["interview_result_id"] = row.interview_result_id
    query = f"?interview_token={_jwt(claims)}" + ("" if body.get("hide_menu") == "false" else "&view_hm=true")
    if kind == "interview-for-profile" and interview is not None and profile is not None:
        link = _link(
            interview, profile["profile_interview_id"], profile["email"], profile.get("candidate_name"), False
        )
        link.url += query
        state.links.save(link)
        return link.url
    page, subject = _PAGES[kind]
    return VIEW_URL.format(page=page, id=claims[subject]) + query
