"""Load and soak, bounded and on loopback only.

- load (slow): LOAD_SESSIONS (200) concurrent Streamable HTTP sessions x LOAD_CALLS (50) calls
  against the hosted server (--auth jobmojito-jwt, each session with its own sandbox-issued token),
  the sandbox adding LOAD_LATENCY (20 ms) per call: no errors, every upstream request carries its
  own caller's token, and the upstream requests in flight at once stay under LOAD_UPSTREAM_CAP
  (the server's pool holds at most 100 connections).
- soak (slow): SOAK_CALLS (10,000) sequential calls over stdio: RSS grows by less than 5% and open
  file descriptors do not grow at all.
- tasks: the in-process server's asyncio tasks return to their baseline after many calls, refusals,
  upstream faults and cancelled calls (a short run by default, SOAK_CALLS under `slow`).

Figures (calls/s, latency percentiles, peak upstream concurrency, RSS, fds, tasks) are printed in
the "reliability figures" section at the end of the run.
"""

from __future__ import annotations

import asyncio
import copy
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox, run_sandbox
from tests.reliability.harness import RawStdio, eventually, open_in_process, raw_stdio, settings
from tests.reliability.reporting import record
from tests.support import COOKBOOK, http_server, server_env, text_of

pytestmark = [pytest.mark.anyio]

LOAD_SESSIONS = int(os.environ.get("LOAD_SESSIONS", "200"))
LOAD_CALLS = int(os.environ.get("LOAD_CALLS", "50"))
LOAD_LATENCY = float(os.environ.get("LOAD_LATENCY", "0.02"))
LOAD_UPSTREAM_CAP = int(os.environ.get("LOAD_UPSTREAM_CAP", "100"))
SOAK_CALLS = int(os.environ.get("SOAK_CALLS", "10000"))
SOAK_WARMUP = 500
RSS_GROWTH_LIMIT = 0.05
ROOT = Path(__file__).resolve().parents[2]


def cookbook(tool: str) -> dict[str, Any]:
    body = copy.deepcopy(COOKBOOK[tool])
    if body.get("interview_template_id") == "TEMPLATE_UUID":
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# ---------------------------------------------------------------------------------------------
# Load


