"""A candidate takes an interview: the sandbox control that stands in for a person, and its clock.

``take`` is what ``POST /_sandbox/take`` and ``RunningSandbox.take_interview`` run: the candidate
opens their one-time link and goes through the interview. With ``delay`` the session is in
progress (``coach_status`` ``started``) for that many seconds before it completes; ``finish:
false`` has the candidate leave half-way. The result itself is ``performance.assess``'s.

The sandbox has no background tasks: ``catch_up`` runs before every call and moves the clock on
(sessions whose time has come complete, auto-takes happen, unpaid sessions are charged once
credits allow), so what a call sees is exactly what the elapsed time implies.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jobmojito_mcp.sandbox.account import session_price
from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.performance import assess
from jobmojito_mcp.sandbox.records import Result
from jobmojito_mcp.sandbox.registrations import waiting_row

if TYPE_CHECKING:
    from jobmojito_mcp.sandbox.state import SandboxState

# What of the definition a session needs, kept with it when it starts: what was asked is what is
# assessed, even if the interview is updated or deleted meanwhile.
_ASKED = ("name", "questions", "max_followups", "recording", "recording_full_session", "max_duration",
          "candidate_video_introduction", "required_pronunciation", "mojito_language_code")  # fmt: skip


class TakeRefused(Exception):
    """Why this link cannot be used now, as an HTTP status and a message for the admin API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_of(link: str) -> str:
    """A link's token: the URL's last path segment (the token alone is accepted too)."""
    return link.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def take(
    state: SandboxState, link: str, *, score: float | None = None, finish: bool = True, delay: float = 0.0
) -> Result:
    """The candidate with this link (URL or token) takes the interview; returns their result row."""
    if score is not None and not 0 <= score <= 100:
        raise TakeRefused(422, "score must be between 0 and 100")
    if delay < 0:
        raise TakeRefused(422, "delay must be 0 or more seconds")
    found = state.links.get(token_of(link))
    if found is None:
        raise TakeRefused(404, "No candidate link with this token.")
    if found.used_at is not None:
        raise TakeRefused(
            409, "This link was already used: each link works once; register the candidate again."
        )
    interview = state.interviews.get(found.interview_id)
    if interview is None:
        raise TakeRefused(410, "The interview of this link was deleted.")
    status = interview.definition.get("status")
    if status != "active" and not found.is_test:
        raise TakeRefused(
            409, f"The interview is {status}: candidates can take only active interviews (test links any)."
        )
    found.used_at, found.take_at = now(), None
    state.links.save(found)
    row = waiting_row(state, interview, found)
    row.interview_result_id = str(uuid.uuid4())
    row.started_at = row.updated_at = now()
    row.finish, row.target_score = finish, score
    row.extra["asked"] = {name: interview.definition.get(name) for name in _ASKED}
    row.details = {"status": "started", "start": row.started_at, "transcript": []}
    row.completes_at = time.time() + delay
    state.results.save(row)
    if delay == 0:
        row = _complete(state, row)
    return row


def _complete(state: SandboxState, row: Result) -> Result:
    assert row.interview_result_id is not None
    assert row.started_at is not None
    row.details = assess(
        row.extra["asked"],
        result_id=row.interview_result_id,
        candidate_name=row.candidate_name,
        candidate_email=row.candidate_email,
        started_at=datetime.fromisoformat(row.started_at),
        score=row.target_score,
        finish=row.finish,
    )
    row.completes_at = None
    row.updated_at = now()
    state.results.save(row)
    return _charge(state, row)


def _charge(state: SandboxState, row: Result) -> Result:
    if row.charged or row.is_test or not row.completed:
        return row
    account = state.account
    if account.charge(
        session_price(row.extra["asked"]), "interview", row.interview_result_id or row.id, now()
    ):
        state.save_account(account)
        row.charged = True
        state.results.save(row)
    return row


