"""The hosted endpoint over real HTTP on loopback, driven by the SDK's own HTTP clients.

Every tool on every transport in both auth modes; auth failures answered 401 with nothing sent
upstream; Host/Origin checks; per-caller tokens kept apart under concurrency; exposure refused.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import (
    INITIALIZE,
    MCP_HEADERS,
    TOKEN,
    HttpServer,
    call_every_tool,
    call_ok,
    http_mcp_client,
    http_server,
    server_env,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

API_KEY = "inbound-key-7d1f0a9b2c4e"


def hosted_env(sandbox: RunningSandbox, auth: str) -> dict[str, str]:
    env = server_env(sandbox.base_url, token=TOKEN if auth == "api-key" else None, LOG_LEVEL="INFO")
    if auth == "api-key":
        env["JOBMOJITO_MCP_API_KEYS"] = f"other-key-000000000,{API_KEY}"
    else:
        env["JOBMOJITO_JWKS_URL"] = sandbox.jwks_url
        env["JOBMOJITO_JWT_ISSUER"] = sandbox.jwt_issuer
    return env


@asynccontextmanager
async def hosted(sandbox: RunningSandbox, auth: str, *extra: str) -> AsyncIterator[HttpServer]:
    async with http_server(
        hosted_env(sandbox, auth), ["--transport", "http", "--auth", auth, *extra]
    ) as server:
        yield server


def connect(server: HttpServer, transport: str, bearer: str) -> Any:
    return http_mcp_client(server.url, transport, {"Authorization": f"Bearer {bearer}"})


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
@pytest.mark.parametrize("auth", ["api-key", "jobmojito-jwt"])
async def test_every_tool_on_every_transport(sandbox: RunningSandbox, transport: str, auth: str) -> None:
    caller_token = sandbox.issue_token("merchant-user-1") if auth == "jobmojito-jwt" else None
    async with hosted(sandbox, auth) as server:
        sandbox.clear_requests()
        async with connect(server, transport, caller_token or API_KEY) as client:
            await call_every_tool(client)
        requests = sandbox.requests()
        assert {r.endpoint for r in requests} == {
            "merchant-avatar-list",
            "job-interview-create",
            "job-interview-create-from-array",
            "job-interview-create-for-candidate-with-token",
            "job-interview-get",
            "job-interview-set-state",
        }
        # api-key: the team's own JobMojito token; jobmojito-jwt: the caller's, and only theirs.
        expected = TOKEN if auth == "api-key" else caller_token
        assert {r.headers["authorization"] for r in requests} == {f"Bearer {expected}"}
        log = server.stderr()
        assert API_KEY not in log and TOKEN not in log
        assert caller_token is None or caller_token not in log


def bad_bearers(sandbox: RunningSandbox) -> dict[str, str | None]:
    return {
        "missing": None,
        "wrong": "not-a-valid-key-or-token",
        "expired": sandbox.issue_token("merchant-user-1", expires_in=-3600),
        "wrong-signature": sandbox.forge_token("merchant-user-1"),
        "wrong-audience": sandbox.issue_token("merchant-user-1", audience="anon"),
    }


@pytest.mark.parametrize("auth", ["api-key", "jobmojito-jwt"])
async def test_bad_credentials_get_401_and_nothing_reaches_upstream(
    sandbox: RunningSandbox, auth: str
) -> None:
    async with hosted(sandbox, auth) as server:
        sandbox.clear_requests()
        async with httpx2.AsyncClient() as http:
            for name, bearer in bad_bearers(sandbox).items():
                headers = dict(MCP_HEADERS)
                if bearer is not None:
                    headers["Authorization"] = f"Bearer {bearer}"
                for path in ("/mcp", "/messages/?session_id=0"):
                    response = await http.post(f"{server.url}{path}", json=INITIALIZE, headers=headers)
                    assert response.status_code == 401, (name, path, response.text)
                    assert response.headers["www-authenticate"].startswith("Bearer"), name
                response = await http.get(f"{server.url}/sse", headers=headers)
                assert response.status_code == 401, name
        assert sandbox.requests() == []


async def test_jwt_mode_serves_protected_resource_metadata(sandbox: RunningSandbox) -> None:
    async with hosted(sandbox, "jobmojito-jwt") as server, httpx2.AsyncClient() as http:
        challenge = await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        assert challenge.status_code == 401
        assert "resource_metadata=" in challenge.headers["www-authenticate"]
        metadata = await http.get(f"{server.url}/.well-known/oauth-protected-resource/mcp")
        assert metadata.status_code == 200
        body = metadata.json()
        assert body["resource"] == f"{server.url}/mcp"
        assert body["authorization_servers"] == [sandbox.jwt_issuer]


async def test_host_and_origin_are_checked(sandbox: RunningSandbox) -> None:
    async with hosted(sandbox, "api-key") as server, httpx2.AsyncClient() as http:
        headers = MCP_HEADERS | {"Authorization": f"Bearer {API_KEY}"}
        evil_origin = await http.post(
            f"{server.url}/mcp", json=INITIALIZE, headers=headers | {"Origin": "http://evil.example"}
        )
        assert evil_origin.status_code == 403
        evil_host = await http.post(
            f"{server.url}/mcp", json=INITIALIZE, headers=headers | {"Host": "evil.example"}
        )
        assert evil_host.status_code == 421
        own_origin = await http.post(
            f"{server.url}/mcp", json=INITIALIZE, headers=headers | {"Origin": server.url}
        )
        assert own_origin.status_code == 200
        # Probes answer whatever the Host (load balancers and kubelets use the pod address).
        probe = await http.get(f"{server.url}/healthz", headers={"Host": "10.0.0.7:8000"})
        assert probe.status_code == 200


async def test_allowed_hosts_and_origins_for_a_reverse_proxy(sandbox: RunningSandbox) -> None:
    extra = ["--allowed-hosts", "mcp.example.com", "--allowed-origins", "https://app.example.com"]
    async with hosted(sandbox, "api-key", *extra) as server, httpx2.AsyncClient() as http:
        headers = MCP_HEADERS | {"Authorization": f"Bearer {API_KEY}", "Host": "mcp.example.com"}
        ok = await http.post(
            f"{server.url}/mcp", json=INITIALIZE, headers=headers | {"Origin": "https://app.example.com"}
        )
        assert ok.status_code == 200
        loopback_host = await http.post(
            f"{server.url}/mcp", json=INITIALIZE, headers=headers | {"Host": "127.0.0.1"}
        )
        assert loopback_host.status_code == 421, "configured lists replace the defaults"


async def test_health_and_readiness_need_no_auth_and_hold_no_secrets(sandbox: RunningSandbox) -> None:
    async with hosted(sandbox, "api-key") as server, httpx2.AsyncClient() as http:
        health = await http.get(f"{server.url}/healthz")
        ready = await http.get(f"{server.url}/readyz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        for response in (health, ready):
            assert TOKEN not in response.text and API_KEY not in response.text


async def test_readiness_reports_an_unreachable_upstream() -> None:
    env = server_env("http://127.0.0.1:9/functions/v1")
    async with http_server(env, ["--transport", "streamable-http"]) as server, httpx2.AsyncClient() as http:
        ready = await http.get(f"{server.url}/readyz")
        assert ready.status_code == 503


async def test_callers_tokens_never_cross_under_concurrency(sandbox: RunningSandbox) -> None:
    """100 concurrent sessions, each with its own JobMojito token: each call carries its caller's token."""
    callers = 100
    tokens = {index: sandbox.issue_token(f"merchant-user-{index}") for index in range(callers)}
    async with hosted(sandbox, "jobmojito-jwt") as server:
        sandbox.clear_requests()

        async def session(index: int) -> None:
            async with connect(server, "streamable-http", tokens[index]) as client:
                for round_ in range(2):
                    await call_ok(
                        client, "list_avatars", {"filter_text": f"caller-{index}-{round_}", "limit": 1}
                    )

        async with anyio.create_task_group() as group:
            for index in range(callers):
                group.start_soon(session, index)
        requests = sandbox.requests("merchant-avatar-list")
        assert len(requests) == callers * 2
        for request in requests:
            index = int(request.query["filter_text"].split("-")[1])
            assert request.headers["authorization"] == f"Bearer {tokens[index]}"


def test_public_bind_without_auth_refuses_to_start() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobmojito_mcp", "--transport", "streamable-http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
        env=server_env("http://127.0.0.1:9"),
        check=False,
    )
    assert done.returncode != 0
    assert "refusing to serve without authentication" in done.stderr
    assert "Traceback" not in done.stderr
