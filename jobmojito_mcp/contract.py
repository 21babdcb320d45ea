"""The JobMojito functions API in code: one request and one response model per endpoint.

Request models are strict (they are the tools' input schemas, and bad input must be refused
before anything is sent): documented enums, ranges and cross-field rules, unknown fields
refused. Response models are lenient (they become output schemas, which clients enforce): every
field optional or nullable unless the call is useless without it, enums open, extra fields kept,
because the API adds fields and enum values over time.

Field names are the API's own, so a request model dumps straight to the upstream body.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

# ---------------------------------------------------------------------------------------------
# Vocabularies (request side: closed)

LanguageCode = Literal[
    "ar", "bg", "zh", "hr", "cs", "da", "nl", "en", "fil", "fi", "fr", "de", "el", "hi", "hu", "id", "it",
    "ja", "ko", "ms", "no", "pl", "pt", "br", "ro", "ru", "sk", "es", "sv", "ta", "th", "tr", "uk", "vi",
]  # fmt: skip
InterviewStatus = Literal["draft", "active"]
InterviewKind = Literal["interview", "coaching", "assessment"]
Visibility = Literal["merchant_public", "merchant_invite", "merchant_unlisted"]
AnswerRecording = Literal["audio_first_5_answers", "audio_all", "video_all", "video_first_5_answers"]
SessionRecording = Literal["audio_all", "video_all"]
InterviewType = Literal[
    "pre-screening",
    "pre-screening-with-test-questions",
    "second-interview",
    "remote-freelancer-verification",
    "strength-based-interview",
    "potential-based-interview",
    "process-verification-from-knowledge-base",
]
Seniority = Literal["entry-level", "intermediate", "senior", "managerial", "director", "executive"]
ResultView = Literal["none", "minimal", "minimal_with_score", "advanced", "full", "full_expand_scores"]
ConversationSpeed = Literal["slower", "normal", "faster"]
VideoIntroduction = Literal["optional", "required"]
AvatarType = Literal[
    "interactive_heygen", "interactive_elevenlabs", "offline_heygen", "offline_elai", "offline_synthesia"
]
AvatarStatus = Literal["active", "draft", "archived", "deleted"]
TargetStatus = Literal["draft", "active", "archived", "deleted", "preparing", "completed"]

# Legacy template types: still listed, but JobMojito cannot create interviews with them.
LEGACY_AVATAR_TYPES = frozenset({"offline_elai", "offline_synthesia"})

# ---------------------------------------------------------------------------------------------
# Reusable field types

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def field_error(field: str, message: str) -> PydanticCustomError:
    """A cross-field rule's failure, carrying the field it is about (a model validator has no `loc`)."""
    return PydanticCustomError("field_rule", "{message}", {"field": field, "message": message})


def _check_uuid(value: str) -> str:
    if not _UUID.match(value):
        raise PydanticCustomError("uuid", "must be a UUID such as 9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2")
    return value


def _digits_to_int(value: Any) -> Any:
    # The API takes interview_length as number or string; agents send either. Numeric strings are
    # normalised so the range check below applies to both.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _whole_as_int(value: float) -> int | float:
    return int(value) if value.is_integer() else value


# JSON has one number type, and pydantic's float would turn the 8 JobMojito sent into 8.0 (in the
# result agents read, and in bodies sent on): whole numbers are written back as integers.
Number = Annotated[float, PlainSerializer(_whole_as_int, return_type=int | float, when_used="json")]
Uuid = Annotated[str, AfterValidator(_check_uuid), Field(json_schema_extra={"format": "uuid"})]
NonEmpty = Annotated[str, Field(min_length=1)]
Attempts = Annotated[Number, Field(ge=1, le=20)]
Fraction = Annotated[Number, Field(ge=0.01, le=0.9)]
Followups = Annotated[int, Field(ge=0, le=999)]
Seconds = Annotated[Number, Field(gt=0)]
# Field before the validator, so the published schema shows the range as minimum/maximum.
QuestionCount = Annotated[int, Field(ge=1, le=40), BeforeValidator(_digits_to_int)]
JsonObject = dict[str, Any]


