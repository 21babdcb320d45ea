"""What agents get back: compact views of JobMojito's answers, and the tool-only options that pick them.

Agents pay for every byte in their context, so the default results carry what the next step
needs: the fields to choose a template, the questions of an interview. `view="full"` returns
JobMojito's answer unchanged. The result models are as lenient as the API models they extend,
because clients validate every result against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jobmojito_mcp import contract as c

View = Literal["summary", "full"]
LOCAL_OPTIONS = frozenset({"view"})  # tool arguments that shape the result and are never sent upstream


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
# Results (output schemas): lenient supersets of both views


class TemplateChoice(c.AvatarTemplate):
    voice_only: bool | None = Field(None, description="Voice only, no video avatar.")
    can_create_interviews: bool | None = Field(None, description="False for legacy template types.")


class AvatarsResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    data: list[TemplateChoice] = Field(default_factory=list)
    pagination: c.Pagination | None = None
    next_offset: int | None = Field(None, description="Pass as offset for the next page; null on the last.")


class DefinitionResult(c.InterviewDefinition):
    position_id: str | None = None
    questions: list[str | c.DefinitionQuestion] | None = Field(  # type: ignore[assignment]
        None,
        description="Question texts (summary) or question objects (full); null for multi-stage positions.",
    )


# ---------------------------------------------------------------------------------------------
# Presenters: (arguments, validated answer, raw answer) -> structured content

_TEMPLATE_FIELDS = ("id", "name", "type", "status", "mojito_language_code")
_DEFINITION_FIELDS = (
    "name",
    "status",
    "visibility",
    "type",
    "mojito_language_code",
    "interview_template_id",
    "interview_template_type",
    "is_voice_only",
    "max_duration",
)


def next_offset(answer: c.AvatarList) -> int | None:
    page = answer.pagination
    if page is None or not page.has_more:
        return None
    return (page.offset or 0) + len(answer.data)


def present_avatars(args: ListAvatarsToolArgs, answer: c.AvatarList, raw: dict[str, Any]) -> dict[str, Any]:
    if args.view == "full":
        return raw | {"next_offset": next_offset(answer)}
    choices = [
        {name: getattr(template, name) for name in _TEMPLATE_FIELDS}
        | {
            "voice_only": template.type == "interactive_elevenlabs",
            "can_create_interviews": template.type not in c.LEGACY_AVATAR_TYPES,
        }
        for template in answer.data
    ]
    page = answer.pagination.model_dump(mode="json") if answer.pagination else None
    return {"data": choices, "pagination": page, "next_offset": next_offset(answer)}


def present_definition(
    args: GetDefinitionToolArgs, answer: c.InterviewDefinition, raw: dict[str, Any]
) -> dict[str, Any]:
    if args.view == "full":
        return raw | {"position_id": args.position_id}
    summary: dict[str, Any] = {"position_id": args.position_id}
    summary |= {name: getattr(answer, name) for name in _DEFINITION_FIELDS}
    summary["questions"] = None if answer.questions is None else [q.question for q in answer.questions]
    return summary
