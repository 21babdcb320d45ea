"""Issue 21, finding 1: nothing that e-mails people or cannot be undone goes out unasked.

Before: a client that declared no elicitation called `register_users_for_interview` with
`send_email: true` (or `"true"`), or deleted an interview, and the server did it without a question,
on stdio (both protocol generations) and hosted. Now such a call is refused before anything reaches
JobMojito, with a message naming the safe alternative (`send_email=false`) and the server option
that lets it through, `--confirm-without-asking`; with that option the call goes ahead.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.security.attack import KEY_A, bearer, hosted
from tests.support import COOKBOOK, AcceptConfirmation, http_mcp_client, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

CREATE_ARGS = copy.deepcopy(COOKBOOK["create_interview"]) | {
    "interview_template_id": DEFAULT_TEMPLATE_ID,
    "status": "active",
}


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> None:
    sandbox.reset()


async def created_interview(client: Client) -> str:
    created = await client.call_tool("create_interview", CREATE_ARGS)
    assert isinstance(created.structured_content, dict), text_of(created)
    return str(created.structured_content["interview_def_set_id"])


async def harmful_calls_are_refused(client: Client, sandbox: RunningSandbox) -> None:
    """Without a way to ask: e-mailing (as a bool or the string "true") and deleting are refused,
    nothing is sent; the safe alternative the refusal names works."""
    interview = await created_interview(client)
    sandbox.clear_requests()
    users = [{"name": "Ada", "email": "ada@example.com"}]
    for send_email in (True, "true"):
        refused = await client.call_tool(
            "register_users_for_interview",
            {"interview_id": interview, "users": users, "send_email": send_email},
        )
        text = text_of(refused)
        assert refused.is_error, text
        assert "cannot ask" in text and "nothing was sent" in text and "ada@example.com" in text
        assert "send_email=false" in text and "--confirm-without-asking" in text
    deleted = await client.call_tool("set_interview_state", {"position_id": interview, "status": "deleted"})
    assert (
        deleted.is_error
        and "cannot be undone" in text_of(deleted)
        and "--confirm-without-asking" in text_of(deleted)
    )
    removed = await client.call_tool("update_interview", {"position_id": interview, "status": "deleted"})
    assert removed.is_error and "nothing was sent" in text_of(removed)
    assert sandbox.requests() == [], "nothing reaches JobMojito"
    assert sandbox.outbox() == []
    # The alternative the refusal offers goes through, without a question.
    registered = await client.call_tool(
        "register_users_for_interview", {"interview_id": interview, "users": users, "send_email": False}
    )
    assert not registered.is_error, text_of(registered)
    (request,) = sandbox.requests("job-interview-register-users")
    assert request.json()["send_email"] is False and sandbox.outbox() == []


async def harmful_calls_go_ahead(client: Client, sandbox: RunningSandbox) -> None:
    interview = await created_interview(client)
    result = await client.call_tool(
        "register_users_for_interview",
        {"interview_id": interview, "users": [{"email": "z@example.com"}], "send_email": True},
    )
    assert not result.is_error, text_of(result)
    assert [mail.to for mail in sandbox.outbox()] == ["z@example.com"]


@pytest.mark.parametrize("mode", ["legacy", "auto"])  # handshake era; 2026-07-28 sessionless
async def test_stdio_refuses_without_elicitation(sandbox: RunningSandbox, mode: str) -> None:
    async with stdio_server(server_env(sandbox.base_url), mode=mode) as server:
        await harmful_calls_are_refused(server.client, sandbox)


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_hosted_refuses_without_elicitation(sandbox: RunningSandbox, transport: str) -> None:
    async with hosted(sandbox) as server, http_mcp_client(server.url, transport, bearer(KEY_A)) as client:
        await harmful_calls_are_refused(client, sandbox)


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--confirm-without-asking"], {}), ([], {"CONFIRM_WITHOUT_ASKING": "1"})],
)
async def test_the_documented_option_lets_them_through(
    sandbox: RunningSandbox, args: list[str], env: dict[str, Any]
) -> None:
    async with stdio_server(server_env(sandbox.base_url, **env), args) as server:
        await harmful_calls_go_ahead(server.client, sandbox)


# ---------------------------------------------------------------------------------------------
# Finding 12: a translated report is charged on every call


async def finished_result(client: Client, sandbox: RunningSandbox) -> str:
    interview = await created_interview(client)
    registered = await client.call_tool(
        "register_users_for_interview",
        {"interview_id": interview, "users": [{"email": "taker@example.com"}], "send_email": False},
    )
    assert isinstance(registered.structured_content, dict), text_of(registered)
    link = registered.structured_content["users"][0]["interview_url"]
    return str(sandbox.take_interview(link)["interview_result_id"])


TRANSLATED = {"export_type": "json", "export_features_result": {"mojito_language_code": "de"}}


async def test_a_report_is_not_idempotent_and_a_translation_is_asked_first(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        tools = {tool.name: tool for tool in (await server.client.list_tools()).tools}
        hints = tools["generate_interview_report"].annotations
        assert hints is not None and hints.idempotent_hint is False and hints.read_only_hint is False
        result_id = await finished_result(server.client, sandbox)
        sandbox.clear_requests()
        refused = await server.call(
            "generate_interview_report", TRANSLATED | {"interview_result_id": result_id}
        )
        assert refused.is_error and "credit" in text_of(refused) and "nothing was sent" in text_of(refused)
        assert sandbox.requests() == []
        plain = await server.call(
            "generate_interview_report", {"export_type": "json", "interview_result_id": result_id}
        )
        assert not plain.is_error, text_of(plain)
        assert len(sandbox.requests("job-interview-pdf")) == 1
    accept = AcceptConfirmation()
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "jobmojito_mcp"], env=server_env(sandbox.base_url)
    )
    async with Client(stdio_client(params), elicitation_callback=accept) as client:
        sandbox.clear_requests()
        translated = await client.call_tool(
            "generate_interview_report", TRANSLATED | {"interview_result_id": result_id}
        )
        assert not translated.is_error, text_of(translated)
        (question,) = accept.asked
        assert "0.1 credit" in question and "into de" in question
        (request,) = sandbox.requests("job-interview-pdf")
        assert request.json()["export_features_result"] == {"mojito_language_code": "de"}
