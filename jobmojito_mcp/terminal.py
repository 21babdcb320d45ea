"""What `call` needs to face a person rather than an agent: asking before harm, and showing content.

Asking: a tool whose `ToolSpec.confirm` has a question for these arguments is asked through the
server's own confirmation flow (elicitation), so the question, and what "no" means (`if_declined`),
are exactly what an MCP client's user gets. `call` is that client: in a terminal it asks y/N
(default no); elsewhere nobody can answer, so the call is refused before anything connects, unless
`--yes` said yes in advance.

Showing: text blocks as they are, a report document (a link or an embedded file) saved to a file
and named, never a Python repr.
"""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp.client.session import ElicitationFnT
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import (
    BlobResourceContents,
    ContentBlock,
    ElicitRequestParams,
    ElicitResult,
    EmbeddedResource,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.tooling.validation import validate_arguments

Elicitation = ElicitationFnT


def in_a_terminal() -> bool:
    """A person can be asked: both ends of the conversation are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def question_for(spec: ToolSpec[Any, Any], arguments: dict[str, Any]) -> str | None:
    """The question the server will put before this call, or None (no harm, or arguments the call
    itself refuses, sending nothing)."""
    if spec.confirm is None:
        return None
    try:
        args = validate_arguments(spec, arguments)
    except ToolError:
        return None
    return spec.confirm(args)


def refusal(spec: ToolSpec[Any, Any], question: str) -> str:
    """Why a call that needs a yes is not made here, and how to proceed."""
    safe = ""
    if spec.if_declined:
        pairs = " ".join(f"{key}={_shell_value(value)}" for key, value in spec.if_declined.items())
        safe = f", or call again with {pairs}"
    return (
        f"jobmojito-mcp call: {spec.name} asks first: {question}\n"
        f"Nobody can answer here (stdin or stdout is not a terminal), so nothing was sent. "
        f"Add --yes to answer yes in advance{safe}."
    )


def _shell_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def answering_for(*, ask: bool) -> Elicitation:
    """The elicitation callback of `call`'s MCP client: `ask` puts the question to the person at the
    terminal (y/N, default no; end of input or Ctrl-C dismisses it), else every question is a yes."""

    async def answer(context: Any, params: ElicitRequestParams) -> ElicitResult:
        if not ask:
            return ElicitResult(action="accept", content={"confirm": True})
        try:
            reply = await anyio.to_thread.run_sync(_ask, params.message)
        except (EOFError, KeyboardInterrupt):
            sys.stdout.write("\n")
            return ElicitResult(action="cancel")
        return ElicitResult(action="accept", content={"confirm": reply.strip().lower() in ("y", "yes")})

    return answer


def _ask(question: str) -> str:
    return input(f"{question} [y/N] ")


@dataclass
class Shown:
    """One content block as a person reads it: text to print, and a document to save (or none)."""

    text: str
    document: Document | None = None


@dataclass
class Document:
    name: str  # a file name, e.g. interview-report-1a2b3c4d.pdf
    mime_type: str | None
    body: bytes | None = None  # embedded; None: to be fetched from `link`
    link: str | None = None


def show(block: ContentBlock, for_the_user: bool = False) -> Shown:
    """`for_the_user`: the reader is the person an agent would be told to ask (`call` at a terminal)."""
    if isinstance(block, TextContent):
        text = block.text
        if for_the_user:
            text = text.replace("Ask the user to run", "Run").replace("ask the user to run", "run")
        return Shown(text)
    if isinstance(block, ResourceLink):
        # The link is in the text already, and is saved below: said once.
        return Shown("", Document(block.name, block.mime_type, link=str(block.uri)))
    if isinstance(block, EmbeddedResource):
        resource = block.resource
        name = str(resource.uri).rsplit("/", 1)[-1] or "document"
        if isinstance(resource, TextResourceContents):
            body = resource.text.encode()
        elif isinstance(resource, BlobResourceContents):
            body = base64.b64decode(resource.blob)
        else:  # pragma: no cover - the two kinds the protocol has
            body = b""
        what = f"{_kind(resource.mime_type)} ({len(body) / 1024:.1f} KB)"
        return Shown(what, Document(name, resource.mime_type, body=body))
    kind = getattr(block, "type", "content")
    return Shown(f"[{kind} content: shown with --json]")


def _kind(mime_type: str | None) -> str:
    return {
        "application/pdf": "PDF document",
        "text/html": "HTML document",
        "application/json": "JSON document",
    }.get(mime_type or "", "Document")


def save(body: bytes, out: str | None, name: str) -> Path:
    """Write a document to `out` (a file, or an existing directory), else under its own name in the
    working directory; the path written. OSError for a place that cannot be written."""
    target = Path(out) if out else Path.cwd() / Path(name).name
    if target.is_dir():
        target = target / Path(name).name
    target.write_bytes(body)
    return target
