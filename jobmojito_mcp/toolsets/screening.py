"""The screening toolset: pre-screening positions, and résumés screened against them.

upsert_pre_screening defines (or redefines) a position's rules and form; pre_screen_resume_text
and pre_screen_resume_file screen one candidate's résumé against it. The verdict is the product:
the summary leads with the recommendation, the score and the rules that decided it, and says what
to do next. A screening creates the candidate, stores the résumé and spends credits: the user is
asked first, and a call that may have reached JobMojito is never resent.
"""

from __future__ import annotations

from typing import Any, Literal

from mcp_types import ToolAnnotations
from pydantic import Field, model_validator

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets.common import (
    CountryCode,
    Email,
    FileArguments,
    LanguageCode,
    LenientModel,
    ListedRequestObject,
    NonEmpty,
    OpenRequestObject,
    OpenResult,
    StrictModel,
    field_error,
    shown_number,
)

# Defining a position creates one on every call without an id and overwrites one with it: not
# repeatable, and destructive (JobMojito's own server marks it so). Screening stores a candidate, a
# file and a result and spends credits: not repeatable either.
UPSERT = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)
SCREEN = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)

Education = Literal[
    "primary school", "high school no graduation", "high school", "vocational", "bachelors", "masters",
    "doctorate",
]  # fmt: skip
Level = Literal["beginner", "intermediate", "advanced", "fluent"]


# ---------------------------------------------------------------------------------------------
# upsert_pre_screening: a position's rules and form


class LanguageNeed(ListedRequestObject):
    code: LanguageCode
    level: Level = Field(description="Lowest level accepted.")


class AssessmentRule(ListedRequestObject):
    """One rule; only `screening` rules (and the two resume_* rules that always apply) decide."""

    id: NonEmpty = Field(
        description="resume_match, resume_technical_experience, resume_education, form_<nationality|"
        "residency|languages|education|age|gender|visa>, custom_<n>"
    )
    type: Literal["optional", "required", "screening"] | None = Field(
        None, description="Only screening is enforced."
    )
    action: Literal["mark_for_review", "reject"] | None = Field(None, description="On failure.")
    resume_score_reject: int | None = Field(None, ge=0, le=10)
    resume_score_accept: int | None = Field(None, ge=0, le=10)
    technical_experience_years: int | None = Field(None, ge=0)
    education: str | None = None
    country: list[str] | None = None
    country_eu: bool | None = None
    languages: list[LanguageNeed] | None = None
    visa: list[str] | None = None
    age_min: int | None = Field(None, ge=0)
    age_max: int | None = Field(None, ge=0)
    gender: list[Literal["male", "female", "other"]] | None = None

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> AssessmentRule:
        low, high = self.resume_score_reject, self.resume_score_accept
        if low is not None and high is not None and low > high:
            raise field_error("resume_score_reject", "must not exceed resume_score_accept")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise field_error("age_min", "must not exceed age_max")
        return self


class FormField(ListedRequestObject):
    id: NonEmpty = Field(description="A form rule's id, or custom_<n>.")
    mandatory: bool | None = None
    title: str | None = None
    description: str | None = None
    type: Literal["optional", "required", "screening"] | None = None
    field_type: Literal["text", "file", "radio"] | None = None
    options: list[str] | None = None

    @model_validator(mode="after")
    def _radio_has_choices(self) -> FormField:
        if self.field_type == "radio" and len(self.options or []) < 2:
            raise field_error("options", "a radio field needs at least 2 options")
        return self


_RULES = (
    "Replaced whole on update. Rule fields: resume_match: resume_score_reject/_accept (0-10); "
    "resume_technical_experience: technical_experience_years; *_education: education (bachelors...); "
    "form_nationality/_residency: country[], country_eu; form_languages: languages[{code,level}]; "
    "form_age: age_min/_max; form_gender: gender[]; form_visa: visa[]."
)
# Said once, in assessment_rules' description, rather than as ~900 bytes of nested schema.
_RULE_FIELDS = (
    "resume_score_reject", "resume_score_accept", "technical_experience_years", "education", "country",
    "country_eu", "languages", "visa", "age_min", "age_max", "gender",
)  # fmt: skip
_FORM_FIELD_FIELDS = ("mandatory", "title", "description", "type", "field_type", "options")
_CREATE_ONLY = ("position_name", "position_location", "position_country_code", "mojito_language_code")