class _Strict(BaseModel):
    """Request side: unknown fields are refused (a typo must not be silently dropped).

    Infinity and NaN are refused too: JSON cannot carry them to JobMojito. A null for an optional
    field means "not given" and is dropped: the published schemas say "leave it out", and every
    optional field the API marks nullable means the same when absent.
    """

    # defer_build: the validators are built on first use, not at import (~20 ms of every start).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_not_given(cls, data: Any) -> Any:
        if not isinstance(data, dict) or None not in data.values():
            return data
        fields = cls.model_fields
        return {
            key: value
            for key, value in data.items()
            if value is not None or key not in fields or fields[key].is_required()
        }


class _Lenient(BaseModel):
    """Response side: extra fields are kept, so a field JobMojito adds never breaks a call."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class _OpenRequestObject(BaseModel):
    """A nested request object JobMojito documents as open: extra fields pass, numbers stay finite.

    Fields listed in `_not_nullable` are ones the API types without null: an agent's null there
    means "not given", so it is dropped rather than sent for JobMojito to refuse.
    """

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, defer_build=True)
    _not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls_the_api_refuses(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls._not_nullable:
            return {
                key: value for key, value in data.items() if value is not None or key not in cls._not_nullable
            }
        return data


class _ListedRequestObject(_OpenRequestObject):
    """A nested request object whose every field the API lists: an unknown key is a typo, refused (with
    a suggestion) like one at the top level, not forwarded for JobMojito to ignore silently."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


# ---------------------------------------------------------------------------------------------
# Nested request objects


class HiringCompany(_ListedRequestObject):
    """The end employer, when a recruiter hires on a client's behalf."""

    name: str | None = None
    description: str | None = None
    location: str | None = None
    sector: str | None = None
    company_size: str | None = None


class PdfExportConfig(_ListedRequestObject):
    """What the automatic PDF report of each finished interview contains."""

    _not_nullable = frozenset(
        {"mojito_language_code", "contact_details", "ai_recruiter_assessment", "ai_scoring_rubric", "analytics",
         "files", "transcript", "answer_recording", "session_recording", "group_by_question", "template"}
    )  # fmt: skip
    mojito_language_code: str | None = None
    contact_details: bool | None = None
    ai_recruiter_assessment: bool | None = None
    ai_scoring_rubric: bool | None = None
    analytics: bool | None = None
    files: bool | None = None
    transcript: bool | None = None
    answer_recording: bool | None = None
    session_recording: bool | None = None
    group_by_question: bool | None = None
    template: Literal["classic", "modern", "one_pager"] | None = None


class Expectations(_OpenRequestObject):
    """What weak, moderate and strong answers look like: guides AI scoring."""

    _not_nullable = frozenset({"weak", "moderate", "strong"})
    weak: list[str] | None = None
    moderate: list[str] | None = None
    strong: list[str] | None = None


class Question(_OpenRequestObject):
    """One interview question, in the order asked. Extra fields (e.g. from get_interview_definition) pass."""

    _not_nullable = frozenset({"id"})
    question: str = Field(description="The question text.")
    id: str | None = Field(None, description="Your label for it, for follow-ups to name.")
    duration: Seconds | None = Field(None, description="Answer time limit, seconds.")
    is_conditional: bool | None = Field(
        None,
        description="A follow-up triggered by an earlier answer; set conditional_question_main_id.",
    )
    conditional_question_main_id: str | None = Field(None, description="`id` of that earlier question.")
    is_multiple_choice: bool | None = Field(
        None, description="Answered by picking a question_alternatives item."
    )
    question_alternatives: list[str] | None = Field(
        None, description="The choices (2+), for multiple-choice."
    )
    is_without_scoring: bool | None = Field(None, description="Asked, not scored.")
    mojito_language_code: LanguageCode | None = None
    label: str | None = None
    is_candidate_asking_recruiter: bool | None = None
    is_expert: bool | None = None
    knowledge_base_id: str | None = None
    external_id: str | None = None
    external_data: JsonObject | None = None
    candidate_expectations_json: Expectations | None = None


