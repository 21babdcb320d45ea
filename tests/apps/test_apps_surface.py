"""What the MCP Apps views add to the surface, and to whom: only a client that negotiated the
extension sees `_meta.ui`, the `ui://` resources, the extension in the capabilities and the allowed
actions on a result; the views' documents are self-contained and small. The listing bytes for both
kinds of client, on both protocol paths, are printed here and quoted in docs/apps.md."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client import advertise

from jobmojito_mcp.config import Settings
from jobmojito_mcp.exposure import select_tools
from jobmojito_mcp.sandbox import RunningSandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.views import ACTIONS_META, VIEW_OF_TOOL, VIEWS, document, media_origin
from tests.support import http_server, server_env
from tests.test_listings import TOOLS_LIST_BUDGET, compact

pytestmark = pytest.mark.anyio

APPS = advertise("io.modelcontextprotocol/ui", {"mimeTypes": ["text/html;profile=mcp-app"]})
DOC = Path(__file__).parent.parent.parent / "docs" / "apps.md"
VIEW_BUDGET = 20_000  # bytes per whole document (HTML, CSS and JS): small enough to read in review


@asynccontextmanager
async def client(apps: bool, mode: str = "auto", **options: Any) -> AsyncIterator[Client]:
    upstream = Upstream(Settings(base_url="https://project.supabase.co/functions/v1"))
    credential = StaticToken("never-sent-0a9b")
    server = build_server(upstream, lambda _ctx: credential, **options)
    async with upstream, Client(server, mode=mode, extensions=[APPS] if apps else None) as connected:
        yield connected


def listed(tools: Any) -> list[dict[str, Any]]:
    return [tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in tools.tools]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_only_an_apps_client_sees_the_views(mode: str) -> None:
    async with client(False, mode) as plain, client(True, mode) as apps:
        without, with_ui = listed(await plain.list_tools()), listed(await apps.list_tools())
        plain_resources = (await plain.list_resources()).resources
        apps_resources = (await apps.list_resources()).resources
    assert all("_meta" not in tool or "ui" not in tool["_meta"] for tool in without)
    bound = {tool["name"]: tool["_meta"]["ui"]["resourceUri"] for tool in with_ui if "_meta" in tool}
    assert bound == {name: view.uri for name, view in VIEW_OF_TOOL.items()}
    # Apart from _meta.ui, the two listings are the same tools, byte for byte.
    stripped = [{k: v for k, v in tool.items() if k != "_meta"} for tool in with_ui]
    assert stripped == [{k: v for k, v in tool.items() if k != "_meta"} for tool in without]
    assert [str(r.uri) for r in plain_resources] == ["jobmojito://languages"]
    views = {str(r.uri): r for r in apps_resources if str(r.uri).startswith("ui://")}
    assert list(views) == [view.uri for view in VIEWS]
    assert all(r.mime_type == "text/html;profile=mcp-app" for r in views.values())
    plain_bytes, apps_bytes = compact({"tools": without}), compact({"tools": with_ui})
    print(
        f"\ntools/list ({mode}): without Apps {plain_bytes:,} B; with Apps {apps_bytes:,} B (+{apps_bytes - plain_bytes})"
    )
    assert apps_bytes - plain_bytes == sum(
        len(f',"_meta":{{"ui":{{"resourceUri":"{VIEW_OF_TOOL[t["name"]].uri}"}}}}')
        for t in with_ui
        if "_meta" in t
    )
    assert apps_bytes <= TOOLS_LIST_BUDGET


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_extension_is_advertised_to_an_apps_client_only(mode: str) -> None:
    async with client(False, mode) as plain, client(True, mode) as apps:
        plain_caps = plain.server_capabilities
        apps_caps = apps.server_capabilities
    assert plain_caps is not None and not (plain_caps.extensions or {})
    assert apps_caps is not None and apps_caps.extensions == {"io.modelcontextprotocol/ui": {}}


async def test_results_name_the_actions_this_caller_may_take() -> None:
    """Read-only mode hides the report and publish buttons (the tools are not there to call)."""
    async with (
        client(True, "legacy") as full,
        client(True, "legacy", tools=select_tools(read_only=True)) as read_only,
        client(False, "legacy", tools=select_tools(read_only=True)) as plain,
    ):
        for connected, expected in (
            (full, ["get_interview_definition", "list_avatars", "set_interview_state"]),
            (read_only, ["get_interview_definition", "list_avatars"]),
        ):
            # No upstream here: the call fails, and still names the view's allowed actions.
            result = await connected.call_tool("get_interview_definition", {"position_id": "not-an-id"})
            assert result.is_error and (result.meta or {}).get(ACTIONS_META) == expected
        answered = await plain.call_tool("get_interview_definition", {"position_id": "not-an-id"})
        assert ACTIONS_META not in (answered.meta or {})
        unbound = await full.call_tool("list_avatars", {"limit": 0})
        assert ACTIONS_META not in (unbound.meta or {})


async def test_each_view_is_self_contained_small_and_declares_its_csp() -> None:
    async with client(True, "legacy") as apps:
        for view in VIEWS:
            read = await apps.read_resource(view.uri)
            (contents,) = read.contents
            html = contents.text  # type: ignore[union-attr]
            assert html == document(view)
            size = len(html.encode())
            print(f"\n{view.uri}: {size:,} B")
            assert size <= VIEW_BUDGET
            row = next(
                line for line in DOC.read_text("utf-8").splitlines() if line.startswith(f"| `{view.uri}`")
            )
            assert row.endswith(f"| {size:,} |"), f"docs/apps.md quotes another size for {view.uri}: {size:,}"
            # Nothing remote: no URL at all in the document, no element that loads one.
            assert not re.search(
                r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|<link|<iframe|src=", html, re.I
            )
            # Text is set as text: no HTML parsing of data anywhere in the scripts.
            assert not re.search(
                r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", html
            )
            csp = contents.meta["ui"]["csp"]  # type: ignore[index]
            assert csp == {"resourceDomains": ["https://project.supabase.co"], "connectDomains": []}


def test_the_media_origin_is_the_api_origin_and_nothing_else() -> None:
    assert (
        media_origin("https://momsbvnltsydezmoesqt.supabase.co/functions/v1")
        == "https://momsbvnltsydezmoesqt.supabase.co"
    )
    assert media_origin("http://127.0.0.1:8123/functions/v1") == "http://127.0.0.1:8123"
    assert media_origin("http://sandbox.invalid/functions/v1") is None
    assert json.dumps(media_origin("file:///etc")) == "null"


async def test_a_hosted_request_narrowed_to_read_only_gets_no_write_actions(sandbox: RunningSandbox) -> None:
    """Over Streamable HTTP, the narrowing headers of the request decide the actions a view shows."""
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    async with http_server(server_env(sandbox.base_url), ["--transport", "streamable-http"]) as server:
        for headers, expected in (
            ({}, ["get_interview_definition", "list_avatars", "set_interview_state"]),
            ({"X-MCP-Readonly": "true"}, ["get_interview_definition", "list_avatars"]),
        ):
            http = httpx2.AsyncClient(headers=headers, timeout=30)
            transport = streamable_http_client(f"{server.url}/mcp", http_client=http)
            async with http, Client(transport, extensions=[APPS]) as apps:
                tools = {tool.name: tool for tool in (await apps.list_tools()).tools}
                assert (tools["get_interview_definition"].meta or {})["ui"] == {
                    "resourceUri": "ui://jobmojito/interview-preview.html"
                }
                result = await apps.call_tool("get_interview_definition", {"position_id": "not-an-id"})
                assert result.is_error and (result.meta or {}).get(ACTIONS_META) == expected
    assert sandbox.requests() == []
