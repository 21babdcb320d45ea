"""Dynamic toolsets (`--dynamic-toolsets`): an agent starts with the default toolsets and three
discovery tools, and enables more toolsets as its task needs them.

Anchor: github-mcp-server's `--dynamic-toolsets` (the same three tools: `list_available_toolsets`,
`get_toolset_tools`, `enable_toolset`, then `notifications/tools/list_changed`). Every tool the
server offers (the ceiling: --read-only, --tools, --toolsets) is registered once; what an asker sees
and may call is that ceiling cut down to the toolsets it has enabled, by `DynamicToolsets`
(middleware, like the request narrowing of `exposure`, which still applies on top).

Who "an asker" is, per protocol generation:

    2025-11-25 (stdio, SSE, Streamable HTTP with sessions)
        the MCP session: what one enables, that session sees, and nobody else; the change is
        announced on the session (`notifications/tools/list_changed`); it ends with the session.
    2026-07-28 (no sessions), and 2025-11-25 on a --stateless server
        the caller: the verified principal of the request (API key or JobMojito subject), or, on
        stdio and with --auth none (loopback only: one user), the one local user. Kept for the
        caller for `CALLER_MEMORY_SECONDS` since its last request, for at most `MAX_CALLERS`
        callers (the least recently seen forgotten first), in this process only: a caller who
        comes back later starts again from the defaults and enables again. Kept in this process, and
        with --state-url also in Redis (`ToolsetStore`, hosting/state.py): enabled through one
        replica, shown by all of them, read once per request; when Redis does not answer, each
        replica goes by what it knows, and writes what it knows back once it answers. The change is
        published on `subscriptions/listen` streams of the same caller only (`CallerBus`), on the
        replica that enabled it.
"""

from __future__ import annotations

import contextvars
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Protocol

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.subscriptions import ServerEvent
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from jobmojito_mcp.exposure import Exposure, filtered, narrowing_of
from jobmojito_mcp.tooling.listing import ToolCard
from jobmojito_mcp.toolsets import ABOUT, DEFAULT_TOOLSETS

DISCOVERY_TOOLS = ("list_available_toolsets", "get_toolset_tools", "enable_toolset")
MAX_CALLERS = 10_000  # callers remembered; beyond, the least recently seen is forgotten
CALLER_MEMORY_SECONDS = 24 * 3600.0  # a caller silent this long starts again from the defaults
LOCAL_USER = "local"  # stdio, in-process and --auth none: one user

# Reads only this server's own state: safe, repeatable, and no upstream call.
_DISCOVERY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# Who is asking, for the bus: set for the length of every request the middleware sees.
_ASKER: contextvars.ContextVar[object] = contextvars.ContextVar("jobmojito_asker", default=None)

ToolsetName = Annotated[str, Field(description="A toolset's name, from list_available_toolsets.")]
Caller = Callable[[Any], str | None]  # the verified principal of an ASGI scope, if any
# The requests whose answer depends on the toolsets enabled: the shared store is read before them.
_SHOWN = frozenset({"tools/call", "tools/list", "prompts/list", "resources/list", "resources/templates/list"})


class ToolsetStore(Protocol):
    """Where replicas share the toolsets callers enabled (hosting/state.py's SharedState)."""

    async def enabled_toolsets(self, caller: str, memory: float) -> frozenset[str] | None:
        """The caller's toolsets, renewing their memory; None when the store does not answer."""

    async def enable_toolset(self, caller: str, toolset: str, memory: float) -> None: ...