def check_questions(questions: list[Question]) -> None:
    """A question list's own rules: ids unique; a follow-up names an earlier question's id; a
    multiple-choice question has 2+ choices. (Shared by the create and update tools.)"""
    seen: set[str] = set()
    for index, item in enumerate(questions):
        where = f"questions[{index}]"
        main_id = item.conditional_question_main_id
        if item.is_conditional and not main_id:
            raise field_error(
                f"{where}.conditional_question_main_id",
                "required when is_conditional is true: the `id` of an earlier question",
            )
        if main_id and main_id not in seen:
            raise field_error(
                f"{where}.conditional_question_main_id",
                f"must be the `id` of an earlier question in the array; no earlier question has id {main_id!r}",
            )
        if item.is_multiple_choice and len(item.question_alternatives or ()) < 2:
            raise field_error(f"{where}.question_alternatives", "a multiple-choice question needs 2+ choices")
        if item.id is not None:
            if item.id in seen:
                raise field_error(f"{where}.id", f"duplicate question id {item.id!r}")
            seen.add(item.id)


# ---------------------------------------------------------------------------------------------
# Requests


class ListAvatarsArgs(_Strict):
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
    offset: int | None = Field(
        0, ge=0, description="Templates to skip: the next_offset of the previous page."
    )


class _CommonInterviewFields(_Strict):
    """Options shared by all three create endpoints, with the same meaning in each."""

    seniority_level: Seniority | None = Field(
        None, description="Level the role targets; omitted: read from the job text."
    )
    result_view: ResultView | None = Field(
        None,
        description="Results screen the candidate reviews before submitting, least to most detail; none: "
        "no screen, submitted at once.",
    )
    candidate_video_introduction: VideoIntroduction | None = Field(
        None, description="Whether the candidate's video self-introduction is optional or required."
    )
    interview_conversation_speed: ConversationSpeed | None = Field(
        None, description="Avatar's pace (slower suits non-native speakers); omitted: template's."
    )
    max_followups: Followups | None = Field(
        None,
        description="Cap on AI follow-up questions: 0 none, 1-3 low/normal/high, 4+ custom; omitted: normal.",
    )
    is_embedded: bool | None = Field(
        None,
        description="true: to embed in an iframe; the result adds embed_id and embed_signing_key.",
    )
    welcome_message: str | None = Field(None, description="Greeting shown to the candidate.")
    thank_you_message: str | None = Field(None, description="Shown when the interview is over.")
    interview_available_till: str | None = Field(
        None, description="ISO 8601 date after which it cannot be taken; omitted: no end."
    )
    interview_salary: str | None = Field(None, description="Pay range shown with the job, free text.")
    required_pronunciation: bool | None = Field(
        None, description="true: also assess pronunciation (only languages that support it)."
    )
    instructional_video: bool | None = None
    instructional_video_custom_text: str | None = None
    interview_department: str | None = None
    recruiter_profile_id: str | None = None
    result_enable_edit_transcript: bool | None = None
    tags: list[str] | None = None
    hiring_for_company: HiringCompany | None = None
    pdf_export_auto_config: PdfExportConfig | None = None
    custom_scoring: JsonObject | None = None
    merchant_id: str | None = None


