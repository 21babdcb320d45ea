"""Secret hygiene: at DEBUG, through successes, refusals and every kind of failure, no token anywhere.

The server's own token (stdio) and every caller's token (hosted, --auth jobmojito-jwt) must appear
in no log line (text or JSON format), no error and no result.
"""

from __future__ import annotations

import base64
import copy
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import (
    DEFAULT_TEMPLATE_ID,
    DEMO_POSITION_ID,
    KNOWLEDGE_BASE_ID,
    RunningSandbox,
    run_sandbox,
)
from tests.reliability.harness import ENDPOINT_OF, no_secret
from tests.support import COOKBOOK, TOKEN, HttpServer, http_server, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

UUID = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
# In every résumé and document sent: the content of a file must reach no log (without --log-payloads).
CANARY = "CANARY-RESUME-7d41c9e0b2"
FILES = tempfile.mkdtemp(prefix="jobmojito-hygiene-")
RESUME = f"{FILES}/ada-cv.txt"
with open(RESUME, "w", encoding="utf-8") as _resume:
    _resume.write(f"Ada Lovelace. Python engineer, Django, 6 years. {CANARY}\n")
PERSONA = {
    "name": "Hygiene persona", "interview_template_id": DEFAULT_TEMPLATE_ID, "mojito_language_code": "en",
    "status": "active", "visibility": "merchant_public", "portal": "coaching", "is_embedded": True,
    "persona_role_avatar": "play a customer", "persona_role_user": "help the customer", "tags": ["hygiene"],
}  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


def cookbook(tool: str) -> dict[str, Any]:
    body = copy.deepcopy(COOKBOOK[tool])
    if body.get("interview_template_id") == "TEMPLATE_UUID":
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


# Faults met on the way: (endpoint, kind, options). Each hits one call.
FAULTS: list[tuple[str, str, dict[str, Any]]] = [
    ("merchant-avatar-list", "status", {"status": 403}),
    ("job-interview-create", "status", {"status": 422, "body": {"error": "Bad.", "name": "name"}}),
    ("merchant-avatar-list", "status", {"status": 429, "headers": {"Retry-After": "0"}}),
    ("job-interview-get", "status", {"status": 503}),
    ("merchant-avatar-list", "close", {}),
    ("job-interview-create", "reset", {}),
    ("merchant-avatar-list", "hang", {"delay": 30}),
    ("job-interview-get", "non_json", {}),
    ("job-interview-create-from-array", "truncated_json", {}),
    ("merchant-avatar-list", "huge", {"size": 5 * 1024 * 1024}),
    ("job-interview-set-state", "slow_drip", {"delay": 2.5, "size": 2}),
    ("job-interview-register-users", "status", {"status": 500, "body": {"error": "Boom."}}),
    ("job-interview-update", "reset", {}),
    ("merchant-result-list", "status", {"status": 403}),
    ("job-interview-pdf", "non_json", {}),
    ("merchant-status", "status", {"status": 503}),
    ("merchant-candidate-list", "status", {"status": 403}),
    ("job-interview-token", "reset", {}),
    ("invite-users", "status", {"status": 422, "body": {"error": "Not authenticated."}}),
    ("merchant-analytics-credits-used", "non_json", {}),
    ("job-interview-pre-screening-api-resume-binary", "reset", {}),
    ("knowledge-base-document-upload", "status", {"status": 500, "body": {"error": "Store not found."}}),
    # Last: a hosted caller whose token JobMojito refused gets HTTP 401 at the transport afterwards.
    ("merchant-avatar-list", "status", {"status": 401}),
]