class EnabledToolsets:
    """Which toolsets each asker has enabled beyond the starting ones (bounded, see the module doc);
    a caller's (not a session's) also in `store`, when replicas share one."""

    def __init__(
        self,
        starting: Iterable[str],
        *,
        max_callers: int = MAX_CALLERS,
        memory_seconds: float = CALLER_MEMORY_SECONDS,
        store: ToolsetStore | None = None,
    ) -> None:
        self.starting = frozenset(starting)
        self._store = store
        self._sessions: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
        self._callers: OrderedDict[str, tuple[set[str], float]] = OrderedDict()
        self._max_callers = max_callers
        self._memory = memory_seconds

    def of(self, asker: object) -> frozenset[str]:
        return self.starting | self._entry(asker, create=False)

    async def enable(self, asker: object, toolset: str) -> bool:
        """Enable `toolset` for `asker` (and, for a caller, in the shared store); False when it
        already was."""
        if toolset in self.of(asker):
            return False
        self._entry(asker, create=True).add(toolset)
        if self._store is not None and isinstance(asker, str):
            await self._store.enable_toolset(asker, toolset, self._memory)
        return True

    async def refresh(self, asker: object) -> None:
        """Take in what the caller enabled through other replicas; write back what only this one
        knows (enabled while the store was away, or lost with it). Sessions are not shared: they
        stay with their replica."""
        if self._store is None or not isinstance(asker, str):
            return
        shared = await self._store.enabled_toolsets(asker, self._memory)
        if shared is None:
            return  # the store is away: this replica goes by what it knows
        known = self._entry(asker, create=bool(shared))
        for toolset in known - shared:
            await self._store.enable_toolset(asker, toolset, self._memory)
        known |= shared

    def _entry(self, asker: object, *, create: bool) -> set[str]:
        if not isinstance(asker, str):  # a session object: lives and dies with it
            found = self._sessions.get(asker)
            if found is None and create:
                found = self._sessions[asker] = set()
            return found if found is not None else set()
        now = time.monotonic()
        entry = self._callers.get(asker)
        if entry is not None and now - entry[1] > self._memory:
            del self._callers[asker]
            entry = None
        if entry is None:
            if not create:
                return set()
            while len(self._callers) >= self._max_callers:
                self._callers.popitem(last=False)
            entry = (set(), now)
        self._callers[asker] = (entry[0], now)
        self._callers.move_to_end(asker)
        return entry[0]


class CallerBus:
    """A `subscriptions/listen` bus delivering an asker's change events to that asker's streams only:
    one caller enabling a toolset tells nobody else's client to re-list. A stream belongs to the
    asker of its `subscriptions/listen` request."""

    def __init__(self) -> None:
        self._listeners: dict[object, tuple[object, Callable[[ServerEvent], None]]] = {}

    async def publish(self, event: ServerEvent) -> None:
        asker = _ASKER.get()
        for owner, listener in list(self._listeners.values()):
            if owner == asker:
                listener(event)

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        token = object()
        self._listeners[token] = (_ASKER.get(), listener)

        def unsubscribe() -> None:
            self._listeners.pop(token, None)

        return unsubscribe


class DynamicToolsets:
    """Server middleware: lists and admits only the tools of the toolsets the asker has enabled
    (the discovery tools always)."""

    def __init__(
        self,
        tools: tuple[ToolCard, ...],
        enabled: EnabledToolsets,
        per_session: bool,
        caller: Caller,
    ) -> None:
        self.tools = tools
        self.toolsets = tuple(dict.fromkeys(spec.toolset for spec in tools))
        self.enabled = enabled
        self._per_session = per_session
        self._caller = caller

    def asker(self, ctx: ServerRequestContext[Any, Any]) -> object:
        if self._per_session and ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            # The connection the session runs on: the SDK makes a ServerSession per request.
            return getattr(ctx.session, "_connection", ctx.session)
        scope = getattr(ctx.request, "scope", None)
        return (self._caller(scope) if scope is not None else None) or LOCAL_USER

    def visible(self, ctx: ServerRequestContext[Any, Any]) -> Exposure:
        """The tools this request may see: the enabled toolsets', then the request's narrowing headers."""
        sets = self.enabled.of(self.asker(ctx))
        shown = Exposure(
            tuple(spec for spec in self.tools if spec.toolset in sets), always=frozenset(DISCOVERY_TOOLS)
        )
        narrowing = narrowing_of(ctx.request)
        return shown if narrowing is None else shown.narrowed(narrowing)

    def offered(self, ctx: ServerRequestContext[Any, Any]) -> tuple[str, ...]:
        """The toolsets this request could enable: the server's, as far as its narrowing headers allow."""
        narrowing = narrowing_of(ctx.request)
        ceiling = Exposure(self.tools) if narrowing is None else Exposure(self.tools).narrowed(narrowing)
        return tuple(name for name in self.toolsets if any(spec.toolset == name for spec in ceiling.tools))

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        asker = self.asker(ctx)
        token = _ASKER.set(asker)
        try:
            if ctx.method in _SHOWN:
                await self.enabled.refresh(asker)
            if ctx.method == "tools/call":
                name = (ctx.params or {}).get("name")
                spec = next((spec for spec in self.tools if spec.name == name), None)
                if spec is not None and spec.name not in self.visible(ctx).names:
                    text = (
                        f"Tool {name!r} is in the {spec.toolset!r} toolset, which is not enabled: "
                        f"call enable_toolset with toolset {spec.toolset!r} first."
                    )
                    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
                return await call_next(ctx)
            if ctx.method in ("tools/list", "prompts/list", "resources/list", "resources/templates/list"):
                result: HandlerResult = filtered(await call_next(ctx), self.visible(ctx))
                return result
            return await call_next(ctx)
        finally:
            _ASKER.reset(token)


