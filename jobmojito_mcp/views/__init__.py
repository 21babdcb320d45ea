"""MCP Apps (`io.modelcontextprotocol/ui`): the pages a host shows beside a tool's result.

Three `ui://` documents, each one HTML file with its CSS and JS inlined (no CDN, no remote script,
font or image): the *results board* (list_interview_results; a candidate opens in it, and two to
four candidates side by side: the *compare* view), the *candidate* (get_interview_result_details)
and the *interview preview* (get_interview_definition and the creation tools). The views speak the
MCP Apps postMessage protocol themselves (`core.js`, about 2 KB) rather than ship the
`@modelcontextprotocol/ext-apps` App class, which weighs 540 KB with its dependencies.

Only a client that negotiated the extension sees any of it (`AppsSurface`): the tools' `_meta.ui`,
the `ui://` resources in resources/list, the extension in the server's capabilities, and, on each
tool result, the action tools this caller may call (`_meta["jobmojito/actions"]`, so a view hides
a button that read-only mode or a toolset narrowing would refuse). Every other client gets the
bytes it got before. Actions go back through the same tools, so validation, confirmation and
exposure hold for a click as for an agent's call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID, Apps, ResourceCsp, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel

from jobmojito_mcp.exposure import Exposure, narrowing_of

_HERE = Path(__file__).parent

# What a tool result tells its view: the tools of the view's actions that this caller may call.
ACTIONS_META = "jobmojito/actions"


@dataclass(frozen=True)
class View:
    """One `ui://` document: the files it is built from, the tools whose results open it, and the
    tools its buttons call (each shown only when the caller may call it)."""

    uri: str
    title: str
    scripts: tuple[str, ...]
    opened_by: tuple[str, ...]
    actions: tuple[str, ...]


VIEWS: tuple[View, ...] = (
    View(
        "ui://jobmojito/results-board.html",
        "Results board",
        ("candidate.js", "board.js"),
        opened_by=("list_interview_results",),
        actions=(
            "list_interview_results",
            "get_interview_result_details",
            "generate_interview_report",
            "request_another_interview_attempt",
        ),
    ),
    View(
        "ui://jobmojito/candidate.html",
        "Candidate result",
        ("candidate.js",),
        opened_by=("get_interview_result_details",),
        actions=(
            "get_interview_result_details",
            "generate_interview_report",
            "request_another_interview_attempt",
        ),
    ),
    View(
        "ui://jobmojito/interview-preview.html",
        "Interview preview",
        ("preview.js",),
        opened_by=(
            "get_interview_definition",
            "create_interview",
            "create_interview_from_questions",
            "update_interview",
        ),
        actions=("get_interview_definition", "list_avatars", "set_interview_state"),
    ),
)
VIEW_OF_TOOL: dict[str, View] = {tool: view for view in VIEWS for tool in view.opened_by}


def _read(name: str) -> str:
    return (_HERE / name).read_text("utf-8")


@cache
def document(view: View) -> str:
    """The view's whole HTML document: the shared style and protocol, then the view's own scripts."""
    scripts = "\n".join(_read(name) for name in ("core.js", *view.scripts))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{view.title}</title><style>{_read('core.css')}</style></head>"
        '<body><main id="app" aria-busy="true"><p>Loading…</p></main>'
        f"<script>{scripts}\nJM.start((...given) => JM.main(...given));</script></body></html>"
    )


def media_origin(base_url: str) -> str | None:
    """Where signed recordings come from: JobMojito's storage shares its API's origin (a Supabase
    project), so that origin is all a view's CSP lets media load from. None: not a web origin."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.hostname.endswith(".invalid"):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def build_apps(base_url: str) -> Apps:
    """The SDK's Apps extension holding the three documents, each declaring its CSP: media from the
    recording host only; no connections, frames or other resources (hosts block what is undeclared)."""
    apps = Apps()
    origin = media_origin(base_url)
    for view in VIEWS:
        apps.add_html_resource(
            view.uri,
            document(view),
            name=view.uri.removeprefix("ui://jobmojito/").removesuffix(".html"),
            title=view.title,
            csp=ResourceCsp(resource_domains=[origin] if origin else [], connect_domains=[]),
            prefers_border=True,
        )
    return apps