async def representative_flows(
    call: Any, sandbox: RunningSandbox, interview_id: str | None = None
) -> list[CallToolResult]:
    """Every tool, a refusal, and every kind of upstream failure; the results, for inspection."""
    results = [await call("list_avatars", {"limit": 2})]
    created = await call("create_interview", cookbook("create_interview"))
    results.append(created)
    assert not created.is_error, text_of(created)
    assert isinstance(created.structured_content, dict)
    interview_id = interview_id or str(created.structured_content["interview_def_set_id"])
    calls: list[tuple[str, dict[str, Any]]] = [
        ("create_interview_from_questions", cookbook("create_interview_from_questions")),
        ("create_interview_for_candidate", cookbook("create_interview_for_candidate")),
        ("get_interview_definition", {"position_id": interview_id}),
        ("set_interview_state", {"position_id": interview_id, "is_embedded": True}),
        ("get_interview_definition", {"position_id": UUID}),  # 404
        ("set_interview_state", {"position_id": "not-a-uuid", "status": "live"}),  # refused
    ]
    for tool, arguments in calls:
        results.append(await call(tool, arguments))
    # After creation: find, update, invite, review, report, account (one candidate takes it).
    users = [{"name": "Ada", "email": "ada@example.com"}, {"name": "Alan", "email": "alan@example.com"}]
    invite = {"interview_id": interview_id, "users": users, "send_email": False}
    invited = await call("register_users_for_interview", invite)
    assert isinstance(invited.structured_content, dict), text_of(invited)
    taken = sandbox.take_interview(invited.structured_content["users"][0]["interview_url"])
    result_id = taken["interview_result_id"]
    directory = {"id": f"hygiene-{uuid.uuid4().hex[:12]}", "name": "Hygiene", "status": "active",
                 "visibility": "merchant_public"}  # fmt: skip
    lifecycle: list[tuple[str, dict[str, Any]]] = [
        ("list_interviews", {"filter_text": "Engineer"}),
        ("update_interview", {"position_id": interview_id, "interview_salary": "60k"}),
        ("register_users_for_interview", invite),
        ("list_interview_results", {"interview_id": interview_id, "order_by": "score"}),
        ("get_interview_result_details", {"interview_result_id": result_id, "get_signed_recordings": True}),
        ("generate_interview_report", {"export_type": "pdf", "interview_result_id": result_id}),
        ("get_merchant_status", {}),
        ("get_interview_result_details", {"interview_result_id": UUID}),  # 404
        (
            "register_users_for_interview",
            {"interview_id": interview_id, "users": [], "send_email": True},
        ),  # refused
        # The coaching toolset (the servers here list every toolset).
        ("create_persona", PERSONA),
        ("create_catalogue_directory", directory),
        ("update_catalogue_directory", {"id": directory["id"], "content_md": "[sessions]"}),
        ("get_catalogue_directory", {"id": directory["id"]}),
        ("list_catalogue_directories", {"include_public": "false"}),
    ]
    platform: list[tuple[str, dict[str, Any]]] = [
        ("list_candidates", {"filter_text": "ada"}),
        (
            "generate_interview_url",
            {"type": "interview-result-talent-seeker", "interview_result_id": result_id},
        ),
        ("list_languages", {}),
        ("get_merchant_analytics", {"date_from": "2026-01-01", "date_to": "2026-12-31"}),
        ("get_merchant_credit_usage", {}),
        ("list_sub_merchants", {}),
        ("invite_users", {"users": [{"email": "grace@example.com", "type": "merchant"}]}),
        ("request_another_interview_attempt", {"interview_result_id": result_id}),
    ]
    for tool, arguments in lifecycle + platform:
        results.append(await call(tool, arguments))
    results.append(invited)
    inline = base64.b64encode(f"Alan Turing. Python, 9 years. {CANARY}".encode()).decode()
    candidate = {"position_id": DEMO_POSITION_ID, "candidate_name": "Ada"}
    screening: list[tuple[str, dict[str, Any]]] = [
        ("pre_screen_resume_file", candidate | {"candidate_email": "alan@example.com", "file_base64": inline, "file_name": "alan.txt"}),
        ("upload_knowledge_base_document", {"knowledge_base_store_id": KNOWLEDGE_BASE_ID, "file_base64": inline, "file_name": "faq.txt"}),
        ("upsert_pre_screening", {"position_name": "Analyst", "position_location": "Oslo", "position_country_code": "NO", "mojito_language_code": "en"}),
        ("pre_screen_resume_text", candidate | {"candidate_email": "ada@example.com", "candidate_resume": f"Python. {CANARY}"}),
        ("pre_screen_resume_file", candidate | {"candidate_email": "ada.file@example.com", "file_path": RESUME}),  # hosted: refused
        ("pre_screen_resume_file", candidate | {"candidate_email": "x@example.com", "file_path": "/etc/shadow"}),  # refused
    ]  # fmt: skip
    for tool, arguments in screening:
        results.append(await call(tool, arguments))
    tool_of = {endpoint: tool for tool, endpoint in ENDPOINT_OF.items()}
    arguments_of = (
        dict(calls)
        | dict(lifecycle[:7])
        | dict(platform)
        | dict(screening[:2])
        | {
            "list_avatars": {"limit": 2},
            "create_interview": cookbook("create_interview"),
        }
    )
    for endpoint, kind, options in FAULTS:
        sandbox.inject(endpoint, kind, **options)
        results.append(await call(tool_of[endpoint], arguments_of[tool_of[endpoint]]))
        sandbox.state.faults.clear()
    return results