def add_discovery_tools(server: MCPServer, dynamic: DynamicToolsets) -> None:
    """Register the three discovery tools, and announce `tools.listChanged` on 2025-11-25 handshakes."""

    def choose(ctx: Context[Any, Any], toolset: str) -> str:
        offered = dynamic.offered(ctx.request_context)
        if toolset not in offered:
            raise ToolError(f"Unknown toolset {toolset!r}; this server offers: {', '.join(offered)}.")
        return toolset

    async def list_available_toolsets(ctx: Context[Any, Any]) -> str:
        request = ctx.request_context
        enabled = dynamic.enabled.of(dynamic.asker(request))
        lines = [
            f"- {name} ({'enabled' if name in enabled else 'not enabled'}"
            f"{', default' if name in DEFAULT_TOOLSETS else ''}; "
            f"{sum(spec.toolset == name for spec in dynamic.tools)} tools): {ABOUT.get(name, '')}"
            for name in dynamic.offered(request)
        ]
        return (
            "Toolsets:\n"
            + "\n".join(lines)
            + "\nget_toolset_tools shows a toolset's tools; enable_toolset turns one on."
        )

    async def get_toolset_tools(toolset: ToolsetName, ctx: Context[Any, Any]) -> str:
        chosen = choose(ctx, toolset)
        narrowing = narrowing_of(ctx.request_context.request)
        ceiling = (
            Exposure(dynamic.tools) if narrowing is None else Exposure(dynamic.tools).narrowed(narrowing)
        )
        lines = [f"- {spec.name}: {spec.description}" for spec in ceiling.tools if spec.toolset == chosen]
        return f"Tools of {chosen}:\n" + "\n".join(lines)

    async def enable_toolset(toolset: ToolsetName, ctx: Context[Any, Any]) -> str:
        chosen = choose(ctx, toolset)
        request = ctx.request_context
        if not await dynamic.enabled.enable(dynamic.asker(request), chosen):
            return f"Toolset {chosen} is already enabled."
        if request.protocol_version in MODERN_PROTOCOL_VERSIONS:
            await ctx.notify_tools_changed()  # to this caller's subscriptions/listen streams
            await ctx.notify_prompts_changed()
        else:
            await request.session.send_tool_list_changed()
            await request.session.send_prompt_list_changed()
        names = ", ".join(spec.name for spec in dynamic.visible(request).tools if spec.toolset == chosen)
        return f"Toolset {chosen} enabled: {names or 'no tools this request may use'}. The tool list has changed."

    server.add_tool(
        list_available_toolsets,
        title="List toolsets",
        description="The toolsets this server offers, which are enabled, and what each is for.",
        annotations=_DISCOVERY,
        structured_output=False,
    )
    for handler, title, description in (
        (get_toolset_tools, "List a toolset's tools", "The tools of one toolset, enabled or not."),
        (
            enable_toolset,
            "Enable a toolset",
            "Turn on a toolset's tools for this session (or caller); the tool list changes.",
        ),
    ):
        server.add_tool(
            handler, title=title, description=description, annotations=_DISCOVERY, structured_output=False
        )
    _announce_list_changed(server)


def _announce_list_changed(server: MCPServer) -> None:
    """Declare `tools.listChanged` (and prompts') in the 2025-11-25 handshake: the SDK takes the flags
    from NotificationOptions, which MCPServer never passes. (2026-07-28 derives them from
    `subscriptions/listen` being served.)"""
    lowlevel = server._lowlevel_server
    original = lowlevel.get_capabilities

    def with_list_changed(notification_options: Any = None, *args: Any, **kwargs: Any) -> Any:
        return original(NotificationOptions(tools_changed=True, prompts_changed=True), *args, **kwargs)

    setattr(lowlevel, "get_capabilities", with_list_changed)  # noqa: B010
