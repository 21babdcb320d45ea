"""What agents get back from the seven lifecycle tools: compact views, the text they read, the options
that pick them, and the documents a report attaches. (``results.py`` does the same for the six.)

Defaults carry what the next step needs: ids to pass on, who and how well, what to fix. A result
record can be long (a transcript with per-answer analyses and raw assessment data), so
``get_interview_result_details`` answers with a summary unless asked for more, and signed
recording links only when asked. ``view="full"`` returns JobMojito's answer as sent.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from mcp_types import ContentBlock, EmbeddedResource, ResourceLink, TextResourceContents
from pydantic import BaseModel, Field

from jobmojito_mcp import lifecycle as lc
from jobmojito_mcp.contract import Pagination
from jobmojito_mcp.errors import excerpt
from jobmojito_mcp.results import _Open, _without_nulls, as_sent  # the six tools' conventions, shared

View = Literal["summary", "full"]
DetailsView = Literal["summary", "standard", "full"]

# ---------------------------------------------------------------------------------------------
# Arguments: the API's fields plus the view option


class ListInterviewsToolArgs(lc.ListInterviewsArgs):
    view: View = Field("summary", description="summary: id, name, status, runs; full: all.")


class ListResultsToolArgs(lc.ListResultsArgs):
    view: View = Field("summary", description="summary: ids, candidate, status, score; full: all.")


class ResultDetailsToolArgs(lc.ResultDetailsArgs):
    view: DetailsView = Field(
        "summary",
        description="summary: score, assessment, reasons, answers with scores; standard: all but raw data; "
        "full: as sent.",
    )


# ---------------------------------------------------------------------------------------------
# Results (output schemas): the default views exactly; what a fuller view adds passes as extra
# properties. Nulls are left out of structured content, so absent is how a result says "none".


class InterviewChoice(_Open):
    id: str
    name: str | None = None
    status: str | None = None
    type: str | None = None
    visibility: str | None = None
    mojito_language_code: str | None = None
    interview_count: float | None = None
    updated_at: str | None = None


class InterviewsResult(_Open):
    data: list[InterviewChoice] = Field(default_factory=list)
    pagination: Pagination | None = None
    next_offset: int | None = Field(None, description="offset of the next page; absent on the last.")


class RegisteredRow(_Open):
    email: str | None = None
    name: str | None = None
    result: str | None = Field(None, description='"ok", or "Error: ..." for this candidate.')
    interview_url: str | None = Field(None, description="One-time link.")
    profile_interview_id: str | None = None


class RegistrationResult(_Open):
    interview_id: str
    emailed: bool
    registered: int
    failed: int
    users: list[RegisteredRow] = Field(default_factory=list)


class ResultChoice(_Open):
    interview_result_id: str | None = Field(None, description="Absent: not started.")
    candidate_name: str | None = None
    candidate_email: str | None = None
    profile_interview_id: str | None = None
    position_name: str | None = None
    coach_status: str | None = None
    decision_status: str | None = None
    recruiter_shortlist: bool | None = None
    score: float | None = None
    is_test: bool | None = None


class ResultsResult(_Open):
    data: list[ResultChoice] = Field(default_factory=list)
    pagination: Pagination | None = None
    next_offset: int | None = Field(None, description="offset of the next page; absent on the last.")


class AnswerView(_Open):
    id: str | None = None
    question_asked: str | None = None
    answer: str | None = None
    score: float | None = None
    recording_url: str | None = None


class HiringReasons(_Open):
    reasons_to_hire: list[str] = Field(default_factory=list)
    reasons_not_to_hire: list[str] = Field(default_factory=list)


class KeyStatement(_Open):
    quote: str | None = None
    result_question_id: str | None = None


class DetailsResult(_Open):
    """The summary view: what a reviewer decides on. `standard` and `full` add the rest as extras.

    JobMojito's free-form write-ups (`ai_analysis_other`, `recruiter_risks`: JSON of any shape) are
    lifted into typed fields here, so the schema says what an agent gets whatever JobMojito sent.
    """

    interview_result_id: str
    status: str | None = None
    score: float | None = None
    score_text: str | None = None
    duration: float | None = Field(None, description="Deciseconds.")
    ai_interview_coverage_percentage: float | None = None
    ai_analysis_recruiter: str | None = None
    hiring_reasons: HiringReasons | None = None
    key_statement: KeyStatement | None = None
    score_rationale: str | None = None
    risks: list[str] | None = Field(None, description="recruiter_risks, as text.")
    recording_url: str | None = None
    video_introduction_url: str | None = None
    transcript: list[AnswerView] | None = Field(None, description="The candidate's answers.")


class ReportResult(_Open):
    export_type: str
    interview_result_ids: list[str] = Field(default_factory=list)
    pdf_export_url: str | None = None
    pdf_export_valid_until: str | None = None
    html_export: str | None = None
    json_export: dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------
# Presenters: (arguments, validated answer) -> structured content


def _sent(answer: BaseModel, fields: list[str] | None = None) -> dict[str, Any]:
    """These fields of the answer (all: `as_sent`) as JSON, nulls left out; whole numbers stay integers."""
    if fields is None:
        return as_sent(answer)
    dumped: dict[str, Any] = answer.model_dump(
        mode="json", exclude_unset=True, exclude_none=True, include=set(fields)
    )
    return dumped


def next_offset(data: list[Any], page: Pagination | None) -> int | None:
    if page is None or not page.has_more:
        return None
    return (page.offset or 0) + len(data)


def _paged(rows: list[dict[str, Any]], data: list[Any], page: Pagination | None) -> dict[str, Any]:
    result: dict[str, Any] = {"data": rows}
    if page is not None:
        result["pagination"] = page.model_dump(mode="json", exclude_none=True)
    following = next_offset(data, page)
    return result | ({} if following is None else {"next_offset": following})


def present_interviews(args: ListInterviewsToolArgs, answer: lc.InterviewList) -> dict[str, Any]:
    if args.view == "full":
        return _paged([_sent(row) for row in answer.data], answer.data, answer.pagination)
    fields = list(InterviewChoice.model_fields)
    return _paged([_sent(row, fields) for row in answer.data], answer.data, answer.pagination)


def present_registration(args: lc.RegisterUsersArgs, answer: lc.RegisteredUsers) -> dict[str, Any]:
    users = answer.root
    fields = list(RegisteredRow.model_fields)
    registered = sum(1 for user in users if user.ok)
    return {
        "interview_id": args.interview_id,
        "emailed": args.send_email and registered > 0,
        "registered": registered,
        "failed": len(users) - registered,
        "users": [_sent(user, fields) for user in users],
    }


def present_results(args: ListResultsToolArgs, answer: lc.ResultList) -> dict[str, Any]:
    if args.view == "full":
        return _paged([_sent(row) for row in answer.data], answer.data, answer.pagination)
    fields = list(ResultChoice.model_fields)
    return _paged([_sent(row, fields) for row in answer.data], answer.data, answer.pagination)


# The `standard` view leaves out the raw assessment blobs (JobMojito's own server does the same).
_RAW = frozenset({"answer_assessment_raw_data", "external_data"})
# The summary's fields JobMojito's answer has under the same name (the write-ups are lifted apart).
_SUMMARY_FIELDS = [
    name
    for name in DetailsResult.model_fields
    if name
    not in (
        "interview_result_id",
        "transcript",
        "hiring_reasons",
        "key_statement",
        "score_rationale",
        "risks",
    )
]


def analysis(answer: lc.ResultDetails, key: str) -> Any:
    """One write-up from `ai_analysis_other` (a JSON object keyed by analysis name), if present."""
    other = answer.ai_analysis_other
    return other.get(key) if isinstance(other, dict) else None


def present_details(args: ResultDetailsToolArgs, answer: lc.ResultDetails) -> dict[str, Any]:
    head = {"interview_result_id": args.interview_result_id}
    if args.view != "summary":
        sent = _sent(answer)
        if args.view == "standard":
            sent["transcript"] = [
                {key: value for key, value in turn.items() if key not in _RAW}
                for turn in sent.get("transcript", [])
            ]
        return head | sent
    summary = _sent(answer, _SUMMARY_FIELDS)
    written = {
        "hiring_reasons": _hiring_reasons(analysis(answer, "hiring_reasons")),
        "key_statement": _key_statement(analysis(answer, "key_statement")),
        "score_rationale": _text(analysis(answer, "score_rationale")),
        "risks": risks_of(answer.recruiter_risks),
    }
    answers = [
        _sent(turn, list(AnswerView.model_fields)) for turn in answer.transcript or [] if turn.is_answer
    ]
    return head | summary | _without_nulls(written) | {"transcript": answers}


def _text(value: Any) -> str | None:
    """Free-form JSON as one line of text (strings as they are)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _hiring_reasons(value: Any) -> dict[str, list[str]] | None:
    if not isinstance(value, dict):
        return None
    return {
        key: [_text(item) or "" for item in value.get(key) or [] if item is not None]
        for key in ("reasons_to_hire", "reasons_not_to_hire")
        if isinstance(value.get(key) or [], list)
    }


