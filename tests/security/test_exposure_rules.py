"""Rows 7-8 of issue 11: what a caller may see and use is one decision, and narrowing fails closed.

Before: `--tools get_interview_definition`, then `resources/read jobmojito://templates/en`, ran the
hidden list_avatars; a repeated `X-MCP-Readonly` let the first header win, and values such as
`on` or `y` meant "not read-only". Now prompts and resources follow the tools they need, repeats
narrow to the intersection, and values not understood are refused with 400.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.security.attack import KEY_A, RawSession, headers_of, hosted
from tests.support import (
    DEFAULT_TOOL_NAMES,
    READ_TOOL_NAMES,
    HttpServer,
    http_mcp_client,
    server_env,
    stdio_server,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

READS = set(READ_TOOL_NAMES) & set(DEFAULT_TOOL_NAMES)  # what a default server's --read-only leaves
PROMPTS = {
    "interview_from_job_description",
    "interview_from_my_questions",
    "screen_candidate",
    "invite_candidates",
    "review_results",
    "give_another_try",
    "weekly_hiring_report",
    # screen_candidates: shown where the screening toolset is on (off by default)
}


async def listing(session: RawSession) -> dict[str, set[str]]:
    tools = await session.result("tools/list")
    prompts = await session.result("prompts/list")
    resources = await session.result("resources/list")
    templates = await session.result("resources/templates/list")
    return {
        "tools": {tool["name"] for tool in tools["result"]["tools"]},
        "prompts": {prompt["name"] for prompt in prompts["result"]["prompts"]},
        "resources": {resource["uri"] for resource in resources["result"]["resources"]},
        "templates": {template["uriTemplate"] for template in templates["result"]["resourceTemplates"]},
    }


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_a_resource_needing_a_hidden_tool_is_hidden_and_never_runs_it(
    sandbox: RunningSandbox, transport: str
) -> None:
    async with (
        hosted(sandbox, "--tools", "get_interview_definition", auth="none") as server,
        http_mcp_client(server.url, transport) as client,
    ):
        sandbox.clear_requests()
        templates = await client.list_resource_templates()
        assert [template.uri_template for template in templates.resource_templates] == []
        assert (await client.list_prompts()).prompts == []
        assert [str(resource.uri) for resource in (await client.list_resources()).resources] == [
            "jobmojito://languages"
        ]
        with pytest.raises(Exception, match=r"(?i)unknown resource|not found"):
            await client.read_resource("jobmojito://templates/en")
        assert sandbox.requests() == [], "nothing reached JobMojito"


async def test_read_only_keeps_what_reads_need(sandbox: RunningSandbox) -> None:
    async with (
        hosted(sandbox, "--read-only", auth="none") as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        session = RawSession(http, server.url, headers_of(KEY_A))
        assert (await session.open()).status_code == 200
        seen = await listing(session)
        assert seen["tools"] == READS
        # Every prompt but the review and the weekly report walks an agent through a change.
        assert seen["prompts"] == {"review_results", "weekly_hiring_report"}
        assert seen["templates"] == {"jobmojito://templates/{language}"}, "list_avatars is a read"


@pytest.fixture(scope="module")
async def server(sandbox: RunningSandbox) -> AsyncIterator[HttpServer]:
    """One hosted server (api-key, both transports, every tool) for the header cases."""
    async with hosted(sandbox) as running:
        yield running


async def test_narrowing_headers_hide_and_refuse_prompts_and_resources(
    sandbox: RunningSandbox, server: HttpServer
) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        narrowed = RawSession(
            http, server.url, headers_of(KEY_A, ("X-MCP-Tools", "get_interview_definition"))
        )
        assert (await narrowed.open()).status_code == 200
        seen = await listing(narrowed)
        assert seen == {
            "tools": {"get_interview_definition"},
            "prompts": set(),
            "resources": {"jobmojito://languages"},
            "templates": set(),
        }
        sandbox.clear_requests()
        read = await narrowed.result("resources/read", {"uri": "jobmojito://templates/en"})
        assert "not available to this request" in read["error"]["message"]
        got = await narrowed.result("prompts/get", {"name": "screen_candidate", "arguments": {}})
        assert "not available to this request" in got["error"]["message"]
        assert sandbox.requests() == []
        # Without the header the same server shows everything.
        whole = RawSession(http, server.url, headers_of(KEY_A))
        assert (await whole.open()).status_code == 200
        assert (await listing(whole))["prompts"] == PROMPTS


@pytest.mark.parametrize(
    ("headers", "tools"),
    [
        ([("X-MCP-Readonly", "false"), ("X-MCP-Readonly", "true")], READS),
        ([("X-MCP-Readonly", "true"), ("X-MCP-Readonly", "false")], READS),
        ([("X-MCP-Readonly", "on")], READS),
        ([("X-MCP-Readonly", "YES")], READS),
        (
            [("X-MCP-Toolsets", "results,account"), ("X-MCP-Toolsets", "account")],
            {
                "get_merchant_status",
                "list_languages",
                "get_merchant_analytics",
                "get_merchant_credit_usage",
                "list_sub_merchants",
                "invite_users",
            },
        ),
        (
            [("X-MCP-Toolsets", "results"), ("X-MCP-Readonly", "true")],
            READS & {"list_interview_results", "get_interview_result_details"},
        ),
        ([("X-MCP-Readonly", "off")], None),
        (
            [
                ("X-MCP-Tools", "list_avatars,get_interview_definition"),
                ("X-MCP-Tools", "get_interview_definition"),
            ],
            {"get_interview_definition"},
        ),
        ([("X-MCP-Tools", "list_avatars"), ("X-MCP-Tools", "create_interview")], set()),
        ([("X-MCP-Tools", "create_interview, list_avatars"), ("X-MCP-Readonly", "1")], {"list_avatars"}),
    ],
)
async def test_repeated_headers_narrow_to_the_intersection(
    server: HttpServer, headers: list[tuple[str, str]], tools: set[str] | None
) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        session = RawSession(http, server.url, headers_of(KEY_A, *headers))
        assert (await session.open()).status_code == 200
        listed = await session.result("tools/list")
        names = {tool["name"] for tool in listed["result"]["tools"]}
        assert names == (tools if tools is not None else names), names
        if tools is None:
            assert names == set(DEFAULT_TOOL_NAMES)


@pytest.mark.parametrize(
    ("header", "value", "named"),
    [
        ("X-MCP-Readonly", "y", "X-MCP-Readonly"),
        ("X-MCP-Readonly", "", "X-MCP-Readonly"),
        ("X-MCP-Readonly", "true, false", "X-MCP-Readonly"),
        ("X-MCP-Readonly", "enabled", "X-MCP-Readonly"),
        ("X-MCP-Tools", "list_avatars,delete_everything", "delete_everything"),
        ("X-MCP-Tools", "List_Avatars", "List_Avatars"),
        ("X-MCP-Toolsets", "results,payroll", "payroll"),
    ],
)
@pytest.mark.parametrize("path", ["/mcp", "/sse", "/messages/?session_id=0"])
async def test_values_not_understood_are_refused_before_anything_runs(
    sandbox: RunningSandbox, server: HttpServer, header: str, value: str, named: str, path: str
) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        sandbox.clear_requests()
        method: Any = http.get if path == "/sse" else http.post
        options: dict[str, Any] = (
            {} if path == "/sse" else {"json": {"jsonrpc": "2.0", "id": 1, "method": "ping"}}
        )
        response = await method(f"{server.url}{path}", headers=headers_of(KEY_A, (header, value)), **options)
        assert response.status_code == 400
        message = response.json()["error"]["message"]
        assert named in message
        assert (
            "true or false" in message or "known: list_avatars" in message or "known: interviews" in message
        )
        assert sandbox.requests() == []


async def test_stdio_takes_the_same_decision(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url), ["--tools", "list_avatars"]) as server:
        assert [prompt.name for prompt in (await server.client.list_prompts()).prompts] == []
        templates = await server.client.list_resource_templates()
        assert [template.uri_template for template in templates.resource_templates] == [
            "jobmojito://templates/{language}"
        ]
