"""The candidates and account tools beyond the first thirteen (list_candidates,
request_another_interview_attempt, generate_interview_url, list_languages, get_merchant_analytics,
get_merchant_credit_usage, list_sub_merchants, invite_users), each through a real MCP client against
the sandbox over loopback: what reached JobMojito (checked against the contract), what is refused
before sending, what each documented error status tells the agent, the questions asked before a
decision is erased or anyone is invited, and what the sandbox did with each call."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from mcp_types import CallToolResult, PromptReference

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.sandbox.spec import CONTRACT, to_json_schema
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets.candidates import link_expiry
from tests.support import (
    COOKBOOK,
    TOKEN,
    AcceptConfirmation,
    answering,
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
    return Settings(base_url=sandbox.base_url, token=TOKEN, retry_backoff=0.01, timeout=5)


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


# ---------------------------------------------------------------------------------------------
# Refused before anything is sent, naming the field

UUID = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("list_candidates", {"tab": "decided"}, "tab"),
    ("list_candidates", {"order_by": "name_ascending"}, "order_by"),
    ("list_candidates", {"limit": 0}, "limit"),
    ("request_another_interview_attempt", {}, "interview_result_id"),
    ("request_another_interview_attempt", {"interview_result_id": "42"}, "interview_result_id"),
    (
        "generate_interview_url",
        {"type": "interview-for-profile", "interview_id": UUID},
        "interview_profile_id",
    ),
    (
        "generate_interview_url",
        {"type": "results-for-profile", "interview_profile_id": UUID, "interview_id": UUID},
        "interview_id",
    ),
    ("generate_interview_url", {"type": "magic-link", "interview_id": UUID}, "type"),
    ("list_languages", {"code": "en"}, "code"),
    ("get_merchant_analytics", {"date_from": "2026-01-01"}, "date_to"),
    ("get_merchant_analytics", {"date_from": "2026-02-30", "date_to": "2026-03-01"}, "date_from"),
    ("get_merchant_analytics", {"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
    ("get_merchant_analytics", {"date_from": "1/3/2026", "date_to": "2026-03-01"}, "date_from"),
    ("get_merchant_credit_usage", {"interview_id": "pos-1"}, "interview_id"),
    ("list_sub_merchants", {"order_by": "newest"}, "order_by"),
    ("invite_users", {"users": []}, "users"),
    ("invite_users", {"users": [{"email": "a@example.com"}]}, "users[0].type"),
    ("invite_users", {"users": [{"email": "a@example.com", "type": "admin"}]}, "users[0].type"),
    ("invite_users", {"users": [{"email": "not-an-email", "type": "user"}]}, "users[0].email"),
    ("invite_users", {"users": [{"email": "a@example.com", "type": "candidate"}]}, "users[0].interview_id"),
    (
        "invite_users",
        {"users": [{"email": "a@example.com", "type": "mentor", "interview_id": UUID}]},
        "users[0].interview_id",
    ),
    (
        "invite_users",
        {"users": [{"email": "a@example.com", "type": "user"}, {"email": "A@example.com", "type": "mentor"}]},
        "users[1].email",
    ),
    (
        "invite_users",
        {"users": [{"email": "a@example.com", "type": "user"}], "mojito_language_code": "xx"},
        "mojito_language_code",
    ),
]


@pytest.mark.parametrize(("tool", "arguments", "field"), REFUSALS, ids=[f"{t}-{f}" for t, _, f in REFUSALS])
async def test_invalid_arguments_are_refused_before_sending(
    client: Client, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], field: str
) -> None:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert field in text_of(result), text_of(result)
    assert sandbox.requests() == []


# ---------------------------------------------------------------------------------------------
# Asked first: erasing a decision, inviting people


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_another_attempt_is_never_sent_when_declined(sandbox: RunningSandbox, action: str) -> None:
    async with connected(sandbox, AcceptConfirmation()) as setup:
        world = await a_world(setup, sandbox)
    callback = answering(action)
    async with connected(sandbox, callback) as client:
        result = await client.call_tool(
            "request_another_interview_attempt", {"interview_result_id": world["result_id"]}
        )
    assert result.is_error and "declined" in text_of(result)
    (question,) = callback.asked
    assert world["result_id"] in question and "decision is erased" in question
    assert sandbox.requests() == []
    row = sandbox.state.results.find(lambda r: r.interview_result_id == world["result_id"])
    assert row is not None and row.decision_status == "selected" and row.completed


@pytest.mark.parametrize(("action", "confirm"), [("decline", None), ("cancel", None), ("accept", False)])
async def test_invitations_are_never_sent_when_declined(
    sandbox: RunningSandbox, action: str, confirm: bool | None
) -> None:
    callback = answering(action, confirm)
    async with connected(sandbox, callback) as client:
        result = await client.call_tool(
            "invite_users",
            {
                "users": [
                    {"email": "grace@example.com", "type": "merchant_owner"},
                    {"email": "ken@example.com", "type": "user"},
                ]
            },
        )
    assert result.is_error and "declined" in text_of(result)
    (question,) = callback.asked
    assert "grace@example.com (merchant_owner)" in question and "1 of them get access to manage" in question
    assert sandbox.requests() == [] and sandbox.outbox() == []


@pytest.mark.parametrize("tool", ["invite_users", "request_another_interview_attempt"])
async def test_clients_without_elicitation_are_refused(sandbox: RunningSandbox, tool: str) -> None:
    async with connected(sandbox, AcceptConfirmation()) as setup:
        world = await a_world(setup, sandbox)
    arguments = {
        "invite_users": {"users": [{"email": "grace@example.com", "type": "merchant"}]},
        "request_another_interview_attempt": {"interview_result_id": world["result_id"]},
    }[tool]
    async with connected(sandbox) as client:  # declares no elicitation: nobody can be asked
        result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    assert "nothing was sent" in text_of(result) and "--confirm-without-asking" in text_of(result)
    assert sandbox.requests() == [] and sandbox.outbox() == []


# ---------------------------------------------------------------------------------------------
# What the sandbox did, and what the agent reads


async def test_another_attempt_erases_the_decision_and_allows_a_retake(
    client: Client, sandbox: RunningSandbox
) -> None:
    world = await a_world(client, sandbox)
    links_before = {link.token for link in sandbox.state.links.all()}
    result = await ok(
        client, "request_another_interview_attempt", {"interview_result_id": world["result_id"]}
    )
    assert result.structured_content == {"interview_result_id": world["result_id"], "reopened": True}
    assert "decision was erased" in text_of(result) and "generate_interview_url" in text_of(result)
    listed = await ok(
        client, "list_interview_results", {"interview_id": world["interview_id"], "view": "full"}
    )
    (row,) = [
        r for r in listed.structured_content["data"] if r.get("interview_result_id") == world["result_id"]
    ]  # type: ignore[index]
    assert row["coach_status"] == "draft" and "decision_status" not in row
    (fresh,) = [link for link in sandbox.state.links.all() if link.token not in links_before]
    assert fresh.profile_interview_id == world["ada"] and fresh.used_at is None
    retake = sandbox.take_interview(fresh.url, score=60)
    assert retake["interview_result_id"] != world["result_id"]
    again = await client.call_tool(
        "request_another_interview_attempt", {"interview_result_id": world["result_id"]}
    )
    assert again.is_error and "HTTP 422" in text_of(again) and "list_interview_results" in text_of(again)


async def test_a_generated_link_says_who_it_opens_and_works_once(
    client: Client, sandbox: RunningSandbox
) -> None:
    world = await a_world(client, sandbox)
    result = await ok(
        client,
        "generate_interview_url",
        {
            "type": "interview-for-profile",
            "interview_profile_id": world["alan"],
            "interview_id": world["interview_id"],
        },
    )
    content = result.structured_content
    assert content is not None and content["opens"] == "the interview, to take as this candidate"
    assert "expires_at" not in content  # the sandbox, like the API reference, gives no expiry
    assert "interview_token=" in content["url"] and "view_hm=true" in content["url"]
    text = text_of(result)
    assert "treat it as a password" in text and "no expiry" in text and "nobody was e-mailed" in text
    assert sandbox.take_interview(content["url"], score=70)["interview_result_id"]
    shown = await ok(
        client,
        "generate_interview_url",
        {
            "type": "interview-result-talent-seeker",
            "interview_result_id": world["result_id"],
            "hide_menu": False,
        },
    )
    (request,) = sandbox.requests("job-interview-token")[-1:]
    assert request.json()["hide_menu"] == "false"  # the API shows the menu only for the string
    assert "view_hm" not in shown.structured_content["url"]  # type: ignore[index]
    unknown = await client.call_tool(
        "generate_interview_url", {"type": "interview-results-for-position", "interview_id": UUID}
    )
    assert unknown.is_error and "HTTP 422" in text_of(unknown)


def test_link_expiry_is_read_from_the_token_when_it_has_one() -> None:
    import base64

    def token(claims: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"eyJhbGciOiJIUzI1NiJ9.{body}.sig"

    assert (
        link_expiry(f"https://x.test/t/1/?interview_token={token({'exp': 1893456000})}")
        == "2030-01-01T00:00:00Z"
    )
    assert link_expiry(f"https://x.test/t/1/?interview_token={token({'iat': 1})}") is None
    assert link_expiry("https://x.test/t/1/?interview_token=garbage") is None
    assert link_expiry("https://x.test/t/1/") is None


async def test_invitations_e_mail_grant_and_count_against_headroom(
    client: Client, sandbox: RunningSandbox
) -> None:
    world = await a_world(client, sandbox)
    before = (await ok(client, "get_merchant_status", {})).structured_content
    users = [
        {"email": "grace@example.com", "name": "Grace", "type": "merchant"},
        {"email": "linus@example.com", "type": "candidate", "interview_id": world["interview_id"]},
        {"email": "ken@example.com", "type": "mentor"},
    ]
    result = await ok(client, "invite_users", {"users": users, "message_from_recruiter": "Hello!"})
    assert result.structured_content["invited"] == 3 and result.structured_content["failed"] == 0  # type: ignore[index]
    assert "cannot revoke" in text_of(result)
    assert sorted(mail.to for mail in sandbox.outbox()) == [
        "grace@example.com",
        "ken@example.com",
        "linus@example.com",
    ]
    assert all(mail.message == "Hello!" for mail in sandbox.outbox())
    after = (await ok(client, "get_merchant_status", {})).structured_content
    assert after["invitations_sent"] == before["invitations_sent"] + 1  # type: ignore[index]  # the candidate only
    assert after["invitations_available"] == before["invitations_available"] - 1  # type: ignore[index]
    listed = await ok(client, "list_candidates", {"filter_text": "linus"})
    assert [row["email"] for row in listed.structured_content["data"]] == ["linus@example.com"]  # type: ignore[index]
    again = await ok(client, "invite_users", {"users": users[:1]})
    assert again.structured_content["users"][0]["result"] == "Skipped"  # type: ignore[index]
    assert again.structured_content["skipped"] == 1 and "force_invite=true" in text_of(again)  # type: ignore[index]
    forced = await ok(client, "invite_users", {"users": users[:1], "force_invite": True})
    assert forced.structured_content["users"][0]["result"] == "Invited"  # type: ignore[index]
    assert len(sandbox.outbox()) == 4


async def test_analytics_and_credit_usage_follow_what_happened(
    client: Client, sandbox: RunningSandbox
) -> None:
    world = await a_world(client, sandbox)  # two invitations, one visit, one interview
    day = TODAY.isoformat()
    result = await ok(client, "get_merchant_analytics", {"date_from": day, "date_to": day})
    content = result.structured_content
    assert content is not None
    assert content["totals"] == {"interview": 1, "interview_invitation": 2, "interview_page_visit": 1}
    assert "a day or event not listed had 0" in text_of(result)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    empty = await ok(client, "get_merchant_analytics", {"date_from": yesterday, "date_to": yesterday})
    assert empty.structured_content["data"] == [] and "every count is 0" in text_of(empty)  # type: ignore[index]
    usage = await ok(client, "get_merchant_credit_usage", {"interview_id": world["interview_id"]})
    (charge,) = usage.structured_content["data"]  # type: ignore[index]
    assert charge["event"] == "interview" and charge["object_uuid"] == world["result_id"]
    assert (
        charge["candidate_name"] == "Ada Lovelace"
        and charge["credit_amount"] == usage.structured_content["page_credits"]
    )  # type: ignore[index]
    status = (await ok(client, "get_merchant_status", {})).structured_content
    assert status["credits_interview_monthly"] == 100 - charge["credit_amount"]  # type: ignore[index]
    unknown = await client.call_tool("get_merchant_credit_usage", {"interview_id": UUID})
    assert unknown.is_error and "HTTP 422" in text_of(unknown)


async def test_lists_summaries_and_views(client: Client, sandbox: RunningSandbox) -> None:
    await a_world(client, sandbox)
    candidates = await ok(client, "list_candidates", {"order_by": "name_decending"})
    rows = candidates.structured_content["data"]  # type: ignore[index]
    assert [row["name"] for row in rows] == ["Alan Turing", "Ada Lovelace"]
    assert set(rows[0]) <= {"id", "name", "email", "status", "interview_count"}
    assert "list_interview_results(filter_text=<email>)" in text_of(candidates)
    taken = await ok(client, "list_candidates", {"tab": "interview", "view": "full"})
    (ada,) = taken.structured_content["data"]  # type: ignore[index]
    assert ada["interview_count"] == 1 and ada["status"] == "active" and "profile_id" in ada
    paged = await ok(client, "list_candidates", {"limit": 1})
    assert paged.structured_content["next_offset"] == 1 and "offset=1" in text_of(paged)  # type: ignore[index]
    languages = await ok(client, "list_languages", {})
    codes = [row["code"] for row in languages.structured_content["languages"]]  # type: ignore[index]
    assert len(codes) == 34 and "en" in codes and "mojito_language_code" in text_of(languages)
    full = await ok(client, "list_languages", {"view": "full"})
    assert "accents" in full.structured_content["languages"][0]  # type: ignore[index]
    subs = await ok(client, "list_sub_merchants", {"order_by": "name"})
    assert [row["name"] for row in subs.structured_content["data"]] == [
        "Contoso Retail",
        "Northwind Logistics",
    ]  # type: ignore[index]
    assert "merchant_id" in text_of(subs)


STATUSES = [
    ("list_candidates", {}, 403, "leave merchant_id out"),
    ("list_candidates", {}, 500, ""),
    ("request_another_interview_attempt", {"interview_result_id": UUID}, 422, "not completed"),
    ("request_another_interview_attempt", {"interview_result_id": UUID}, 401, ""),
    ("generate_interview_url", {"type": "interview-results-for-position", "interview_id": UUID}, 403, "role"),
    ("list_languages", {}, 500, ""),
    ("get_merchant_analytics", {"date_from": "2026-01-01", "date_to": "2026-01-31"}, 422, "YYYY-MM-DD"),
    ("get_merchant_credit_usage", {}, 403, "ledger"),
    ("list_sub_merchants", {}, 403, "sub-merchants"),
    ("invite_users", {"users": [{"email": "a@example.com", "type": "user"}]}, 422, "sign in again"),
    ("invite_users", {"users": [{"email": "a@example.com", "type": "user"}]}, 403, "merchant_id"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "status", "hint"), STATUSES, ids=[f"{t}-{s}" for t, _, s, _ in STATUSES]
)
async def test_every_documented_error_status_is_an_actionable_message(
    client: Client, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], status: int, hint: str
) -> None:
    sandbox.inject(ENDPOINT[tool], "status", status=status, body={"error": "Nope.", "name": "x"}, times=None)
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error and "Nope." in text and hint in text, text
    if CONTRACT[tool]["method"] == "POST":  # writes are never resent
        assert len(sandbox.requests(ENDPOINT[tool])) == 1


# ---------------------------------------------------------------------------------------------
# The two prompts: what they walk an agent through, and what completes their arguments


async def test_give_another_try_walks_through_the_retake(client: Client, sandbox: RunningSandbox) -> None:
    world = await a_world(client, sandbox)
    rendered = await client.get_prompt("give_another_try", {"result": world["result_id"]})
    text = rendered.messages[0].content.text  # type: ignore[union-attr]
    assert world["result_id"] in text and "request_another_interview_attempt once" in text
    assert "erases the decision" in text and "generate_interview_url" in text and "nobody is" in text
    emailing = await client.get_prompt("give_another_try", {"result": "Ada", "email_them": "yes"})
    assert "send_email=true" in emailing.messages[0].content.text  # type: ignore[union-attr]
    completed = await client.complete(
        PromptReference(name="give_another_try"), {"name": "result", "value": ""}
    )
    assert world["result_id"] in completed.completion.values
    yes_no = await client.complete(
        PromptReference(name="give_another_try"), {"name": "email_them", "value": ""}
    )
    assert yes_no.completion.values == ["yes", "no"]


async def test_weekly_hiring_report_reads_analytics_credits_and_results(
    client: Client, sandbox: RunningSandbox
) -> None:
    world = await a_world(client, sandbox)
    rendered = await client.get_prompt(
        "weekly_hiring_report", {"week_ending": "2026-12-06", "interview": "Backend"}
    )
    text = rendered.messages[0].content.text  # type: ignore[union-attr]
    for step in (
        "get_merchant_analytics",
        "get_merchant_credit_usage",
        "list_interview_results",
        "get_merchant_status",
    ):
        assert step in text
    assert "ending 2026-12-06" in text and "one row per day" in text and "change nothing" in text
    interviews = await client.complete(
        PromptReference(name="weekly_hiring_report"), {"name": "interview", "value": ""}
    )
    assert world["interview_id"] in interviews.completion.values
    assert sandbox.requests("merchant-analytics") == []  # a prompt calls nothing
