"""Protocol abuse over the real stdio subprocess, in raw JSON-RPC: what no well-behaved client sends.

Malformed lines, wrong JSON-RPC shapes, unknown methods and tools, 5 MB messages, cancelled
calls and a client that vanishes mid-call. After each, the server answers the right JSON-RPC error
(or ignores the line), keeps serving, and holds no more file descriptors or upstream connections
than before (read from /proc/<pid>).
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox, run_sandbox
from tests.reliability.harness import REFUSED, RawStdio, eventually, raw_stdio
from tests.reliability.reporting import record
from tests.support import COOKBOOK, DEFAULT_TOOL_NAMES, TOKEN, server_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

FIVE_MB = 5 * 1024 * 1024
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


@pytest.fixture(scope="module")
async def server(sandbox: RunningSandbox) -> AsyncIterator[RawStdio]:
    async with raw_stdio(server_env(sandbox.base_url, LOG_LEVEL="INFO")) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.clear_requests()
    yield
    sandbox.state.faults.clear()


def port_of(sandbox: RunningSandbox) -> int:
    return int(sandbox.root_url.rsplit(":", 1)[1])


def cookbook(tool: str) -> dict[str, Any]:
    body = copy.deepcopy(COOKBOOK[tool])
    if body.get("interview_template_id") == "TEMPLATE_UUID":
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


def tool_text(response: dict[str, Any]) -> str:
    return "\n".join(block.get("text", "") for block in response["result"]["content"])


async def still_serving(server: RawStdio) -> None:
    pong = await server.request("ping")
    assert pong.get("result") == {}, pong
    listed = await server.request("tools/list")
    assert [tool["name"] for tool in listed["result"]["tools"]] == list(DEFAULT_TOOL_NAMES)


async def drain(server: RawStdio, seconds: float) -> list[dict[str, Any]]:
    """Every message the server sends within `seconds`."""
    seen = []
    while (message := await server.receive(seconds)) is not None:
        seen.append(message)
    return seen


async def wait_for_requests(sandbox: RunningSandbox, endpoint: str, count: int) -> None:
    await eventually(lambda: len(sandbox.requests(endpoint)) >= count)


# ---------------------------------------------------------------------------------------------
# Malformed input


JUNK = [
    b"{not json",
    b"[]",
    b"42",
    b'"a string"',
    b"null",
    b"",
    b"   ",
    b"\xff\xfe\x00 not utf-8",
    b'{"jsonrpc": "1.0", "id": 5, "method": "ping"}',
    b'{"jsonrpc": "2.0", "id": 6}',
    b'{"jsonrpc": "2.0", "id": {"an": "object"}, "method": "ping"}',
    b'{"jsonrpc": "2.0", "method": "tools/call"}',
    b'{"jsonrpc": "2.0", "id": 7, "method": 42}',
    b'{"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": ' + b"[" * 300 + b"]" * 300 + b"}",
    b'{"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "list_avatars", "arguments": {"filter_text": "\\ud800"}}}',
    b'[{"jsonrpc": "2.0", "id": 10, "method": "ping"}]',
    b"x" * FIVE_MB,
]


async def answers_to(server: RawStdio, line: bytes) -> list[dict[str, Any]]:
    """What the server says about `line`: everything it sends before answering the ping sent after it."""
    await server.send(line)
    server.next_id += 1
    await server.send({"jsonrpc": "2.0", "id": server.next_id, "method": "ping"})
    pong = await server.response(server.next_id, within=10)
    assert pong.get("result") == {}, pong
    said, server.pending = server.pending, []
    return said + await drain(server, 0.02)


async def test_malformed_lines_are_ignored_or_answered_and_serving_continues(server: RawStdio) -> None:
    for line in JUNK:
        for message in await answers_to(server, line):
            # Whatever the server makes of junk, it is JSON-RPC 2.0: an error, never a stray result.
            assert message.get("jsonrpc") == "2.0", message
            assert "error" in message or message.get("id") == 10, (line[:80], message)
            if "error" in message:
                assert isinstance(message["error"].get("code"), int), message
    await still_serving(server)
    assert server.process.returncode is None
    assert "Traceback" not in server.stderr()


async def test_unknown_methods_tools_and_bad_params_get_json_rpc_errors(server: RawStdio) -> None:
    unknown = await server.request("interviews/steal", {"all": True})
    assert unknown["error"]["code"] == METHOD_NOT_FOUND, unknown

    await server.send({"jsonrpc": "2.0", "method": "notifications/unheard-of"})
    assert await drain(server, 0.2) == [], "a notification is never answered"

    no_tool = await server.call("delete_everything", {})
    if "error" in no_tool:
        assert no_tool["error"]["code"] == INVALID_PARAMS, no_tool
    else:
        assert no_tool["result"]["isError"] is True
        assert "delete_everything" in tool_text(no_tool)

    bad_params: tuple[dict[str, Any], ...] = (
        {"name": "list_avatars", "arguments": [1, 2]},
        {"name": "list_avatars", "arguments": "limit=5"},
        {"name": 42, "arguments": {}},
        {"arguments": {}},
    )
    for params in bad_params:
        answer = await server.request("tools/call", params)
        assert "error" in answer or answer["result"]["isError"] is True, (params, answer)
        if "error" in answer:
            assert answer["error"]["code"] == INVALID_PARAMS, (params, answer)
    missing = await server.request("tools/call")
    assert missing["error"]["code"] == INVALID_PARAMS, missing
    await still_serving(server)


async def test_five_megabyte_messages(server: RawStdio, sandbox: RunningSandbox) -> None:
    # A valid 5 MB argument goes through, once, whole.
    resume = "Python async APIs AWS SQL. " * (FIVE_MB // 27)
    arguments = cookbook("create_interview_for_candidate") | {"candidate_resume": resume}
    with anyio.fail_after(60):
        answer = await server.call("create_interview_for_candidate", arguments)
    assert answer["result"].get("isError") is not True, tool_text(answer)[:500]
    sent = sandbox.requests("job-interview-create-for-candidate-with-token")
    assert len(sent) == 1 and sent[0].json()["candidate_resume"] == resume
    assert TOKEN not in json.dumps(answer)

    # 5 MB of junk in an unknown argument, or of the wrong type: refused, briefly, nothing sent.
    sandbox.clear_requests()
    for tool, broken in (
        ("list_avatars", {"notes": "z" * FIVE_MB}),
        ("set_interview_state", {"position_id": "9" * FIVE_MB, "status": "active"}),
    ):
        refused = await server.call(tool, broken)
        text = tool_text(refused)
        assert refused["result"]["isError"] is True and REFUSED in text, text[:300]
        assert len(json.dumps(refused)) < 4096, (
            "a refusal quotes a few characters of the input, not megabytes"
        )
    assert sandbox.requests() == []
    await still_serving(server)


# ---------------------------------------------------------------------------------------------
# Cancellation and disconnection


async def test_cancelled_calls_are_abandoned_and_leak_nothing(
    server: RawStdio, sandbox: RunningSandbox
) -> None:
    port = port_of(sandbox)
    warm = await server.call("list_avatars", {"limit": 1})
    assert warm["result"].get("isError") is not True
    await anyio.sleep(0.2)
    fds_before, connections_before = server.open_fds(), server.connections_to(port)
    stored = len(sandbox.state.interviews.all())

    rounds = 10
    sandbox.inject("*", "hang", times=None, delay=60)
    for index in range(rounds):
        tool, endpoint, arguments = (
            ("list_avatars", "merchant-avatar-list", {"limit": 1})
            if index % 2
            else ("create_interview", "job-interview-create", cookbook("create_interview"))
        )
        server.next_id += 1
        call_id = server.next_id
        await server.send(
            {
                "jsonrpc": "2.0",
                "id": call_id,
                "method": "tools/call",
                "params": {"name": tool, "arguments": arguments},
            }
        )
        await wait_for_requests(sandbox, endpoint, index // 2 + 1)
        await server.send(
            {
                "jsonrpc": "2.0",
                "method": "notifications/cancelled",
                "params": {"requestId": call_id, "reason": "user"},
            }
        )
        await still_serving(server)
        late = [m for m in await drain(server, 0.1) if m.get("id") == call_id]
        assert late == [], f"a cancelled call was answered anyway: {late}"
    sandbox.state.faults.clear()

    # Nothing was resent, nothing was created, and the hanging exchanges were closed.
    assert len(sandbox.requests("job-interview-create")) == rounds // 2, "a cancelled create was resent"
    assert len(sandbox.state.interviews.all()) == stored, "a cancelled create went through"
    healthy = await server.call("list_avatars", {"limit": 1})
    assert healthy["result"].get("isError") is not True
    await eventually(
        lambda: server.connections_to(port) <= max(connections_before, 1) and server.open_fds() <= fds_before
    )
    fds_after, connections_after = server.open_fds(), server.connections_to(port)
    record(
        "protocol",
        f"{rounds} cancelled calls: server fds {fds_before} -> {fds_after}, "
        f"upstream connections {connections_before} -> {connections_after}",
    )


async def test_a_client_that_vanishes_mid_call_ends_the_server_cleanly(sandbox: RunningSandbox) -> None:
    sandbox.inject("*", "hang", times=None, delay=60)
    async with raw_stdio(server_env(sandbox.base_url, LOG_LEVEL="INFO")) as server:
        await server.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "create_interview", "arguments": cookbook("create_interview")},
            }
        )
        await wait_for_requests(sandbox, "job-interview-create", 1)
        assert server.process.stdin is not None
        await server.process.stdin.aclose()  # the client is gone: EOF on the server's stdin
        with anyio.fail_after(15):
            code = await server.process.wait()
        log = server.stderr()
    assert code == 0, log[-2000:]
    assert "Traceback" not in log, log[-2000:]
    assert TOKEN not in log
    assert len(sandbox.requests("job-interview-create")) == 1, "nothing is resent on the way out"


# ---------------------------------------------------------------------------------------------
# Bug: numbers that are not finite


NON_FINITE = [
    b'"max_duration": 1e999',  # valid JSON, valid per the published schema (number > 0)
    b'"max_duration": Infinity',
    b'"max_duration": "inf"',
    b'"max_duration": "Infinity"',
]


async def test_non_finite_numbers_are_refused_naming_the_field(
    server: RawStdio, sandbox: RunningSandbox
) -> None:
    base = json.dumps(cookbook("create_interview")).encode()[:-1]
    for field in NON_FINITE:
        server.next_id += 1
        line = (
            b'{"jsonrpc": "2.0", "id": %d, "method": "tools/call", "params": {"name": "create_interview", '
            b'"arguments": %s, %s}}}' % (server.next_id, base, field)
        )
        await server.send(line)
        answer = await server.response(server.next_id)
        text = tool_text(answer)
        assert answer["result"]["isError"] is True
        assert "`max_duration`" in text, f"{field!r}: {text}"
    assert sandbox.requests() == []