def _key_statement(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {
        key: text for key in ("quote", "result_question_id") if (text := _text(value.get(key))) is not None
    }


def risks_of(value: Any) -> list[str] | None:
    """recruiter_risks (JSON of any shape: keyed texts, a list, a string) as lines of text."""
    if not value:
        return None
    if isinstance(value, dict):
        return [f"{key}: {text}" if (text := _text(item)) else str(key) for key, item in value.items()]
    if isinstance(value, list):
        return [_text(item) or "" for item in value]
    return [_text(value) or ""]


def present_report(args: lc.ReportArgs, answer: lc.Report) -> dict[str, Any]:
    return {"export_type": args.export_type, "interview_result_ids": result_ids(args)} | _sent(answer)


def result_ids(args: lc.ReportArgs) -> list[str]:
    return list(args.interview_result_ids or ([args.interview_result_id] if args.interview_result_id else []))


def attach_report(args: lc.ReportArgs, answer: lc.Report) -> list[ContentBlock]:
    """The report itself, beside the summary: a link to the PDF, or the HTML/JSON document embedded."""
    name = f"interview-report-{result_ids(args)[0][:8]}"
    if answer.pdf_export_url:
        return [ResourceLink(uri=answer.pdf_export_url, name=f"{name}.pdf", mime_type="application/pdf")]
    if answer.html_export is not None:
        contents = TextResourceContents(
            uri=f"jobmojito://reports/{name}.html", mime_type="text/html", text=answer.html_export
        )
        return [EmbeddedResource(type="resource", resource=contents)]
    if answer.json_export is not None:
        text = answer.json_export.model_dump_json(exclude_unset=True)
        contents = TextResourceContents(
            uri=f"jobmojito://reports/{name}.json", mime_type="application/json", text=text
        )
        return [EmbeddedResource(type="resource", resource=contents)]
    return []


# ---------------------------------------------------------------------------------------------
# Summaries: the text an agent reads. Ids, who, how well, and the next step.


def _page_note(data: list[Any], page: Pagination | None, noun: str) -> tuple[str, str]:
    shown, more = f"{len(data)} {noun}(s)", ""
    if page and page.total is not None and data:
        start = (page.offset or 0) + 1
        shown = f"{noun}s {start}-{start + len(data) - 1} of {page.total}"
        if (following := next_offset(data, page)) is not None:
            more = f"\nMore exist: call again with offset={following}."
    return shown, more


def summarize_interviews(args: ListInterviewsToolArgs, result: lc.InterviewList) -> str:
    if not result.data:
        return "No interviews match. Try without filters (status, filter_text), or another type."
    shown, more = _page_note(result.data, result.pagination, "interview")
    lines = [
        f"- {row.id} | {row.name} | {row.status} | {row.type} | {row.mojito_language_code} | "
        f"{row.interview_count or 0:g} run(s)"
        for row in result.data
    ]
    return (
        f"{shown} (id | name | status | type | language | runs), newest-updated first:\n"
        + "\n".join(lines)
        + more
        + "\nAn id is the position_id of get_interview_definition and update_interview, and the interview_id "
        "of register_users_for_interview and list_interview_results."
    )


def summarize_update(args: lc.UpdateInterviewArgs, result: lc.UpdatedInterview) -> str:
    fields = ", ".join(result.updated_fields or []) or "nothing"
    text = f"Updated interview {args.position_id}: {fields}."
    diff = result.questions_diff
    if diff is not None:
        text += (
            f" Questions: {len(diff.kept or [])} kept, {len(diff.replaced or [])} edited (new ids), "
            f"{len(diff.added or [])} added, {len(diff.removed or [])} removed"
            + (
                "; the live interview was re-published: candidates see the change now."
                if diff.reactivated
                else "."
            )
        )
    if args.status == "deleted":
        return text + " The interview is deleted."
    return text + f" Next: get_interview_definition(position_id={args.position_id}) to review it."


def summarize_registration(args: lc.RegisterUsersArgs, result: lc.RegisteredUsers) -> str:
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


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def summarize_results(args: ListResultsToolArgs, result: lc.ResultList) -> str:
    if not result.data:
        return "No results match. Candidates appear once registered; try another tab, or no filters."
    shown, more = _page_note(result.data, result.pagination, "result")
    lines = []
    for row in result.data:
        state = row.coach_status or ("not started" if not row.interview_started else "started")
        decision = row.decision_status or ("shortlisted" if row.recruiter_shortlist else "undecided")
        test = " (test)" if row.is_test else ""
        lines.append(
            f"- {row.interview_result_id or '(not started)'} | {row.candidate_name} <{row.candidate_email}> | "
            f"{state} | {_score(row.score)} | {decision}{test}"
        )
    return (
        f"{shown} (interview_result_id | candidate | status | score | decision):\n"
        + "\n".join(lines)
        + more
        + "\nNext: get_interview_result_details(interview_result_id) for the assessment and answers; "
        "generate_interview_report for a document."
    )


def summarize_details(args: ResultDetailsToolArgs, result: lc.ResultDetails) -> str:
    if result.status != "completed" or result.score is None:
        answered = sum(1 for turn in result.transcript or [] if turn.is_answer)
        return (
            f"Result {args.interview_result_id}: {result.status or 'unknown status'}, not assessed yet "
            f"({answered} answer(s) so far). Check again later."
        )
    parts = [f"Result {args.interview_result_id}: score {result.score:g}/100."]
    if result.score_text:
        parts.append(excerpt(result.score_text, 400))
    if result.ai_analysis_recruiter:
        parts.append("Assessment: " + excerpt(result.ai_analysis_recruiter, 600))
    reasons = analysis(result, "hiring_reasons")
    if isinstance(reasons, dict):
        for key, label in (("reasons_to_hire", "For"), ("reasons_not_to_hire", "Against")):
            items = [excerpt(str(item), 200).rstrip(".") for item in reasons.get(key) or []]
            if items:
                parts.append(f"{label}: " + "; ".join(items) + ".")
    scored = sorted(
        (t for t in result.transcript or [] if t.is_answer and t.score is not None),
        key=lambda t: -(t.score or 0),
    )
    if scored:
        best, worst = scored[0], scored[-1]
        parts.append(
            f'Strongest answer ({best.score:g}): "{excerpt(best.question_asked or "", 120)}" - {excerpt(best.answer or "", 240)}'
        )
        if worst is not best:
            parts.append(
                f'Weakest answer ({worst.score:g}): "{excerpt(worst.question_asked or "", 120)}" - {excerpt(worst.answer or "", 240)}'
            )
    risks = result.recruiter_risks
    if risks:
        parts.append(
            "Risks: " + excerpt(", ".join(risks) if isinstance(risks, dict | list) else str(risks), 200)
        )
    return "\n".join(parts)


# What a report costs, as the API documents it (and what JobMojito's own server assumes).
REPORT_COST = (
    "Cost: JobMojito documents credits only for translation (0.1 credit per result whose language differs "
    "from export_features_result.mojito_language_code); its own hosted server treats every report as billable."
)


def summarize_report(args: lc.ReportArgs, result: lc.Report) -> str:
    count = args.result_count
    what = f"{args.export_type.upper()} report of {count} result(s)"
    features = args.export_features_result
    translated = (
        f" Translated to {features.mojito_language_code}: up to {0.1 * count:.1f} credit(s)."
        if features and features.mojito_language_code
        else ""
    )
    if result.pdf_export_url:
        kept = "kept (store_file)" if args.store_file else "temporary; store_file keeps it longer"
        body = f"{what}: {result.pdf_export_url} (valid until {result.pdf_export_valid_until}; {kept})."
    elif result.html_export is not None:
        body = f"{what}: an HTML document of {len(result.html_export.encode()) / 1024:.1f} KB, attached."
    else:
        body = f"{what}: JSON, attached and in json_export."
    return body + translated + " Generating it again is safe but may cost again."


def summarize_status(args: lc.MerchantStatusArgs, result: lc.MerchantStatus) -> str:
    monthly, extra = result.credits_interview_monthly or 0, result.credits_interview_extra or 0
    limit = result.invitations_limit
    invitations = (
        "unlimited"
        if limit is None
        else f"{_score(result.invitations_available)} available of {limit:g} (sent {_score(result.invitations_sent)})"
    )
    return (
        f"Credits: {monthly + extra:g} available ({monthly:g} of {_score(result.credits_interview_monthly_limit)} "
        f"monthly left, {extra:g} extra; {_score(result.credits_interview_single)} single-position). "
        f"Invitations: {invitations}. "
        f"Waiting: {_score(result.interviews_undecided)} result(s) to decide, {_score(result.interviews_ongoing)} "
        f"interview(s) in progress, {_score(result.interviews_without_credits)} finished but not charged (no credits). "
        f"Active interviews: {_score(result.definitions_active)}; candidates {_score(result.candidates)}, results "
        f"{_score(result.interview_results)}. Subscription: {result.subscription_type} ({result.subscription_status})."
    )