class UpsertPreScreeningArgs(StrictModel):
    """Body of POST /pre-screening-create."""

    update_position_def_set_id: str | None = Field(None, description="Update this one; omit to create.")
    position_name: str | None = Field(None, description="Job title. Create needs the next 4 fields.")
    position_location: str | None = Field(None, description="e.g. Berlin")
    position_country_code: CountryCode | None = Field(None, description="ISO")
    mojito_language_code: LanguageCode | None = Field(None, description="Its language.")
    position_description: str | None = Field(None, description="What the résumé is matched against.")
    position_description_long: str | None = None
    type: Literal["resume", "form", "resume_with_form"] | None = Field(None, description="Default resume.")
    status: Literal["draft", "active"] | None = Field(None, description="active: takes candidates.")
    assessment_rules: list[AssessmentRule] | None = Field(None, description=_RULES)
    form_fields: list[FormField] | None = Field(
        None,
        description="Needed for form types; each form rule needs its {id} here too; custom: {id: custom_<n>, "
        "title, field_type: text|file|radio, options[]}. Replaced whole.",
    )
    candidate_expectations: str | None = None
    visibility: str | None = None
    merchant_id: str | None = None
    kombo_parameters: Any = None
    interview_available_till: str | None = None
    creation_parameters: Any = None

    @model_validator(mode="after")
    def _create_needs_its_fields(self) -> UpsertPreScreeningArgs:
        if not self.update_position_def_set_id:
            for name in _CREATE_ONLY:
                if getattr(self, name) is None:
                    raise field_error(
                        name, "required to create a position (or give update_position_def_set_id)"
                    )
        if self.type in ("form", "resume_with_form") and not self.form_fields:
            raise field_error("form_fields", f"type {self.type} needs at least one form field")
        return self


class UpsertAnswer(LenientModel):
    created: bool | None = None
    updated: bool | None = None
    position_def_set_id: str | None = None
    interview_pre_screening_id: str | None = None


def summarize_upsert(args: UpsertPreScreeningArgs, answer: UpsertAnswer) -> str:
    position = answer.position_def_set_id or args.update_position_def_set_id or "(no id returned)"
    verb = "Updated" if args.update_position_def_set_id else "Created"
    rules = args.assessment_rules or []
    enforced = [rule.id for rule in rules if rule.type == "screening" or rule.id.startswith("resume_")]
    replaced = [name for name in ("assessment_rules", "form_fields") if getattr(args, name) is not None]
    lines = [
        f"{verb} pre-screening position {position}"
        + (f" ({args.status})" if args.status else "")
        + (
            f"; enforced rules: {', '.join(enforced)}"
            if enforced
            else "; no enforced rules beyond the résumé match"
        )
        + "."
    ]
    if args.update_position_def_set_id and replaced:
        lines.append(f"{' and '.join(replaced)} now hold exactly what was sent (replaced whole).")
    if args.status != "active":
        lines.append("It is not active: call again with status=active before screening candidates.")
    lines.append(
        f"Next: pre_screen_resume_text or pre_screen_resume_file with position_id={position}. Calling this "
        "tool without update_position_def_set_id creates another position."
    )
    return "\n".join(lines)


UPSERT_PRE_SCREENING = ToolSpec(
    name="upsert_pre_screening",
    title="Define a pre-screening position",
    description=(
        "Create a pre-screening position (rules, form), or update one (update_position_def_set_id): sent "
        "fields replace stored ones, arrays whole. Without the id, another is created."
    ),
    arguments=UpsertPreScreeningArgs,
    response=UpsertAnswer,
    method="POST",
    path="/pre-screening-create",
    annotations=UPSERT,
    summarize=summarize_upsert,
    toolset="screening",
    effect="created or changed the position",
    recheck_hint="Before calling again, ask the user whether the position was made (it shows in JobMojito).",
    hints={
        404: "update_position_def_set_id names no pre-screening position of this account.",
        500: "JobMojito reports missing permissions as HTTP 500: this role may not define positions.",
    },
    unpublished=frozenset(
        {
            "merchant_id",
            "kombo_parameters",
            "creation_parameters",
            "interview_available_till",
            "visibility",
            "position_description_long",
            "candidate_expectations",
            *(f"assessment_rules[].{name}" for name in _RULE_FIELDS),
            *(f"form_fields[].{name}" for name in _FORM_FIELD_FIELDS),
        }
    ),
)


