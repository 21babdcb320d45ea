"""Rows 2-4 of issue 11: one caller must not take what the others need.

Before: 10,050 `initialize` with key A left key B with 503 "Too many open sessions" for ~30 min
(memory 74 -> 463 MiB); ~20,000 `GET /sse` with one key cost 1.5 GB and an EMFILE traceback flood;
110 slow calls by one caller made another caller's call fail after 31 s, never sent. Now each
caller has its own sessions, streams, request rate and calls in progress, and idle sessions expire.
"""

from __future__ import annotations

import socket
import time

import anyio
import httpx2
import pytest
from mcp import Client

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.security.attack import (
    INITIALIZE,
    KEY_A,
    KEY_B,
    RawSession,
    bearer,
    headers_of,
    hosted,
    port_of,
    rss_mib,
)
from tests.support import COOKBOOK, call_ok, http_mcp_client, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]


async def test_one_caller_cannot_take_every_session(sandbox: RunningSandbox) -> None:
    """Key A asks for 300 sessions: 20 open, the rest get 429 + Retry-After; key B is unaffected."""
    async with (
        hosted(
            sandbox, "--caller-sessions", "20", "--caller-rate", "1000", transport="streamable-http"
        ) as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        rss_before = rss_mib(server)
        statuses: list[int] = []
        retry_after: set[str] = set()

        async def initialize() -> None:
            response = await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=bearer(KEY_A))
            statuses.append(response.status_code)
            if response.status_code == 429:
                retry_after.add(response.headers["retry-after"])
                assert "sessions open" in response.json()["error"]["message"]

        async with anyio.create_task_group() as group:
            for _ in range(300):
                group.start_soon(initialize)
        assert statuses.count(200) == 20 and statuses.count(429) == 280
        assert retry_after and all(int(value) >= 1 for value in retry_after)
        assert rss_mib(server) - rss_before < 30, "20 sessions, not 300"
        # Key B opens its own and calls a tool.
        sandbox.clear_requests()
        async with http_mcp_client(
            server.url, "streamable-http", {"Authorization": f"Bearer {KEY_B}"}
        ) as client:
            await call_ok(client, "list_avatars", {"limit": 1})
        b = RawSession(http, server.url, headers_of(KEY_B))
        assert (await b.open()).status_code == 200
        assert len(sandbox.requests("merchant-avatar-list")) == 1
        assert (await RawSession(http, server.url, headers_of(KEY_A)).open()).status_code == 429


