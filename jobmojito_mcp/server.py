"""Builds the MCP server from the tool table, and runs it.

The SDK derives a tool's input schema from its function signature, which would nest a model
parameter under its name. Here each tool is registered with its argument model's own schema
(flat: the API's field names at the top level) and a handler that takes the raw arguments, so
`tools.run_tool` validates them and words every refusal itself.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import CallToolResult
from pydantic import BaseModel, ConfigDict

from jobmojito_mcp import __version__
from jobmojito_mcp.config import SANDBOX_TOKEN, Settings
from jobmojito_mcp.logs import secrets
from jobmojito_mcp.tools import TOOLS, ToolSpec, run_tool
from jobmojito_mcp.upstream import Upstream

logger = logging.getLogger(__name__)

# Which upstream token a call uses. On stdio it is the server's own; hosted modes may pick per caller.
Credentials = Callable[[Context[Any, Any]], str | None]

INSTRUCTIONS = (
    "Create and manage JobMojito AI job interviews. Typical flow: list_avatars to pick a template id; "
    "create_interview (AI writes the questions) or create_interview_from_questions (your questions); "
    "get_interview_definition to review; set_interview_state to publish (active), unpublish (draft) or "
    "archive. create_interview_for_candidate enrols one candidate and returns their interview link. "
    "Creates are not idempotent: never repeat one that may have succeeded."
)
SANDBOX_NOTE = (
    " This server runs on the built-in sandbox: JobMojito is simulated, nothing real is created or billed."
)


class InFlight:
    """Counts tool calls in progress, so a shutdown can wait for exactly those and no longer."""

    def __init__(self) -> None:
        self.count = 0
        self._idle: anyio.Event | None = None

    def __enter__(self) -> None:
        self.count += 1

    def __exit__(self, *exc_info: object) -> None:
        self.count -= 1
        if self.count == 0 and self._idle is not None:
            self._idle.set()

    async def wait_idle(self) -> None:
        while self.count:
            self._idle = anyio.Event()
            await self._idle.wait()


class _RawArguments(ArgModelBase):
    """Hands the arguments through untouched, so the tool's own model validates (and explains) them."""

    model_config = ConfigDict(extra="allow")

    def model_dump_one_level(self) -> dict[str, Any]:
        return {"arguments": dict(self.model_extra or {})}


def published_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema without pydantic's generated titles: agents pay for every byte."""
    schema: dict[str, Any] = _drop_titles(model.model_json_schema())
    return schema


def _drop_titles(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _drop_titles(value)
            for key, value in node.items()
            # "title" as a key inside "properties" is a field named title, not a generated label.
            if not (key == "title" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_drop_titles(item) for item in node]
    return node


def as_sdk_tool(
    spec: ToolSpec[Any, Any], upstream: Upstream, credentials: Credentials, in_flight: InFlight
) -> Tool:
    """Register one table entry with the SDK: flat input schema, output schema, annotations, handler."""

    async def handle(arguments: dict[str, Any], ctx: Context[Any, Any]) -> CallToolResult:
        with in_flight:
            return await run_tool(spec, arguments, upstream, credentials(ctx))

    return Tool(
        fn=handle,
        name=spec.name,
        title=spec.title,
        description=spec.description,
        parameters=published_schema(spec.arguments),
        fn_metadata=FuncMetadata(
            arg_model=_RawArguments, output_schema=published_schema(spec.result), output_model=spec.result
        ),
        is_async=True,
        context_kwarg="ctx",
        annotations=spec.annotations.model_copy(update={"title": spec.title}),
    )


def build_server(
    upstream: Upstream,
    credentials: Credentials,
    *,
    tools: tuple[ToolSpec[Any, Any], ...] = TOOLS,
    sandbox: bool = False,
    log_level: Any = "INFO",
    in_flight: InFlight | None = None,
    **options: Any,
) -> MCPServer:
    """The MCP server with the given tools, all calling through the one shared `upstream`.

    `options` go to `MCPServer` as they are (auth settings, token verifier, request-state keys).
    """
    return MCPServer(
        name="jobmojito",
        title="JobMojito interviews",
        version=__version__,
        instructions=INSTRUCTIONS + (SANDBOX_NOTE if sandbox else ""),
        tools=[as_sdk_tool(spec, upstream, credentials, in_flight or InFlight()) for spec in tools],
        log_level=log_level,
        **options,
    )


@asynccontextmanager
async def open_upstream(settings: Settings) -> AsyncIterator[tuple[Upstream, str | None]]:
    """The process-wide upstream and the token it uses: JobMojito, or the in-process sandbox."""
    if not settings.sandbox:
        token = settings.token.get_secret_value() if settings.token else None
        secrets.add(token)
        if token is None:
            logger.warning(
                "JOBMOJITO_TOKEN is not set: tools will answer how to configure it (or use --sandbox)"
            )
        async with Upstream(settings) as upstream:
            yield upstream, token
        return
    import httpx2  # the sandbox path only: keeps it off the default start-up

    from jobmojito_mcp.sandbox import SandboxState, create_app

    state = SandboxState(db_path=settings.sandbox_db)
    transport = httpx2.ASGITransport(app=create_app(state))
    async with Upstream(
        settings, transport=transport, base_url="http://sandbox.invalid/functions/v1"
    ) as upstream:
        yield upstream, SANDBOX_TOKEN


async def serve_stdio(settings: Settings) -> None:
    """Serve MCP over stdin/stdout until the client closes the stream."""
    async with open_upstream(settings) as (upstream, token):
        server = build_server(
            upstream, lambda _ctx: token, sandbox=settings.sandbox, log_level=settings.log_level
        )
        logger.info(
            "jobmojito-mcp %s serving stdio against %s",
            __version__,
            "the built-in sandbox" if settings.sandbox else settings.base_url,
        )
        await server.run_stdio_async()
