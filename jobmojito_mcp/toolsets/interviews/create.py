"""The interviews toolset's creates: an AI-written interview (create_interview), one from your own
questions (create_interview_from_questions), and one candidate enrolled with their personal link
(create_interview_for_candidate).

None of them is idempotent, and JobMojito documents no idempotency key: a create that may have
reached JobMojito is never repeated, and each tool's `recheck_hint` says how to find out.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import CREATE, ToolSpec
from jobmojito_mcp.toolsets.common import (
    Attempts,
    Fraction,
    LanguageCode,
    LenientModel,
    NonEmpty,
    Number,
    QuestionCount,
    Seconds,
    Uuid,
    field_error,
)
from jobmojito_mcp.toolsets.interviews.settings import (
    CommonInterviewFields,
    Expectations,
    InterviewDefinitionFields,
    InterviewType,
    Question,
    check_questions,
    embed_note,
)

# ---------------------------------------------------------------------------------------------
# What the create tools leave out of what agents read

# Arguments accepted and validated but left out of the published schemas: docs/arguments.md says
# what each does and why it is left out. Every create tool leaves out these interview settings:
_RARELY_SET = frozenset(
    {"candidate_video_introduction", "custom_scoring", "hiring_for_company", "instructional_video",
     "instructional_video_custom_text", "interview_attempts", "interview_available_till",
     "interview_conversation_speed", "interview_department", "interview_salary", "merchant_id",
     "pdf_export_auto_config", "questions_random_subset", "recruiter_profile_id", "required_pronunciation",
     "result_enable_edit_transcript", "tags", "thank_you_message", "welcome_message"}
)  # fmt: skip

_RARELY_SET_DEFINITION = _RARELY_SET | {
    "additional_context", "code", "cover_image_url", "description_long", "interview_tone", "is_embedded",
    "max_followups", "recording", "recording_full_session", "result_view",
}  # fmt: skip

_AI_WRITTEN_UNPUBLISHED = _RARELY_SET_DEFINITION | {
    "include_closing_prompt", "include_rapport_question", "use_enhanced_expectations", "seniority_level",
}  # fmt: skip

# Your own questions: what only steers AI-written ones, and the per-question extras, stay out.
_QUESTIONS_UNPUBLISHED = _RARELY_SET_DEFINITION | {
    "candidate_expectations", "candidate_expectations_json", "disable_deduplication", "interview_type",
    "knowledge_base_store_id", "seniority_level", "questions[].candidate_expectations_json",
    "questions[].external_data", "questions[].external_id", "questions[].is_candidate_asking_recruiter",
    "questions[].is_expert", "questions[].knowledge_base_id", "questions[].label",
    "questions[].mojito_language_code",
}  # fmt: skip

# Enrolling a candidate: the settings of the interview a new position gets stay out too.
_CANDIDATE_UNPUBLISHED = _RARELY_SET | {
    "candidate_external_id", "candidate_linkedin_url", "include_closing_prompt", "include_rapport_question",
    "is_embedded", "max_followups", "position_description_long", "result_view", "seniority_level",
    "use_enhanced_expectations", "position_external_id", "max_duration",
}  # fmt: skip

_CREATE_RECHECK = (
    "Before calling again, look in the JobMojito dashboard for an interview with this name created just now."
)


# ---------------------------------------------------------------------------------------------
# create_interview: JobMojito's AI writes the questions

_INTERVIEW_TYPE = (
    "What the questions probe; default pre-screening (must-haves). process-verification-from-knowledge-base "
    "needs knowledge_base_store_id."
)


class CreateInterviewArgs(InterviewDefinitionFields):
    """Body of POST /job-interview-create: the AI writes description, questions and expectations."""

    interview_template_id: Uuid = Field(description="A template `id` from list_avatars (not a legacy type).")
    description: str | None = Field(
        None, description="Short job summary candidates see; omitted: the AI writes it."
    )
    interview_type: InterviewType | None = Field(None, description=_INTERVIEW_TYPE)
    interview_length: QuestionCount | None = Field(
        None,
        description="Questions the AI writes (default 5-8; at most one per 2 min of max_duration).",
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


class CreatedInterview(LenientModel):
    interview_def_set_id: str
    questions_generated: Number | None = None
    max_duration: Number | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = None


def summarize_created(args: CreateInterviewArgs, result: CreatedInterview) -> str:
    counted = ""
    if result.questions_generated is not None:
        counted = f" with {result.questions_generated:g} AI-written questions"
        if args.interview_length and result.questions_generated < args.interview_length:
            counted += f" ({args.interview_length} asked; capped at one per 2 minutes of max_duration)"
    return (
        f"Created interview {result.interview_def_set_id}{counted}.{embed_note(result)} "
        f"Next: get_interview_definition(position_id={result.interview_def_set_id}) to review the questions; "
        "set_interview_state to publish, unpublish or archive it."
    )


CREATE_INTERVIEW = ToolSpec(
    name="create_interview",
    title="Create an AI-written interview",
    description=(
        "Create an interview; JobMojito's AI writes the questions. Not idempotent: each call creates another."
    ),
    arguments=CreateInterviewArgs,
    response=CreatedInterview,
    method="POST",
    path="/job-interview-create",
    annotations=CREATE,
    summarize=summarize_created,
    toolset="interviews",
    recheck_hint=_CREATE_RECHECK,
    unpublished=_AI_WRITTEN_UNPUBLISHED,
)


# ---------------------------------------------------------------------------------------------
# create_interview_from_questions: your own questions, in order


class CreateFromQuestionsArgs(InterviewDefinitionFields):
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


def summarize_from_questions(args: CreateFromQuestionsArgs, result: CreatedInterview) -> str:
    return (
        f"Created interview {result.interview_def_set_id} with {len(args.questions)} question(s).{embed_note(result)} "
        f"Next: get_interview_definition(position_id={result.interview_def_set_id}) to review it."
    )


CREATE_INTERVIEW_FROM_QUESTIONS = ToolSpec(
    name="create_interview_from_questions",
    title="Create an interview from your questions",
    description=(
        "Create an interview asking your own questions, in order. Not idempotent: each call creates another."
    ),
    arguments=CreateFromQuestionsArgs,
    response=CreatedInterview,
    method="POST",
    path="/job-interview-create-from-array",
    annotations=CREATE,
    summarize=summarize_from_questions,
    toolset="interviews",
    recheck_hint=_CREATE_RECHECK,
    unpublished=_QUESTIONS_UNPUBLISHED,
)


# ---------------------------------------------------------------------------------------------
# create_interview_for_candidate: enrol one candidate, get their link

# Without an existing position these describe the one to create.
POSITION_FIELDS = ("position_name", "position_location", "position_country_code", "mojito_language_code")

_NEW_POSITION = "; required without position_def_set_id."


class CreateForCandidateArgs(CommonInterviewFields):
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


class CandidateInterview(LenientModel):
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


_CANDIDATE_STATUS = {
    "ai_accept": "the AI pre-screening accepted the candidate: send them the link",
    "recruiter_accept": "accepted by the recruiter's rules: send them the link",
    "recruiter_action": "a recruiter must decide before the candidate proceeds",
    "ai_reject": "the AI pre-screening rejected the candidate",
    "recruiter_reject": "rejected by the recruiter's rules",
    "already-applied": "this candidate already applied to this position; nothing new was created",
}


def summarize_candidate(args: CreateForCandidateArgs, result: CandidateInterview) -> str:
    meaning = _CANDIDATE_STATUS.get(result.status, "see JobMojito for what this status means")
    parts = [f"{args.candidate_name}: {result.status} ({meaning})."]
    if result.reason:
        parts.append(f"Reason: {excerpt(result.reason).rstrip('.')}.")  # a reason is often a sentence
    if result.interview_url:
        parts.append(f"Interview link: {result.interview_url}")
    ids = [
        f"{name} {value}"
        for name in ("position_def_set_id", "interview_def_set_id", "profile_interview_id")
        if (value := getattr(result, name))
    ]
    if ids:
        parts.append("Ids: " + ", ".join(ids) + ".")
    return " ".join(parts) + embed_note(result)


CREATE_INTERVIEW_FOR_CANDIDATE = ToolSpec(
    name="create_interview_for_candidate",
    title="Enrol a candidate, get their link",
    description=(
        "Enrol a candidate in an existing or new position, AI-screen the résumé, return a status and their "
        "personal interview_url. Not idempotent."
    ),
    arguments=CreateForCandidateArgs,
    response=CandidateInterview,
    method="POST",
    path="/job-interview-create-for-candidate-with-token",
    annotations=CREATE,
    summarize=summarize_candidate,
    toolset="interviews",
    recheck_hint=(
        "Before calling again, check the position's candidates in the JobMojito dashboard; a repeat for the "
        "same candidate and position answers already-applied."
    ),
    unpublished=_CANDIDATE_UNPUBLISHED,
)
