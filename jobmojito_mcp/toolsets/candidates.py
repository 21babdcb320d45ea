"""The candidates toolset: inviting candidates to an interview (register_users_for_interview), finding
them across interviews (list_candidates), letting one retake (request_another_interview_attempt) and
direct links (generate_interview_url).

Registering mints one-time links and, with send_email, e-mails people at once: the user is asked
first, and answering "no" registers them without e-mail. Not idempotent: a repeat sends new links.
Another attempt erases the recruiter's decision: asked first, and "no" sends nothing. A generated
link is a bearer credential: the result says whom it opens what to, and its expiry when it has one.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import ConfigDict, Field, PlainSerializer, RootModel, model_validator

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import CREATE, INVITE, READ, ToolSpec
from jobmojito_mcp.toolsets.common import (
    Email,
    LenientModel,
    ListedRequestObject,
    ListLimit,
    Number,
    OpenResult,
    Pagination,
    StrictModel,
    Uuid,
    View,
    field_error,
    filters_given,
    page_note,
    present_page,
    sent_fields,
    shown_number,
)

# ---------------------------------------------------------------------------------------------
# Field types

# One call registers at most this many candidates: enough for a hiring round, and a bound on what
# one mistaken call can e-mail.
MAX_USERS_PER_CALL = 200


# ---------------------------------------------------------------------------------------------
# register_users_for_interview: invite candidates, get their links


class RegisteredCandidate(ListedRequestObject):
    """One candidate to register."""

    email: Email = Field(description="Where the invitation goes; identifies the candidate.")
    name: str | None = Field(None, description="Full name.")
    external_id: str | None = Field(None, description="Your own id for them.")


class RegisterUsersArgs(StrictModel):
    """Body of POST /job-interview-register-users."""

    interview_id: Uuid = Field(description="The interview_def_set_id (or position id) to invite them to.")
    users: list[RegisteredCandidate] = Field(
        min_length=1, max_length=MAX_USERS_PER_CALL, description="The candidates (e-mails unique)."
    )
    send_email: bool = Field(
        description="true: JobMojito e-mails each their link now (the user is asked first); false: just "
        "return the links."
    )
    is_test: bool | None = Field(
        None, description="Test links: run even a draft interview; results are marked as tests."
    )
    hide_menu: bool | None = Field(None, description="Hide the menu in the interview page.")
    hide_iframe: bool | None = None
    merchant_id: Uuid | None = None

    @model_validator(mode="after")
    def _one_link_each(self) -> RegisterUsersArgs:
        seen: set[str] = set()
        for index, user in enumerate(self.users):
            key = user.email.casefold()
            if key in seen:
                raise field_error(
                    f"users[{index}].email", f"{user.email} is listed twice: one link (and e-mail) each"
                )
            seen.add(key)
        return self


class RegisteredUser(LenientModel):
    name: str | None = None
    email: str | None = None
    external_id: str | None = None
    result: str | None = None
    interview_url: str | None = None
    profile_interview_id: str | None = None

    @property
    def ok(self) -> bool:
        return (self.result or "").strip().lower() == "ok"


class RegisteredUsers(RootModel[list[RegisteredUser]]):
    model_config = ConfigDict(defer_build=True)


class RegisteredRow(OpenResult):
    email: str | None = None
    name: str | None = None
    result: str | None = Field(None, description='"ok", or "Error: ..." for this candidate.')
    interview_url: str | None = Field(None, description="One-time link.")
    profile_interview_id: str | None = None


class RegistrationResult(OpenResult):
    interview_id: str
    emailed: bool
    registered: int
    failed: int
    users: list[RegisteredRow] = Field(default_factory=list)


def present_registration(args: RegisterUsersArgs, answer: RegisteredUsers) -> dict[str, Any]:
    users = answer.root
    fields = list(RegisteredRow.model_fields)
    registered = sum(1 for user in users if user.ok)
    return {
        "interview_id": args.interview_id,
        "emailed": args.send_email and registered > 0,
        "registered": registered,
        "failed": len(users) - registered,
        "users": [sent_fields(user, fields) for user in users],
    }


def summarize_registration(args: RegisterUsersArgs, result: RegisteredUsers) -> str:
    users = result.root
    done = [user for user in users if user.ok]
    head = f"Registered {len(done)} of {len(users)} candidate(s) for interview {args.interview_id}"
    if args.is_test:
        head += " with test links"
    emailed = (
        "JobMojito e-mailed each registered candidate their link."
        if args.send_email
        else "Nobody was e-mailed: send each candidate their link yourself."
    )
    lines = [f"- {user.name or ''} <{user.email}>: {user.interview_url}" for user in done]
    lines += [
        f"- {user.name or ''} <{user.email}>: {excerpt(user.result or 'no result', 160)}"
        for user in users
        if not user.ok
    ]
    return (
        f"{head}. {emailed if done else 'Nobody was registered or e-mailed.'}\n"
        + "\n".join(lines)
        + "\nEach link works once. Registering a candidate again gives them a new link"
        + (" and another e-mail." if args.send_email else ".")
        + " Their results appear in list_interview_results once they take the interview."
    )


def _confirm_emails(args: RegisterUsersArgs) -> str | None:
    if not args.send_email:
        return None
    shown = ", ".join(user.email for user in args.users[:5]) + (
        f" and {len(args.users) - 5} more" if len(args.users) > 5 else ""
    )
    return (
        f"E-mail interview invitations to {len(args.users)} candidate(s) ({shown}) for interview "
        f"{args.interview_id}? They get them at once, and they cannot be recalled. Yes: register and e-mail "
        "them. No: register them without e-mail (you get their links). Dismiss: register no one."
    )


REGISTER_USERS_FOR_INTERVIEW = ToolSpec(
    name="register_users_for_interview",
    title="Invite candidates to an interview",
    description=(
        "Register candidates; each gets a one-time link. send_email true: JobMojito e-mails them (the user "
        "is asked first). Not idempotent: a repeat sends new links (and e-mails)."
    ),
    arguments=RegisterUsersArgs,
    response=RegisteredUsers,
    method="POST",
    path="/job-interview-register-users",
    annotations=INVITE,
    summarize=summarize_registration,
    result=RegistrationResult,
    present=present_registration,
    confirm=_confirm_emails,
    if_declined={"send_email": False},
    toolset="candidates",
    effect="registered the candidates (and, with send_email, e-mailed them)",
    recheck_hint=(
        "Before calling again, call list_interview_results(interview_id=...): registered candidates are "
        "listed there; registering them again sends new links (and e-mails)."
    ),
    hints={
        422: "An unknown interview_id is reported as HTTP 422 here: find the id with list_interviews.",
        403: "This account's role may not invite candidates (or merchant_id names another merchant).",
    },
    unpublished=frozenset({"hide_menu", "hide_iframe", "merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# list_candidates: the merchant's candidates, across interviews

CandidateTab = Literal["interview", "pre-screening", "no-action", "leads", ""]
# Spelled as the API spells them (its own misspellings): sent as they are.
CandidateOrder = Literal["name_accending", "name_decending", "created_at_newest", "created_at_oldest"]


class ListCandidatesArgs(StrictModel):
    """Query of GET /merchant-candidate-list."""

    filter_text: str | None = Field(None, max_length=1000, description="Text in the name or e-mail.")
    tab: CandidateTab | None = Field(None, description="By recent activity.")
    source: Literal["invited", "registered"] | None = Field(
        None, description="invited by you, or signed up themselves; omitted: both."
    )
    order_by: CandidateOrder | None = Field(None, description="As spelled; omitted: newest first.")
    filter_emoji: str | None = None
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="Rows to skip.")


class ListCandidatesToolArgs(ListCandidatesArgs):
    view: View = Field("summary", description="full: every field, contact data included.")


class CandidateRow(LenientModel):
    id: str
    profile_id: str | None = None
    name: str | None = None
    email: str | None = None
    status: str | None = None
    external_id: str | None = None
    interview_count: Number | None = None
    pre_screening_count: Number | None = None
    interview_last: str | None = None
    created_at: str | None = None


class CandidateList(LenientModel):
    data: list[CandidateRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class CandidateChoice(OpenResult):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    status: str | None = None
    interview_count: float | None = None


class CandidatesResult(OpenResult):
    data: list[OpenResult] = Field(default_factory=list)
    next_offset: int | None = None


def present_candidates(args: ListCandidatesToolArgs, answer: CandidateList) -> dict[str, Any]:
    return present_page(args.view, answer.data, answer.pagination, CandidateChoice)


def summarize_candidates(args: ListCandidatesToolArgs, result: CandidateList) -> str:
    if not result.data:
        given = filters_given(args, ("filter_text", "tab", "source", "filter_emoji", "merchant_id"))
        if given:
            return f"No candidates match {given}. Try without them, or invite some with register_users_for_interview."
        return "No candidates yet: invite some with register_users_for_interview."
    shown, more = page_note(result.data, result.pagination, "candidate")
    lines = [
        f"- {row.name or '(no name)'} <{row.email}> | {row.status} | {shown_number(row.interview_count)} "
        f"interview(s), last {row.interview_last or '-'} | id {row.id}"
        for row in result.data
    ]
    return (
        f"{shown} (name <email> | status | interviews | id):\n"
        + "\n".join(lines)
        + more
        + "\nNext: list_interview_results(filter_text=<email>) for a candidate's results."
    )


LIST_CANDIDATES = ToolSpec(
    name="list_candidates",
    title="List candidates",
    description=(
        "The account's candidates across interviews. view=full adds contact data: share only as needed."
    ),
    arguments=ListCandidatesToolArgs,
    response=CandidateList,
    method="GET",
    path="/merchant-candidate-list",
    annotations=READ,
    summarize=summarize_candidates,
    result=CandidatesResult,
    present=present_candidates,
    toolset="candidates",
    hints={403: "This account may not read these candidates; leave merchant_id out for your own."},
    unpublished=frozenset({"filter_emoji", "merchant_id", "source", "view"}),
)


# ---------------------------------------------------------------------------------------------
# request_another_interview_attempt: let a candidate retake, erasing the decision


class AnotherAttemptArgs(StrictModel):
    """Body of POST /job-interview-result-request-another-attempt."""

    interview_result_id: Uuid = Field(description="A completed result, from list_interview_results.")


class AnotherAttempt(LenientModel):
    """JobMojito answers {} on success."""


class AnotherAttemptResult(OpenResult):
    interview_result_id: str
    reopened: bool


def present_another_attempt(args: AnotherAttemptArgs, answer: AnotherAttempt) -> dict[str, Any]:
    return {"interview_result_id": args.interview_result_id, "reopened": True}


def summarize_another_attempt(args: AnotherAttemptArgs, answer: AnotherAttempt) -> str:
    return (
        f"Result {args.interview_result_id} is open for another attempt: it is back to draft, marked "
        "unsuccessful, and the recruiter's decision was erased. JobMojito does not tell the candidate: "
        "send them a link, generate_interview_url(type=interview-for-profile, interview_profile_id, "
        "interview_id), or register_users_for_interview again."
    )


def _confirm_another_attempt(args: AnotherAttemptArgs) -> str:
    return (
        f"Reopen interview result {args.interview_result_id} for another attempt? Its recruiter decision is "
        "erased and the result goes back to draft; this cannot be undone here."
    )


REQUEST_ANOTHER_INTERVIEW_ATTEMPT = ToolSpec(
    name="request_another_interview_attempt",
    title="Let a candidate retake an interview",
    description=(
        "Reopen a completed result so the candidate can retake it. Erases the recruiter's decision "
        "(the user is asked first). The candidate is not notified."
    ),
    arguments=AnotherAttemptArgs,
    response=AnotherAttempt,
    method="POST",
    path="/job-interview-result-request-another-attempt",
    annotations=INVITE,  # destructive (the decision is gone) and not idempotent (a repeat is refused)
    summarize=summarize_another_attempt,
    result=AnotherAttemptResult,
    present=present_another_attempt,
    confirm=_confirm_another_attempt,
    toolset="candidates",
    effect="reopened the result (erasing its decision)",
    recheck_hint=(
        "Before calling again, call list_interview_results: a reopened result shows as draft; "
        "a second request is refused (HTTP 422)."
    ),
    hints={
        422: "HTTP 422 here means an unknown interview_result_id or a result not completed (or already "
        "reopened): check it with list_interview_results.",
    },
)


# ---------------------------------------------------------------------------------------------
# generate_interview_url: a signed link to an interview, a candidate's page or a result

LinkType = Literal[
    "interview-for-profile",
    "results-for-profile",
    "interview-result-candidate",
    "interview-result-talent-seeker",
    "interview-results-for-position",
]

# Which ids each link type needs (the API reference), and whom the link is for (our reading).
LINK_NEEDS: dict[str, tuple[str, ...]] = {
    "interview-for-profile": ("interview_profile_id", "interview_id"),
    "results-for-profile": ("interview_profile_id",),
    "interview-result-candidate": ("interview_result_id",),
    "interview-result-talent-seeker": ("interview_result_id",),
    "interview-results-for-position": ("interview_id",),
}
LINK_OPENS: dict[str, str] = {
    "interview-for-profile": "the interview, to take as this candidate",
    "results-for-profile": "this candidate's results",
    "interview-result-candidate": "this result, as the candidate sees it",
    "interview-result-talent-seeker": "this result, as a recruiter sees it (assessment included)",
    "interview-results-for-position": "every result of this interview",
}
_IDS = ("interview_profile_id", "interview_id", "interview_result_id")


def _flag_string(value: bool) -> str:
    return "true" if value else "false"  # the API shows the menu only for the string "false"


class InterviewUrlArgs(StrictModel):
    """Body of POST /job-interview-token."""

    type: LinkType = Field(
        description="Ids needed: interview-for-profile: interview_profile_id, interview_id; "
        "results-for-profile: interview_profile_id; *-for-position: interview_id; others: interview_result_id."
    )
    interview_profile_id: Uuid | None = Field(None, description="The candidate's profile_interview_id.")
    interview_id: Uuid | None = Field(None, description="Interview or position.")
    interview_result_id: Uuid | None = Field(None, description="A result.")
    hide_menu: Annotated[bool, PlainSerializer(_flag_string, return_type=str)] | None = None
    merchant_id: Uuid | None = None

    @model_validator(mode="after")
    def _ids_of_the_type(self) -> InterviewUrlArgs:
        needs = LINK_NEEDS[self.type]
        for name in _IDS:
            given = getattr(self, name) is not None
            if name in needs and not given:
                raise field_error(name, f"required with type={self.type}")
            if name not in needs and given:
                raise field_error(name, f"not used by type={self.type} (it takes {' + '.join(needs)})")
        return self


class InterviewUrl(RootModel[str]):
    model_config = ConfigDict(defer_build=True)


class InterviewUrlResult(OpenResult):
    url: str
    opens: str | None = None
    expires_at: str | None = None


def link_expiry(url: str) -> str | None:
    """When the link's `interview_token` (a JWT) says it expires, read without verifying; None when
    it carries no expiry (JobMojito documents none)."""
    token = parse_qs(urlsplit(url).query).get("interview_token", [""])[0]
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        expires = claims.get("exp") if isinstance(claims, dict) else None
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            return datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):
        return None
    return None


def present_interview_url(args: InterviewUrlArgs, answer: InterviewUrl) -> dict[str, Any]:
    expires = link_expiry(answer.root)
    return {"url": answer.root, "opens": LINK_OPENS[args.type]} | ({"expires_at": expires} if expires else {})


def summarize_interview_url(args: InterviewUrlArgs, answer: InterviewUrl) -> str:
    expires = link_expiry(answer.root)
    lifetime = f"It expires at {expires}." if expires else "JobMojito documents no expiry: assume it lasts."
    nxt = (
        "Send it to the candidate yourself (nobody was e-mailed)."
        if args.type in ("interview-for-profile", "results-for-profile", "interview-result-candidate")
        else "Share it only with colleagues who may see these results."
    )
    return (
        f"Link to {LINK_OPENS[args.type]}:\n{answer.root}\nAnyone holding it gets in without signing in: "
        f"treat it as a password. {lifetime} {nxt}"
    )


GENERATE_INTERVIEW_URL = ToolSpec(
    name="generate_interview_url",
    title="Get a shareable interview link",
    description=(
        "A signed link to take an interview as a candidate, or to view results; whoever holds it gets in. "
        "Nobody is e-mailed."
    ),
    arguments=InterviewUrlArgs,
    response=InterviewUrl,
    method="POST",
    path="/job-interview-token",
    annotations=CREATE,  # mints a credential each call; destroys nothing
    summarize=summarize_interview_url,
    result=InterviewUrlResult,
    present=present_interview_url,
    toolset="candidates",
    effect="minted a link",
    recheck_hint="A lost answer leaves an unused link; calling again mints another, which is harmless.",
    hints={
        422: "HTTP 422 here means an unknown interview or candidate, or a needed id missing: find ids with "
        "list_interview_results.",
        403: "This account's role may not create links.",
    },
    unpublished=frozenset({"hide_menu", "merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# The toolset

TOOLS = (
    REGISTER_USERS_FOR_INTERVIEW,
    LIST_CANDIDATES,
    REQUEST_ANOTHER_INTERVIEW_ATTEMPT,
    GENERATE_INTERVIEW_URL,
)
