"""The account toolset's invitations (invite_users): people brought into the account, each e-mailed
and given a role, with no way to take either back through the API. The user is always asked first,
and "no" sends nothing; where nobody can be asked, the server refuses (fail closed)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, RootModel, model_validator

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import INVITE, ToolSpec
from jobmojito_mcp.toolsets.common import (
    Email,
    LanguageCode,
    LenientModel,
    ListedRequestObject,
    OpenResult,
    StrictModel,
    Uuid,
    field_error,
    sent_fields,
)

# ---------------------------------------------------------------------------------------------
# invite_users: bring people into the account, each e-mailed and given a role

# The roles the API reference documents: the team's (dashboard) roles, the coaching portal's, and
# candidates (who need an interview).
Role = Literal["merchant_owner", "merchant", "merchant_selection", "user", "mentor", "candidate"]
TEAM_ROLES = frozenset({"merchant_owner", "merchant", "merchant_selection"})
MAX_INVITEES_PER_CALL = 50  # a bound on what one mistaken call can e-mail and grant


class Invitee(ListedRequestObject):
    """One person to invite."""

    email: Email = Field(description="Their e-mail.")
    type: Role = Field(
        description="merchant*: your team (may manage the account); user, mentor: coaching; candidate: "
        "with interview_id."
    )
    name: str | None = Field(None, description="Display name.")
    interview_id: Uuid | None = Field(None, description="Candidates' interview.")


class InviteUsersArgs(StrictModel):
    """Body of POST /invite-users."""

    users: list[Invitee] = Field(
        min_length=1, max_length=MAX_INVITEES_PER_CALL, description="E-mails unique."
    )
    message_from_recruiter: str | None = Field(None, max_length=5000, description="Your text in the e-mail.")
    mojito_language_code: LanguageCode | None = Field(None, description="Their language; omitted: en.")
    force_invite: bool | None = Field(None, description="Re-send to people still pending.")
    merchant_id: Uuid | None = None

    @model_validator(mode="after")
    def _each_once_candidates_with_interview(self) -> InviteUsersArgs:
        seen: set[str] = set()
        for index, user in enumerate(self.users):
            if user.email.casefold() in seen:
                raise field_error(f"users[{index}].email", f"{user.email} is listed twice")
            seen.add(user.email.casefold())
            if user.type == "candidate" and user.interview_id is None:
                raise field_error(f"users[{index}].interview_id", "required for a candidate")
            if user.type != "candidate" and user.interview_id is not None:
                raise field_error(f"users[{index}].interview_id", "only candidates take an interview_id")
        return self


class InvitedUser(LenientModel):
    email: str | None = None
    name: str | None = None
    type: str | None = None
    interview_id: str | None = None
    result: str | None = None
    profile_id: str | None = None
    profile_interview_id: str | None = None

    @property
    def failed(self) -> bool:
        return (self.result or "Error").startswith("Error")

    @property
    def skipped(self) -> bool:
        return (self.result or "").strip().lower() == "skipped"


class InvitedUsers(RootModel[list[InvitedUser]]):
    model_config = ConfigDict(defer_build=True)


class InviteResult(OpenResult):
    invited: int
    skipped: int
    failed: int
    users: list[OpenResult] = Field(default_factory=list)


def present_invitations(args: InviteUsersArgs, answer: InvitedUsers) -> dict[str, Any]:
    users = answer.root
    failed = sum(1 for user in users if user.failed)
    skipped = sum(1 for user in users if user.skipped)
    return {
        "invited": len(users) - failed - skipped,
        "skipped": skipped,
        "failed": failed,
        "users": [sent_fields(user, ["email", "type", "result", "profile_id"]) for user in users],
    }


def summarize_invitations(args: InviteUsersArgs, result: InvitedUsers) -> str:
    users = result.root
    invited = [user for user in users if not (user.failed or user.skipped)]
    lines = [f"- {user.email} ({user.type}): {excerpt(user.result or 'no result', 160)}" for user in users]
    skipped = (
        " Skipped: already invited and still pending; force_invite=true e-mails them again."
        if any(user.skipped for user in users)
        else ""
    )
    return (
        f"Invited {len(invited)} of {len(users)}: each e-mailed and given their role.{skipped}\n"
        + "\n".join(lines)
        + "\nThe API cannot revoke a role. Candidates appear in list_candidates, their results in "
        "list_interview_results; get_merchant_status shows the invitations left."
    )


def _confirm_invitations(args: InviteUsersArgs) -> str:
    team = [user.email for user in args.users if user.type in TEAM_ROLES]
    shown = ", ".join(f"{user.email} ({user.type})" for user in args.users[:5]) + (
        f" and {len(args.users) - 5} more" if len(args.users) > 5 else ""
    )
    warning = f" {len(team)} of them get access to manage this JobMojito account." if team else ""
    return (
        f"E-mail invitations to {len(args.users)} person(s) and grant their roles: {shown}?{warning} "
        "E-mails cannot be recalled and roles cannot be revoked here."
    )


INVITE_USERS = ToolSpec(
    name="invite_users",
    title="Invite people to the account",
    description=(
        "E-mail people an invitation and grant each a role; asks the user first. Candidates: prefer "
        "register_users_for_interview."
    ),
    arguments=InviteUsersArgs,
    response=InvitedUsers,
    method="POST",
    path="/invite-users",
    annotations=INVITE,
    summarize=summarize_invitations,
    result=InviteResult,
    present=present_invitations,
    confirm=_confirm_invitations,
    toolset="account",
    effect="invited them (e-mails sent, roles granted)",
    recheck_hint=(
        "Before calling again, check list_candidates(filter_text=<email>) for candidates, or ask the "
        "invitees: a repeat e-mails them again."
    ),
    hints={
        422: "HTTP 422 here is also how JobMojito answers a sign-in it does not accept (this endpoint has no "
        "401): if the arguments look right, sign in again.",
        403: "No access to that merchant: leave merchant_id out for your own.",
    },
    unpublished=frozenset({"merchant_id", "force_invite", "mojito_language_code"}),
)
