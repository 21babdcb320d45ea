"""Builds the MCP server from the tool table, and runs it.

The SDK derives a tool's input schema from its function signature, which would nest a model
parameter under its name. Here each tool is registered with its argument model's own schema
(flat: the API's field names at the top level) and a handler that takes the raw arguments, so
`tooling.run.run_tool` validates them and words every refusal itself.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, Resolve, build_resolver_plans, find_resolved_parameters
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult
from pydantic import BaseModel, ConfigDict, Field

from jobmojito_mcp import __version__, telemetry
from jobmojito_mcp.completions import register_completions
from jobmojito_mcp.config import SANDBOX_TOKEN, Settings, split_list
from jobmojito_mcp.exposure import ALL_TOOLSETS, Exposure, RequestNarrowing, select_tools
from jobmojito_mcp.guides import PROMPTS, read_templates, register_guides
from jobmojito_mcp.signin.credentials import StaticToken, describe_credential, server_credential
from jobmojito_mcp.stdio import run_stdio
from jobmojito_mcp.tooling.files import FileAccess
from jobmojito_mcp.tooling.listing import ToolCard, card_of
from jobmojito_mcp.tooling.run import CallHooks, run_tool
from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.tooling.upstream import Credential, Upstream
from jobmojito_mcp.tooling.validation import validate_arguments
from jobmojito_mcp.toolsets import DEFAULT_TOOLSETS, cards_by_name, spec_named
from jobmojito_mcp.views import register_views

if TYPE_CHECKING:
    from jobmojito_mcp.discovery import ToolsetStore

logger = logging.getLogger(__name__)

# Which credential a call uses. On stdio it is the server's own; hosted modes may pick per caller.
Credentials = Callable[[Context[Any, Any]], Credential]

INSTRUCTIONS = (
    "Create and manage JobMojito AI job interviews. Typical flow: list_avatars to pick a template id; "
    "create_interview (AI writes the questions) or create_interview_from_questions (your questions); "
    "get_interview_definition to review; set_interview_state to publish (active), unpublish (draft) or "
    "archive. create_interview_for_candidate enrols one candidate and returns their interview link. "
    "Afterwards: list_interviews finds an interview's id; update_interview changes it; "
    "register_users_for_interview invites candidates (get_merchant_status shows the invitations left); "
    "list_interview_results, get_interview_result_details and generate_interview_report review how they did. "
    "Creates and registrations are not idempotent: never repeat one that may have succeeded."
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


def as_sdk_tool(
    card: ToolCard,
    load: Callable[[], ToolSpec[Any, Any]],
    upstream: Upstream,
    credentials: Credentials,
    in_flight: InFlight,
    files: FileAccess = FileAccess(),  # noqa: B008  # frozen: one shared default is safe
    confirm_without_asking: bool = False,
) -> Tool:
    """Register one tool with the SDK: flat input schema, output schema, annotations, handler.

    The card (`_card_and_loader`) registers the tool without importing its toolset's module: `load`
    has the spec, models and all, at the tool's first call.
    """
    # The SDK reads `output_model` live: each result is checked against the tool's own output model,
    # set at the first call, once the module holding it is imported.
    metadata = FuncMetadata(arg_model=_RawArguments, output_schema=card.output_schema)

    async def handle(
        arguments: dict[str, Any], ctx: Context[Any, Any], confirmation: Any = _NO_QUESTION
    ) -> CallToolResult:
        spec = load()
        if metadata.output_model is None:
            metadata.output_model = spec.output_model
        if not _confirmed(confirmation):
            if spec.if_declined is None or not _answered_no(confirmation):
                raise ToolError(
                    "The user declined the confirmation; nothing was sent to JobMojito and nothing changed."
                )
            arguments = {**arguments, **spec.if_declined}  # "no" chose the alternative the question offered
        with in_flight:
            return await run_tool(spec, arguments, upstream, credentials(ctx), hooks_for(ctx, files))

    resolved: dict[str, Any] = {}
    if card.asks_first:
        handle.__annotations__["confirmation"] = Annotated[
            ElicitationResult[Confirmation], Resolve(_ask_first(load, confirm_without_asking))
        ]
        resolved = find_resolved_parameters(handle)
    return Tool(
        fn=handle,
        name=card.name,
        title=card.title,
        description=card.description,
        parameters=card.input_schema,
        fn_metadata=metadata,
        is_async=True,
        context_kwarg="ctx",
        annotations=card.annotations,  # the title is the tool's own `title`: said once, not twice
        resolved_params=resolved,
        resolver_plans=build_resolver_plans(resolved, {"arguments"}),
    )


class Confirmation(BaseModel):
    confirm: bool = Field(description="Yes, go ahead.")


# What a call that needs no question (or cannot ask one) is resolved with.
_NO_QUESTION: AcceptedElicitation[Confirmation] = AcceptedElicitation(data=Confirmation(confirm=True))


def hooks_for(ctx: Context[Any, Any], files: FileAccess) -> CallHooks:
    async def progress(elapsed: float, message: str) -> None:
        await ctx.report_progress(elapsed, None, message)  # a no-op unless the client asked for progress

    return CallHooks(progress=progress, files=files)


def _card_and_loader(
    tool: ToolCard | ToolSpec[Any, Any],
) -> tuple[ToolCard, Callable[[], ToolSpec[Any, Any]]]:
    """The card a tool is listed with, and how its spec is had when it is called."""
    if isinstance(tool, ToolCard):
        return tool, functools.cache(functools.partial(spec_named, tool.name))
    packaged = cards_by_name().get(tool.name)
    # The registry's own spec is listed with its packaged card (tests keep the two equal); any other
    # spec (a library's, a test's) with a card made from its models.
    card = packaged if packaged is not None and spec_named(tool.name) is tool else card_of(tool)
    return card, lambda: tool


def _ask_first(load: Callable[[], ToolSpec[Any, Any]], confirm_without_asking: bool) -> Callable[..., Any]:
    """The SDK resolver putting `spec.confirm`'s question to the user, on every protocol version.

    It runs before the tool body: as a standalone elicitation on handshake-era connections, as an
    input-required round trip on 2026-07-28 ones. A client that declared no (form) elicitation cannot
    ask anyone: the call is refused, nothing sent (fail closed), unless the server was started with
    `--confirm-without-asking`, whose operator takes the confirming on themselves.
    """

    # A plain value returned by a resolver reaches the tool as if the user had accepted it.
    go_ahead = Confirmation(confirm=True)

    def ask(arguments: dict[str, Any], ctx: Context[Any, Any]) -> Elicit[Confirmation] | Confirmation:
        spec = load()
        try:
            args = validate_arguments(spec, arguments)
        except ToolError:
            return go_ahead  # the call itself will explain what is wrong, sending nothing
        question = spec.confirm(args) if spec.confirm else None
        if question is None:
            return go_ahead
        if can_ask(ctx):
            return Elicit(question, Confirmation)
        if confirm_without_asking:
            return go_ahead
        raise ToolError(cannot_ask_message(spec, question))

    return ask


def can_ask(ctx: Context[Any, Any]) -> bool:
    """Whether this client can put a question to its user: it declared form elicitation (a bare
    `elicitation: {}` means form; URL-only elicitation cannot carry a yes/no)."""
    capabilities = ctx.request_context.session.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def cannot_ask_message(spec: ToolSpec[Any, Any], question: str) -> str:
    """Why the call was refused, and the ways to proceed that do not need the user's answer."""
    alternative = (
        f" To go ahead without that, call {spec.name} again with "
        + ", ".join(f"{name}={json.dumps(value)}" for name, value in spec.if_declined.items())
        + "."
        if spec.if_declined
        else ""
    )
    return (
        f"Refused: this call needs the user's confirmation, and this client cannot ask them (it declared "
        f"no elicitation); nothing was sent to JobMojito and nothing changed. The question was: {question}"
        f"{alternative} Otherwise do it in JobMojito's web app, or use a client that supports elicitation; "
        "a server started with --confirm-without-asking (JOBMOJITO_CONFIRM_WITHOUT_ASKING=1) acts without asking."
    )