@dataclass
class CountingSandbox:
    """The sandbox in its own process (tests/reliability/sandbox_process.py), over its HTTP API."""

    root_url: str
    http: httpx2.AsyncClient

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/functions/v1"

    async def issue_token(self, user: str) -> str:
        answer = await self.http.post(
            f"{self.root_url}/auth/v1/token",
            params={"grant_type": "password"},
            json={"email": f"{user}@load.test", "password": "any"},
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    async def in_flight(self, reset: bool = False) -> dict[str, int]:
        answer = await (self.http.delete if reset else self.http.get)(f"{self.root_url}/_inflight")
        return dict(answer.json())

    async def requests(self) -> list[dict[str, Any]]:
        answer = await self.http.get(f"{self.root_url}/_sandbox/requests")
        return list(answer.json()["requests"])

    async def clear_requests(self) -> None:
        await self.http.delete(f"{self.root_url}/_sandbox/requests")


@asynccontextmanager
async def counting_sandbox(latency: float) -> AsyncIterator[CountingSandbox]:
    command = [sys.executable, "-m", "tests.reliability.sandbox_process", "--latency", str(latency)]
    async with await anyio.open_process(command, cwd=ROOT, stderr=None) as process:
        try:
            assert process.stdout is not None
            with anyio.fail_after(30):
                first = await BufferedByteReceiveStream(process.stdout).receive_until(b"\n", 1024)
            port = int(first.decode().split()[1])
            async with httpx2.AsyncClient(timeout=60) as http:
                yield CountingSandbox(f"http://127.0.0.1:{port}", http)
        finally:
            process.terminate()
            with anyio.move_on_after(10):
                await process.wait()
            if process.returncode is None:
                process.kill()


@asynccontextmanager
async def session(url: str, bearer: str) -> AsyncIterator[Client]:
    # Pooled connections are dropped after 1 s idle, well before the server's 5 s: at equal timeouts a
    # request can cross the server's close (test_idle_connections_outlive_client_and_proxy_pools).
    http = httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=120,
        limits=httpx2.Limits(keepalive_expiry=1.0),
    )
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        yield client


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_load_many_sessions_own_tokens_bounded_upstream() -> None:
    async with counting_sandbox(LOAD_LATENCY) as sandbox:
        tokens = [await sandbox.issue_token(f"load-user-{index}") for index in range(LOAD_SESSIONS)]
        env = server_env(sandbox.base_url, token=None, LOG_LEVEL="WARNING")
        env |= {
            "JOBMOJITO_JWKS_URL": f"{sandbox.root_url}/auth/v1/.well-known/jwks.json",
            "JOBMOJITO_JWT_ISSUER": f"{sandbox.root_url}/auth/v1",
            "JOBMOJITO_TIMEOUT": "120",  # the defaults: the load must pass as users run the server
            "JOBMOJITO_CONNECT_TIMEOUT": "10",
        }
        errors: list[str] = []
        latencies: list[float] = []
        async with http_server(env, ["--transport", "streamable-http", "--auth", "jobmojito-jwt"]) as server:
            async with session(server.url, tokens[0]) as client:
                created = await client.call_tool("create_interview", cookbook("create_interview"))
                assert not created.is_error, text_of(created)
                assert isinstance(created.structured_content, dict)
                interview_id = created.structured_content["interview_def_set_id"]
            await sandbox.clear_requests()
            await sandbox.in_flight(reset=True)

            async def one_session(index: int) -> None:
                try:
                    async with session(server.url, tokens[index]) as client:
                        for number in range(LOAD_CALLS):
                            await one_call(client, index, number)
                except Exception as exc:  # a session that breaks counts too, with when and how
                    errors.append(f"session {index} at +{time.perf_counter() - started:.1f} s: {exc!r}")

            async def one_call(client: Client, index: int, number: int) -> None:
                if number % 5 == 4:
                    tool, arguments = "get_interview_definition", {"position_id": interview_id}
                else:
                    tool, arguments = "list_avatars", {"filter_text": f"s{index}-c{number}", "limit": 1}
                began = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                latencies.append(time.perf_counter() - began)
                if result.is_error:
                    errors.append(f"session {index} call {number}: {text_of(result)[:200]}")

            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for index in range(LOAD_SESSIONS):
                    group.start_soon(one_session, index)
            elapsed = time.perf_counter() - started
            log = server.stderr()
        counted = await sandbox.in_flight()
        requests = await sandbox.requests()

    total = LOAD_SESSIONS * LOAD_CALLS
    per_token = Counter(request["token"] for request in requests)
    owner = {token: index for index, token in enumerate(tokens)}
    crossed = [
        request["query"]["filter_text"]
        for request in requests
        if request["endpoint"] == "merchant-avatar-list"
        and int(request["query"]["filter_text"].split("-")[0][1:]) != owner.get(request["token"], -1)
    ]
    record(
        "load",
        f"{LOAD_SESSIONS} sessions x {LOAD_CALLS} calls = {total} calls in {elapsed:.1f} s "
        f"({total / elapsed:.0f} calls/s), sandbox latency {LOAD_LATENCY * 1000:.0f} ms; call latency "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"max {max(latencies, default=0) * 1000:.0f} ms; errors {len(errors)}; upstream requests "
        f"{len(requests)}, peak in flight {counted['peak']} (cap {LOAD_UPSTREAM_CAP}); "
        f"cross-session token uses {len(crossed)}",
    )
    assert errors == [], f"{errors[:10]}\nserver log (tail):\n{log[-3000:]}"
    assert len(requests) == total, "every call reached JobMojito exactly once"
    assert set(per_token) == set(tokens), "each caller's token, and only theirs"
    assert set(per_token.values()) == {LOAD_CALLS}, "each caller's calls carried that caller's token"
    assert crossed == [], crossed[:10]
    assert counted["peak"] <= LOAD_UPSTREAM_CAP
    assert "Traceback" not in log


IDLE = 6.0  # longer than uvicorn's default keep-alive (5 s), shorter than any proxy's (60 s and more)
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def one_response(stream: anyio.abc.ByteStream) -> bytes:
    """One HTTP response off the stream (headers and a Content-Length body), or b"" if it closed."""
    received = b""
    with anyio.fail_after(10):
        while b"\r\n\r\n" not in received:
            try:
                received += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionResetError):
                return b""
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        while len(body) < length:
            body += await stream.receive()
    return head


@pytest.mark.timeout(60)
async def test_idle_connections_outlive_client_and_proxy_pools() -> None:
    with run_sandbox() as sandbox:
        async with http_server(server_env(sandbox.base_url), ["--transport", "streamable-http"]) as server:
            port = int(server.url.rsplit(":", 1)[1])
            async with await anyio.connect_tcp("127.0.0.1", port) as stream:
                await stream.send(HEALTHZ)
                assert (await one_response(stream)).startswith(b"HTTP/1.1 200")
                await anyio.sleep(IDLE)
                try:
                    await stream.send(HEALTHZ)
                except (anyio.BrokenResourceError, ConnectionResetError, BrokenPipeError):
                    pytest.fail(f"the server dropped a connection idle for {IDLE:g} s")
                second = await one_response(stream)
    assert second.startswith(b"HTTP/1.1 200"), f"the server dropped a connection idle for {IDLE:g} s"


# ---------------------------------------------------------------------------------------------
# Soak over stdio


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


