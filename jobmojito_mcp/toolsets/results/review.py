"""The results toolset's review of candidates: who took an interview and how well
(list_interview_results), and one result's assessment and answers (get_interview_result_details).

A result record can be long (a transcript with per-answer analyses and raw assessment data), so
details answer with a summary unless asked for more, and signed recording links only when asked.
`view="full"` returns JobMojito's answer as sent.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import READ, ToolSpec, without_nulls
from jobmojito_mcp.toolsets.common import (
    DefinitionType,
    LenientModel,
    ListLimit,
    Number,
    OpenResult,
    Pagination,
    StrictModel,
    Uuid,
    View,
    filters_given,
    page_note,
    present_page,
    sent_fields,
    shown_number,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies (request side: closed)

ResultTab = Literal[
    "undecided", "shortlist", "decided-selected", "decided-rejected", "completed", "incomplete",
    "archived-interview", "public_avatar", "archived-public_avatar", "",
]  # fmt: skip
ResultStep = Literal["pre-screening", "interview"]
ResultOrder = Literal["score", "created_at_newest", "created_at_oldest", "updated_at_newest"]
DetailsView = Literal["summary", "standard", "full"]


# ---------------------------------------------------------------------------------------------
# list_interview_results: who took an interview, and how well


class ListResultsArgs(StrictModel):
    """Query of GET /merchant-result-list."""

    interview_id: Uuid | None = Field(
        None, description="Only results of this interview; omitted: all interviews."
    )
    tab: ResultTab | None = Field(None, description="incomplete: not finished or not started; omitted: all.")
    order_by: ResultOrder | None = Field(None, description="score: best first; omitted: newest first.")
    filter_text: str | None = Field(
        None, max_length=1000, description="Text in the candidate's name or e-mail."
    )
    type: DefinitionType | None = Field(None, description="Only results of this kind; omitted: interview.")
    profile_interview_id: Uuid | None = Field(None, description="Only this candidate's results.")
    risks: str | None = Field(None, description="Comma-separated recruiter-risk keys; rows with any of them.")
    step: ResultStep | None = Field(None, description="pre-screening: résumé screenings only.")
    filter_emoji: str | None = None
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="The previous page's next_offset.")


class ListResultsToolArgs(ListResultsArgs):
    view: View = Field("summary", description="summary: ids, candidate, status, score; full: all.")


class ResultRow(LenientModel):
    id: str
    interview_result_id: str | None = None
    interview_result_pre_screening_id: str | None = None
    merchant_id: str | None = None
    profile_id: str | None = None
    profile_interview_id: str | None = None
    definition_id: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None
    position_name: str | None = None
    position_step: str | None = None
    type: str | None = None
    emoji: str | None = None
    external_id: str | None = None
    mojito_language_code: str | None = None
    status: str | None = None
    coach_status: str | None = None
    decision_status: str | None = None
    interview_started: bool | None = None
    is_multi_stage: bool | None = None
    is_test: bool | None = None
    recruiter_shortlist: bool | None = None
    recruiter_risks: Any = None
    duration_ds: Number | None = None
    score: Number | None = None
    score_simulation: Number | None = None
    score_sentiment: Number | None = None
    score_words_per_minute: Number | None = None
    score_interview_ai: Number | None = None
    score_answer_ai: Number | None = None
    score_pronunciation: Number | None = None
    processing_status: str | None = None
    processing_error: str | None = None
    kyc_processing_status: str | None = None
    position_result_step_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ResultList(LenientModel):
    data: list[ResultRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class ResultChoice(OpenResult):
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


class ResultsResult(OpenResult):
    data: list[ResultChoice] = Field(default_factory=list)
    pagination: Pagination | None = None
    next_offset: int | None = Field(None, description="Next page's offset; absent on the last.")


def present_results(args: ListResultsToolArgs, answer: ResultList) -> dict[str, Any]:
    return present_page(args.view, answer.data, answer.pagination, ResultChoice)


def summarize_results(args: ListResultsToolArgs, result: ResultList) -> str:
    if not result.data:
        given = filters_given(args, ("interview_id", "tab", "filter_text", "step"))
        if given:
            return f"No results match {given}. Candidates appear once registered; try another tab, or without them."
        return "No results yet: candidates appear once registered (register_users_for_interview)."
    shown, more = page_note(result.data, result.pagination, "result")
    lines = []
    for row in result.data:
        state = row.coach_status or ("not started" if not row.interview_started else "started")
        decision = row.decision_status or ("shortlisted" if row.recruiter_shortlist else "undecided")
        test = " (test)" if row.is_test else ""
        lines.append(
            f"- {row.interview_result_id or '(not started)'} | {row.candidate_name} <{row.candidate_email}> | "
            f"{state} | {shown_number(row.score)} | {decision}{test}"
        )
    return (
        f"{shown} (interview_result_id | candidate | status | score | decision):\n"
        + "\n".join(lines)
        + more
        + "\nNext: get_interview_result_details(interview_result_id) for the assessment and answers; "
        "generate_interview_report for a document."
    )


LIST_INTERVIEW_RESULTS = ToolSpec(
    name="list_interview_results",
    title="List interview results",
    description=(
        "Candidates' results, of one interview or all, by tab; order_by=score for best first. "
        "interview_result_id is what the details and report tools take."
    ),
    arguments=ListResultsToolArgs,
    response=ResultList,
    method="GET",
    path="/merchant-result-list",
    annotations=READ,
    summarize=summarize_results,
    result=ResultsResult,
    present=present_results,
    toolset="results",
    hints={403: "This account may not read these results; leave merchant_id out for your own."},
    unpublished=frozenset({"risks", "filter_emoji", "merchant_id", "type", "profile_interview_id"}),
)


# ---------------------------------------------------------------------------------------------
# get_interview_result_details: one candidate's assessment and answers


class ResultDetailsArgs(StrictModel):
    """Query of GET /job-interview-details."""

    interview_result_id: Uuid = Field(description="From list_interview_results.")
    get_signed_recordings: bool = Field(
        False, description="Add short-lived links to the session, video introduction and answer recordings."
    )


class ResultDetailsToolArgs(ResultDetailsArgs):
    view: DetailsView = Field(
        "summary",
        description="summary: score, assessment, reasons, answers with scores; standard: all but raw data; "
        "full: as sent.",
    )


class TranscriptTurn(LenientModel):
    id: str | None = None
    is_answer: bool | None = None
    view: str | None = None
    question_original_id: str | None = None
    question_original: str | None = None
    question_asked: str | None = None
    answer: str | None = None
    ai_analysis: str | None = None
    ai_analysis_recruiter: str | None = None
    score: Number | None = None
    score_simulation: Number | None = None
    score_answer_ai: Number | None = None
    score_answer_ai_simulation: Number | None = None
    duration: Number | None = None
    mojito_language_code: str | None = None
    answer_assessment_raw_data: Any = None
    recording_local_path: str | None = None
    recording_is_video: bool | None = None
    recording_url: str | None = None
    external_data: Any = None
    external_id: str | None = None


class ResultDetails(LenientModel):
    score: Number | None = None
    score_simulation: Number | None = None
    score_text: str | None = None
    score_sentiment: Number | None = None
    score_words_per_minute: Number | None = None
    score_pronunciation: Number | None = None
    score_answer: Number | None = None
    status: str | None = None
    start: str | None = None
    end: str | None = None
    duration: Number | None = None
    ai_interview_coverage_percentage: Number | None = None
    ai_completion_reason: str | None = None
    ai_analysis: str | None = None
    ai_analysis_recruiter: str | None = None
    ai_analysis_other: Any = None
    ai_analysis_recruiter_why_hire: Any = None
    ai_analysis_recruiter_why_not_hire: Any = None
    recruiter_risks: Any = None
    user_feedback_recruiter: str | None = None
    recording_local_path: str | None = None
    recording_is_video: bool | None = None
    video_introduction_local_path: str | None = None
    recording_url: str | None = None
    video_introduction_url: str | None = None
    transcript: list[TranscriptTurn] | None = None


class AnswerView(OpenResult):
    id: str | None = None
    question_asked: str | None = None
    answer: str | None = None
    score: float | None = None
    recording_url: str | None = None


class HiringReasons(OpenResult):
    reasons_to_hire: list[str] = Field(default_factory=list)
    reasons_not_to_hire: list[str] = Field(default_factory=list)


class KeyStatement(OpenResult):
    quote: str | None = None
    result_question_id: str | None = None


class DetailsResult(OpenResult):
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


def analysis(answer: ResultDetails, key: str) -> Any:
    """One write-up from `ai_analysis_other` (a JSON object keyed by analysis name), if present."""
    other = answer.ai_analysis_other
    return other.get(key) if isinstance(other, dict) else None


def present_details(args: ResultDetailsToolArgs, answer: ResultDetails) -> dict[str, Any]:
    head = {"interview_result_id": args.interview_result_id}
    if args.view != "summary":
        sent = sent_fields(answer)
        if args.view == "standard":
            sent["transcript"] = [
                {key: value for key, value in turn.items() if key not in _RAW}
                for turn in sent.get("transcript", [])
            ]
        return head | sent
    summary = sent_fields(answer, _SUMMARY_FIELDS)
    written = {
        "hiring_reasons": _hiring_reasons(analysis(answer, "hiring_reasons")),
        "key_statement": _key_statement(analysis(answer, "key_statement")),
        "score_rationale": _text(analysis(answer, "score_rationale")),
        "risks": risks_of(answer.recruiter_risks),
    }
    answers = [
        sent_fields(turn, list(AnswerView.model_fields)) for turn in answer.transcript or [] if turn.is_answer
    ]
    return head | summary | without_nulls(written) | {"transcript": answers}


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


def _minutes(seconds: float) -> str:
    """JobMojito counts durations in deciseconds; people read "9 min 38 s"."""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{whole} s"


def summarize_details(args: ResultDetailsToolArgs, result: ResultDetails) -> str:
    if result.status != "completed" or result.score is None:
        answered = sum(1 for turn in result.transcript or [] if turn.is_answer)
        return (
            f"Result {args.interview_result_id}: {result.status or 'unknown status'}, not assessed yet "
            f"({answered} answer(s) so far). Check again later."
        )
    lasted = f" The interview lasted {_minutes(result.duration / 10)}." if result.duration else ""
    parts = [f"Result {args.interview_result_id}: score {result.score:g}/100.{lasted}"]
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


GET_INTERVIEW_RESULT_DETAILS = ToolSpec(
    name="get_interview_result_details",
    title="Read a candidate's result",
    description=(
        "One candidate's result: score, the AI's assessment, reasons to hire or not, each answer with its "
        "score (view summary)."
    ),
    arguments=ResultDetailsToolArgs,
    response=ResultDetails,
    method="GET",
    path="/job-interview-details",
    annotations=READ,
    summarize=summarize_details,
    result=DetailsResult,
    present=present_details,
    toolset="results",
    hints={404: "Take interview_result_id from list_interview_results (rows without one have not started)."},
)
