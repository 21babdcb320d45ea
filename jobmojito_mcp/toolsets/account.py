"""The account toolset: the merchant's credits, invitations left and work waiting
(get_merchant_status)."""

from __future__ import annotations

from pydantic import Field

from jobmojito_mcp.tooling.spec import READ, ToolSpec
from jobmojito_mcp.toolsets.common import LenientModel, Number, StrictModel, Uuid, shown_number

# ---------------------------------------------------------------------------------------------
# get_merchant_status: credits, invitations left, work waiting


class MerchantStatusArgs(StrictModel):
    """Query of GET /merchant-status."""

    merchant_id: Uuid | None = None


class MerchantStatus(LenientModel):
    profile_id: str | None = None
    default_merchant_id: str | None = None
    merchant_id: str | None = None
    credits_interview_monthly: Number | None = None
    credits_interview_monthly_limit: Number | None = None
    credits_interview_extra: Number | None = None
    credits_interview_single: Number | None = None
    definitions_active: Number | None = None
    interviews_without_credits: Number | None = None
    interviews_undecided: Number | None = None
    interviews_ongoing: Number | None = None
    interview_results: Number | None = None
    candidates: Number | None = None
    candidates_history: list[Number] | None = None
    interview_result_history: list[Number] | None = None
    subscription_type: str | None = None
    subscription_status: str | None = None
    invitations_sent: Number | None = None
    invitations_limit: Number | None = Field(None, description="Absent: unlimited.")
    invitations_available: Number | None = None


def summarize_status(args: MerchantStatusArgs, result: MerchantStatus) -> str:
    monthly, extra = result.credits_interview_monthly or 0, result.credits_interview_extra or 0
    limit = result.invitations_limit
    invitations = (
        "unlimited"
        if limit is None
        else f"{shown_number(result.invitations_available)} available of {limit:g} (sent {shown_number(result.invitations_sent)})"
    )
    return (
        f"Credits: {monthly + extra:g} available ({monthly:g} of {shown_number(result.credits_interview_monthly_limit)} "
        f"monthly left, {extra:g} extra; {shown_number(result.credits_interview_single)} single-position). "
        f"Invitations: {invitations}. "
        f"Waiting: {shown_number(result.interviews_undecided)} result(s) to decide, {shown_number(result.interviews_ongoing)} "
        f"interview(s) in progress, {shown_number(result.interviews_without_credits)} finished but not charged (no credits). "
        f"Active interviews: {shown_number(result.definitions_active)}; candidates {shown_number(result.candidates)}, results "
        f"{shown_number(result.interview_results)}. Subscription: {result.subscription_type} ({result.subscription_status})."
    )


GET_MERCHANT_STATUS = ToolSpec(
    name="get_merchant_status",
    title="Check credits and invitations",
    description=(
        "Credits, invitations left (check before inviting), and work waiting: results to decide, "
        "interviews in progress."
    ),
    arguments=MerchantStatusArgs,
    response=MerchantStatus,
    method="GET",
    path="/merchant-status",
    annotations=READ,
    summarize=summarize_status,
    toolset="account",
    unpublished=frozenset({"merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# The toolset

TOOLS = (GET_MERCHANT_STATUS,)