class _InterviewDefinitionFields(_CommonInterviewFields):
    """The interview itself: what create_interview and create_interview_from_questions both take."""

    name: NonEmpty = Field(description="Title, usually the job title.")
    location: NonEmpty = Field(description="Where the job is, e.g. 'Remote (EU)'.")
    mojito_language_code: LanguageCode = Field(description="Language the interview is held in.")
    status: InterviewStatus = Field(description="draft: not takeable yet; active: live.")
    type: InterviewKind = Field(
        description="interview: AI-scored for hiring; coaching: practice feedback, no verdict (coaching "
        "portal); assessment: scored skills test."
    )
    visibility: Visibility = Field(
        description="merchant_public: listed on your page; merchant_invite: invitees only; "
        "merchant_unlisted: direct link only."
    )
    recording: AnswerRecording | None = Field(
        None,
        description="Cheating checks on the first 5 or all answers, audio or video (films the candidate); "
        "omitted: off.",
    )
    recording_full_session: SessionRecording | None = Field(
        None, description="Record the whole session: audio_all +0.2 credits, video_all +0.4; omitted: off."
    )
    interview_tone: str | None = Field(
        None,
        description="relaxed (default), simple (plain wording), professional (formal), persuasive (draws "
        "longer answers); others: relaxed.",
    )
    knowledge_base_store_id: str | None = Field(
        None, description="Knowledge base giving the AI context; must exist."
    )
    candidate_expectations: str | None = Field(None, description="What is expected of candidates, free text.")
    code: str | None = None
    cover_image_url: str | None = None
    description_long: str | None = None
    additional_context: JsonObject | None = None


_INTERVIEW_TYPE = (
    "pre-screening (default): must-haves; -with-test-questions: plus skill tests; second-interview: deeper; "
    "remote-freelancer-verification: remote work fit; strength-based: best at; potential-based: ability to "
    "learn; process-verification-from-knowledge-base: from knowledge_base_store_id."
)


class CreateInterviewArgs(_InterviewDefinitionFields):
    """Body of POST /job-interview-create: the AI writes description, questions and expectations."""

    interview_template_id: Uuid = Field(description="A template `id` from list_avatars (not a legacy type).")
    description: str | None = Field(
        None, description="Short job summary candidates see; omitted: the AI writes it."
    )
    interview_type: InterviewType | None = Field(None, description=_INTERVIEW_TYPE)
    interview_length: QuestionCount | None = Field(
        None,
        description="Questions the AI writes (omitted: 5-8); capped at one per 2 minutes of max_duration, "
        "see questions_generated.",
    )
    max_duration: Seconds | None = Field(
        None, description="Session cap in seconds (default 1200); sets the credit cost and the question cap."
    )
    interview_attempts: Attempts | None = Field(None, description="Tries each candidate gets.")
    questions_random_subset: Fraction | None = Field(
        None, description="Ask this random share of the questions (0.5 = half); omitted: all."
    )
    include_rapport_question: bool | None = Field(
        None, description="Open with a rapport question (default false)."
    )
    include_closing_prompt: bool | None = Field(None, description="End with a closing prompt (default true).")
    use_enhanced_expectations: bool | None = None


class CreateFromQuestionsArgs(_InterviewDefinitionFields):
    """Body of POST /job-interview-create-from-array: your own questions, asked in order."""

    interview_template_id: NonEmpty = Field(
        description="A template `id` from list_avatars (not a legacy type)."
    )
    description: NonEmpty = Field(description="Short description candidates see.")
    questions: list[Question] = Field(min_length=1, description="Asked in this order, exactly as written.")
    interview_type: InterviewType | None = Field(
        None, description="As in create_interview, but shapes only the avatar and its follow-ups."
    )
    interview_attempts: Number | None = Field(None, description="Tries each candidate gets (1-20).")
    questions_random_subset: Number | None = Field(
        None, description="Ask this random share of the questions (0.01-0.9); omitted: all."
    )
    candidate_expectations_json: Expectations | None = None
    disable_deduplication: bool | None = None

    @model_validator(mode="after")
    def _questions_are_consistent(self) -> CreateFromQuestionsArgs:
        check_questions(self.questions)
        return self


