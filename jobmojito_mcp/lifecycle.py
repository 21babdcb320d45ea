"""The JobMojito API after creation, in code: request and response models of the seven endpoints that
find and update interviews, invite candidates, review results, report on them and show the account.

The same rules as ``contract.py``, whose building blocks this module uses: requests are strict
(unknown fields, bad enums and ranges refused before anything is sent), responses lenient (open
enums, everything nullable, extra fields kept). Field names are the API's own.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, RootModel, model_validator
from pydantic_core import PydanticCustomError

from jobmojito_mcp.contract import (
    AnswerRecording,
    Attempts,
    ConversationSpeed,
    Expectations,
    Followups,
    Fraction,
    HiringCompany,
    InterviewKind,
    InterviewType,
    JsonObject,
    LanguageCode,
    NonEmpty,
    Number,
    Pagination,
    PdfExportConfig,
    Question,
    ResultView,
    Seconds,
    Seniority,
    SessionRecording,
    TargetStatus,
    Uuid,
    Visibility,
    _Lenient,
    _ListedRequestObject,
    _Strict,
    check_questions,
    field_error,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies (request side: closed)

DefinitionType = Literal[
    "interview", "coaching", "assessment", "public_avatar", "persona", "persona_interview"
]
ResultTab = Literal[
    "undecided", "shortlist", "decided-selected", "decided-rejected", "completed", "incomplete",
    "archived-interview", "public_avatar", "archived-public_avatar", "",
]  # fmt: skip
ResultStep = Literal["pre-screening", "interview"]
ResultOrder = Literal["score", "created_at_newest", "created_at_oldest", "updated_at_newest"]
ExportType = Literal["pdf", "html", "json"]
ReportTemplate = Literal["classic", "modern", "one_pager"]
TypeCredit = Literal[
    "resume_check", "interview_coach_starter", "interview_coach_contributor", "interview_coach_manager",
    "cover_letter",
]  # fmt: skip
CoachPlan = Literal["demo", "screening", "2nd", "3rd", "closing", "job-specific", "other"]
VideoIntroductionSetting = Literal["hidden", "optional", "required"]

# One call registers at most this many candidates: enough for a hiring round, and a bound on what
# one mistaken call can e-mail.
MAX_USERS_PER_CALL = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise PydanticCustomError("email", "must be an e-mail address such as ada@example.com")
    return value.strip()


Email = Annotated[str, AfterValidator(_check_email)]
ListLimit = Annotated[int, Field(ge=1, le=1000)]

# ---------------------------------------------------------------------------------------------
# Requests


class ListInterviewsArgs(_Strict):
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
    offset: int | None = Field(0, ge=0, description="Rows to skip: the next_offset of the previous page.")


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


class UpdateInterviewArgs(_Strict):
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


class RegisteredCandidate(_ListedRequestObject):
    """One candidate to register."""

    email: Email = Field(description="Where the invitation goes; identifies the candidate.")
    name: str | None = Field(None, description="Full name.")
    external_id: str | None = Field(None, description="Your own id for them.")


class RegisterUsersArgs(_Strict):
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


class ListResultsArgs(_Strict):
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
    step: ResultStep | None = None
    filter_emoji: str | None = None
    merchant_id: Uuid | None = None
    limit: ListLimit = Field(50, description="Page size.")
    offset: int | None = Field(0, ge=0, description="Rows to skip: the next_offset of the previous page.")


class ResultDetailsArgs(_Strict):
    """Query of GET /job-interview-details."""

    interview_result_id: Uuid = Field(description="From list_interview_results.")
    get_signed_recordings: bool = Field(
        False, description="Add short-lived links to the session, video introduction and answer recordings."
    )


class ReportFeatures(_ListedRequestObject):
    """What a report contains."""

    _not_nullable = frozenset(
        {"mojito_language_code", "contact_details", "ai_recruiter_assessment", "ai_scoring_rubric", "analytics",
         "transcript", "files", "answer_recording", "session_recording", "group_by_question", "template"}
    )  # fmt: skip
    mojito_language_code: LanguageCode | None = Field(
        None, description="Translate into this language: 0.1 credit per result in another language."
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


class ReportArgs(_Strict):
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


class MerchantStatusArgs(_Strict):
    """Query of GET /merchant-status."""

    merchant_id: Uuid | None = None


# ---------------------------------------------------------------------------------------------
# Responses (lenient: open enums, everything nullable, extra fields kept)


class InterviewRow(_Lenient):
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


class InterviewList(_Lenient):
    data: list[InterviewRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class ReplacedQuestion(_Lenient):
    model_config = ConfigDict(extra="allow", defer_build=True, validate_by_name=True, serialize_by_alias=True)

    from_: str | None = Field(None, alias="from")
    to: str | None = None


class QuestionsDiff(_Lenient):
    kept: list[str] | None = None
    added: list[str] | None = None
    removed: list[str] | None = None
    replaced: list[ReplacedQuestion] | None = None
    question_ids: list[str] | None = None
    reactivated: bool | None = None


class UpdatedInterview(_Lenient):
    position_id: str | None = None
    is_multistage: bool | None = None
    updated_fields: list[str] | None = None
    questions_diff: QuestionsDiff | None = None


class RegisteredUser(_Lenient):
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


class ResultRow(_Lenient):
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


class ResultList(_Lenient):
    data: list[ResultRow] = Field(default_factory=list)
    pagination: Pagination | None = None


class TranscriptTurn(_Lenient):
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


class ResultDetails(_Lenient):
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


class ExportedFile(_Lenient):
    type: str | None = None
    page: Number | None = None
    page_signed: str | None = None


class ExportedResult(_Lenient):
    data: JsonObject | None = None
    files: list[ExportedFile] | None = None


class JsonExport(_Lenient):
    results: list[ExportedResult] | None = None
    table: str | None = None


class Report(_Lenient):
    """Exactly one of the three shapes, by export_type."""

    pdf_export_url: str | None = None
    pdf_export_valid_until: str | None = None
    html_export: str | None = None
    json_export: JsonExport | None = None


class MerchantStatus(_Lenient):
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