def catch_up(state: SandboxState) -> None:
    """Move the clock on: due auto-takes happen, due sessions complete, unpaid ones are charged."""
    moment = time.time()
    for link in state.links.select(
        lambda k: k.take_at is not None and k.take_at <= moment and k.used_at is None
    ):
        with contextlib.suppress(TakeRefused):  # e.g. still a draft: the candidate tries again next call
            take(state, link.token)
    for row in state.results.select(lambda r: r.completes_at is not None or (r.completed and not r.charged)):
        if row.completes_at is not None and row.completes_at <= moment:
            _complete(state, row)
        elif row.completes_at is None:
            _charge(state, row)


def decide(state: SandboxState, result_id: str, changes: dict[str, Any]) -> Result:
    """What a recruiter does in JobMojito's web app (the API has no endpoint for it): select, reject
    or shortlist a result. ``changes``: ``decision_status`` (selected, rejected or null) and/or
    ``recruiter_shortlist`` (bool)."""
    row = state.results.find(lambda r: result_id in (r.id, r.interview_result_id))
    if row is None:
        raise TakeRefused(404, "No result with this id.")
    if set(changes) - {"decision_status", "recruiter_shortlist"} or not changes:
        raise TakeRefused(
            422, 'send {"decision_status": "selected"|"rejected"|null, "recruiter_shortlist": bool}'
        )
    if "decision_status" in changes:
        if changes["decision_status"] not in ("selected", "rejected", None):
            raise TakeRefused(422, "decision_status must be selected, rejected or null")
        row.decision_status = changes["decision_status"]
    if "recruiter_shortlist" in changes:
        if not isinstance(changes["recruiter_shortlist"], bool):
            raise TakeRefused(422, "recruiter_shortlist must be true or false")
        row.recruiter_shortlist = changes["recruiter_shortlist"]
    row.updated_at = now()
    state.results.save(row)
    return row


def list_row(row: Result) -> dict[str, Any]:
    """The row as ``merchant-result-list`` answers it (``extra["listed"]``: fields a pre-screening row sets)."""
    details = row.details or {}
    started = row.interview_result_id is not None
    listed: dict[str, Any] = row.extra.get("listed", {})
    return {
        "id": row.id,
        "interview_result_id": row.interview_result_id,
        "interview_result_pre_screening_id": None,
        "merchant_id": SANDBOX_MERCHANT_ID,
        "profile_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{(row.candidate_email or '').casefold()}")),
        "profile_interview_id": row.profile_interview_id,
        "definition_id": row.interview_id,
        "candidate_name": row.candidate_name,
        "candidate_email": row.candidate_email,
        "position_name": row.position_name,
        "position_step": "interview",
        "type": row.type,
        "emoji": None,
        "external_id": row.external_id,
        "mojito_language_code": row.mojito_language_code,
        "status": "completed" if row.completed else "started" if started else "invited",
        "coach_status": details.get("status"),
        "decision_status": row.decision_status,
        "interview_started": started,
        "is_multi_stage": False,
        "is_test": row.is_test,
        "recruiter_shortlist": row.recruiter_shortlist,
        "recruiter_risks": details.get("recruiter_risks"),
        "duration_ds": details.get("duration"),
        "score": details.get("score"),
        "score_simulation": details.get("score_simulation"),
        "score_sentiment": details.get("score_sentiment"),
        "score_words_per_minute": details.get("score_words_per_minute"),
        "score_interview_ai": details.get("score"),
        "score_answer_ai": details.get("score_answer"),
        "score_pronunciation": details.get("score_pronunciation"),
        "processing_status": "completed" if row.completed else None,
        "processing_error": None,
        "kyc_processing_status": None,
        "position_result_step_id": None,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    } | listed  # a pre-screening row's step, its screening id and score


def days_ago(stamp: str, today: datetime | None = None) -> int:
    """Whole days between ``stamp`` (ISO) and today, in UTC."""
    today = today or datetime.now(UTC)
    return (today.date() - datetime.fromisoformat(stamp).astimezone(UTC).date()).days
