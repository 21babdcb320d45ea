"""The account toolset's endpoints: the merchant's status, languages, analytics, credit ledger,
sub-merchants and invitations.

================================  ================================================================
merchant-status                   another merchant_id: 403
platform-languages-list           (no parameters)
merchant-analytics                unknown interview_id: 422; another merchant_id: 403
merchant-analytics-credits-used   unknown interview_id: 422; another merchant_id: 403
merchant-sub-merchant-list        another merchant_id: 403
invite-users                      another merchant_id: 403; per person: "Error: ..." (bad e-mail,
                                  unknown type, candidate without interview or invitations left)
================================  ================================================================

Analytics are counted from what the sandbox did: ``interview_invitation`` per invitation link
minted (registrations, enrolments, invited candidates; not test links), ``interview_page_visit``
per link opened, ``interview`` per completed interview; only non-zero day x event pairs, oldest
day first. The credit ledger is the account's own (``sandbox.account``), newest first.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID, page_of
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.handlers.candidates import profile_id_of
from jobmojito_mcp.sandbox.interviews import Interview, now
from jobmojito_mcp.sandbox.lookups import check_merchant
from jobmojito_mcp.sandbox.platform import LANGUAGES, SUB_MERCHANTS
from jobmojito_mcp.sandbox.records import Email, Member
from jobmojito_mcp.sandbox.registrations import enrol
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.takes import days_ago

Answer = dict[str, Any]

SANDBOX_PROFILE_ID = "5a0d8b3e-0000-4000-8000-0000000000a1"  # the caller's own profile

HISTORY_DAYS = 14


def merchant_status(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    account = state.account
    results = [r for r in state.results.all() if not r.is_test]
    started = [r for r in results if r.started_at]
    profiles = {
        email: profile["created_at"]
        for interview in state.interviews.all()
        for email, profile in interview.candidates.items()
    }
    today = datetime.now(UTC)

    def history(stamps: list[str]) -> list[int]:
        ages = [days_ago(stamp, today) for stamp in stamps]
        return [ages.count(day) for day in range(HISTORY_DAYS)]

    return {
        "profile_id": SANDBOX_PROFILE_ID,
        "default_merchant_id": SANDBOX_MERCHANT_ID,
        "merchant_id": SANDBOX_MERCHANT_ID,
        "credits_interview_monthly": account.credits_interview_monthly,
        "credits_interview_monthly_limit": account.credits_interview_monthly_limit,
        "credits_interview_extra": account.credits_interview_extra,
        "credits_interview_single": account.credits_interview_single,
        "definitions_active": sum(
            1 for i in state.interviews.all() if i.definition.get("status") == "active"
        ),
        "interviews_without_credits": sum(1 for r in results if r.completed and not r.charged),
        "interviews_undecided": sum(1 for r in results if r.completed and r.decision_status is None),
        "interviews_ongoing": sum(1 for r in started if not r.completed),
        "interview_results": len(started),
        "candidates": len(profiles),
        "candidates_history": history(list(profiles.values())),
        "interview_result_history": history([r.started_at for r in started if r.started_at]),
        "subscription_type": account.subscription_type,
        "subscription_status": account.subscription_status,
        "invitations_sent": account.invitations_sent,
        "invitations_limit": account.invitations_limit,
        "invitations_available": account.invitations_available,
    }


def list_languages(state: SandboxState, query: dict[str, Any]) -> Answer:
    return {"languages": [dict(language) for language in LANGUAGES]}


# ---------------------------------------------------------------------------------------------
# Analytics and the credit ledger


def _day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(UTC).date().isoformat()


def _interview_of(state: SandboxState, query: dict[str, Any]) -> Interview | None:
    wanted = query.get("interview_id")
    if wanted is None:
        return None
    found = state.interviews.get(wanted)
    if found is None:
        raise ApiError(422, "Interview not found.", "interview_id")
    return found


def analytics(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    interview = _interview_of(state, query)
    counts: Counter[tuple[str, str]] = Counter()
    for link in state.links.all():
        if link.is_test or (interview is not None and link.interview_id != interview.id):
            continue
        if link.invited:
            counts[_day(link.created_at), "interview_invitation"] += 1
        if link.used_at:
            counts[_day(link.used_at), "interview_page_visit"] += 1
    for row in state.results.all():
        mine = interview is None or row.interview_id == interview.id
        if row.completed and row.started_at and not row.is_test and mine:
            counts[_day(row.started_at), "interview"] += 1
    first, last = query["date_from"], query["date_to"]
    rows = [
        {"day": day, "event": event, "event_number": number}
        for (day, event), number in sorted(counts.items())
        if first <= day <= last and number > 0
    ]
    return page_of(rows, query)


_LEDGER_EVENTS = {"report-translation": "candidate_report_translation"}


def credits_used(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    interview = _interview_of(state, query)
    results = {r.interview_result_id: r for r in state.results.all() if r.interview_result_id}
    rows = []
    for index, entry in enumerate(state.account.ledger):
        refs = [ref for ref in str(entry["ref"]).split(",") if ref]
        row = results.get(refs[0]) if refs else None
        if interview is not None and (row is None or row.interview_id != interview.id):
            continue
        rows.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ledger:{index}:{entry['at']}")),
                "event_date": entry["at"],
                "event": _LEDGER_EVENTS.get(entry["event"], entry["event"]),
                "credit_amount": entry["credits"],
                "stats": {"credit_amount": entry["credits"], "objects": refs},
                "candidate_name": row.candidate_name if row else None,
                "profile_id": profile_id_of(row.candidate_email) if row and row.candidate_email else None,
                "profile_interview_id": row.profile_interview_id if row else None,
                "object_uuid": refs[0] if refs else None,
                "parent_object_uuid": row.interview_id if row else None,
            }
        )
    rows.reverse()  # newest first
    return page_of(rows, query)


# ---------------------------------------------------------------------------------------------
# Sub-merchants


def sub_merchants(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    text = (query.get("filter_text") or "").casefold()
    rows = [dict(row) for row in SUB_MERCHANTS if text in (row["name"] or "").casefold()]
    order = query.get("order_by") or "created_at_newest"
    if order == "name":
        rows.sort(key=lambda row: row["name"].casefold())
    else:
        rows.sort(key=lambda row: row["created_at"], reverse=order == "created_at_newest")
    return page_of(rows, query)


# ---------------------------------------------------------------------------------------------
# invite-users

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = frozenset({"merchant_owner", "merchant", "merchant_selection", "user", "mentor", "candidate"})


def invite_users(state: SandboxState, body: dict[str, Any]) -> list[Answer]:
    """One answer per person, in order; everyone invited is e-mailed (the outbox). Candidates are
    registered on their interview (an invitation counted against ``invitations_available``);
    team and coaching users become members. Someone still pending is ``Skipped`` unless
    ``force_invite``, which e-mails them again."""
    check_merchant(body, status=403)
    force = body.get("force_invite") is True
    answers = []
    for user in body["users"]:
        email, kind = user.get("email"), user.get("type") or "user"
        answer: Answer = {
            "email": email or "",
            "name": user.get("name"),
            "type": kind,
            "interview_id": user.get("interview_id"),
            "profile_id": None,
            "profile_interview_id": None,
        }
        answers.append(answer)
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            answer["result"] = "Error: a valid e-mail address is required."
        elif kind not in ROLES:
            answer["result"] = f"Error: unknown type {kind}."
        elif kind == "candidate":
            answer["result"] = _invite_candidate(state, body, user, email.strip(), answer, force)
        else:
            answer["result"] = _invite_member(state, body, user, email.strip(), kind, force)
            answer["profile_id"] = profile_id_of(email.strip())
    return answers


def _invite_candidate(
    state: SandboxState, body: dict[str, Any], user: dict[str, Any], email: str, answer: Answer, force: bool
) -> str:
    interview = state.interviews.get(user.get("interview_id"))
    if interview is None:
        return "Error: interview_id is required for a candidate and must name an interview."
    profile = interview.candidates.get(email.casefold())
    if profile is not None and not force:
        answer |= {
            "profile_id": profile_id_of(email),
            "profile_interview_id": profile["profile_interview_id"],
        }
        return "Skipped"
    if state.account.invitations_available <= 0:
        return "Error: no invitations left (invitations_limit reached; see merchant-status)."
    link = enrol(state, interview, name=user.get("name"), email=email)
    state.interviews.save(interview)
    _send(
        state,
        email,
        user.get("name"),
        f"Your interview for {interview.definition.get('name')}",
        body,
        link.url,
        interview.id,
    )
    answer |= {"profile_id": profile_id_of(email), "profile_interview_id": link.profile_interview_id}
    return "Invited"


def _invite_member(
    state: SandboxState, body: dict[str, Any], user: dict[str, Any], email: str, kind: str, force: bool
) -> str:
    member = state.members.get(email.casefold())
    if member is not None and member.type == kind and not force:
        return "Skipped"
    if member is None:
        member = Member(
            email=email, name=user.get("name"), type=kind, profile_id=profile_id_of(email), invited_at=now()
        )
    else:
        member.type, member.invitations = kind, member.invitations + 1
    state.members.save(member)
    _send(state, email, user.get("name"), f"You are invited to JobMojito ({kind})", body, "", "")
    return "Invited"


def _send(
    state: SandboxState,
    to: str,
    name: str | None,
    subject: str,
    body: dict[str, Any],
    url: str,
    interview_id: str,
) -> None:
    state.outbox.save(
        Email(
            id=str(uuid.uuid4()),
            to=to,
            name=name,
            subject=subject,
            interview_url=url,
            interview_id=interview_id,
            sent_at=now(),
            message=body.get("message_from_recruiter"),
        )
    )
