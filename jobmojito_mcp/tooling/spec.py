"""What a tool is: `ToolSpec`, the one declaration of everything about a tool, and the annotation
presets that tell clients the truth about cost and repeatability.

Toolset modules (`toolsets/`) declare specs; `run.run_tool` carries a call through one; the server
registers them with the SDK; `exposure` narrows them. A spec's toolset, read-only-ness and
repeatability are declared once and derived everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from mcp_types import ContentBlock, ToolAnnotations
from pydantic import BaseModel

from jobmojito_mcp.tooling.errors import CREATED_INTERVIEW, CallContext
from jobmojito_mcp.tooling.upstream import Endpoint

Args = TypeVar("Args", bound=BaseModel)
Response = TypeVar("Response", bound=BaseModel)

# Annotation presets: reads are safe to repeat; creates are not; a state change is repeatable
# but may remove an interview. All reach JobMojito, an open world.
READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)
CREATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
CHANGE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)
# Registering candidates mints links and may e-mail people: JobMojito's own server marks every POST
# destructive, and a repeat is not harmless (new links, another e-mail).
INVITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)

# A report is generated anew on every call: a stored file each time, and a translated one is charged
# each time (0.1 credit per result translated), so a repeat is not harmless. JobMojito's own server
# marks it destructive.
GENERATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)

# Tool arguments that shape the result (view) or the request (clear_fields): never sent upstream as such.
LOCAL_OPTIONS = frozenset({"view", "clear_fields"})


@dataclass(frozen=True)
class ToolSpec(Generic[Args, Response]):
    """One tool, completely: the only place it is described."""

    name: str
    title: str
    description: str
    arguments: type[Args]  # the input schema: the API's fields (+ result options such as `view`)
    response: type[Response]  # JobMojito's answer, validated before anything is shown
    method: Literal["GET", "POST"]
    path: str
    annotations: ToolAnnotations
    summarize: Callable[[Args, Response], str]  # the text an agent reads
    toolset: str  # the toolset (toolsets/) whose module holds it
    # The output schema and the structured content built to fit it; default: the answer as sent.
    result: type[BaseModel] | None = None
    present: Callable[[Args, Response], dict[str, Any]] | None = None
    # For creates: how to find out whether a call that failed mid-flight went through anyway.
    recheck_hint: str = ""
    # The question to put to the user before an irreversible call, or None when no need to ask
    # (asked by the server glue, through the client, before run_tool).
    confirm: Callable[[Args], str | None] | None = None
    # What answering that question with "no" asks for instead (arguments to override), e.g. register
    # without e-mail; None: "no" refuses the call, like dismissing the question.
    if_declined: Mapping[str, Any] | None = None
    # For calls that are not repeatable: what one that went through did, for "it may have ..." messages.
    effect: str = CREATED_INTERVIEW
    # Advice added to an upstream error status's message, for what that status means for this call.
    hints: Mapping[int, str] = field(default_factory=dict)
    # Content blocks to give beside the text (a report's document), from the validated answer.
    attach: Callable[[Args, Response], list[ContentBlock]] | None = None
    # Arguments accepted and validated but left out of the published input schema (nested ones
    # as `questions[].label`): rarely worth an agent's attention, and every published byte is
    # paid in every agent's context. docs/arguments.md says why each; a test keeps them in step.
    unpublished: frozenset[str] = frozenset()
    # Tools that send a file (tooling/files.py): the multipart part it goes in. The request is then
    # `multipart/form-data`, the other arguments text parts (objects as JSON strings).
    file_part: str | None = None

    @property
    def endpoint(self) -> Endpoint:
        # Repeating is harmless exactly when the tool is read-only: derived, never declared twice.
        return Endpoint(self.method, self.path, safe_to_repeat=bool(self.annotations.read_only_hint))

    @property
    def output_model(self) -> type[BaseModel]:
        return self.result or self.response

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.read_only_hint)

    @property
    def call_context(self) -> CallContext:
        return CallContext(
            tool=self.name,
            creates=not self.annotations.idempotent_hint,
            recheck_hint=self.recheck_hint,
            effect=self.effect,
        )

    def context_for(self, args: Args) -> CallContext:
        """The call context naming the ids this call was given, so a "not found" can say which."""
        given = args.model_dump(exclude_unset=True, exclude_none=True)
        ids = tuple(
            (name, value) for name, value in given.items() if name.endswith("_id") and isinstance(value, str)
        )
        return replace(self.call_context, ids=ids)


# ---------------------------------------------------------------------------------------------
# Presenting an answer: as sent, without nulls


def as_sent(answer: BaseModel) -> dict[str, Any]:
    """JobMojito's (validated) answer as JSON, nulls left out: absent says the same, and the output
    schemas (portable to dialects without a null type) admit none."""
    return answer.model_dump(mode="json", exclude_unset=True, exclude_none=True)


def without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    # No null in structured content: the output schemas (and single-type schema dialects) have none.
    return {name: value for name, value in values.items() if value is not None}