def register_views(server: MCPServer, exposure: Exposure, base_url: str) -> None:
    """Serve the views' resources and add the Apps surface for the clients that negotiated it.

    The SDK's `MCPServer(extensions=[Apps])` would stamp `_meta.ui` on every listing and advertise
    the extension to every client; here both depend on the client, so a client without Apps reads
    exactly what it read before.
    """
    for binding in build_apps(base_url).resources():
        server.add_resource(binding.resource)
    server.middleware.append(AppsSurface(exposure))


class AppsSurface:
    """Server middleware: what a client that negotiated MCP Apps sees in addition; nothing for others."""

    def __init__(self, exposure: Exposure) -> None:
        self._exposure = exposure

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method in ("initialize", "server/discover"):
            found = await call_next(ctx)
            return _advertised(found) if _declares_apps(ctx) else found
        if ctx.method not in ("tools/list", "resources/list", "tools/call"):
            return await call_next(ctx)
        apps = client_supports_apps(ctx)
        result = await call_next(ctx)
        if ctx.method == "resources/list":
            return result if apps else _without_views(result)
        if not apps:
            return result
        if ctx.method == "tools/list":
            return _with_ui(result)
        view = VIEW_OF_TOOL.get(str((ctx.params or {}).get("name")))
        if view is None:
            return result
        return _with_meta(result, {ACTIONS_META: self._allowed(ctx, view.actions)})

    def _allowed(self, ctx: ServerRequestContext[Any, Any], actions: Iterable[str]) -> list[str]:
        narrowing = narrowing_of(ctx.request)
        visible = self._exposure if narrowing is None else self._exposure.narrowed(narrowing)
        return [name for name in actions if name in visible.names]


def _declares_apps(ctx: ServerRequestContext[Any, Any]) -> bool:
    """The client declares the extension (on initialize, before the session records its capabilities)."""
    if ctx.method == "server/discover":
        return client_supports_apps(ctx)
    params = ctx.params if isinstance(ctx.params, dict) else {}
    extensions = (params.get("capabilities") or {}).get("extensions") or {}
    settings = extensions.get(EXTENSION_ID) if isinstance(extensions, dict) else None
    return isinstance(settings, dict) and APP_MIME_TYPE in (settings.get("mimeTypes") or ())


def _advertised(result: Any) -> dict[str, Any]:
    wire = _wire(result)
    capabilities = dict(wire.get("capabilities") or {})
    capabilities["extensions"] = {**(capabilities.get("extensions") or {}), EXTENSION_ID: {}}
    return wire | {"capabilities": capabilities}


def _with_ui(result: Any) -> dict[str, Any]:
    wire = _wire(result)
    tools = []
    for tool in wire.get("tools") or []:
        view = VIEW_OF_TOOL.get(tool.get("name"))
        if view is not None:
            tool = tool | {"_meta": {**(tool.get("_meta") or {}), "ui": {"resourceUri": view.uri}}}
        tools.append(tool)
    return wire | {"tools": tools}


def _without_views(result: Any) -> HandlerResult:
    """The listing as it was before views existed (a model stays a model: the same bytes on the wire)."""
    if isinstance(result, BaseModel):
        kept = [r for r in getattr(result, "resources", []) if not str(r.uri).startswith("ui://")]
        return result.model_copy(update={"resources": kept})
    resources = [r for r in result.get("resources") or [] if not str(r.get("uri", "")).startswith("ui://")]
    return dict(result) | {"resources": resources}


def _with_meta(result: Any, meta: dict[str, Any]) -> dict[str, Any]:
    wire = _wire(result)
    return wire | {"_meta": {**(wire.get("_meta") or {}), **meta}}


def _wire(result: Any) -> dict[str, Any]:
    """A handler's result as its wire dict (middleware may see the model or the dict)."""
    if isinstance(result, BaseModel):
        dumped: dict[str, Any] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return dumped
    return dict(result)
