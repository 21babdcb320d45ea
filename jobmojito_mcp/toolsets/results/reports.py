"""The results toolset's reports: a document on one or several results for a hiring manager
(generate_interview_report), as a PDF link, or an HTML or JSON document attached beside the summary.

Generating a report stores a file and a translated one costs credits, again on every repeat: its
annotations say it is not idempotent, a translation is confirmed with the user first (like every
credit spend), and the summary says what it may have cost.
"""

from __future__ import annotations

from typing import Any, Literal

from mcp_types import ContentBlock, EmbeddedResource, ResourceLink, TextResourceContents
from pydantic import Field, model_validator

from jobmojito_mcp.tooling.spec import GENERATE, ToolSpec
from jobmojito_mcp.toolsets.common import (
    JsonObject,
    LanguageCode,
    LenientModel,
    ListedRequestObject,
    Number,
    OpenResult,
    StrictModel,
    Uuid,
    field_error,
    sent_fields,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies (request side: closed)

ExportType = Literal["pdf", "html", "json"]
ReportTemplate = Literal["classic", "modern", "one_pager"]


# ---------------------------------------------------------------------------------------------
# generate_interview_report: a document for the hiring manager


class ReportFeatures(ListedRequestObject):
    """What a report contains."""

    _not_nullable = frozenset(
        {"mojito_language_code", "contact_details", "ai_recruiter_assessment", "ai_scoring_rubric", "analytics",
         "transcript", "files", "answer_recording", "session_recording", "group_by_question", "template"}
    )  # fmt: skip
    mojito_language_code: LanguageCode | None = Field(
        None,
        description="Translate into this language: 0.1 credit per result in another language.",
    )
    contact_details: bool | None = Field(None, description="Default true.")
    ai_recruiter_assessment: bool | None = Field(None, description="Default true.")
    ai_scoring_rubric: bool | None = Field(None, description="Default false; needs ai_recruiter_assessment.")
    analytics: bool | None = Field(None, description="Default true.")
    transcript: bool | None = Field(None, description="Default true.")
    files: bool | None = Field(None, description="Default true.")
    answer_recording: bool | None = Field(None, description="Links to answer recordings; default false.")
    session_recording: bool | None = Field(None, description="Link to the session recording; default false.")
    group_by_question: bool | None = Field(None, description="Default false.")
    template: ReportTemplate | None = None


class ReportArgs(StrictModel):
    """Body of POST /job-interview-pdf."""

    export_type: ExportType = Field(
        description="pdf: a download link; html: a whole HTML document; json: the data, for programs."
    )
    interview_result_id: Uuid | None = Field(None, description="One result (from list_interview_results).")
    interview_result_ids: list[Uuid] | None = Field(
        None, min_length=1, description="Several results: one combined report."
    )
    template: ReportTemplate | None = Field(None, description="Look; omitted: classic.")
    store_file: bool | None = Field(None, description="pdf: keep the file (a longer-lived link).")
    export_features_result: ReportFeatures | None = Field(
        None, description="Sections to include; translation."
    )

    @model_validator(mode="after")
    def _which_results(self) -> ReportArgs:
        if (self.interview_result_id is None) == (self.interview_result_ids is None):
            raise field_error(
                "interview_result_id", "give interview_result_id or interview_result_ids (not both)"
            )
        if self.store_file is not None and self.export_type != "pdf":
            raise field_error("store_file", "applies to export_type pdf only")
        return self

    @property
    def result_count(self) -> int:
        return len(self.interview_result_ids) if self.interview_result_ids else 1


class ExportedFile(LenientModel):
    type: str | None = None
    page: Number | None = None
    page_signed: str | None = None


class ExportedResult(LenientModel):
    data: JsonObject | None = None
    files: list[ExportedFile] | None = None


class JsonExport(LenientModel):
    results: list[ExportedResult] | None = None
    table: str | None = None


class Report(LenientModel):
    """Exactly one of the three shapes, by export_type."""

    pdf_export_url: str | None = None
    pdf_export_valid_until: str | None = None
    html_export: str | None = None
    json_export: JsonExport | None = None


class ReportResult(OpenResult):
    export_type: str
    interview_result_ids: list[str] = Field(default_factory=list)
    pdf_export_url: str | None = None
    pdf_export_valid_until: str | None = None
    html_export: str | None = None
    json_export: dict[str, Any] | None = None


def present_report(args: ReportArgs, answer: Report) -> dict[str, Any]:
    return {"export_type": args.export_type, "interview_result_ids": result_ids(args)} | sent_fields(answer)


def result_ids(args: ReportArgs) -> list[str]:
    return list(args.interview_result_ids or ([args.interview_result_id] if args.interview_result_id else []))


def attach_report(args: ReportArgs, answer: Report) -> list[ContentBlock]:
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


def summarize_report(args: ReportArgs, result: Report) -> str:
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
    again = " Generating it again charges the translation again." if translated else ""
    return body + translated + again


def _confirm_translation(args: ReportArgs) -> str | None:
    """A translated report spends credits (the API reference: 0.1 per result in another language)."""
    features = args.export_features_result
    if features is None or not features.mojito_language_code:
        return None
    count = args.result_count
    return (
        f"Translate a report of {count} result(s) into {features.mojito_language_code}? It costs up to "
        f"{0.1 * count:.1f} credit(s) (0.1 per result in another language), charged again each time it is "
        "generated. No: nothing is generated (leave out mojito_language_code for an untranslated report)."
    )


_REPORT_FEATURES_UNPUBLISHED = frozenset(
    f"export_features_result.{name}"
    for name in ("analytics", "files", "ai_scoring_rubric", "answer_recording", "session_recording",
                 "group_by_question", "template", "contact_details", "ai_recruiter_assessment")
)  # fmt: skip

GENERATE_INTERVIEW_REPORT = ToolSpec(
    name="generate_interview_report",
    title="Generate a result report",
    description=(
        "A report on results for a hiring manager: pdf link, html or json. Translating "
        "(export_features_result.mojito_language_code) costs 0.1 credit per result."
    ),
    arguments=ReportArgs,
    response=Report,
    method="POST",
    path="/job-interview-pdf",
    annotations=GENERATE,  # a new file, and a translation charged, on every call
    confirm=_confirm_translation,
    effect="generated the report (and charged any translation)",
    summarize=summarize_report,
    result=ReportResult,
    present=present_report,
    attach=attach_report,
    toolset="results",
    hints={
        422: "Unknown or unfinished results are reported as HTTP 422 here: take ids from "
        "list_interview_results(tab=completed)."
    },
    unpublished=_REPORT_FEATURES_UNPUBLISHED | {"store_file"},
)
