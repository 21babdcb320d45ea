"""What a request may see and use: one decision, derived from the tool table, for tools, prompts and resources.

    server level    --read-only, --tools and --toolsets pick from the table (`select_tools`)
    request level   X-MCP-Readonly, X-MCP-Tools and X-MCP-Toolsets narrow that set further, never
                    widen it (both levels through `narrowed`)
    guides          a prompt or resource is shown exactly where every tool it needs is
                    (`guides.NEEDS`): the templates resource is list_avatars, called for the agent

Narrowing headers fail closed. A repeated header narrows to the intersection of its values, and a
value that is not understood (`X-MCP-Readonly: y`, an unknown tool or toolset name) is refused with HTTP 400
before anything runs, rather than read as "no narrowing". It owns that decision and its two
enforcement points (the ASGI check, the MCP middleware); it does not own the tool table.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, CallToolResult, TextContent
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp.guides import NEEDS
from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.listing import ToolCard
from jobmojito_mcp.toolsets import DEFAULT_TOOLSETS, TOOLSETS, cards, cards_by_name

READ_ONLY_HEADER = "x-mcp-readonly"
TOOLS_HEADER = "x-mcp-tools"
TOOLSETS_HEADER = "x-mcp-toolsets"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
ALL_TOOLSETS = "all"  # --toolsets all: every toolset, the ones off by default too
_SCOPE_KEY = "jobmojito.narrowing"  # the parsed headers, left in the ASGI scope for the MCP middleware
_UNSET = object()

assert all(needs <= cards_by_name().keys() for needs in NEEDS.values()), "guides need tools of the table"


def narrowed(
    tools: Iterable[ToolCard],
    *,
    read_only: bool = False,
    names: Iterable[str] | None = None,
    toolsets: Iterable[str] | None = None,
) -> tuple[ToolCard, ...]:
    """The tools every narrowing rule lets through: read-only, named, in the named toolsets. Each rule
    only removes, so combining them (flags, then a request's headers) never widens the set."""
    wanted = None if names is None else set(names)
    sets = None if toolsets is None else set(toolsets)
    return tuple(
        tool
        for tool in tools
        if (not read_only or tool.read_only)
        and (wanted is None or tool.name in wanted)
        and (sets is None or tool.toolset in sets)
    )


def select_tools(
    read_only: bool = False, names: Iterable[str] | None = None, toolsets: Iterable[str] | None = None
) -> tuple[ToolCard, ...]:
    """The tools to expose: the default toolsets' (when neither tools nor toolsets are named), all
    (`toolsets` ["all"]), the read-only ones, a named subset and/or named toolsets (never more than
    asked); unknown names are an error, so a typo cannot silently expose nothing."""
    known = cards_by_name()
    if names is not None and (unknown := set(names) - known.keys()):
        raise ValueError(
            f"unknown tool(s) {', '.join(sorted(unknown))}{_did_you_mean(unknown, known)}; "
            f"known: {', '.join(known)}"
        )
    if toolsets is not None and ALL_TOOLSETS in toolsets:
        if set(toolsets) != {ALL_TOOLSETS}:
            raise ValueError(
                f"{ALL_TOOLSETS!r} means every toolset: name it alone, or name toolsets without it"
            )
        toolsets = TOOLSETS
    elif toolsets is not None and (unknown := set(toolsets) - set(TOOLSETS)):
        raise ValueError(
            f"unknown toolset(s) {', '.join(sorted(unknown))}{_did_you_mean(unknown, TOOLSETS)}; "
            f"known: {', '.join((*TOOLSETS, ALL_TOOLSETS))}"
        )
    elif toolsets is None and names is None:
        toolsets = DEFAULT_TOOLSETS
    return narrowed(cards(), read_only=read_only, names=names, toolsets=toolsets)


def _did_you_mean(unknown: Iterable[str], known: Iterable[str]) -> str:
    """ " (did you mean list_avatars?)" for the names that look like a known one."""
    candidates = list(known)
    close = [
        match[0] for name in sorted(unknown) if (match := difflib.get_close_matches(name, candidates, n=1))
    ]
    return f" (did you mean {', '.join(close)}?)" if close else ""


class NarrowingRefused(ValueError):
    """Narrowing headers this server does not understand; the message says what is accepted."""


@dataclass(frozen=True)
class Narrowing:
    """What a request's headers ask for: read-only, and/or only these tools, and/or only these
    toolsets (None: no list given)."""

    read_only: bool
    tools: frozenset[str] | None
    toolsets: frozenset[str] | None = None


@dataclass(frozen=True)
class Exposure:
    """The tools shown, and through them the prompts and resources shown."""

    tools: tuple[ToolCard, ...]
    # Tools outside the table, shown whatever the narrowing: the discovery tools of --dynamic-toolsets.
    always: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(tool.name for tool in self.tools) | self.always

    def narrowed(self, narrowing: Narrowing) -> Exposure:
        return Exposure(
            narrowed(
                self.tools, read_only=narrowing.read_only, names=narrowing.tools, toolsets=narrowing.toolsets
            ),
            self.always,
        )

    def shows(self, guide: str) -> bool:
        """Whether a prompt (by name) or resource (by URI or URI template) is shown: all it needs is."""
        needs = NEEDS.get(guide)
        if needs is None:
            needs = next((needs for pattern, needs in _URI_PATTERNS if pattern.fullmatch(guide)), None)
        return needs is not None and needs <= self.names


# Concrete URIs (jobmojito://templates/en) find their guide through its template.
_URI_PATTERNS = [
    (re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(uri))), needs)
    for uri, needs in NEEDS.items()
    if "://" in uri
]


