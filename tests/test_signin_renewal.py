"""Staying signed in: access tokens that live two seconds, renewed by the servers themselves.

A stdio session and a hosted `--auth api-key` server share one stored sign-in (two processes, one
credentials file, one rotating refresh token) and call through ten and more expiries; 100 calls
arriving together at expiry cause one refresh. The sandbox counts every refresh, and would end
the session if a spent refresh token were ever presented again (reuse detection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from jobmojito_mcp.config import Settings, url_origin
from jobmojito_mcp.sandbox import RunningSandbox, run_sandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import SignIn
from jobmojito_mcp.signin.store import CredentialStore
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import http_server, run_cli, signin_env, stdio_server, text_of, whole_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]

TTL = 2
API_KEY = "team-key-4c1d9e2b7a60f835"


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with run_sandbox(token_ttl=TTL) as running:
        yield running


@pytest.fixture
def credentials(sandbox: RunningSandbox, tmp_path: Path) -> Path:
    path = tmp_path / "credentials.json"
    done = run_cli("login", env=whole_env(signin_env(sandbox.base_url, path)))
    assert done.returncode == 0, done.stderr
    return path


async def test_stdio_and_hosted_call_through_ten_expiries_with_one_refresh_each(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    env = signin_env(sandbox.base_url, credentials, LOG_LEVEL="INFO")
    failures: list[str] = []
    calls = {"stdio": 0, "hosted": 0}
    done = anyio.Event()

    async def keep_calling(name: str, call: Any) -> None:
        while not done.is_set():
            result: CallToolResult = await call("list_avatars", {"limit": 1})
            calls[name] += 1
            if result.is_error:
                failures.append(f"{name}: {text_of(result)}")
            await anyio.sleep(0.05)

    hosted_env = env | {"JOBMOJITO_MCP_API_KEYS": API_KEY}
    async with (
        stdio_server(env) as stdio,
        http_server(hosted_env, ["--transport", "streamable-http", "--auth", "api-key"]) as hosted,
    ):
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30)
        async with http, Client(streamable_http_client(f"{hosted.url}/mcp", http_client=http)) as remote:

            async def remote_call(tool: str, arguments: dict[str, Any]) -> CallToolResult:
                result = await remote.call_tool(tool, arguments)
                assert isinstance(result, CallToolResult)
                return result

            started = anyio.current_time()
            async with anyio.create_task_group() as group:
                group.start_soon(keep_calling, "stdio", stdio.call)
                group.start_soon(keep_calling, "hosted", remote_call)
                # At least eleven expiries, and until each process has done a renewal of its own: which
                # one renews at a given expiry is a race (both find the token due at the same moment),
                # so on a loaded machine one can win the first eleven; the other adopts its tokens.
                renewed = "renewed the JobMojito access token"
                with anyio.fail_after(90):
                    while sandbox.auth.count("refresh") < 11 or not all(  # noqa: ASYNC110  # polls other processes
                        renewed in server.stderr() for server in (stdio, hosted)
                    ):
                        await anyio.sleep(0.1)
                done.set()
            elapsed = anyio.current_time() - started
        stdio_log, hosted_log = stdio.stderr(), hosted.stderr()

    refreshes = sandbox.auth.count("refresh")
    used = {request.token for request in sandbox.requests() if request.endpoint}
    print(
        f"\n[renewal] {elapsed:.1f} s, token lifetime {TTL} s: {calls} calls, {refreshes} refreshes, "
        f"{len(used)} distinct access tokens, 0 of them refreshed twice"
    )
    assert failures == []
    assert min(calls.values()) >= 50
    # One refresh per expiry, shared by both processes: never the same refresh token twice
    # (that would have ended the session), never a refresh that went unused.
    assert sandbox.auth.count("reuse") == 0 and sandbox.auth.count("refresh-refused") == 0
    assert len(used) - 1 <= refreshes <= len(used)
    # Ten and more token generations, each expiring (renewed in its last quarter) with calls in flight.
    assert refreshes >= 11
    assert "renewed the JobMojito access token" in stdio_log + hosted_log
    assert (
        "renewed the JobMojito access token" in stdio_log
        and "renewed the JobMojito access token" in hosted_log
    )


async def test_a_hundred_calls_at_expiry_cause_one_refresh(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    settings = Settings(base_url=sandbox.base_url)
    credential = SignIn(
        CredentialStore(credentials), sandbox.jwt_issuer, api_origin=url_origin(settings.base_url)
    )
    async with (
        Upstream(settings) as upstream,
        Client(build_server(upstream, lambda _ctx: credential)) as client,
    ):
        first = await client.call_tool("list_avatars", {"limit": 1})
        assert not first.is_error
        # The token now expires; the one the refresh brings lives long enough that a slow machine
        # cannot let it expire too before the hundred calls are through (that would be a second,
        # legitimate refresh, not the race this test is about).
        sandbox.auth.token_ttl = 120
        await anyio.sleep(TTL)  # the token is now expired: every call below finds it so
        before = sandbox.auth.count("refresh")
        sandbox.clear_requests()
        results: list[Any] = []

        async def one() -> None:
            results.append(await client.call_tool("list_avatars", {"limit": 1}))

        async with anyio.create_task_group() as group:
            for _ in range(100):
                group.start_soon(one)
    await credential.aclose()
    sandbox.auth.token_ttl = TTL
    assert [result.is_error for result in results] == [False] * 100
    assert sandbox.auth.count("refresh") == before + 1
    tokens = {request.token for request in sandbox.requests()}
    assert len(sandbox.requests()) == 100 and len(tokens) == 1