def soak_call(number: int, interview_id: str) -> tuple[str, dict[str, Any], bool]:
    """The n-th call of a soak: (tool, arguments, whether it must succeed). A mix of every path."""
    slot = number % 20
    if slot < 8:
        return (
            "list_avatars",
            {"limit": 1 + number % 5, "filter_text": f"n{number}" if slot == 0 else "e"},
            True,
        )
    if slot < 13:
        return "get_interview_definition", {"position_id": interview_id}, True
    if slot < 15:
        return (
            "set_interview_state",
            {"position_id": interview_id, "status": ("active", "draft")[number % 2]},
            True,
        )
    if slot < 18:
        return "list_avatars", {"limit": 0, "bogus": number}, False  # refused before sending
    if slot == 18:
        return (
            "get_interview_definition",
            {"position_id": "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"},
            False,
        )  # 404
    return "create_interview", cookbook("create_interview"), True


async def soak(
    server: RawStdio, sandbox: RunningSandbox, calls: int, interview_id: str, start: int = 0
) -> None:
    for number in range(start, start + calls):
        tool, arguments, succeeds = soak_call(number, interview_id)
        if number % 250 == 7:
            sandbox.inject("job-interview-get", "status", status=503)  # one retried read now and then
        answer = await server.call(tool, arguments)
        assert "result" in answer, answer
        assert (answer["result"].get("isError") is not True) == succeeds, (number, tool, answer)
        if number % 1000 == 999:
            sandbox.clear_requests()  # keep the journal (in this process) from growing for nothing


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_soak_stdio_rss_and_fds_hold(sandbox: RunningSandbox) -> None:
    async with raw_stdio(server_env(sandbox.base_url, LOG_LEVEL="WARNING")) as server:
        created = await server.call("create_interview", cookbook("create_interview"))
        interview_id = created["result"]["structuredContent"]["interview_def_set_id"]
        await soak(server, sandbox, SOAK_WARMUP, interview_id)
        await anyio.sleep(0.5)
        rss_before, fds_before = server.rss_kib(), server.open_fds()
        started = time.perf_counter()
        samples = []
        for block in range(10):
            await soak(
                server, sandbox, SOAK_CALLS // 10, interview_id, start=SOAK_WARMUP + block * SOAK_CALLS // 10
            )
            samples.append(server.rss_kib())
        elapsed = time.perf_counter() - started
        await anyio.sleep(0.5)
        rss_after, fds_after = server.rss_kib(), server.open_fds()
        log = server.stderr()
    growth = (rss_after - rss_before) / rss_before
    record(
        "soak",
        f"{SOAK_CALLS} sequential stdio calls in {elapsed:.1f} s ({SOAK_CALLS / elapsed:.0f} calls/s); "
        f"RSS {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB ({growth:+.2%}, samples "
        f"{', '.join(f'{s / 1024:.1f}' for s in samples)}); open fds {fds_before} -> {fds_after}",
    )
    assert growth < RSS_GROWTH_LIMIT
    assert fds_after <= fds_before
    assert "Traceback" not in log


# ---------------------------------------------------------------------------------------------
# asyncio tasks, in-process


async def task_churn(sandbox: RunningSandbox, calls: int) -> None:
    async with open_in_process(settings(sandbox.base_url, timeout=2.0)) as (client, _tools):
        created = await client.call_tool("create_interview", cookbook("create_interview"))
        assert isinstance(created.structured_content, dict)
        interview_id = created.structured_content["interview_def_set_id"]
        for number in range(20):
            tool, arguments, _ = soak_call(number, interview_id)
            await client.call_tool(tool, arguments)
        await anyio.sleep(0.2)
        baseline = len(asyncio.all_tasks())
        cancelled = 0
        for number in range(calls):
            if number % 50 == 25:  # a call the client gives up on while JobMojito hangs
                sandbox.inject("merchant-avatar-list", "hang", delay=30)
                with anyio.move_on_after(0.05):
                    await client.call_tool("list_avatars", {"limit": 1})
                sandbox.state.faults.clear()
                cancelled += 1
                continue
            tool, arguments, succeeds = soak_call(number, interview_id)
            if number % 100 == 3:
                sandbox.inject("merchant-avatar-list", "close")  # a dropped connection, retried
            result = await client.call_tool(tool, arguments)
            assert result.is_error is not succeeds, (number, tool, text_of(result)[:200])
            sandbox.state.faults.clear()
            if number % 1000 == 999:
                sandbox.clear_requests()
        await eventually(lambda: len(asyncio.all_tasks()) <= baseline)
        record(
            "tasks",
            f"{calls} in-process calls ({cancelled} cancelled mid-flight): asyncio tasks {baseline} -> "
            f"{len(asyncio.all_tasks())}",
        )


@pytest.mark.timeout(120)
async def test_tasks_return_to_baseline(sandbox: RunningSandbox) -> None:
    await task_churn(sandbox, 300)


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_tasks_return_to_baseline_long(sandbox: RunningSandbox) -> None:
    await task_churn(sandbox, SOAK_CALLS)
