"""The candidates toolset: inviting candidates to an interview (register_users_for_interview).

Registering mints one-time links and, with send_email, e-mails people at once: the user is asked
first, and answering "no" registers them without e-mail. Not idempotent: a repeat sends new links.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, RootModel, model_validator
from pydantic_core import PydanticCustomError

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import INVITE, ToolSpec
from jobmojito_mcp.toolsets.common import (
    LenientModel,
    ListedRequestObject,
    OpenResult,
    StrictModel,
    Uuid,
    field_error,
    sent_fields,
)

# ---------------------------------------------------------------------------------------------
# Field types

# One call registers at most this many candidates: enough for a hiring round, and a bound on what
# one mistaken call can e-mail.
MAX_USERS_PER_CALL = 200

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise PydanticCustomError("email", "must be an e-mail address such as ada@example.com")
    return value.strip()


Email = Annotated[str, AfterValidator(_check_email)]


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
        "Register candidates for an interview; each gets a one-time link. send_email true: JobMojito "
        "e-mails them (the user is asked first); false: only the links. Not idempotent: a repeat sends new "
        "links (and e-mails)."
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
# The toolset

TOOLS = (REGISTER_USERS_FOR_INTERVIEW,)