# The API types these nested fields without null: an agent's null means "not given", dropped.
for _nested in (LanguageNeed, AssessmentRule, FormField):
    _nested._not_nullable = frozenset(_nested.model_fields)


# ---------------------------------------------------------------------------------------------
# pre_screen_resume_text / pre_screen_resume_file: one candidate's verdict


class LanguageSpoken(OpenRequestObject):
    code: str | None = None
    level: Level | None = None


class ScreeningForm(OpenRequestObject):
    """The candidate's answers (custom_<n> keys pass through)."""

    education: Education | None = None
    languages: list[LanguageSpoken] | None = None
    residency: CountryCode | None = None
    nationality: CountryCode | None = None
    visa: str | None = None
    age: int | None = Field(None, ge=0, le=130)
    gender: Literal["male", "female", "other"] | None = None


for _answers in (LanguageSpoken, ScreeningForm):
    _answers._not_nullable = frozenset(_answers.model_fields)  # custom_<n> answers may be null

_FORM = (
    "Form answers: education (bachelors...), languages [{code, level}], residency, nationality (ISO), "
    "visa, age, gender, custom_<n>."
)


class ScreenCandidate(StrictModel):
    position_id: NonEmpty = Field(description="position_def_set_id (upsert_pre_screening).")
    candidate_name: NonEmpty = Field(description="Full name.")
    candidate_email: Email = Field(min_length=1, description="Identifies them.")
    candidate_country_code: CountryCode | None = Field(
        None, description="ISO; residency/nationality if form lacks them (else those rules fail)."
    )
    candidate_external_id: str | None = None
    candidate_linkedin_url: str | None = None
    form: ScreeningForm | None = Field(None, description=_FORM)


# The form's keys are listed in its description: the nested schema would cost every agent ~600 bytes.
_FORM_KEYS = frozenset(f"form.{key}" for key in ScreeningForm.model_fields)


class ScreenTextArgs(ScreenCandidate):
    """Body of POST /job-interview-pre-screening-api-resume-text."""

    candidate_resume: NonEmpty = Field(description="The résumé as plain text.")


class ScreenFileArgs(FileArguments, ScreenCandidate):
    """Parts of POST /job-interview-pre-screening-api-resume-binary (multipart; the file from tooling.files)."""


class Verdict(LenientModel):
    success: bool | None = None
    decision_status: str | None = None
    message: str | None = None  # the not-applicable answer
    recommendation: str | None = None
    profile_interview_id: str | None = None
    interview_result_pre_screening_id: str | None = None
    interview_file_id: str | None = None
    pre_screening_score: float | None = None
    resume_ai_analysis: str | None = None
    resume_ai_education: str | None = None
    resume_ai_technical_experience: float | None = None
    resume_ai_is_switching_profession: bool | None = None
    processing_reason: str | None = None


class VerdictResult(OpenResult):
    screened: bool = Field(description="false: not applicable, see message.")
    recommendation: str | None = None
    score: float | None = None


_NEXT = {
    "ai_accept": "invite them with register_users_for_interview (their e-mail) to the interview of this role",
    "ai_reject": "no invitation; a recruiter may still review the result in list_interview_results "
    "(step=pre-screening)",
    "recruiter_action": "a person should review it: list_interview_results(step=pre-screening) shows it",
}


def present_verdict(args: ScreenCandidate, answer: Verdict) -> dict[str, Any]:
    values = answer.model_dump(mode="json", exclude_none=True)
    screened = answer.success is not None or answer.recommendation is not None
    values.pop("pre_screening_score", None)
    return (
        values
        | {"screened": screened, "candidate_email": args.candidate_email, "position_id": args.position_id}
        | ({"score": answer.pre_screening_score} if answer.pre_screening_score is not None else {})
    )


