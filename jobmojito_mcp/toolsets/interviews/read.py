"""The interviews toolset's reads: the templates to create from (list_avatars), one interview's
definition (get_interview_definition), and finding interviews (list_interviews).

Each tool's request and response models, compact result view, summary and table entry sit
together. Defaults carry what the next step needs; `view="full"` returns JobMojito's answer as sent.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field

from jobmojito_mcp.tooling.spec import READ, ToolSpec, as_sent, without_nulls
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
    next_offset,
    page_note,
    present_page,
)
from jobmojito_mcp.toolsets.interviews.settings import TargetStatus

# ---------------------------------------------------------------------------------------------
# list_avatars: the templates an interview is created from

AvatarType = Literal[
    "interactive_heygen", "interactive_elevenlabs", "offline_heygen", "offline_elai", "offline_synthesia"
]

AvatarStatus = Literal["active", "draft", "archived", "deleted"]

# Legacy template types: still listed, but JobMojito cannot create interviews with them.
LEGACY_AVATAR_TYPES = frozenset({"offline_elai", "offline_synthesia"})


class ListAvatarsArgs(StrictModel):
    """Query of GET /merchant-avatar-list."""

    merchant_id: Uuid | None = None
    type: AvatarType | None = Field(
        None,
        description="interactive_heygen: live video; interactive_elevenlabs: voice only; offline_heygen: "
        "pre-recorded; offline_elai, offline_synthesia: legacy, cannot create interviews.",
    )
    status: AvatarStatus | None = Field(None, description="Only this status; omitted: all but archived.")
    mojito_language_code: str | None = Field(None, description="Only templates in this language, e.g. en.")
    filter_text: str | None = Field(
        None, max_length=1000, description="Text in the template's name or voice language (any case)."
    )
    include_archived: bool = Field(False, description="Also list archived templates.")
    include_public: bool = Field(False, description="Also list JobMojito's public templates.")
    limit: int = Field(50, ge=1, le=1000, description="Page size.")
    offset: int | None = Field(0, ge=0, description="The previous page's next_offset.")


class ListAvatarsToolArgs(ListAvatarsArgs):
    view: View = Field("summary", description="summary: enough to pick one; full: every field.")


class AvatarTemplate(LenientModel):
    id: str = Field(description="Use as interview_template_id.")
    name: str | None = None
    type: str | None = Field(None, description="Known: " + ", ".join(get_args(AvatarType)) + ".")
    status: str | None = None
    visibility: str | None = None
    mojito_language_code: str | None = None
    merchant_id: str | None = None
    video_voice_language_name: str | None = None
    media_url: str | None = None
    background_url: str | None = None
    background_blur: Number | None = None
    video_background_remove: bool | None = None
    video_avatar_image_url: str | None = None
    video_avatar_aspect_ratio: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class AvatarList(LenientModel):
    data: list[AvatarTemplate] = Field(default_factory=list)
    pagination: Pagination | None = None


class TemplateChoice(OpenResult):
    id: str
    name: str | None = None
    type: str | None = None
    status: str | None = None
    mojito_language_code: str | None = None
    voice_only: bool | None = None
    can_create_interviews: bool | None = None


class AvatarsResult(OpenResult):
    data: list[TemplateChoice] = Field(default_factory=list)
    pagination: Pagination | None = None
    next_offset: int | None = Field(None, description="Next page's offset; absent on the last.")


_TEMPLATE_FIELDS = ("id", "name", "type", "status", "mojito_language_code")


def present_avatars(args: ListAvatarsToolArgs, answer: AvatarList) -> dict[str, Any]:
    following = (
        {} if (offset := next_offset(answer.data, answer.pagination)) is None else {"next_offset": offset}
    )
    if args.view == "full":
        return as_sent(answer) | following
    choices = [
        without_nulls({name: getattr(template, name) for name in _TEMPLATE_FIELDS})
        | {
            "voice_only": template.type == "interactive_elevenlabs",
            "can_create_interviews": template.type not in LEGACY_AVATAR_TYPES,
        }
        for template in answer.data
    ]
    result: dict[str, Any] = {"data": choices}
    if answer.pagination is not None:
        result["pagination"] = answer.pagination.model_dump(mode="json", exclude_none=True)
    return result | following


def summarize_avatars(args: ListAvatarsToolArgs, result: AvatarList) -> str:
    if not result.data:
        given = filters_given(args, ("type", "status", "mojito_language_code", "filter_text"))
        if given:
            return f"No templates match {given}. Try without them, or include_archived/include_public."
        return (
            "This account has no templates of its own: try include_public=true, or create one in JobMojito."
        )
    lines = []
    for t in result.data:
        notes = []
        if t.type in LEGACY_AVATAR_TYPES:
            notes.append("legacy: cannot create interviews")
        if t.type == "interactive_elevenlabs":
            notes.append("voice only")
        note = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"- {t.id} | {t.name} | {t.type} | {t.mojito_language_code} | {t.status}{note}")
    shown, more = page_note(result.data, result.pagination, "template")
    return (
        f"{shown} (id | name | type | language | status):\n"
        + "\n".join(lines)
        + more
        + "\nUse a template's id as interview_template_id."
    )


LIST_AVATARS = ToolSpec(
    name="list_avatars",
    title="List interview templates",
    description=(
        "Interview templates (avatars), newest first: an `id` is the create tools' interview_template_id."
    ),
    arguments=ListAvatarsToolArgs,
    response=AvatarList,
    method="GET",
    path="/merchant-avatar-list",
    annotations=READ,
    summarize=summarize_avatars,
    toolset="interviews",
    result=AvatarsResult,
    present=present_avatars,
    unpublished=frozenset({"merchant_id", "include_archived"}),
)


# ---------------------------------------------------------------------------------------------
# get_interview_definition: one interview as it stands


class GetDefinitionArgs(StrictModel):
    """Query of GET /job-interview-get."""

    position_id: Uuid = Field(description="An interview_def_set_id or a position id.")


class GetDefinitionToolArgs(GetDefinitionArgs):
    view: View = Field(
        "summary", description="summary: name, status, language, question texts; full: everything."
    )


class DefinitionQuestion(LenientModel):
    question: str | None = None
    id: str | None = None
    duration: Number | None = None
    is_conditional: bool | None = None
    conditional_question_main_id: str | None = None
    is_multiple_choice: bool | None = None
    question_alternatives: list[str] | None = None


class InterviewDefinition(LenientModel):
    name: str | None = None
    status: str | None = None
    visibility: str | None = None
    type: str | None = None
    stage: str | None = None
    is_multistage: bool | None = None
    questions: list[DefinitionQuestion] | None = Field(None, description="null for multi-stage positions.")
    description: str | None = None
    interview_description_long: str | None = None
    candidate_expectations: str | None = None
    interview_location: str | None = None
    mojito_language_code: str | None = None
    speech_language_code: str | None = None
    speech_language_name: str | None = None
    interview_template_id: str | None = None
    interview_template_type: str | None = None
    is_voice_only: bool | None = None
    merchant_id: str | None = None
    code: str | None = None
    slug: str | None = None
    cover_image_url: str | None = None
    knowledge_base_store_id: str | None = None
    recording: str | None = None
    recording_full_session: str | None = None
    result_view: str | None = None
    type_credit: str | None = None
    coach_plan: str | None = None
    candidate_video_introduction: str | None = None
    interview_conversation_speed: str | None = None
    interview_department: str | None = None
    interview_salary: str | None = None
    interview_available_till: str | None = None
    recruiter_profile_id: str | None = None
    tags: list[str] | None = None
    max_followups: Number | None = None
    max_duration: Number | None = None
    questions_random_subset: Number | None = None
    required_pronunciation: bool | None = None
    result_enable_edit_transcript: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    calc_definition_json: Any = None
    candidate_expectations_json: Any = None
    result_scoring: Any = None
    creation_parameters: Any = None
    pdf_export_auto_config: Any = None


class DefinitionResult(OpenResult):
    # What reviewing an interview needs, as the README promises: name, status, language, template,
    # question texts (the summary text adds visibility, type, voice only, length). Every field here
    # is compiled and checked by every SDK client, session by session, call by call.
    position_id: str
    name: str | None = None
    status: str | None = None
    mojito_language_code: str | None = None
    interview_template_id: str | None = None
    questions: list[str | dict[str, Any]] | None = Field(
        None, description="The question texts (full view: objects); absent for multi-stage positions."
    )


_DEFINITION_FIELDS = tuple(
    name for name in DefinitionResult.model_fields if name not in ("position_id", "questions")
)


def present_definition(args: GetDefinitionToolArgs, answer: InterviewDefinition) -> dict[str, Any]:
    if args.view == "full":
        return as_sent(answer) | {"position_id": args.position_id}
    summary: dict[str, Any] = {"position_id": args.position_id} | {
        name: getattr(answer, name) for name in _DEFINITION_FIELDS
    }
    if answer.questions is not None:
        # A question without text (the API requires one) keeps its place, so numbering matches the text.
        summary["questions"] = [q.question or "" for q in answer.questions]
    return without_nulls(summary)


def summarize_definition(args: GetDefinitionToolArgs, result: InterviewDefinition) -> str:
    head = (
        f"{result.name} — status {result.status}, {result.visibility}, type {result.type}, "
        f"language {result.mojito_language_code}, template {result.interview_template_type}"
        + (", voice only" if result.is_voice_only else "")
        + (f", max {result.max_duration:g} s" if result.max_duration else "")
        + "."
    )
    if result.questions is None:
        return head + " Multi-stage position: no single question list."
    lines = []
    for number, q in enumerate(result.questions, 1):
        extra = []
        if q.is_conditional:
            extra.append(f"follow-up of {q.conditional_question_main_id}")
        if q.is_multiple_choice and q.question_alternatives:
            extra.append("choices: " + " / ".join(q.question_alternatives))
        if q.duration:
            extra.append(f"{q.duration:g} s")
        tag = f" [{'; '.join(extra)}]" if extra else ""
        lines.append(f"{number}. {q.question}{tag}")
    return head + f" {len(lines)} question(s):\n" + "\n".join(lines)


GET_INTERVIEW_DEFINITION = ToolSpec(
    name="get_interview_definition",
    title="Get an interview's definition",
    description=(
        "Read an interview: name, status, language, template, questions (view full: every setting)."
    ),
    arguments=GetDefinitionToolArgs,
    response=InterviewDefinition,
    method="GET",
    path="/job-interview-get",
    annotations=READ,
    summarize=summarize_definition,
    toolset="interviews",
    result=DefinitionResult,
    present=present_definition,
)


# ---------------------------------------------------------------------------------------------
# list_interviews: find an interview's id


class ListInterviewsArgs(StrictModel):
    """Query of GET /merchant-interview-list."""

    filter_text: str | None = Field(
        None, max_length=1000, description="Text in the interview's name (any case)."
    )
    status: TargetStatus | None = Field(None, description="Only this status; omitted: all.")
    type: DefinitionType | None = Field(None, description="Only this kind; omitted: interview.")
    show_public: bool = Field(False, description="Also list public interviews.")
    show_demo: bool = Field(False, description="Also list demo interviews.")
    filter_emoji: str | None = None
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="The previous page's next_offset.")


class ListInterviewsToolArgs(ListInterviewsArgs):
    view: View = Field("summary", description="summary: id, name, status, runs; full: all.")


class InterviewRow(LenientModel):
    id: str
    name: str | None = None
    emoji: str | None = None
    type: str | None = None
    type_avatar: str | None = None
    status: str | None = None
    visibility: str | None = None
    mojito_language_code: str | None = None
    speech_language_code: str | None = None
    environment: str | None = None
    is_ats: bool | None = None
    is_multi_stage: bool | None = None
    recording: str | None = None
    recording_full_session: str | None = None
    billing_single_position: bool | None = None
    billing_single_position_end_at: str | None = None
    cover_image_url: str | None = None
    interview_count: Number | None = None
    interview_last: str | None = None
    calc_duration: Number | None = None
    merchant_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class InterviewList(LenientModel):
    data: list[InterviewRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class InterviewChoice(OpenResult):
    id: str
    name: str | None = None
    status: str | None = None
    type: str | None = None
    visibility: str | None = None
    mojito_language_code: str | None = None
    interview_count: float | None = None
    updated_at: str | None = None


class InterviewsResult(OpenResult):
    data: list[InterviewChoice] = Field(default_factory=list)
    pagination: Pagination | None = None
    next_offset: int | None = Field(None, description="Next page's offset; absent on the last.")


def present_interviews(args: ListInterviewsToolArgs, answer: InterviewList) -> dict[str, Any]:
    return present_page(args.view, answer.data, answer.pagination, InterviewChoice)


def summarize_interviews(args: ListInterviewsToolArgs, result: InterviewList) -> str:
    if not result.data:
        given = filters_given(args, ("status", "filter_text", "type", "filter_emoji"))
        if given:
            return f"No interviews match {given}. Try without them, or another type."
        return (
            "This account has no interviews yet (of type interview; type=coaching or assessment lists "
            "the others). create_interview makes one."
        )
    shown, more = page_note(result.data, result.pagination, "interview")
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


LIST_INTERVIEWS = ToolSpec(
    name="list_interviews",
    title="Find interviews",
    description=(
        "Find this account's interviews (ids) by name, status or type; newest-updated first, paged."
    ),
    arguments=ListInterviewsToolArgs,
    response=InterviewList,
    method="GET",
    path="/merchant-interview-list",
    annotations=READ,
    summarize=summarize_interviews,
    toolset="interviews",
    result=InterviewsResult,
    present=present_interviews,
    hints={403: "Leave merchant_id out to list your own interviews."},
    unpublished=frozenset({"show_public", "show_demo", "filter_emoji", "merchant_id"}),
)