# ---------------------------------------------------------------------------------------------
# stdio: the server's own token


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_stdio_at_debug_never_shows_the_token(sandbox: RunningSandbox, log_format: str) -> None:
    env = server_env(
        sandbox.base_url, LOG_LEVEL="DEBUG", LOG_FORMAT=log_format, TIMEOUT="1", FILES_ROOTS=FILES
    )
    async with stdio_server(env, ["--toolsets", "all"]) as server:
        results = await representative_flows(server.call, sandbox)
        log = server.stderr()
    for result in results:
        no_secret(result)
    assert CANARY not in log, "a file's content reached the log"
    assert RESUME not in log and "/etc/shadow" not in log, "a file path reached the log"
    assert any(result.is_error for result in results) and any(not r.is_error for r in results)
    assert "DEBUG" in log and "/merchant-avatar-list" in log, "the log is there, and verbose"
    assert TOKEN not in log
    assert "Bearer" not in log or "Bearer [REDACTED]" in log


async def test_an_upstream_echoing_the_token_does_not_leak_it(sandbox: RunningSandbox) -> None:
    body = {"error": f"Invalid JWT: Bearer {TOKEN}", "name": f"authorization={TOKEN}"}
    results = []
    async with stdio_server(server_env(sandbox.base_url, LOG_LEVEL="DEBUG")) as server:
        for status in (401, 422, 500):
            sandbox.inject("merchant-avatar-list", "status", status=status, body=body)
            results.append(await server.call("list_avatars", {"limit": 1}))
            sandbox.state.faults.clear()
        for status in (403, 422, 500):  # where this project adds its own advice to JobMojito's words
            sandbox.inject("job-interview-register-users", "status", status=status, body=body)
            invite = {"interview_id": UUID, "users": [{"email": "a@example.com"}], "send_email": False}
            results.append(await server.call("register_users_for_interview", invite))
            sandbox.state.faults.clear()
        log = server.stderr()
    assert TOKEN not in log
    for result in results:
        assert result.is_error
        no_secret(result)


# ---------------------------------------------------------------------------------------------
# hosted, --auth jobmojito-jwt: every caller's own token


@asynccontextmanager
async def session(server: HttpServer, bearer: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}, timeout=30)
    async with http, Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
        yield client


async def test_hosted_at_debug_never_shows_any_callers_token(sandbox: RunningSandbox) -> None:
    callers = {f"merchant-user-{index}": sandbox.issue_token(f"merchant-user-{index}") for index in range(4)}
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="DEBUG", LOG_FORMAT="json", TIMEOUT="1")
    env |= {"JOBMOJITO_JWKS_URL": sandbox.jwks_url, "JOBMOJITO_JWT_ISSUER": sandbox.jwt_issuer}
    results: dict[str, list[CallToolResult]] = {}
    async with http_server(
        env, ["--transport", "streamable-http", "--auth", "jobmojito-jwt", "--toolsets", "all"]
    ) as server:

        async def caller(name: str, bearer: str, flows: bool) -> None:
            async with session(server, bearer) as client:

                async def call(tool: str, arguments: dict[str, Any]) -> CallToolResult:
                    result = await client.call_tool(tool, arguments)
                    assert isinstance(result, CallToolResult)
                    return result

                if flows:  # the faults are armed globally, so one caller walks through them alone
                    results[name] = await representative_flows(call, sandbox)
                else:
                    results[name] = [await call("list_avatars", {"limit": 1}) for _ in range(5)]

        names = list(callers)
        await caller(names[0], callers[names[0]], flows=True)
        async with anyio.create_task_group() as group:
            for name in names[1:]:
                group.start_soon(caller, name, callers[name], False)
        log = server.stderr()
    everyone = list(callers.values())
    for outcome in results.values():
        for result in outcome:
            no_secret(result, *everyone)
    for bearer in everyone:
        assert bearer not in log, "a caller's token reached the log"
    assert CANARY not in log, "a file's content reached the log"
    assert '"level": "DEBUG"' in log