def _confirmed(answer: ElicitationResult[Confirmation]) -> bool:
    return isinstance(answer, AcceptedElicitation) and answer.data.confirm


def _answered_no(answer: ElicitationResult[Confirmation]) -> bool:
    """The user answered the question with "no" (rather than dismissing it or declining to answer)."""
    return isinstance(answer, AcceptedElicitation) and not answer.data.confirm


@contextmanager
def _sdk_logging_setup_skipped() -> Iterator[None]:
    """`MCPServer()` calls the SDK's `configure_logging`, which imports rich (~35 ms, a twentieth of a
    stdio cold start) to build a handler that `logging.basicConfig` then drops unused whenever the root
    logger has handlers already (ours: logs.configure_logging runs first). Skipped exactly then, so
    nothing changes; without handlers (a library use of build_server) the SDK's setup runs as before."""
    if not logging.getLogger().handlers:
        yield
        return
    import mcp.server.mcpserver.server as sdk_server

    original = getattr(sdk_server, "configure_logging")  # noqa: B009  # not re-exported: mypy --strict
    setattr(sdk_server, "configure_logging", lambda *_args, **_kwargs: None)  # noqa: B010
    try:
        yield
    finally:
        setattr(sdk_server, "configure_logging", original)  # noqa: B010


def build_server(
    upstream: Upstream,
    credentials: Credentials,
    *,
    tools: Sequence[ToolCard | ToolSpec[Any, Any]] | None = None,
    sandbox: bool = False,
    dynamic_toolsets: Iterable[str] | None = None,
    per_session: bool = True,
    caller: Callable[[Any], str | None] = lambda _scope: None,
    log_level: Any = "INFO",
    in_flight: InFlight | None = None,
    extra_middleware: Sequence[Any] = (),
    files: FileAccess | None = None,
    confirm_without_asking: bool = False,
    toolset_store: ToolsetStore | None = None,
    **options: Any,
) -> MCPServer:
    """The MCP server with the given tools (and the prompts and resources they allow), all calling
    through the one shared `upstream`.

    `files`: what file tools may send; by default inline content only (no local paths): stdio passes
    the roots the user allowed, a hosted server never reads its own disk for a caller.
    `tools` defaults to the default toolsets' (what a server started without flags offers). With
    `dynamic_toolsets` (the toolsets enabled at the start), `tools` is the ceiling an agent enables
    toolsets from, with the discovery tools (`discovery`); an asker is a session when `per_session`
    (2025-11-25, with sessions), else the `caller` of the request's ASGI scope.
    `extra_middleware` runs after the request narrowing (hosting: per-caller quotas);
    `confirm_without_asking` lets calls that need a confirmation through when the client cannot ask
    (otherwise they are refused); `toolset_store`: where replicas share the toolsets callers enabled
    (hosting's --state-url), with `dynamic_toolsets`; `options` go
    to `MCPServer` as they are (auth settings, token verifier, request-state keys).
    """
    registered = [_card_and_loader(tool) for tool in (select_tools() if tools is None else tools)]
    listed = tuple(card for card, _ in registered)
    dynamic = None
    if dynamic_toolsets is not None:
        from jobmojito_mcp.discovery import DISCOVERY_TOOLS, CallerBus, DynamicToolsets, EnabledToolsets

        enabled = EnabledToolsets(dynamic_toolsets, store=toolset_store)
        dynamic = DynamicToolsets(listed, enabled, per_session, caller)
        options.setdefault("subscriptions", CallerBus())
    exposure = Exposure(listed, frozenset(DISCOVERY_TOOLS) if dynamic else frozenset())
    with _sdk_logging_setup_skipped():
        server: MCPServer = MCPServer(
            name="jobmojito",
            title="JobMojito interviews",
            version=__version__,
            instructions=INSTRUCTIONS + (SANDBOX_NOTE if sandbox else ""),
            tools=[
                as_sdk_tool(
                    card,
                    load,
                    upstream,
                    credentials,
                    in_flight or InFlight(),
                    files or FileAccess(),
                    confirm_without_asking,
                )
                for card, load in registered
            ],
            log_level=log_level,
            # Telemetry first (a no-op list unless enabled), so it also times the calls the filter refuses.
            middleware=[
                *telemetry.server_middleware([tool.name for tool in listed], [p.__name__ for p in PROMPTS]),
                RequestNarrowing(exposure),
                *([dynamic] if dynamic else []),
                *extra_middleware,
            ],
            **options,
        )
    if dynamic:
        from jobmojito_mcp.discovery import add_discovery_tools

        add_discovery_tools(server, dynamic)

    async def read(ctx: Context[Any, Any], language: str | None) -> dict[str, Any]:
        return await read_templates(upstream, credentials(ctx), language)

    register_guides(server, read, exposure.shows)
    register_completions(server, exposure, upstream, credentials)
    register_views(server, exposure, upstream.base_url)
    server.middleware.append(_prompt_requests_checked(server))
    return server


