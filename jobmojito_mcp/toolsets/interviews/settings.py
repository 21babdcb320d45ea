"""An interview's settings, as the create and change tools share them: the vocabularies, the nested
objects (questions, the hiring company, the automatic PDF report) and the field groups of the
create endpoints. Meanings: ../shared/jobmojito-fields.md; the rules of ``common``."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import Field

from jobmojito_mcp.toolsets.common import (
    Followups,
    JsonObject,
    LanguageCode,
    ListedRequestObject,
    NonEmpty,
    OpenRequestObject,
    Seconds,
    StrictModel,
    field_error,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies of an interview's settings (request side: closed)

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

TargetStatus = Literal["draft", "active", "archived", "deleted", "preparing", "completed"]


# ---------------------------------------------------------------------------------------------
# Nested request objects


class HiringCompany(ListedRequestObject):
    """The end employer, when a recruiter hires on a client's behalf."""

    name: str | None = None
    description: str | None = None
    location: str | None = None
    sector: str | None = None
    company_size: str | None = None


class PdfExportConfig(ListedRequestObject):
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


class Expectations(OpenRequestObject):
    """What weak, moderate and strong answers look like: guides AI scoring."""

    _not_nullable = frozenset({"weak", "moderate", "strong"})
    weak: list[str] | None = None
    moderate: list[str] | None = None
    strong: list[str] | None = None


class Question(OpenRequestObject):
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
# Field groups: the settings the create tools share


class CommonInterviewFields(StrictModel):
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


class InterviewDefinitionFields(CommonInterviewFields):
    """The interview itself: what create_interview and create_interview_from_questions both take."""

    name: NonEmpty = Field(description="Title, usually the job title.")
    location: NonEmpty = Field(description="Where the job is, e.g. 'Remote (EU)'.")
    mojito_language_code: LanguageCode = Field(description="Language the interview is held in.")
    status: InterviewStatus = Field(description="draft: not takeable yet; active: live.")
    type: InterviewKind = Field(
        description="interview: scored, for hiring; coaching: practice, no verdict; assessment: skills test."
    )
    visibility: Visibility = Field(
        description="merchant_public: listed; merchant_invite: invitees only; merchant_unlisted: by link."
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


# ---------------------------------------------------------------------------------------------
# Summaries


class Embeddable(Protocol):
    """An answer that may carry an iframe embed key (creating, enrolling, changing state)."""

    embed_id: str | None
    embed_signing_key: str | None


def embed_note(result: Embeddable) -> str:
    if result.embed_id:
        return f" Embed: embed_id {result.embed_id}, embed_signing_key {result.embed_signing_key}."
    return ""
