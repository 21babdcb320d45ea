"""`--workers N`: several stateless server processes behind one port, as a user runs them.

Every call answered once and correctly by whichever worker takes it (each worker with its own
upstream pool), SIGTERM draining every worker, a dead worker taking the server down, and the
refusal of modes where a session would be split across processes.
"""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.reliability.harness import count_connections
from tests.support import (
    COOKBOOK,
    AcceptConfirmation,
    create_then_delete,
    run_cli,
    server_env,
    sigterm_during_a_call,
    stop,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

WORKERS = 2
_LISTENING = re.compile(
    r"serving streamable-http on http://127\.0\.0\.1:(\d+) with \d+ workers \(pids ([\d, ]+)\)"
)


@dataclass
class Workers:
    url: str
    process: subprocess.Popen[bytes]
    pids: list[int]
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")


@asynccontextmanager
async def workers(sandbox: RunningSandbox, *extra: str) -> AsyncIterator[Workers]:
    """`jobmojito-mcp --workers 2` on port 0 (the parent binds it and says which); SIGTERM on exit."""
    env = server_env(sandbox.base_url, LOG_LEVEL="INFO", TIMEOUT="10")
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    args = ["--transport", "streamable-http", "--stateless", "--workers", str(WORKERS), "--port", "0", *extra]
    with tempfile.TemporaryDirectory() as scratch:
        stderr_path = Path(scratch) / "stderr.log"
        with stderr_path.open("w", encoding="utf-8") as errlog:
            process = subprocess.Popen(  # noqa: ASYNC220  # polled, never awaited
                [sys.executable, "-m", "jobmojito_mcp", *args],
                env=base | env,
                cwd=scratch,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errlog,
            )
            try:
                with anyio.fail_after(30):
                    while not (found := _LISTENING.search(stderr_path.read_text("utf-8"))):
                        assert process.poll() is None, stderr_path.read_text("utf-8")
                        await anyio.sleep(0.05)
                    url = f"http://127.0.0.1:{found.group(1)}"
                    pids = [int(pid) for pid in found.group(2).split(", ")]
                    while stderr_path.read_text("utf-8").count("Application startup complete") < WORKERS:  # noqa: ASYNC110
                        await anyio.sleep(0.05)
                yield Workers(url, process, pids, stderr_path)
            finally:
                stop(process, within=20)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def test_calls_spread_over_the_workers_each_answered_once(sandbox: RunningSandbox) -> None:
    async with workers(sandbox) as server:
        sandbox.clear_requests()
        arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {
            "interview_template_id": DEFAULT_TEMPLATE_ID
        }
        created: list[str] = []
        read: list[CallToolResult] = []

        async def client(index: int) -> None:
            # Each client on its own connection; the kernel gives each connection to one worker.
            async with (
                httpx2.AsyncClient(timeout=30) as http,
                Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as mcp,
            ):
                result = await mcp.call_tool("create_interview", arguments | {"name": f"Role {index}"})
                assert not result.is_error, text_of(result)
                assert isinstance(result.structured_content, dict)
                interview_id = result.structured_content["interview_def_set_id"]
                created.append(interview_id)
                got = await mcp.call_tool("get_interview_definition", {"position_id": interview_id})
                assert not got.is_error and isinstance(got.structured_content, dict), text_of(got)
                assert got.structured_content["name"] == f"Role {index}"
                read.append(got)

        async with anyio.create_task_group() as group:
            for index in range(24):
                group.start_soon(client, index)

        assert len(set(created)) == 24 and len(read) == 24
        sent = sandbox.requests("job-interview-create")
        assert sorted(request.json()["name"] for request in sent) == sorted(f"Role {i}" for i in range(24))
        assert len(sandbox.requests("job-interview-get")) == 24, "every call sent exactly once"
        # Every worker served calls: each holds its own pooled connection(s) to JobMojito.
        port = int(sandbox.base_url.split(":")[2].split("/")[0])
        assert all(count_connections(pid, port) >= 1 for pid in server.pids), server.stderr()[-3000:]


async def test_a_confirmation_round_trip_may_come_back_to_any_worker(sandbox: RunningSandbox) -> None:
    """2026-07-28 elicitation seals request state in one worker; without keep-alive each request is
    a new connection, spread by the kernel, so round trips cross workers: they share the keys."""
    accept = AcceptConfirmation()
    no_keep_alive = httpx2.Limits(max_keepalive_connections=0)
    async with (
        workers(sandbox) as server,
        httpx2.AsyncClient(timeout=30, limits=no_keep_alive) as http,
        Client(
            streamable_http_client(f"{server.url}/mcp", http_client=http), elicitation_callback=accept
        ) as client,
    ):
        for _ in range(6):
            await create_then_delete(client, sandbox)
    assert len(accept.asked) == 6


async def test_sigterm_drains_every_worker_and_exits_zero(sandbox: RunningSandbox) -> None:
    async with workers(sandbox, "--shutdown-grace", "10") as server:
        result = await sigterm_during_a_call(server.url, server.process, sandbox)
        assert not result.is_error, text_of(result)
        await anyio.to_thread.run_sync(lambda: server.process.wait(20))
        assert server.process.returncode == 0, server.stderr()[-3000:]
        assert "1 tool call(s) in flight" in server.stderr()
        assert not any(alive(pid) for pid in server.pids), "no worker outlives the server"


async def test_a_dead_worker_takes_the_server_down(sandbox: RunningSandbox) -> None:
    async with workers(sandbox) as server:
        os.kill(server.pids[0], signal.SIGKILL)
        await anyio.to_thread.run_sync(lambda: server.process.wait(20))
        assert server.process.returncode == 1
        assert f"(pid {server.pids[0]}) exited with status -9" in server.stderr()
        assert not alive(server.pids[1]), "the other worker is stopped too"


@pytest.mark.parametrize(
    "args",
    [
        ["--transport", "streamable-http"],  # stateful: sessions live in one process
        ["--transport", "http", "--stateless"],  # /sse keeps a session per stream
        ["--transport", "sse", "--stateless"],
    ],
)
def test_workers_are_refused_where_a_session_would_be_split(args: list[str]) -> None:
    done = run_cli(*args, "--workers", "2", "--port", "0", env=server_env("http://127.0.0.1:9"))
    assert done.returncode != 0
    assert "--workers 2 needs --transport streamable-http --stateless" in done.stderr
    assert "session" in done.stderr
