"""What agents get back: the text they read, compact views of JobMojito's answers, and the options that pick them.

Agents pay for every byte in their context, so the default results carry what the next step
needs: the fields to choose a template, the questions of an interview. `view="full"` returns
JobMojito's answer unchanged. The result models are as lenient as the API models they extend,
because clients validate every result against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jobmojito_mcp import contract as c
from jobmojito_mcp.errors import excerpt

View = Literal["summary", "full"]
# Tool arguments that shape the result (view) or the request (clear_fields): never sent upstream as such.
LOCAL_OPTIONS = frozenset({"view", "clear_fields"})


# ---------------------------------------------------------------------------------------------
# Arguments: the API's fields plus the view option


class ListAvatarsToolArgs(c.ListAvatarsArgs):
    view: View = Field(
        "summary", description="summary: what is needed to pick a template; full: every field."
    )


class GetDefinitionToolArgs(c.GetDefinitionArgs):
    view: View = Field(
        "summary", description="summary: name, status, language, question texts; full: everything."
    )


# ---------------------------------------------------------------------------------------------
# Results (output schemas): the default compact views exactly. What only `view: "full"` adds passes
# as additional properties, and no value is ever null (null fields are left out), so the schemas
# need no null: absent is how a result says "none".


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


class TemplateChoice(_Open):
    id: str
    name: str | None = None
    type: str | None = None
    status: str | None = None
    mojito_language_code: str | None = None
    voice_only: bool | None = None
    can_create_interviews: bool | None = None


class AvatarsResult(_Open):
    data: list[TemplateChoice] = Field(default_factory=list)
    pagination: c.Pagination | None = None
    next_offset: int | None = Field(None, description="offset of the next page; absent on the last.")


class DefinitionResult(_Open):
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


# ---------------------------------------------------------------------------------------------
# Presenters: (arguments, validated answer) -> structured content


def as_sent(answer: BaseModel) -> dict[str, Any]:
    """JobMojito's (validated) answer as JSON, nulls left out: absent says the same, and the output
    schemas (portable to dialects without a null type) admit none."""
    return answer.model_dump(mode="json", exclude_unset=True, exclude_none=True)


_TEMPLATE_FIELDS = ("id", "name", "type", "status", "mojito_language_code")
_DEFINITION_FIELDS = tuple(
    name for name in DefinitionResult.model_fields if name not in ("position_id", "questions")
)


def next_offset(answer: c.AvatarList) -> int | None:
    page = answer.pagination
    if page is None or not page.has_more:
        return None
    return (page.offset or 0) + len(answer.data)


def present_avatars(args: ListAvatarsToolArgs, answer: c.AvatarList) -> dict[str, Any]:
    following = {} if (offset := next_offset(answer)) is None else {"next_offset": offset}
    if args.view == "full":
        return as_sent(answer) | following
    choices = [
        _without_nulls({name: getattr(template, name) for name in _TEMPLATE_FIELDS})
        | {
            "voice_only": template.type == "interactive_elevenlabs",
            "can_create_interviews": template.type not in c.LEGACY_AVATAR_TYPES,
        }
        for template in answer.data
    ]
    result: dict[str, Any] = {"data": choices}
    if answer.pagination is not None:
        result["pagination"] = answer.pagination.model_dump(mode="json", exclude_none=True)
    return result | following


def present_definition(args: GetDefinitionToolArgs, answer: c.InterviewDefinition) -> dict[str, Any]:
    if args.view == "full":
        return as_sent(answer) | {"position_id": args.position_id}
    summary: dict[str, Any] = {"position_id": args.position_id} | {
        name: getattr(answer, name) for name in _DEFINITION_FIELDS
    }
    if answer.questions is not None:
        # A question without text (the API requires one) keeps its place, so numbering matches the text.
        summary["questions"] = [q.question or "" for q in answer.questions]
    return _without_nulls(summary)


def _without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    # No null in structured content: the output schemas (and single-type schema dialects) have none.
    return {name: value for name, value in values.items() if value is not None}


# ---------------------------------------------------------------------------------------------
# Summaries: the text an agent reads. Ids, links and the next step, briefly.


def _embed(result: c.CreatedInterview | c.CandidateInterview | c.StateChanged) -> str:
    if result.embed_id:
        return f" Embed: embed_id {result.embed_id}, embed_signing_key {result.embed_signing_key}."
    return ""


def summarize_avatars(args: ListAvatarsToolArgs, result: c.AvatarList) -> str:
    if not result.data:
        return "No templates match. Try without filters, or include_archived/include_public."
    lines = []
    for t in result.data:
        notes = []
        if t.type in c.LEGACY_AVATAR_TYPES:
            notes.append("legacy: cannot create interviews")
        if t.type == "interactive_elevenlabs":
            notes.append("voice only")
        note = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"- {t.id} | {t.name} | {t.type} | {t.mojito_language_code} | {t.status}{note}")
    page = result.pagination
    shown = f"{len(result.data)} template(s)"
    more = ""
    if page and page.total is not None:
        start = (page.offset or 0) + 1
        shown = f"templates {start}-{start + len(result.data) - 1} of {page.total}"
        if (following := next_offset(result)) is not None:
            more = f"\nMore exist: call again with offset={following}."
    return (
        f"{shown} (id | name | type | language | status):\n"
        + "\n".join(lines)
        + more
        + "\nUse a template's id as interview_template_id."
    )


def summarize_created(args: c.CreateInterviewArgs, result: c.CreatedInterview) -> str:
    counted = ""
    if result.questions_generated is not None:
        counted = f" with {result.questions_generated:g} AI-written questions"
        if args.interview_length and result.questions_generated < args.interview_length:
            counted += f" ({args.interview_length} asked; capped at one per 2 minutes of max_duration)"
    return (
        f"Created interview {result.interview_def_set_id}{counted}.{_embed(result)} "
        f"Next: get_interview_definition(position_id={result.interview_def_set_id}) to review the questions; "
        "set_interview_state to publish, unpublish or archive it."
    )


def summarize_from_questions(args: c.CreateFromQuestionsArgs, result: c.CreatedInterview) -> str:
    return (
        f"Created interview {result.interview_def_set_id} with {len(args.questions)} question(s).{_embed(result)} "
        f"Next: get_interview_definition(position_id={result.interview_def_set_id}) to review it."
    )


_CANDIDATE_STATUS = {
    "ai_accept": "the AI pre-screening accepted the candidate: send them the link",
    "recruiter_accept": "accepted by the recruiter's rules: send them the link",
    "recruiter_action": "a recruiter must decide before the candidate proceeds",
    "ai_reject": "the AI pre-screening rejected the candidate",
    "recruiter_reject": "rejected by the recruiter's rules",
    "already-applied": "this candidate already applied to this position; nothing new was created",
}


def summarize_candidate(args: c.CreateForCandidateArgs, result: c.CandidateInterview) -> str:
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
    return " ".join(parts) + _embed(result)


def summarize_state(args: c.SetStateArgs, result: c.StateChanged) -> str:
    changes = []
    if args.status:
        changes.append(f"status is now {args.status}")
    if args.is_embedded is not None:
        changes.append("embedding enabled" if args.is_embedded else "embedding removed")
    done = "Done" if result.success is not False else "JobMojito reported no success"
    return f"{done} for interview {args.position_id}: {', '.join(changes)}.{_embed(result)}"


def summarize_definition(args: GetDefinitionToolArgs, result: c.InterviewDefinition) -> str:
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
