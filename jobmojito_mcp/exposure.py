"""What a request may see and use: one decision, derived from the tool table, for tools, prompts and resources.

    server level    --read-only and --tools pick from the table (`tools.select_tools`)
    request level   X-MCP-Readonly and X-MCP-Tools narrow that set further, never widen it
    guides          a prompt or resource is shown exactly where every tool it needs is
                    (`guides.NEEDS`): the templates resource is list_avatars, called for the agent

Narrowing headers fail closed. A repeated header narrows to the intersection of its values, and a
value that is not understood (`X-MCP-Readonly: y`, an unknown tool name) is refused with HTTP 400
before anything runs, rather than read as "no narrowing". It owns that decision and its two
enforcement points (the ASGI check, the MCP middleware); it does not own the tool table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, CallToolResult, TextContent
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp.errors import excerpt
from jobmojito_mcp.guides import NEEDS
from jobmojito_mcp.tools import TOOLS_BY_NAME, ToolSpec

READ_ONLY_HEADER = "x-mcp-readonly"
TOOLS_HEADER = "x-mcp-tools"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_SCOPE_KEY = "jobmojito.narrowing"  # the parsed headers, left in the ASGI scope for the MCP middleware
_UNSET = object()

assert all(needs <= TOOLS_BY_NAME.keys() for needs in NEEDS.values()), "guides need tools of the table"


class NarrowingRefused(ValueError):
    """Narrowing headers this server does not understand; the message says what is accepted."""


@dataclass(frozen=True)
class Narrowing:
    """What a request's headers ask for: read-only, and/or only these tools (None: no list given)."""

    read_only: bool
    tools: frozenset[str] | None


@dataclass(frozen=True)
class Exposure:
    """The tools shown, and through them the prompts and resources shown."""

    tools: tuple[ToolSpec[Any, Any], ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(spec.name for spec in self.tools)

    def narrowed(self, narrowing: Narrowing) -> Exposure:
        return Exposure(
            tuple(
                spec
                for spec in self.tools
                if (not narrowing.read_only or spec.read_only)
                and (narrowing.tools is None or spec.name in narrowing.tools)
            )
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


def parse_narrowing(read_only_values: Sequence[str], tools_values: Sequence[str]) -> Narrowing | None:
    """The narrowing the header values ask for (None when there are none), or NarrowingRefused."""
    if not read_only_values and not tools_values:
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
    tools: frozenset[str] | None = None
    for value in tools_values:
        named = frozenset(name.strip() for name in value.split(",") if name.strip())
        unknown = named - TOOLS_BY_NAME.keys()
        if unknown:
            shown = ", ".join(sorted(excerpt(name, 40) for name in unknown)[:5])
            raise NarrowingRefused(f"X-MCP-Tools: unknown tool(s) {shown}; known: {', '.join(TOOLS_BY_NAME)}")
        tools = named if tools is None else tools & named  # repeated: only what every one names
    return Narrowing(read_only, tools)


def _from_scope(scope: Mapping[str, Any]) -> Narrowing | None:
    read_only: list[str] = []
    tools: list[str] = []
    for name, value in scope.get("headers") or ():
        if name[:6] != b"x-mcp-":
            continue
        if name == b"x-mcp-readonly":
            read_only.append(value.decode("latin-1"))
        elif name == b"x-mcp-tools":
            tools.append(value.decode("latin-1"))
    return parse_narrowing(read_only, tools)


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
    }
)
_WHY = "(X-MCP-Readonly / X-MCP-Tools)"
# Requests for one prompt or resource: what it is, and the parameter naming it.
_GUIDE_REQUESTS = {"prompts/get": ("Prompt", "name"), "resources/read": ("Resource", "uri")}


class RequestNarrowing:
    """Server middleware: hides and refuses the tools, prompts and resources a request's narrowing
    headers exclude. The server-level choice (--read-only, --tools) is made at registration."""

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
        guide = _GUIDE_REQUESTS.get(ctx.method)
        if guide is not None:
            kind, field = guide
            named = str(params.get(field))
            if not visible.shows(named):
                message = f"{kind} {named!r} is not available to this request {_WHY}."
                raise MCPError(code=INVALID_PARAMS, message=message)
            return await call_next(ctx)
        filtered: HandlerResult = _filtered(await call_next(ctx), visible)
        return filtered


# Which list a result holds (wire key, model attribute), and the field of an entry that names it.
_LISTS = (
    ("tools", "tools", "name", "name"),
    ("prompts", "prompts", "name", "name"),
    ("resources", "resources", "uri", "uri"),
    ("resourceTemplates", "resource_templates", "uriTemplate", "uri_template"),
)


def _filtered(listed: Any, visible: Exposure) -> Any:
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