def parse_narrowing(
    read_only_values: Sequence[str], tools_values: Sequence[str], toolsets_values: Sequence[str] = ()
) -> Narrowing | None:
    """The narrowing the header values ask for (None when there are none), or NarrowingRefused."""
    if not read_only_values and not tools_values and not toolsets_values:
        return None
    read_only = False
    for value in read_only_values:
        word = value.strip().lower()
        if word in _TRUE:
            read_only = True  # one "true" among duplicates wins: the narrower reading
        elif word not in _FALSE:
            raise NarrowingRefused(
                f"X-MCP-Readonly: {excerpt(repr(value), 40)} is not understood; send true or false"
            )
    tools = _names(tools_values, "X-MCP-Tools", "tool", tuple(cards_by_name()))
    toolsets = _names(toolsets_values, "X-MCP-Toolsets", "toolset", TOOLSETS)
    return Narrowing(read_only, tools, toolsets)


def _names(values: Sequence[str], header: str, kind: str, known: Sequence[str]) -> frozenset[str] | None:
    """The names a list header's values give (repeated: only what every one names); unknown: refused."""
    names: frozenset[str] | None = None
    for value in values:
        named = frozenset(name.strip() for name in value.split(",") if name.strip())
        unknown = named - set(known)
        if unknown:
            shown = ", ".join(sorted(excerpt(name, 40) for name in unknown)[:5])
            raise NarrowingRefused(f"{header}: unknown {kind}(s) {shown}; known: {', '.join(known)}")
        names = named if names is None else names & named
    return names


def _from_scope(scope: Mapping[str, Any]) -> Narrowing | None:
    read_only: list[str] = []
    tools: list[str] = []
    toolsets: list[str] = []
    for name, value in scope.get("headers") or ():
        if name[:6] != b"x-mcp-":
            continue
        if name == b"x-mcp-readonly":
            read_only.append(value.decode("latin-1"))
        elif name == b"x-mcp-tools":
            tools.append(value.decode("latin-1"))
        elif name == b"x-mcp-toolsets":
            toolsets.append(value.decode("latin-1"))
    return parse_narrowing(read_only, tools, toolsets)


