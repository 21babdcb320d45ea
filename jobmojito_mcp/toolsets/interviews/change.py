"""The interviews toolset's changes to an existing interview: its state (set_interview_state:
publish, unpublish, archive, delete, embedding) and its settings and questions (update_interview).

Both are repeatable with the same outcome, and both can delete: the user is asked first
(`confirm`), and where nobody can be asked the tools' destructiveHint says so.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from jobmojito_mcp.tooling.spec import CHANGE, ToolSpec
from jobmojito_mcp.toolsets.common import (
    Attempts,
    Followups,
    Fraction,
    JsonObject,
    LenientModel,
    NonEmpty,
    Seconds,
    StrictModel,
    Uuid,
    field_error,
)
from jobmojito_mcp.toolsets.interviews.settings import (
    AnswerRecording,
    ConversationSpeed,
    Expectations,
    HiringCompany,
    InterviewKind,
    InterviewType,
    PdfExportConfig,
    Question,
    ResultView,
    Seniority,
    SessionRecording,
    TargetStatus,
    Visibility,
    check_questions,
    embed_note,
)

# ---------------------------------------------------------------------------------------------
# Asking first


def _confirm_deletion(args: SetStateArgs | UpdateInterviewArgs) -> str | None:
    if args.status != "deleted":
        return None
    return f"Delete interview {args.position_id} in JobMojito? This cannot be undone."


# JobMojito files a missing permission under HTTP 500 on some endpoints (its reference says so).
_AUTHZ_AS_500 = (
    "JobMojito also reports a missing permission for this interview as HTTP 500: if the id is right and a "
    "retry fails too, this account may not change it."
)


# ---------------------------------------------------------------------------------------------
# set_interview_state: publish, unpublish, archive, delete; iframe embedding


class SetStateArgs(StrictModel):
    """Body of POST /job-interview-set-state."""

    position_id: Uuid = Field(description="The interview_def_set_id (or a position id) to change.")
    status: TargetStatus | None = Field(
        None,
        description="draft: unpublish; active: publish; archived: hide, keep results; deleted: remove for good; "
        "preparing, completed: pipeline states.",
    )
    is_embedded: bool | None = Field(
        None,
        description="true: create or return the iframe embed key; false: remove it (embeds stop working).",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> SetStateArgs:
        if self.status is None and self.is_embedded is None:
            raise field_error("status", "give status, is_embedded, or both")
        return self


class StateChanged(LenientModel):
    success: bool | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = None


def summarize_state(args: SetStateArgs, result: StateChanged) -> str:
    changes = []
    if args.status:
        changes.append(f"status is now {args.status}")
    if args.is_embedded is not None:
        changes.append("embedding enabled" if args.is_embedded else "embedding removed")
    done = "Done" if result.success is not False else "JobMojito reported no success"
    return f"{done} for interview {args.position_id}: {', '.join(changes)}.{embed_note(result)}"


SET_INTERVIEW_STATE = ToolSpec(
    name="set_interview_state",
    title="Publish, archive or delete an interview",
    description=(
        "Publish (active), unpublish (draft), archive or delete an interview, and/or turn iframe embedding "
        "on or off. deleted cannot be undone."
    ),
    arguments=SetStateArgs,
    response=StateChanged,
    method="POST",
    path="/job-interview-set-state",
    annotations=CHANGE,
    summarize=summarize_state,
    toolset="interviews",
    confirm=_confirm_deletion,
)


# ---------------------------------------------------------------------------------------------
# update_interview: change any setting, or the questions, of an existing interview

TypeCredit = Literal[
    "resume_check", "interview_coach_starter", "interview_coach_contributor", "interview_coach_manager",
    "cover_letter",
]  # fmt: skip

CoachPlan = Literal["demo", "screening", "2nd", "3rd", "closing", "job-specific", "other"]

VideoIntroductionSetting = Literal["hidden", "optional", "required"]

# Update fields the API types as nullable: null clears them. `clear_fields` names them.
CLEARABLE = (
    "name", "code", "location", "cover_image_url", "description", "description_long", "interview_department",
    "interview_salary", "interview_available_till", "recruiter_profile_id", "tags", "type_credit", "coach_plan",
    "knowledge_base_store_id", "recording", "recording_full_session", "candidate_video_introduction",
    "interview_conversation_speed", "max_followups", "max_duration", "questions_random_subset",
    "required_pronunciation", "result_enable_edit_transcript", "candidate_expectations",
    "candidate_expectations_json", "custom_scoring", "pdf_export_auto_config", "interview_type", "interview_tone",
    "seniority_level", "hiring_for_company",
)  # fmt: skip


class UpdateInterviewArgs(StrictModel):
    """Body of POST /job-interview-update: only the fields sent are written."""

    _clearable: ClassVar[frozenset[str]] = frozenset(CLEARABLE)

    position_id: Uuid = Field(description="The interview_def_set_id (or position id) to change.")
    name: str | None = Field(None, description="New title.")
    location: str | None = Field(None, description="Where the job is.")
    description: str | None = Field(None, description="Short description candidates see.")
    status: TargetStatus | None = Field(
        None,
        description="draft: unpublish; active: publish; archived: hide, keep results; deleted: for good.",
    )
    visibility: Visibility | None = Field(
        None,
        description="merchant_public: listed; merchant_invite: invitees only; merchant_unlisted: link only.",
    )
    questions: list[Question] | None = Field(
        None,
        min_length=1,
        description="The complete new list, in order: get_interview_definition(view=full)'s questions, edited. "
        "Unchanged items keep their ids; omitted ones are removed.",
    )
    regenerate_candidate_expectations: bool | None = Field(
        None, description="With questions, on type interview: re-derive the scoring rubric from them."
    )
    interview_template_id: NonEmpty | None = Field(None, description="Another template (sets the modality).")
    max_duration: Seconds | None = Field(None, description="Session cap in seconds; sets the credit cost.")
    max_followups: Followups | None = Field(
        None, description="Cap on AI follow-ups: 0 none, 1-3 low/normal/high."
    )
    result_view: ResultView | None = Field(None, description="What the candidate sees after finishing.")
    recording: AnswerRecording | None = Field(
        None, description="Cheating checks on the first 5 or all answers."
    )
    recording_full_session: SessionRecording | None = Field(
        None, description="Record the whole session: audio_all +0.2 credits, video_all +0.4."
    )
    candidate_expectations: str | None = Field(None, description="What is expected of candidates, free text.")
    clear_fields: list[str] | None = Field(
        None, description="Fields to clear (set to null), e.g. knowledge_base_store_id, recording."
    )
    code: str | None = None
    cover_image_url: str | None = None
    description_long: str | None = None
    interview_department: str | None = None
    interview_salary: str | None = None
    interview_available_till: str | None = None
    recruiter_profile_id: str | None = None
    tags: list[str] | None = None
    type: InterviewKind | None = None
    type_credit: TypeCredit | None = None
    coach_plan: CoachPlan | None = None
    knowledge_base_store_id: str | None = None
    candidate_video_introduction: VideoIntroductionSetting | None = None
    interview_conversation_speed: ConversationSpeed | None = None
    questions_random_subset: Fraction | None = None
    interview_attempts: Attempts | None = None
    required_pronunciation: bool | None = None
    result_enable_edit_transcript: bool | None = None
    candidate_expectations_json: Expectations | None = None
    custom_scoring: JsonObject | None = None
    pdf_export_auto_config: PdfExportConfig | None = None
    interview_type: InterviewType | None = None
    interview_tone: str | None = None
    seniority_level: Seniority | None = None
    hiring_for_company: HiringCompany | None = None

    @model_validator(mode="before")
    @classmethod
    def _null_means_not_given(cls, data: Any) -> Any:
        # Here a null is meaningful where the API types the field nullable: it clears the stored value.
        # Elsewhere (status, type, questions, ...) the API refuses null, so it means "not given".
        if not isinstance(data, dict) or None not in data.values():
            return data
        fields = cls.model_fields
        return {
            key: value
            for key, value in data.items()
            # An unknown name is kept, to be refused by name; a known one the API cannot clear is dropped.
            if value is not None or key not in fields or key in cls._clearable
        }

    @model_validator(mode="after")
    def _a_meaningful_change(self) -> UpdateInterviewArgs:
        for name in self.clear_fields or ():
            if name not in self._clearable:
                known = ", ".join(sorted(self._clearable))
                raise field_error("clear_fields", f"{name!r} cannot be cleared; these can: {known}")
            if getattr(self, name) is not None:
                raise field_error(name, "given a value and also named in clear_fields: choose one")
            setattr(self, name, None)  # now "set": sent as null, which clears it
        if self.questions is not None:
            check_questions(self.questions)
        elif self.regenerate_candidate_expectations:
            raise field_error("regenerate_candidate_expectations", "only applies together with questions")
        if not self.model_fields_set - {"position_id", "clear_fields"}:
            raise field_error("position_id", "give at least one field to change besides position_id")
        return self


class ReplacedQuestion(LenientModel):
    model_config = ConfigDict(extra="allow", defer_build=True, validate_by_name=True, serialize_by_alias=True)

    from_: str | None = Field(None, alias="from")
    to: str | None = None


class QuestionsDiff(LenientModel):
    kept: list[str] | None = None
    added: list[str] | None = None
    removed: list[str] | None = None
    replaced: list[ReplacedQuestion] | None = None
    question_ids: list[str] | None = None
    reactivated: bool | None = None


class UpdatedInterview(LenientModel):
    position_id: str | None = None
    is_multistage: bool | None = None
    updated_fields: list[str] | None = None
    questions_diff: QuestionsDiff | None = None


# After creation: the same rule. Changing an interview publishes what a create does, minus the rarities;
# questions go back as get_interview_definition(view=full) gave them, so only their text is described.
_UPDATE_UNPUBLISHED = frozenset(
    {"candidate_expectations_json", "candidate_video_introduction", "coach_plan", "code", "cover_image_url",
     "custom_scoring", "description_long", "hiring_for_company", "interview_attempts", "interview_available_till",
     "interview_conversation_speed", "interview_department", "interview_salary", "interview_tone",
     "interview_type", "knowledge_base_store_id", "max_followups", "pdf_export_auto_config",
     "questions_random_subset", "recording", "recording_full_session", "recruiter_profile_id",
     "required_pronunciation", "result_enable_edit_transcript", "result_view", "seniority_level", "tags", "type",
     "type_credit", "regenerate_candidate_expectations", "max_duration", "interview_template_id",
     "candidate_expectations"}
    | {f"questions[].{name}" for name in (
        "candidate_expectations_json", "conditional_question_main_id", "duration", "external_data", "external_id",
        "is_candidate_asking_recruiter", "is_conditional", "is_expert", "is_multiple_choice", "is_without_scoring",
        "knowledge_base_id", "label", "mojito_language_code", "question_alternatives")}
)  # fmt: skip


def summarize_update(args: UpdateInterviewArgs, result: UpdatedInterview) -> str:
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


UPDATE_INTERVIEW = ToolSpec(
    name="update_interview",
    title="Change an interview",
    description=(
        "Change an interview; only given fields are written, live at once. questions: the whole list from "
        "get_interview_definition(view=full), edited."
    ),
    arguments=UpdateInterviewArgs,
    response=UpdatedInterview,
    method="POST",
    path="/job-interview-update",
    annotations=CHANGE,  # JobMojito's own server: destructive (overwrites a live interview), idempotent
    summarize=summarize_update,
    toolset="interviews",
    confirm=_confirm_deletion,
    hints={
        404: "Find the interview's id with list_interviews.",
        422: "To change the questions of an active interview with a pre-recorded (offline) avatar, set "
        "status draft first.",
        500: _AUTHZ_AS_500,
    },
    unpublished=_UPDATE_UNPUBLISHED,
)