def summarize_verdict(args: ScreenCandidate, answer: Verdict) -> str:
    who = f"{args.candidate_name} <{args.candidate_email}>"
    if answer.success is None and answer.recommendation is None:
        return (
            f"Not screened: {who} is not waiting for pre-screening on position {args.position_id} "
            f"(decision_status {answer.decision_status or 'unknown'}). JobMojito says: "
            f"{excerpt(answer.message or '(no message)', 300)}\nNothing was judged or stored. Usually they were "
            "screened before: list_interview_results(step=pre-screening) shows that result."
        )
    recommendation = answer.recommendation or answer.decision_status or "unknown"
    head = f"{recommendation} for {who}: score {shown_number(answer.pre_screening_score)}/10."
    lines = [head]
    if answer.success is False:
        lines.append(f"Screening failed: {excerpt(answer.processing_reason or 'no reason given', 300)}")
    if answer.resume_ai_analysis:
        lines.append(f"Why: {excerpt(answer.resume_ai_analysis, 600)}")
    found = [
        f"education {answer.resume_ai_education}" if answer.resume_ai_education else "",
        f"{shown_number(answer.resume_ai_technical_experience)} years' experience"
        if answer.resume_ai_technical_experience is not None
        else "",
    ]
    if any(found):
        lines.append("Read from the résumé: " + ", ".join(part for part in found if part) + ".")
    lines.append(
        f"Next: {_NEXT.get(recommendation, 'review it in list_interview_results (step=pre-screening)')}."
    )
    lines.append(
        f"Candidate {answer.profile_interview_id}; result {answer.interview_result_pre_screening_id}."
    )
    return "\n".join(lines)


def _confirm_screening(args: ScreenCandidate) -> str | None:
    return (
        f"Screen {args.candidate_name} <{args.candidate_email}> against position {args.position_id}? "
        "JobMojito stores the candidate, the résumé and the verdict, and charges credits."
    )


_SCREEN_HINTS = {
    404: "No pre-screening position with this position_id in this account: use the id upsert_pre_screening "
    "returned.",
    403: "Only merchant users may screen résumés.",
}
_SCREEN_RECHECK = (
    "Before calling again, call list_interview_results(step='pre-screening', filter_text=<the e-mail>): a "
    "screening that went through is listed there; screening the candidate again is refused as not applicable."
)
_SCREEN_EFFECT = "screened the candidate (stored the résumé and result, and charged credits)"

PRE_SCREEN_RESUME_TEXT = ToolSpec(
    name="pre_screen_resume_text",
    title="Screen a résumé (text)",
    description=(
        "Screen one candidate's plain-text résumé against a pre-screening position: verdict, score, "
        "reasons. Stores the result, spends credits (user asked); never repeat one that may have gone through."
    ),
    arguments=ScreenTextArgs,
    response=Verdict,
    method="POST",
    path="/job-interview-pre-screening-api-resume-text",
    annotations=SCREEN,
    summarize=summarize_verdict,
    result=VerdictResult,
    present=present_verdict,
    confirm=_confirm_screening,
    toolset="screening",
    effect=_SCREEN_EFFECT,
    recheck_hint=_SCREEN_RECHECK,
    hints=_SCREEN_HINTS,
    unpublished=frozenset({"candidate_external_id", "candidate_linkedin_url", *_FORM_KEYS}),
)

PRE_SCREEN_RESUME_FILE = ToolSpec(
    name="pre_screen_resume_file",
    title="Screen a résumé file",
    description=(
        "As pre_screen_resume_text, for a résumé file: PDF, DOCX, DOC, TXT, RTF or ODT (read from its "
        "bytes). Spends credits (user asked); never repeat one that may have gone through."
    ),
    arguments=ScreenFileArgs,
    response=Verdict,
    method="POST",
    path="/job-interview-pre-screening-api-resume-binary",
    annotations=SCREEN,
    summarize=summarize_verdict,
    result=VerdictResult,
    present=present_verdict,
    confirm=_confirm_screening,
    toolset="screening",
    effect=_SCREEN_EFFECT,
    recheck_hint=_SCREEN_RECHECK,
    hints=_SCREEN_HINTS | {422: "JobMojito could not take this file or a field: see its message."},
    unpublished=frozenset({"candidate_external_id", "candidate_linkedin_url", "media_type", *_FORM_KEYS}),
    file_part="file",
)


# ---------------------------------------------------------------------------------------------
# The toolset

TOOLS = (UPSERT_PRE_SCREENING, PRE_SCREEN_RESUME_TEXT, PRE_SCREEN_RESUME_FILE)
