"""Every fault the sandbox can act out, met over real HTTP by the server running over stdio.

One table: for a read (`list_avatars`) and a create (`create_interview`), each fault must give its
own clear message, the expected number of upstream attempts (reads retried within bounds; a create
never resent once it may have arrived), no token anywhere, and a healthy server afterwards.
"""

from __future__ import annotations

import copy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import COOKBOOK, TOKEN, StdioServer, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

READ = ("list_avatars", "merchant-avatar-list", {"limit": 1})
CREATE = (
    "create_interview",
    "job-interview-create",
    copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID},
)
MAY_EXIST = "may have created the interview"
RETRIES = 2  # the server's JOBMOJITO_MAX_RETRIES in these tests


@dataclass(frozen=True)
class Case:
    fault: str
    options: dict[str, Any]
    read_says: str
    read_attempts: int
    create_says: str
    create_attempts: int
    read_succeeds: bool = False
    extra: tuple[str, ...] = field(default=())
    times: int = 1 + RETRIES  # how many calls the fault hits: by default more than a read may retry


CASES = [
    Case("status", {"status": 401}, "rejected JOBMOJITO_TOKEN", 1, "rejected JOBMOJITO_TOKEN", 1),
    Case("status", {"status": 403}, "refused this action", 1, "refused this action", 1),
    Case("status", {"status": 404}, "no such item", 1, "no such item", 1),
    Case(
        "status",
        {"status": 422, "body": {"error": "Unknown language.", "name": "mojito_language_code"}},
        "rejected the arguments",
        1,
        "rejected the arguments",
        1,
        extra=("`mojito_language_code`", "Unknown language."),
    ),
    Case(
        "status",
        {"status": 429, "headers": {"Retry-After": "0"}},
        "",
        2,
        "retry after 0 s",
        1,
        read_succeeds=True,
        times=1,
    ),
    Case("status", {"status": 429}, "wait, then retry", 1 + RETRIES, "rate limiting", 1),
    Case(
        "status",
        {"status": 429, "headers": {"Retry-After": "120"}},
        "retry after 120 s",
        1,
        "retry after 120 s",
        1,
    ),
    Case("status", {"status": 500, "body": {"error": "boom"}}, "HTTP 500", 1, "HTTP 500", 1, extra=("boom",)),
    Case("status", {"status": 502}, "unavailable or overloaded", 1 + RETRIES, MAY_EXIST, 1),
    Case("status", {"status": 503}, "unavailable or overloaded", 1 + RETRIES, MAY_EXIST, 1),
    Case("status", {"status": 504}, "unavailable or overloaded", 1 + RETRIES, MAY_EXIST, 1),
    Case("hang", {"delay": 30}, "did not answer in time", 1, MAY_EXIST, 1),
    Case("close", {}, "connection to JobMojito broke", 1 + RETRIES, MAY_EXIST, 1),
    Case("reset", {}, "connection to JobMojito broke", 1 + RETRIES, MAY_EXIST, 1),
    Case("non_json", {}, "non-JSON body", 1, "non-JSON body", 1),
    Case("truncated_json", {}, "truncated or malformed JSON", 1, "truncated or malformed JSON", 1),
    Case("huge", {"size": 10 * 1024 * 1024}, "limit", 1, "limit", 1),
    Case("slow_drip", {"delay": 1.0, "size": 4}, "did not answer in time", 1, MAY_EXIST, 1),
]


@pytest.fixture(scope="module")
async def server(sandbox: RunningSandbox) -> AsyncIterator[StdioServer]:
    env = server_env(sandbox.base_url, TIMEOUT="1", MAX_RETRIES=str(RETRIES))
    async with stdio_server(env) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.clear_requests()
    yield
    sandbox.state.faults.clear()


async def check(
    server: StdioServer, sandbox: RunningSandbox, case: Case, target: tuple[str, str, dict[str, Any]]
) -> None:
    tool, endpoint, arguments = target
    is_read = tool == "list_avatars"
    sandbox.inject(endpoint, case.fault, times=case.times, **case.options)
    result = await server.call(tool, arguments)
    says, attempts = (
        (case.read_says, case.read_attempts) if is_read else (case.create_says, case.create_attempts)
    )
    text = text_of(result)
    if is_read and case.read_succeeds:
        assert not result.is_error, text
    else:
        assert result.is_error, text
        assert says in text, text
        for words in case.extra:
            assert words in text, text
        if says == MAY_EXIST:
            assert "NOT sent again" in text, text
        assert "Traceback" not in text
    assert len(sandbox.requests(endpoint)) == attempts, f"{case.fault} {case.options}: attempts"
    assert TOKEN not in text and TOKEN not in str(result.structured_content)
    # The server is still healthy: the next call (fault cleared) succeeds.
    sandbox.state.faults.clear()
    healthy = await server.call("list_avatars", {"limit": 1})
    assert not healthy.is_error, text_of(healthy)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.fault}-{c.options.get('status', '')}" for c in CASES])
async def test_read_fault(server: StdioServer, sandbox: RunningSandbox, case: Case) -> None:
    await check(server, sandbox, case, READ)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.fault}-{c.options.get('status', '')}" for c in CASES])
async def test_create_fault(server: StdioServer, sandbox: RunningSandbox, case: Case) -> None:
    await check(server, sandbox, case, CREATE)


async def test_create_that_times_out_is_not_resent(server: StdioServer, sandbox: RunningSandbox) -> None:
    sandbox.inject("job-interview-create", "hang", times=5, delay=30)
    tool, endpoint, arguments = CREATE
    result = await server.call(tool, arguments)
    assert result.is_error
    assert "NOT sent again" in text_of(result) and "dashboard" in text_of(result)
    assert len(sandbox.requests(endpoint)) == 1


async def test_reads_are_retried_through_transient_failures(
    server: StdioServer, sandbox: RunningSandbox
) -> None:
    sandbox.inject("merchant-avatar-list", "status", times=RETRIES, status=503)
    result = await server.call("list_avatars", {"limit": 1})
    assert not result.is_error, text_of(result)
    assert len(sandbox.requests("merchant-avatar-list")) == 1 + RETRIES


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("target", [READ, CREATE], ids=["read", "create"])
async def test_connection_refused(target: tuple[str, str, dict[str, Any]]) -> None:
    env = server_env(f"http://127.0.0.1:{closed_port()}/functions/v1")
    async with stdio_server(env) as server:
        result = await server.call(target[0], target[2])
        assert result.is_error
        assert "Could not connect" in text_of(result) and "Nothing was sent" in text_of(result)
        assert "retrying POST /job-interview-create" in server.stderr() or target is READ
        assert TOKEN not in server.stderr()