def narrowing_of(request: Any) -> Narrowing | None:
    """The narrowing of the HTTP request that carried an MCP message (None: none, or not over HTTP)."""
    scope = getattr(request, "scope", None)
    if not isinstance(scope, dict):
        return None
    found = scope.get(_SCOPE_KEY, _UNSET)
    if found is _UNSET:
        found = _from_scope(scope)  # NarrowingRefused when the ASGI check was not in front
        scope[_SCOPE_KEY] = found
    assert found is None or isinstance(found, Narrowing)
    return found


class NarrowingCheck:
    """ASGI: refuses (400) a request whose narrowing headers are not understood, before anything runs;
    leaves the parsed narrowing in the scope for `RequestNarrowing`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                scope[_SCOPE_KEY] = _from_scope(scope)
            except NarrowingRefused as refusal:
                await _bad_request(str(refusal))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse(
        {"jsonrpc": "2.0", "id": None, "error": {"code": INVALID_REQUEST, "message": message}}, 400
    )


_NARROWED = frozenset(
    {
        "tools/list",
        "tools/call",
        "prompts/list",
        "prompts/get",
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "completion/complete",
    }
)
_WHY = "(X-MCP-Readonly / X-MCP-Tools / X-MCP-Toolsets)"
# Requests for one prompt or resource: what it is, and the parameter naming it.
_GUIDE_REQUESTS = {"prompts/get": ("Prompt", "name"), "resources/read": ("Resource", "uri")}


class RequestNarrowing:
    """Server middleware: hides and refuses the tools, prompts and resources a request's narrowing
    headers exclude. The server-level choice (--read-only, --tools, --toolsets) is made at registration."""

    def __init__(self, exposure: Exposure) -> None:
        self._exposure = exposure

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method not in _NARROWED:
            return await call_next(ctx)
        try:
            narrowing = narrowing_of(ctx.request)
        except NarrowingRefused as refusal:
            raise MCPError(code=INVALID_REQUEST, message=str(refusal)) from None
        if narrowing is None:
            return await call_next(ctx)
        visible = self._exposure.narrowed(narrowing)
        params = ctx.params or {}
        if ctx.method == "tools/call":
            name = params.get("name")
            if name not in visible.names:
                text = f"Tool {name!r} is not available to this request {_WHY}."
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
            return await call_next(ctx)
        if ctx.method == "completion/complete":
            ref = params.get("ref")
            ref = ref if isinstance(ref, dict) else {}
            named = str(ref.get("name") or ref.get("uri"))
            if not visible.shows(named):
                message = f"Completions for {named!r} are not available to this request {_WHY}."
                raise MCPError(code=INVALID_PARAMS, message=message)
            return await call_next(ctx)
        guide = _GUIDE_REQUESTS.get(ctx.method)
        if guide is not None:
            kind, field = guide
            named = str(params.get(field))
            if not visible.shows(named):
                message = f"{kind} {named!r} is not available to this request {_WHY}."
                raise MCPError(code=INVALID_PARAMS, message=message)
            return await call_next(ctx)
        result: HandlerResult = filtered(await call_next(ctx), visible)
        return result


# Which list a result holds (wire key, model attribute), and the field of an entry that names it.
_LISTS = (
    ("tools", "tools", "name", "name"),
    ("prompts", "prompts", "name", "name"),
    ("resources", "resources", "uri", "uri"),
    ("resourceTemplates", "resource_templates", "uriTemplate", "uri_template"),
)


def filtered(listed: Any, visible: Exposure) -> Any:
    """A list result without what `visible` hides; the result may be a model or its wire form."""
    for key, attribute, field, entry_attribute in _LISTS:
        if isinstance(listed, dict):
            entries = listed.get(key)
            if isinstance(entries, list):
                return listed | {key: [e for e in entries if _shown(visible, key, e.get(field))]}
        elif isinstance(getattr(listed, attribute, None), list):
            entries = getattr(listed, attribute)
            kept = [e for e in entries if _shown(visible, key, getattr(e, entry_attribute, None))]
            return listed.model_copy(update={attribute: kept})
    return listed


def _shown(visible: Exposure, key: str, name: Any) -> bool:
    return name in visible.names if key == "tools" else visible.shows(str(name))
