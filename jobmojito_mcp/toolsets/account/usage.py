"""The account toolset's activity and spending: events per day (get_merchant_analytics) and the credit
ledger (get_merchant_credit_usage). A missing day or event in the analytics means 0; the ledger has no
date filter, so a period is totalled by paging from the newest."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from jobmojito_mcp.tooling.spec import READ, ToolSpec
from jobmojito_mcp.toolsets.common import (
    LenientModel,
    ListLimit,
    Number,
    OpenResult,
    Pagination,
    StrictModel,
    Uuid,
    field_error,
    page_note,
    paged,
    sent_fields,
    shown_number,
)

# ---------------------------------------------------------------------------------------------
# get_merchant_analytics: events per day (invitations, page visits, interviews)


def _day_as_text(value: Any) -> Any:
    """A day as JSON carries it, `YYYY-MM-DD`: pydantic would also read a number as a Unix
    timestamp, so `0` would quietly become 1970-01-01 (and a date check would blame the other field)."""
    if isinstance(value, str | date):
        return value
    raise PydanticCustomError("date_type", "must be a date as YYYY-MM-DD text")


Day = Annotated[date, BeforeValidator(_day_as_text)]


class AnalyticsArgs(StrictModel):
    """Query of GET /merchant-analytics."""

    # Calendar dates (format: date), sent as YYYY-MM-DD: a 2026-02-30 is refused here, naming the field.
    date_from: Day = Field(description="First day (inclusive).")
    date_to: Day = Field(description="Last day (inclusive).")
    interview_id: Uuid | None = Field(None, description="Only this interview or position.")
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Rows are day x event.")
    offset: int | None = Field(0, ge=0, description="Rows to skip.")

    @model_validator(mode="after")
    def _a_real_range(self) -> AnalyticsArgs:
        if self.date_to < self.date_from:
            raise field_error("date_to", "must be on or after date_from")
        return self


class AnalyticsRow(LenientModel):
    day: str | None = None
    event: str | None = None
    event_number: Number | None = None


class Analytics(LenientModel):
    data: list[AnalyticsRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class AnalyticsResult(OpenResult):
    data: list[OpenResult] = Field(default_factory=list)
    totals: dict[str, float] = Field(default_factory=dict)
    next_offset: int | None = None


def _totals(rows: list[AnalyticsRow]) -> dict[str, float]:
    totals: defaultdict[str, float] = defaultdict(float)
    for row in rows:
        totals[row.event or "?"] += row.event_number or 0
    return {event: int(n) if float(n).is_integer() else n for event, n in sorted(totals.items())}


def present_analytics(args: AnalyticsArgs, answer: Analytics) -> dict[str, Any]:
    rows = [sent_fields(row) for row in answer.data]
    return paged(rows, answer.data, answer.pagination) | {"totals": _totals(answer.data)}


def summarize_analytics(args: AnalyticsArgs, result: Analytics) -> str:
    scope = f"interview {args.interview_id}" if args.interview_id else "all interviews"
    head = f"Activity {args.date_from} to {args.date_to}, {scope}"
    if not result.data:
        return f"{head}: no events (every count is 0)."
    shown, more = page_note(result.data, result.pagination, "row")
    totals = ", ".join(f"{event} {count:g}" for event, count in _totals(result.data).items())
    per_day: dict[str, list[str]] = defaultdict(list)
    for row in result.data:
        per_day[row.day or "?"].append(f"{row.event} {shown_number(row.event_number)}")
    days = "\n".join(f"- {day}: {', '.join(events)}" for day, events in per_day.items())
    return (
        f"{head} ({shown}; a day or event not listed had 0). Totals: {totals}.\n{days}{more}\n"
        "Next: get_merchant_credit_usage for what it cost; list_interview_results for who."
    )


GET_MERCHANT_ANALYTICS = ToolSpec(
    name="get_merchant_analytics",
    title="Get activity per day",
    description=(
        "Counts per day and event (interview_invitation, interview_page_visit, interview, ...) in a "
        "date range."
    ),
    arguments=AnalyticsArgs,
    response=Analytics,
    method="GET",
    path="/merchant-analytics",
    annotations=READ,
    summarize=summarize_analytics,
    result=AnalyticsResult,
    present=present_analytics,
    toolset="account",
    hints={
        403: "This account may not read these analytics; leave merchant_id out for your own.",
        422: "Check the dates (YYYY-MM-DD) and that interview_id is one of list_interviews'.",
    },
    unpublished=frozenset({"merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# get_merchant_credit_usage: the credit ledger, newest first


class CreditUsageArgs(StrictModel):
    """Query of GET /merchant-analytics-credits-used."""

    interview_id: Uuid | None = Field(None, description="Only this interview or position.")
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="Rows to skip.")


class CreditRow(LenientModel):
    id: str | None = None
    event_date: str | None = None
    event: str | None = None
    credit_amount: Number | None = None
    stats: Any = None
    candidate_name: str | None = None
    profile_id: str | None = None
    profile_interview_id: str | None = None
    object_uuid: str | None = None
    parent_object_uuid: str | None = None


class CreditUsage(LenientModel):
    data: list[CreditRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class CreditUsageResult(OpenResult):
    data: list[OpenResult] = Field(default_factory=list)
    page_credits: float | None = None
    next_offset: int | None = None


_CHARGE_FIELDS = ["id", "event_date", "event", "credit_amount", "candidate_name", "object_uuid"]


def _spent(rows: list[CreditRow]) -> float:
    return round(sum(row.credit_amount or 0 for row in rows), 2)


def present_credit_usage(args: CreditUsageArgs, answer: CreditUsage) -> dict[str, Any]:
    rows = [sent_fields(row, _CHARGE_FIELDS) for row in answer.data]
    return paged(rows, answer.data, answer.pagination) | {"page_credits": _spent(answer.data)}


def summarize_credit_usage(args: CreditUsageArgs, result: CreditUsage) -> str:
    scope = f" on interview {args.interview_id}" if args.interview_id else ""
    if not result.data:
        return f"No credits used{scope} (none on this page)."
    shown, more = page_note(result.data, result.pagination, "charge")
    by_event: defaultdict[str, float] = defaultdict(float)
    for row in result.data:
        by_event[row.event or "?"] += row.credit_amount or 0
    events = ", ".join(
        f"{event} {amount:g}" for event, amount in sorted(by_event.items(), key=lambda item: -item[1])
    )
    lines = [
        f"- {row.event_date} | {row.event} | {shown_number(row.credit_amount)} | {row.candidate_name or '-'}"
        for row in result.data
    ]
    return (
        f"Credits used{scope}, newest first ({shown}): {_spent(result.data):g} in all ({events}).\n"
        "(date | event | credits | candidate)\n"
        + "\n".join(lines)
        + more
        + "\nTo total a period, page on until event_date leaves it; get_merchant_status for the balance."
    )


GET_MERCHANT_CREDIT_USAGE = ToolSpec(
    name="get_merchant_credit_usage",
    title="Get credit usage",
    description="What credits were spent on, newest first: one row per charged event (no date filter).",
    arguments=CreditUsageArgs,
    response=CreditUsage,
    method="GET",
    path="/merchant-analytics-credits-used",
    annotations=READ,
    summarize=summarize_credit_usage,
    result=CreditUsageResult,
    present=present_credit_usage,
    toolset="account",
    hints={403: "This account may not read this ledger; leave merchant_id out for your own."},
    unpublished=frozenset({"merchant_id"}),
)
