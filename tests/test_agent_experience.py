"""Agent and operator experience: tool narrowing, progress, cancellation, confirmation, prompts,
resources and the commands for humans, each through a real MCP client (or the real CLI)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, TextResourceContents

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import (
    COOKBOOK,
    DEFAULT_TOOL_NAMES,
    READ_TOOL_NAMES,
    TOKEN,
    TOOL_NAMES,
    answering,
    http_mcp_client,
    http_server,
    run_cli,
    server_env,
    stdio_server,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

READS = set(READ_TOOL_NAMES) & set(DEFAULT_TOOL_NAMES)  # what a default server's --read-only leaves
ALL = set(TOOL_NAMES)
CREATE_ARGS = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.clear_requests()
    yield
    sandbox.clear_faults()


async def tool_names(client: Client) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}


# ---------------------------------------------------------------------------------------------
# Read-only mode and tool allow-lists, on every transport


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--read-only"], READS),
        (["--tools", "list_avatars,create_interview"], {"list_avatars", "create_interview"}),
    ],
)
async def test_stdio_flags_narrow_the_tools(
    sandbox: RunningSandbox, args: list[str], expected: set[str]
) -> None:
    async with stdio_server(server_env(sandbox.base_url), args) as server:
        assert await tool_names(server.client) == expected
        refused = await server.call(
            "set_interview_state", {"position_id": DEFAULT_TEMPLATE_ID, "status": "deleted"}
        )
        assert refused.is_error and "set_interview_state" in text_of(refused)
    assert sandbox.requests("job-interview-set-state") == []


def test_unknown_tool_names_refuse_to_start(sandbox: RunningSandbox) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobmojito_mcp", "--tools", "list_avatars,delete_everything"],
        capture_output=True,
        text=True,
        timeout=30,
        env=server_env(sandbox.base_url),
        check=False,
    )
    assert done.returncode != 0
    assert "delete_everything" in done.stderr and "list_avatars" in done.stderr


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_http_flags_and_headers_narrow_but_never_widen(sandbox: RunningSandbox, transport: str) -> None:
    env = server_env(sandbox.base_url)
    allowed = "list_avatars,get_interview_definition,create_interview"
    async with http_server(env, ["--transport", "http", "--tools", allowed]) as server:
        async with http_mcp_client(server.url, transport, {}) as client:
            assert await tool_names(client) == set(allowed.split(","))
        async with http_mcp_client(server.url, transport, {"X-MCP-Readonly": "true"}) as client:
            assert await tool_names(client) == {"list_avatars", "get_interview_definition"}
            refused = await client.call_tool("create_interview", CREATE_ARGS)
            assert refused.is_error and "not available" in text_of(refused)
        # Asking for a tool the server does not expose does not add it.
        widen = {"X-MCP-Tools": "list_avatars,set_interview_state"}
        async with http_mcp_client(server.url, transport, widen) as client:
            assert await tool_names(client) == {"list_avatars"}
            refused = await client.call_tool(
                "set_interview_state", {"position_id": DEFAULT_TEMPLATE_ID, "status": "deleted"}
            )
            assert refused.is_error
    assert sandbox.requests("job-interview-create") == []
    assert sandbox.requests("job-interview-set-state") == []


async def test_read_only_server_ignores_a_header_asking_for_more(sandbox: RunningSandbox) -> None:
    async with (
        http_server(
            server_env(sandbox.base_url), ["--transport", "streamable-http", "--read-only"]
        ) as server,
        http_mcp_client(server.url, "streamable-http", {"X-MCP-Tools": ",".join(sorted(ALL))}) as client,
    ):
        assert await tool_names(client) == READS


RESULTS = {"list_interview_results", "get_interview_result_details", "generate_interview_report"}
ACCOUNT = {
    "get_merchant_status",
    "list_languages",
    "get_merchant_analytics",
    "get_merchant_credit_usage",
    "list_sub_merchants",
    "invite_users",
}
CANDIDATES = {
    "register_users_for_interview",
    "list_candidates",
    "request_another_interview_attempt",
    "generate_interview_url",
}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--toolsets", "results,account"], RESULTS | ACCOUNT),
        (["--toolsets", "candidates"], CANDIDATES),
        (
            ["--toolsets", "interviews", "--read-only"],
            {"list_avatars", "get_interview_definition", "list_interviews"},
        ),
        (
            ["--toolsets", "candidates,results", "--tools", "register_users_for_interview,list_avatars"],
            {"register_users_for_interview"},
        ),
    ],
)
async def test_stdio_toolsets_narrow_and_compose(
    sandbox: RunningSandbox, args: list[str], expected: set[str]
) -> None:
    async with stdio_server(server_env(sandbox.base_url), args) as server:
        assert await tool_names(server.client) == expected
        outside = sorted(ALL - expected)[0]
        refused = await server.call(outside, {})
        assert refused.is_error and outside in text_of(refused)
    assert sandbox.requests() == []


def test_unknown_toolsets_refuse_to_start(sandbox: RunningSandbox) -> None:
    done = run_cli("--toolsets", "results,payroll", "tools", env=server_env(sandbox.base_url))
    assert done.returncode != 0
    assert (
        "--toolsets" in done.stderr and "payroll" in done.stderr and "interviews, candidates" in done.stderr
    )


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_toolsets_header_narrows_and_composes_but_never_widens(
    sandbox: RunningSandbox, transport: str
) -> None:
    env = server_env(sandbox.base_url)
    async with http_server(env, ["--transport", "http", "--toolsets", "interviews,results"]) as server:
        async with http_mcp_client(server.url, transport, {"X-MCP-Toolsets": "results,account"}) as client:
            assert await tool_names(client) == RESULTS  # account is not the server's to give
            refused = await client.call_tool("get_merchant_status", {})
            assert refused.is_error and "X-MCP-Toolsets" in text_of(refused)
            refused = await client.call_tool("list_interviews", {})
            assert refused.is_error
        both = {"X-MCP-Toolsets": "results", "X-MCP-Readonly": "true"}
        async with http_mcp_client(server.url, transport, both) as client:
            assert await tool_names(client) == {"list_interview_results", "get_interview_result_details"}
        named = {
            "X-MCP-Toolsets": "interviews",
            "X-MCP-Tools": "list_interviews,get_interview_result_details",
        }
        async with http_mcp_client(server.url, transport, named) as client:
            assert await tool_names(client) == {"list_interviews"}
    assert sandbox.requests("merchant-status") == [] and sandbox.requests("merchant-interview-list") == []


# ---------------------------------------------------------------------------------------------
# Progress, cancellation, confirmation


async def test_progress_while_a_create_waits(sandbox: RunningSandbox) -> None:
    sandbox.inject("job-interview-create", "hang", delay=2.5)
    updates: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, message))

    async with stdio_server(server_env(sandbox.base_url, TIMEOUT="10")) as server:
        result = await server.client.call_tool("create_interview", CREATE_ARGS, progress_callback=on_progress)
    assert not result.is_error, text_of(result)
    assert len(updates) >= 2, updates
    assert [p for p, _ in updates] == sorted(p for p, _ in updates) and updates[-1][0] > updates[0][0]
    assert all(message and "Waiting for JobMojito" in message for _, message in updates)


async def test_cancelled_create_is_abandoned_and_the_server_keeps_serving(sandbox: RunningSandbox) -> None:
    sandbox.inject("job-interview-create", "hang", delay=30)
    async with stdio_server(server_env(sandbox.base_url, TIMEOUT="60")) as server:
        with anyio.move_on_after(1.5):
            await server.client.call_tool("create_interview", CREATE_ARGS)
        assert len(sandbox.requests("job-interview-create")) == 1
        healthy = await server.call("list_avatars", {"limit": 1})
        assert not healthy.is_error
        with anyio.fail_after(5):
            while "may still have created the interview" not in server.stderr():  # noqa: ASYNC110  # a file another process writes
                await anyio.sleep(0.05)
    assert len(sandbox.requests("job-interview-create")) == 1, "a cancelled create is never resent"


async def created_id(client: Client) -> str:
    created = await client.call_tool("create_interview", CREATE_ARGS)
    assert isinstance(created.structured_content, dict), text_of(created)
    return str(created.structured_content["interview_def_set_id"])


@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize(
    ("action", "confirm", "deletes"),
    [("accept", True, True), ("accept", False, False), ("decline", None, False), ("cancel", None, False)],
)
async def test_deleting_asks_the_user_first(
    sandbox: RunningSandbox, mode: str, action: str, confirm: bool | None, deletes: bool
) -> None:
    callback = answering(action, confirm)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "jobmojito_mcp"], env=server_env(sandbox.base_url)
    )
    async with Client(stdio_client(params), elicitation_callback=callback, mode=mode) as client:  # type: ignore[arg-type]
        interview = await created_id(client)
        sandbox.clear_requests()
        result = await client.call_tool(
            "set_interview_state", {"position_id": interview, "status": "deleted"}
        )
        assert callback.asked and "cannot be undone" in callback.asked[0]
        if deletes:
            assert not result.is_error, text_of(result)
            assert len(sandbox.requests("job-interview-set-state")) == 1
        else:
            assert result.is_error and "declined" in text_of(result) and "nothing changed" in text_of(result)
            assert sandbox.requests() == []
        # Reversible changes are not worth a question.
        archived = await client.call_tool(
            "set_interview_state", {"position_id": interview, "status": "archived"}
        )
        assert len(callback.asked) == 1
        assert archived.is_error == deletes  # a deleted interview is gone


async def test_clients_without_elicitation_are_refused_unless_the_server_says_so(
    sandbox: RunningSandbox,
) -> None:
    """Fail closed (issue 21): nobody can be asked, so the delete is refused, nothing sent; a server
    started with --confirm-without-asking lets it through (tests/security/test_fail_closed.py: e-mail)."""
    async with stdio_server(server_env(sandbox.base_url)) as server:
        interview = await created_id(server.client)
        tools = {tool.name: tool for tool in (await server.client.list_tools()).tools}
        hints = tools["set_interview_state"].annotations
        assert hints is not None and hints.destructive_hint is True
        sandbox.clear_requests()
        result = await server.call("set_interview_state", {"position_id": interview, "status": "deleted"})
        assert result.is_error and "--confirm-without-asking" in text_of(result)
        assert sandbox.requests() == []
    async with stdio_server(server_env(sandbox.base_url), ["--confirm-without-asking"]) as server:
        result = await server.call("set_interview_state", {"position_id": interview, "status": "deleted"})
        assert not result.is_error, text_of(result)


# ---------------------------------------------------------------------------------------------
# Prompts and resources


async def test_prompts_for_the_five_workflows(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        prompts = {p.name: p for p in (await server.client.list_prompts()).prompts}
        assert set(prompts) == {
            "interview_from_job_description",
            "interview_from_my_questions",
            "screen_candidate",
            "invite_candidates",
            "review_results",
            "give_another_try",
            "weekly_hiring_report",
            # screen_candidates: shown where the screening toolset is on (off by default)
        }
        for prompt in prompts.values():
            assert prompt.description
        rendered = await server.client.get_prompt(
            "interview_from_job_description",
            {"job_description": "Senior Go engineer, payments.", "language": "de"},
        )
        text = rendered.messages[0].content.text  # type: ignore[union-attr]
        assert "Senior Go engineer, payments." in text
        assert "list_avatars" in text and "create_interview" in text and "mojito_language_code=de" in text
        screen = await server.client.get_prompt(
            "screen_candidate",
            {
                "candidate_name": "Ada",
                "candidate_email": "ada@example.com",
                "candidate_country_code": "GB",
                "resume": "Python, 10 years.",
                "position": "Backend Engineer, Berlin",
            },
        )
        assert "create_interview_for_candidate" in screen.messages[0].content.text  # type: ignore[union-attr]
        invite = await server.client.get_prompt(
            "invite_candidates",
            {"interview": "Backend Engineer", "candidates": "Ada <ada@example.com>\nAlan <alan@example.com>"},
        )
        text = invite.messages[0].content.text  # type: ignore[union-attr]
        assert "ada@example.com" in text and "list_interviews" in text and "get_merchant_status" in text
        assert "register_users_for_interview once" in text and "send_email=false" in text
        emailing = await server.client.get_prompt(
            "invite_candidates", {"interview": "x", "candidates": "y", "email_them": "yes"}
        )
        assert "send_email=true" in emailing.messages[0].content.text  # type: ignore[union-attr]
        review = await server.client.get_prompt(
            "review_results", {"interview": "Backend Engineer", "shortlist": "2"}
        )
        text = review.messages[0].content.text  # type: ignore[union-attr]
        assert "order_by=score" in text and "best 2" in text and "get_interview_result_details" in text
        assert "generate_interview_report" in text and "do not do it until I say so" in text
    assert sandbox.requests() == [], "prompts call nothing"


async def test_resources_languages_and_templates(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        listed = await server.client.list_resources()
        assert "jobmojito://languages" in {str(r.uri) for r in listed.resources}
        templates = await server.client.list_resource_templates()
        assert "jobmojito://templates/{language}" in {t.uri_template for t in templates.resource_templates}

        languages = await server.client.read_resource("jobmojito://languages")
        content = languages.contents[0]
        assert isinstance(content, TextResourceContents)
        codes = {entry["code"]: entry["name"] for entry in json.loads(content.text)}
        assert len(codes) == 34 and codes["br"] == "Portuguese (Brazil)"

        english = await server.client.read_resource("jobmojito://templates/en")
        content = english.contents[0]
        assert isinstance(content, TextResourceContents)
        data = json.loads(content.text)
        assert data["data"] and all(t["mojito_language_code"] == "en" for t in data["data"])
        assert {"voice_only", "can_create_interviews"} <= set(data["data"][0])
    request = sandbox.requests("merchant-avatar-list")[-1]
    assert request.query == {"limit": "100", "mojito_language_code": "en"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


# ---------------------------------------------------------------------------------------------
# Commands for humans


def test_check_passes_on_a_good_setup(sandbox: RunningSandbox) -> None:
    done = run_cli("check", env=server_env(sandbox.base_url))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "using JOBMOJITO_TOKEN" in done.stdout and "JobMojito accepts this sign-in" in done.stdout
    assert "all good" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_check_explains_each_failure(sandbox: RunningSandbox) -> None:
    unreachable = run_cli("check", env=server_env("http://127.0.0.1:9/functions/v1"))
    assert unreachable.returncode == 1
    assert "cannot reach" in unreachable.stdout and "fix:" in unreachable.stdout
    sandbox.inject("merchant-avatar-list", "status", status=401, times=5)
    rejected = run_cli("check", env=server_env(sandbox.base_url))
    assert rejected.returncode == 1
    assert "JobMojito refused the call" in rejected.stdout and "rejected JOBMOJITO_TOKEN" in rejected.stdout
    assert "jobmojito-mcp login" in rejected.stdout
    no_token = run_cli("check", env=server_env(sandbox.base_url, token=None))
    assert no_token.returncode == 1 and "[FAIL] not signed in to" in no_token.stdout
    # The fix keeps the API it was checked against: a bare `login` would sign in to production.
    assert f"fix: run `jobmojito-mcp login --base-url {sandbox.base_url}`" in no_token.stdout


def test_call_runs_one_tool(sandbox: RunningSandbox) -> None:
    done = run_cli(
        "call", "list_avatars", "limit=2", "include_archived=true", env=server_env(sandbox.base_url)
    )
    assert done.returncode == 0, done.stderr
    assert "Use a template's id" in done.stdout
    assert sandbox.requests()[-1].query == {"limit": "2", "include_archived": "true"}
    as_json = run_cli(
        "call",
        "create_interview",
        "--json",
        "--args",
        json.dumps(CREATE_ARGS),
        env=server_env(sandbox.base_url),
    )
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["structuredContent"]["interview_def_set_id"]
    refused = run_cli(
        "call", "get_interview_definition", "position_id=nope", env=server_env(sandbox.base_url)
    )
    assert refused.returncode == 1 and "`position_id`" in refused.stdout


def test_tools_lists_what_is_exposed() -> None:
    done = run_cli("tools", "--read-only", env=server_env("http://127.0.0.1:9"))
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        n for n in READ_TOOL_NAMES if n in READS
    ]


async def test_results_of_tools_are_unchanged_by_the_hooks(sandbox: RunningSandbox) -> None:
    """The hooks change nothing for a client that asks for neither progress nor confirmation."""
    async with stdio_server(server_env(sandbox.base_url)) as server:
        result = await server.call("create_interview", CREATE_ARGS)
        assert isinstance(result, CallToolResult) and not result.is_error
        assert sandbox.requests("job-interview-create")[-1].json() == CREATE_ARGS