# Without an existing position these describe the one to create.
POSITION_FIELDS = ("position_name", "position_location", "position_country_code", "mojito_language_code")
_NEW_POSITION = "; required without position_def_set_id."


class CreateForCandidateArgs(_CommonInterviewFields):
    """Body of POST /job-interview-create-for-candidate-with-token."""

    candidate_name: NonEmpty = Field(description="Full name.")
    candidate_email: NonEmpty = Field(description="Email; also their sign-in identity.")
    candidate_country_code: NonEmpty = Field(description="ISO 3166-1 alpha-2, e.g. US.")
    candidate_resume: NonEmpty = Field(description="Résumé as plain text; the AI pre-screens it.")
    position_def_set_id: str | None = Field(
        None,
        description="An existing position to reuse (404 if unknown); else the position_* fields create one.",
    )
    position_external_id: str | None = Field(
        None, description="Your own code for the position; finds it again."
    )
    position_name: str | None = Field(None, description="Job title" + _NEW_POSITION)
    position_location: str | None = Field(None, description="Job location" + _NEW_POSITION)
    position_country_code: str | None = Field(
        None, description="Job country, ISO 3166-1 alpha-2" + _NEW_POSITION
    )
    mojito_language_code: LanguageCode | None = Field(None, description="Interview language" + _NEW_POSITION)
    position_description: str | None = Field(
        None, description="Short job summary candidates see; omitted: the AI writes it."
    )
    interview_template_id: str | None = Field(
        None, description="A template `id` from list_avatars; omitted: the platform default."
    )
    interview_attempts: Attempts | None = Field(None, description="Tries the candidate gets.")
    questions_random_subset: Fraction | None = Field(
        None, description="Ask this random share of the questions (0.5 = half); omitted: all."
    )
    max_duration: Seconds | None = Field(None, description="Session length cap in seconds (default 1200).")
    include_rapport_question: bool | None = Field(
        None, description="Open with a rapport question (default false)."
    )
    include_closing_prompt: bool | None = Field(None, description="End with a closing prompt (default true).")
    position_description_long: str | None = None
    candidate_external_id: str | None = None
    candidate_linkedin_url: str | None = None
    use_enhanced_expectations: bool | None = None

    @model_validator(mode="after")
    def _position_is_identified(self) -> CreateForCandidateArgs:
        if self.position_def_set_id:
            return self
        for name in POSITION_FIELDS:
            if not getattr(self, name):
                raise field_error(name, "required when position_def_set_id is not given")
        return self


class SetStateArgs(_Strict):
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


class GetDefinitionArgs(_Strict):
    """Query of GET /job-interview-get."""

    position_id: Uuid = Field(description="An interview_def_set_id or a position id.")


# ---------------------------------------------------------------------------------------------
# Responses (lenient: open enums, everything nullable, extra fields kept)


class AvatarTemplate(_Lenient):
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


class Pagination(_Lenient):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None
    has_more: bool | None = None


class AvatarList(_Lenient):
    data: list[AvatarTemplate] = Field(default_factory=list)
    pagination: Pagination | None = None


class CreatedInterview(_Lenient):
    interview_def_set_id: str
    questions_generated: Number | None = None
    max_duration: Number | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = None


class CandidateInterview(_Lenient):
    status: str = Field(
        description="ai_accept, recruiter_accept: send interview_url; recruiter_action: a recruiter decides; "
        "else see reason."
    )
    interview_url: str | None = Field(None, description="The candidate's personal link.")
    reason: str | None = None
    position_def_set_id: str | None = None
    interview_def_set_id: str | None = None
    profile_interview_id: str | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = None


class StateChanged(_Lenient):
    success: bool | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = None


class DefinitionQuestion(_Lenient):
    question: str | None = None
    id: str | None = None
    duration: Number | None = None
    is_conditional: bool | None = None
    conditional_question_main_id: str | None = None
    is_multiple_choice: bool | None = None
    question_alternatives: list[str] | None = None


class InterviewDefinition(_Lenient):
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
