"""The candidates and account tools beyond the first thirteen (list_candidates,
request_another_interview_attempt, generate_interview_url, list_languages, get_merchant_analytics,
get_merchant_credit_usage, list_sub_merchants, invite_users), each through a real MCP client against
the sandbox over loopback: what reached JobMojito (checked against the contract), what is refused
before sending, what each documented error status tells the agent, the questions asked before a
decision is erased or anyone is invited, and what the sandbox did with each call."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from mcp_types import CallToolResult

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.sandbox.spec import CONTRACT, to_json_schema
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import (
    COOKBOOK,
    TOKEN,
    AcceptConfirmation,
    http_mcp_client,
    http_server,
    server_env,
    stdio_server,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

TOOLS = (
    "list_candidates",
    "request_another_interview_attempt",
    "generate_interview_url",
    "list_languages",
    "get_merchant_analytics",
    "get_merchant_credit_usage",
    "list_sub_merchants",
    "invite_users",
)
ENDPOINT = {tool: CONTRACT[tool]["path"].strip("/") for tool in TOOLS}
CREATE_ARGS = copy.deepcopy(COOKBOOK["create_interview"]) | {
    "interview_template_id": DEFAULT_TEMPLATE_ID,
    "status": "active",
}
TODAY = datetime.now(UTC).date()


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.reset()
    yield
    sandbox.clear_faults()


def settings(sandbox: RunningSandbox) -> Settings:
    return Settings(_env_file=None, base_url=sandbox.base_url, token=TOKEN, retry_backoff=0.01, timeout=5)


@asynccontextmanager
async def connected(sandbox: RunningSandbox, elicitation: Any = None) -> AsyncIterator[Client]:
    """The server in this event loop, a real client connected to it (answering questions, if given)."""
    credential = StaticToken(TOKEN)
    async with (
        Upstream(settings(sandbox)) as upstream,
        Client(build_server(upstream, lambda _ctx: credential), elicitation_callback=elicitation) as mcp,
    ):
        yield mcp


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[Client]:
    async with connected(sandbox, AcceptConfirmation()) as mcp:
        yield mcp


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return result


def contract_valid(tool: str, params: dict[str, Any]) -> None:
    """The request as the contract describes it (independently of the server's models)."""
    spec = CONTRACT[tool]
    if "body" in spec:
        schema = spec["body"]
    else:
        query = spec.get("query", [])
        schema = {
            "type": "object",
            "properties": {
                p["name"]: p["schema"] | {"type": "string"} for p in query if "enum" not in p["schema"]
            }
            | {p["name"]: p["schema"] for p in query if "enum" in p["schema"]},
            "required": [p["name"] for p in query if p.get("required")],
            "additionalProperties": False,
        }
    Draft202012Validator(to_json_schema(schema), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        params
    )


async def a_world(client: Client, sandbox: RunningSandbox) -> dict[str, Any]:
    """An active interview; Ada and Alan registered; Ada took it (score 80) and was selected."""
    created = await ok(client, "create_interview", CREATE_ARGS)
    interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
    users = [
        {"name": "Ada Lovelace", "email": "ada@example.com"},
        {"name": "Alan Turing", "email": "alan@example.com"},
    ]
    registered = await ok(
        client,
        "register_users_for_interview",
        {"interview_id": interview_id, "users": users, "send_email": False},
    )
    rows = registered.structured_content["users"]  # type: ignore[index]
    taken = sandbox.take_interview(rows[0]["interview_url"], score=80)
    sandbox.decide(taken["interview_result_id"], decision_status="selected")
    sandbox.clear_requests()
    return {
        "interview_id": interview_id,
        "result_id": taken["interview_result_id"],
        "ada": rows[0]["profile_interview_id"],
        "alan": rows[1]["profile_interview_id"],
    }


def the_calls(world: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each tool once: (tool, arguments, what JobMojito must receive as query or body)."""
    day = TODAY.isoformat()
    return [
        (
            "list_candidates",
            {"filter_text": "ada", "tab": "interview", "order_by": "name_accending", "limit": 5},
            {"filter_text": "ada", "tab": "interview", "order_by": "name_accending", "limit": "5"},
        ),
        (
            "generate_interview_url",
            {
                "type": "interview-for-profile",
                "interview_profile_id": world["alan"],
                "interview_id": world["interview_id"],
            },
            {
                "type": "interview-for-profile",
                "interview_profile_id": world["alan"],
                "interview_id": world["interview_id"],
            },
        ),
        ("list_languages", {}, {}),
        (
            "get_merchant_analytics",
            {"date_from": day, "date_to": day, "interview_id": world["interview_id"]},
            {"date_from": day, "date_to": day, "interview_id": world["interview_id"]},
        ),
        ("get_merchant_credit_usage", {"limit": 10}, {"limit": "10"}),
        ("list_sub_merchants", {"filter_text": "north"}, {"filter_text": "north"}),
        (
            "invite_users",
            {
                "users": [
                    {"email": "grace@example.com", "name": "Grace Hopper", "type": "merchant"},
                    {
                        "email": "linus@example.com",
                        "type": "candidate",
                        "interview_id": world["interview_id"],
                    },
                ],
                "message_from_recruiter": "Welcome aboard.",
            },
            {
                "users": [
                    {"email": "grace@example.com", "name": "Grace Hopper", "type": "merchant"},
                    {
                        "email": "linus@example.com",
                        "type": "candidate",
                        "interview_id": world["interview_id"],
                    },
                ],
                "message_from_recruiter": "Welcome aboard.",
            },
        ),
        (
            "request_another_interview_attempt",
            {"interview_result_id": world["result_id"]},
            {"interview_result_id": world["result_id"]},
        ),
    ]


async def each_tool_reaches_its_endpoint(client: Client, sandbox: RunningSandbox) -> None:
    world = await a_world(client, sandbox)
    for tool, arguments, sent in the_calls(world):
        sandbox.clear_requests()
        result = await ok(client, tool, arguments)
        assert isinstance(result.structured_content, dict), tool
        (request,) = sandbox.requests()
        assert request.endpoint == ENDPOINT[tool] and request.method == CONTRACT[tool]["method"], tool
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        params = request.json() if request.method == "POST" else request.query
        assert params == sent, tool
        contract_valid(tool, params)
    assert {tool for tool, _, _ in the_calls(world)} == set(TOOLS)


# ---------------------------------------------------------------------------------------------
# Every tool, through a real client: in process, on stdio and hosted


async def test_each_tool_sends_the_documented_request(client: Client, sandbox: RunningSandbox) -> None:
    await each_tool_reaches_its_endpoint(client, sandbox)


async def test_each_tool_on_stdio(sandbox: RunningSandbox) -> None:
    confirm = AcceptConfirmation()
    async with stdio_server(server_env(sandbox.base_url), elicitation=confirm) as server:
        await each_tool_reaches_its_endpoint(server.client, sandbox)
    assert len(confirm.asked) == 2  # the invitation and the retake


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_each_tool_hosted(sandbox: RunningSandbox, transport: str) -> None:
    confirm = AcceptConfirmation()
    async with (
        http_server(server_env(sandbox.base_url), ["--transport", "http"]) as server,
        http_mcp_client(server.url, transport, elicitation=confirm) as client,
    ):
        await each_tool_reaches_its_endpoint(client, sandbox)
    assert len(confirm.asked) == 2