async def test_a_session_ended_or_expired_frees_its_place(sandbox: RunningSandbox) -> None:
    args = ("--caller-sessions", "3", "--session-idle-timeout", "2")
    async with (
        hosted(sandbox, *args, transport="streamable-http") as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        sessions = [RawSession(http, server.url, headers_of(KEY_A)) for _ in range(3)]
        for session in sessions:
            assert (await session.open()).status_code == 200
        assert (await RawSession(http, server.url, headers_of(KEY_A)).open()).status_code == 429
        assert (await sessions[0].close()).status_code == 200
        fourth = RawSession(http, server.url, headers_of(KEY_A))
        assert (await fourth.open()).status_code == 200, "a DELETE frees the place"
        # Left alone for longer than the idle timeout, the sessions expire and every place is free again.
        await anyio.sleep(3.5)
        assert (await sessions[1].request("ping")).status_code == 404
        for _ in range(3):
            assert (await RawSession(http, server.url, headers_of(KEY_A)).open()).status_code == 200


async def test_one_caller_cannot_hold_every_sse_stream(sandbox: RunningSandbox) -> None:
    """Key A asks for 60 SSE streams: 10 open, the rest get 429; key B's stream and calls work."""
    async with (
        hosted(sandbox, "--caller-streams", "10", "--caller-rate", "1000", transport="sse") as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        statuses: list[int] = []
        all_tried = anyio.Event()

        async def hold() -> None:
            async with http.stream("GET", f"{server.url}/sse", headers=bearer(KEY_A)) as stream:
                statuses.append(stream.status_code)
                if len(statuses) == 60:
                    all_tried.set()
                if stream.status_code == 200:
                    await anyio.sleep_forever()

        async with anyio.create_task_group() as group:
            for _ in range(60):
                group.start_soon(hold)
            with anyio.fail_after(15):
                await all_tried.wait()
            assert statuses.count(200) == 10 and statuses.count(429) == 50
            async with http_mcp_client(server.url, "sse", {"Authorization": f"Bearer {KEY_B}"}) as client:
                await call_ok(client, "list_avatars", {"limit": 1})
            group.cancel_scope.cancel()
        log = server.stderr()
        assert "Traceback" not in log
        assert log.count("answered 429 to a caller") <= 2, "condensed: one line per kind per minute"


async def test_a_request_flood_from_one_caller_gets_429_with_retry_after(sandbox: RunningSandbox) -> None:
    async with (
        hosted(sandbox, "--caller-rate", "5", transport="streamable-http") as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        a = RawSession(http, server.url, headers_of(KEY_A))
        started = time.monotonic()
        assert (await a.open()).status_code == 200  # two requests: initialize, initialized
        answers = [await a.request("ping") for _ in range(60)]
        elapsed = time.monotonic() - started
        refused = [answer for answer in answers if answer.status_code == 429]
        allowed = 2 + len(answers) - len(refused)
        # A burst of 25 (five seconds' worth), then 5 a second.
        assert refused and allowed <= 25 + 5 * elapsed + 1, (allowed, elapsed)
        assert all(int(answer.headers["retry-after"]) >= 1 for answer in refused)
        assert "Too many requests" in refused[0].json()["error"]["message"]
        b = RawSession(http, server.url, headers_of(KEY_B))
        assert (await b.open()).status_code == 200
        assert (await b.request("ping")).status_code == 200, "key B has its own budget"
        await anyio.sleep(1.2)
        assert (await a.request("ping")).status_code == 200, "and A's comes back"


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_one_callers_slow_calls_never_fail_another_callers_call(
    sandbox: RunningSandbox, transport: str
) -> None:
    """Caller A starts 40 slow calls on a 20-connection upstream pool; caller B's call goes through."""
    sandbox.inject("merchant-avatar-list", "hang", delay=4, times=None)
    try:
        async with hosted(sandbox, transport=transport, MAX_CONNECTIONS="20", TIMEOUT="10") as server:
            sandbox.clear_requests()
            outcomes: list[str] = []
            async with (
                http_mcp_client(server.url, transport, {"Authorization": f"Bearer {KEY_A}"}) as a,
                http_mcp_client(server.url, transport, {"Authorization": f"Bearer {KEY_B}"}) as b,
            ):
                interview = await _an_interview(b)
                async with anyio.create_task_group() as group:

                    async def slow_call() -> None:
                        result = await a.call_tool("list_avatars", {"limit": 1})
                        outcomes.append("refused" if "calls in progress" in text_of(result) else "ran")

                    for _ in range(40):
                        group.start_soon(slow_call)
                    await anyio.sleep(1.0)  # A's calls hold their upstream connections now
                    started = time.perf_counter()
                    fast = await call_ok(b, "get_interview_definition", {"position_id": interview})
                    waited = time.perf_counter() - started
            assert not fast.is_error
            assert waited < 3, f"B's call waited {waited:.1f} s behind A's"
            # 10 of A's ran (its share: half the pool at most), 30 were refused before anything was sent.
            assert outcomes.count("ran") == 10 and outcomes.count("refused") == 30
            assert len(sandbox.requests("merchant-avatar-list")) == 10
            assert len(sandbox.requests("job-interview-get")) == 1
    finally:
        sandbox.clear_faults()


async def _an_interview(client: Client) -> str:
    created = await call_ok(
        client,
        "create_interview",
        dict(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID},
    )
    assert isinstance(created.structured_content, dict)
    return str(created.structured_content["interview_def_set_id"])


async def test_one_caller_cannot_keep_every_connection_busy(sandbox: RunningSandbox) -> None:
    """Requests in progress per caller (streams + calls + 10): e.g. bodies sent slowly, never finished."""
    args = ("--caller-streams", "2", "--caller-calls", "1")
    async with (
        hosted(sandbox, *args, transport="streamable-http") as server,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        held = []
        for _ in range(13):
            sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=5)
            sock.sendall(
                f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY_A}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".encode()
            )
            held.append(sock)
        await anyio.sleep(0.5)
        refused = await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=bearer(KEY_A))
        assert refused.status_code == 429 and "requests in progress" in refused.json()["error"]["message"]
        assert (
            await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=bearer(KEY_B))
        ).status_code == 200
        for sock in held:
            sock.close()
        for _ in range(50):  # the server notices the closed connections at once, or nearly
            answer = await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=bearer(KEY_A))
            if answer.status_code == 200:
                break
            await anyio.sleep(0.1)
        assert answer.status_code == 200, "A's places come back when its requests end"


KEY_C = "caller-c-key-7b1d4e9a0c35"


async def test_the_pool_is_shared_fairly_as_callers_grow(sandbox: RunningSandbox) -> None:
    """Issue 21, finding 8. Before: each caller might hold half the pool, so two callers (ten at
    defaults) filled it and a third waited for one of their calls to end. Now each of n callers
    calling may hold pool // (n + 1): on a pool of 20, A holds 10, B then 6, and C's call finds a
    free connection at once."""
    sandbox.inject("merchant-avatar-list", "hang", delay=5, times=None)
    keys = f"{KEY_A},{KEY_B},{KEY_C}"
    try:
        async with hosted(sandbox, MAX_CONNECTIONS="20", TIMEOUT="10", MCP_API_KEYS=keys) as server:
            ran: dict[str, int] = {KEY_A: 0, KEY_B: 0}
            async with (
                http_mcp_client(server.url, "streamable-http", {"Authorization": f"Bearer {KEY_A}"}) as a,
                http_mcp_client(server.url, "streamable-http", {"Authorization": f"Bearer {KEY_B}"}) as b,
                http_mcp_client(server.url, "streamable-http", {"Authorization": f"Bearer {KEY_C}"}) as c,
            ):
                interview = await _an_interview(c)
                async with anyio.create_task_group() as group:

                    async def slow_call(client: Client, key: str) -> None:
                        result = await client.call_tool("list_avatars", {"limit": 1})
                        if "calls in progress" not in text_of(result):
                            ran[key] += 1

                    for _ in range(12):
                        group.start_soon(slow_call, a, KEY_A)
                    await anyio.sleep(1.0)
                    for _ in range(12):
                        group.start_soon(slow_call, b, KEY_B)
                    await anyio.sleep(1.0)  # A's and B's calls hold their connections now
                    started = time.perf_counter()
                    fast = await call_ok(c, "get_interview_definition", {"position_id": interview})
                    waited = time.perf_counter() - started
            assert not fast.is_error
            assert waited < 2.5, f"C's call waited {waited:.1f} s behind A's and B's"
            assert ran == {KEY_A: 10, KEY_B: 6}, ran
    finally:
        sandbox.clear_faults()