def _prompt_requests_checked(server: MCPServer) -> Callable[..., Any]:
    """prompts/get for a prompt the server does not have, or without a required argument: the
    specification's -32602. The SDK raises a bare ValueError there, which reaches the client as an
    internal error and logs a traceback for a client's typo (found by the conformance suite)."""

    async def check(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "prompts/get" and isinstance(ctx.params, dict):
            name, given = ctx.params.get("name"), ctx.params.get("arguments") or {}
            found = next((p for p in await server.list_prompts() if p.name == name), None)
            if found is None:
                raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {name}")
            missing = [a.name for a in found.arguments or () if a.required and a.name not in given]
            if missing:
                raise MCPError(code=INVALID_PARAMS, message=f"Prompt {name} needs: {', '.join(missing)}")
        return await call_next(ctx)

    return check


@asynccontextmanager
async def open_upstream(settings: Settings) -> AsyncIterator[tuple[Upstream, Credential]]:
    """The process-wide upstream and the server's own credential: JobMojito, or the in-process sandbox."""
    if not settings.sandbox:
        credential = server_credential(settings)
        try:
            async with Upstream(settings) as upstream:
                yield upstream, credential
        finally:
            if not isinstance(credential, StaticToken):
                await credential.aclose()
        return
    import httpx2  # the sandbox path only: keeps it off the default start-up

    from jobmojito_mcp.sandbox import SandboxState, create_app

    state = SandboxState(db_path=settings.sandbox_db, auto_take=settings.sandbox_auto_take)
    transport = httpx2.ASGITransport(app=create_app(state))
    async with Upstream(
        settings, transport=transport, base_url="http://sandbox.invalid/functions/v1"
    ) as upstream:
        yield upstream, StaticToken(SANDBOX_TOKEN)


def exposed_tools(settings: Settings) -> tuple[ToolCard, ...]:
    """The tools this server offers: --read-only, --tools and --toolsets narrow the table, never widen
    it; unnamed, the default toolsets. With --dynamic-toolsets: those an agent may enable (every
    toolset, as far as --read-only and --tools allow); --toolsets then names the ones enabled at the start."""
    names = split_list(settings.tools) if settings.tools is not None else None
    toolsets = split_list(settings.toolsets) if settings.toolsets is not None else None
    try:
        if settings.dynamic_toolsets:
            starting_toolsets(settings)  # an unknown name in --toolsets is refused here too
            return select_tools(settings.read_only, names, [ALL_TOOLSETS])
        return select_tools(settings.read_only, names, toolsets)
    except ValueError as exc:
        flag = "--toolsets" if "toolset" in str(exc) else "--tools"
        raise SystemExit(f"jobmojito-mcp: {flag}: {exc}") from None


def starting_toolsets(settings: Settings) -> tuple[str, ...] | None:
    """With --dynamic-toolsets, the toolsets enabled at the start (--toolsets, else the defaults); None
    without it."""
    if not settings.dynamic_toolsets:
        return None
    if settings.toolsets is None:
        return DEFAULT_TOOLSETS
    named = split_list(settings.toolsets)
    return tuple(dict.fromkeys(tool.toolset for tool in select_tools(toolsets=named))) or tuple(named)


async def serve_stdio(settings: Settings) -> None:
    """Serve MCP over stdin/stdout until the client closes the stream."""
    tools = exposed_tools(settings)
    async with open_upstream(settings) as (upstream, credential):
        server = build_server(
            upstream,
            lambda _ctx: credential,
            tools=tools,
            sandbox=settings.sandbox,
            log_level=settings.log_level,
            files=FileAccess.local(settings.file_roots, settings.max_file_bytes),
            confirm_without_asking=settings.confirm_without_asking,
            dynamic_toolsets=starting_toolsets(settings),
        )
        logger.info(
            "jobmojito-mcp %s serving stdio against %s%s",
            __version__,
            "the built-in sandbox" if settings.sandbox else settings.base_url,
            "" if settings.sandbox else f"; {describe_credential(settings)}",
        )
        await run_stdio(server)  # run_stdio_async, answering unreadable lines instead of dropping them
