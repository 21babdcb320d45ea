"""The account toolset's look at the merchant itself: credits, invitations left and work waiting
(get_merchant_status), the languages it can run in (list_languages), and the merchants it runs
(list_sub_merchants)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from jobmojito_mcp.tooling.spec import READ, ToolSpec, as_sent
from jobmojito_mcp.toolsets.common import (
    LenientModel,
    ListLimit,
    Number,
    OpenResult,
    Pagination,
    StrictModel,
    Uuid,
    View,
    page_note,
    present_page,
    sent_fields,
    shown_number,
)

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


class MerchantStatusResult(OpenResult):
    """The output schema: the fields an agent acts on (credits, invitations, work waiting); the
    structured content is JobMojito's whole answer, every other field included."""

    credits_interview_monthly: Number | None = None
    credits_interview_extra: Number | None = None
    invitations_available: Number | None = Field(None, description="Absent: unlimited.")
    interviews_undecided: Number | None = None
    interviews_ongoing: Number | None = None


def present_status(args: MerchantStatusArgs, answer: MerchantStatus) -> dict[str, Any]:
    return as_sent(answer)


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
    result=MerchantStatusResult,
    present=present_status,
    unpublished=frozenset({"merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# list_languages: the languages interviews and coaching run in


class NoArgs(StrictModel):
    """GET /platform-languages-list takes no parameters."""


class LanguagesToolArgs(NoArgs):
    view: View = Field("summary", description="full: flags, local names and accents too.")


class Accent(LenientModel):
    code: str | None = None
    name: str | None = None


class Language(LenientModel):
    code: str | None = None
    name_english: str | None = None
    name_local: str | None = None
    interview_interface: bool | None = None
    coaching_interface: bool | None = None
    admin_interface: bool | None = None
    accents: list[Accent] | None = None


class Languages(LenientModel):
    languages: list[Language] = Field(default_factory=list)


class LanguageChoice(OpenResult):
    code: str | None = None
    name_english: str | None = None
    interview_interface: bool | None = None


class LanguagesResult(OpenResult):
    languages: list[LanguageChoice] = Field(default_factory=list)


def present_languages(args: LanguagesToolArgs, answer: Languages) -> dict[str, Any]:
    fields = None if args.view == "full" else list(LanguageChoice.model_fields)
    return {"languages": [sent_fields(row, fields) for row in answer.languages]}


def summarize_languages(args: LanguagesToolArgs, result: Languages) -> str:
    def uses(row: Language) -> str:
        on = [
            name
            for name, flag in (("interview", row.interview_interface), ("coaching", row.coaching_interface))
            if flag
        ]
        return "/".join(on) or "admin only"

    lines = ", ".join(f"{row.code} {row.name_english} ({uses(row)})" for row in result.languages)
    return (
        f"{len(result.languages)} language(s), code name (where it runs): {lines}.\n"
        "Pass the code as mojito_language_code when creating an interview."
    )


LIST_LANGUAGES = ToolSpec(
    name="list_languages",
    title="List supported languages",
    description="Languages JobMojito runs interviews and coaching in: the codes mojito_language_code takes.",
    arguments=LanguagesToolArgs,
    response=Languages,
    method="GET",
    path="/platform-languages-list",
    annotations=READ,
    summarize=summarize_languages,
    result=LanguagesResult,
    present=present_languages,
    toolset="account",
)


# ---------------------------------------------------------------------------------------------
# list_sub_merchants: the accounts an agency or reseller runs


class SubMerchantsArgs(StrictModel):
    """Query of GET /merchant-sub-merchant-list."""

    filter_text: str | None = Field(None, max_length=1000, description="Text in the name.")
    order_by: Literal["name", "created_at_newest", "created_at_oldest"] | None = Field(
        None, description="Omitted: newest first."
    )
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="Rows to skip.")


class SubMerchantsToolArgs(SubMerchantsArgs):
    view: View = Field("summary", description="full: contacts, domains, notes too.")


class SubMerchantRow(LenientModel):
    id: str
    name: str | None = None
    status: str | None = None
    contact_email: str | None = None
    interview_subscription_type: str | None = None
    interview_count: Number | None = None
    credits_used_30d: Number | None = None
    created_at: str | None = None


class SubMerchants(LenientModel):
    data: list[SubMerchantRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class SubMerchantChoice(OpenResult):
    id: str | None = None
    name: str | None = None
    status: str | None = None
    interview_count: float | None = None
    credits_used_30d: float | None = None


class SubMerchantsResult(OpenResult):
    data: list[OpenResult] = Field(default_factory=list)
    next_offset: int | None = None


def present_sub_merchants(args: SubMerchantsToolArgs, answer: SubMerchants) -> dict[str, Any]:
    return present_page(args.view, answer.data, answer.pagination, SubMerchantChoice)


def summarize_sub_merchants(args: SubMerchantsToolArgs, result: SubMerchants) -> str:
    if not result.data:
        return "No sub-merchants: this account runs no other merchants (or none match)."
    shown, more = page_note(result.data, result.pagination, "sub-merchant")
    lines = [
        f"- {row.name} | {row.status} | {shown_number(row.interview_count)} interview(s), "
        f"{shown_number(row.credits_used_30d)} credit(s) in 30 days | id {row.id}"
        for row in result.data
    ]
    return (
        f"{shown} (name | status | usage | id):\n"
        + "\n".join(lines)
        + more
        + "\nAn id is a merchant_id: tools that accept merchant_id act on that merchant."
    )


LIST_SUB_MERCHANTS = ToolSpec(
    name="list_sub_merchants",
    title="List sub-merchants",
    description="Merchants this account runs (agencies, resellers), with usage; view=full adds contacts.",
    arguments=SubMerchantsToolArgs,
    response=SubMerchants,
    method="GET",
    path="/merchant-sub-merchant-list",
    annotations=READ,
    summarize=summarize_sub_merchants,
    result=SubMerchantsResult,
    present=present_sub_merchants,
    toolset="account",
    hints={403: "This account may not read sub-merchants."},
    unpublished=frozenset({"merchant_id", "order_by", "view"}),
)
