"""Deployment behaviour: stateless replicas behind a real nginx, and graceful shutdown on SIGTERM."""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
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
from tests.support import (
    COOKBOOK,
    TOKEN,
    AcceptConfirmation,
    HttpServer,
    create_then_delete,
    http_server,
    server_env,
    sigterm_during_a_call,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

API_KEY = "replica-key-51c0e2d7a9"


def find_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is required in CI (.ci/run installs the Debian package)")
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    return found


NGINX_CONF = """
worker_processes 1;
daemon off;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream mcp_replicas {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
    }}
    server {{
        listen unix:{socket};
        location / {{
            proxy_pass http://mcp_replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


@dataclass
class Proxy:
    """nginx in front of the replicas, listening on a unix socket: no TCP port to pick (or lose)."""

    socket: str
    replicas: list[HttpServer]
    url: str = "http://127.0.0.1"  # the Host the replicas see: a loopback name they accept

    def client(self, headers: dict[str, str] | None = None) -> httpx2.AsyncClient:
        transport = httpx2.AsyncHTTPTransport(uds=self.socket)
        return httpx2.AsyncClient(transport=transport, headers=headers or {}, timeout=30)


@asynccontextmanager
async def replicas_behind_nginx(env: dict[str, str], args: list[str], tmp_path: Path) -> AsyncIterator[Proxy]:
    """Two server processes and a real nginx balancing them round-robin."""
    nginx = find_nginx()
    async with (
        http_server(env, args) as first,
        http_server(env, args) as second,
    ):
        conf = tmp_path / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        ports = [server.url.rsplit(":", 1)[1] for server in (first, second)]
        # A short path: unix socket paths are limited to ~100 bytes, pytest's tmp_path can be longer.
        with tempfile.TemporaryDirectory(prefix="ngx") as short:
            proxy = Proxy(socket=f"{short}/mcp.sock", replicas=[first, second])
            conf.write_text(
                NGINX_CONF.format(
                    tmp=tmp_path, socket=proxy.socket, user=user, first=ports[0], second=ports[1]
                )
            )
            process = subprocess.Popen(  # noqa: ASYNC220  # started once; nginx forks itself
                [nginx, "-c", str(conf), "-p", str(tmp_path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                with anyio.fail_after(10):
                    while True:
                        try:
                            async with proxy.client() as probe:
                                if (await probe.get(f"{proxy.url}/healthz")).status_code == 200:
                                    break
                        except httpx2.TransportError:
                            await anyio.sleep(0.05)
                yield proxy
            finally:
                process.send_signal(signal.SIGQUIT)
                process.wait(timeout=10)


def replica_env(sandbox: RunningSandbox) -> dict[str, str]:
    # DEBUG: the access log ("POST /mcp 200") shows which replica answered.
    return server_env(sandbox.base_url, LOG_LEVEL="DEBUG") | {
        "JOBMOJITO_MCP_API_KEYS": API_KEY,
        # Shared by both replicas, so either can open request state the other sealed.
        "JOBMOJITO_MCP_STATE_KEYS": "replica-shared-state-key-3f9a1c7e5b2d4068",
    }


REPLICA_ARGS = ["--transport", "streamable-http", "--stateless", "--auth", "api-key"]


async def test_stateless_replicas_behind_nginx_round_robin(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with replicas_behind_nginx(replica_env(sandbox), REPLICA_ARGS, tmp_path) as proxy:
        sandbox.clear_requests()
        async with (
            proxy.client({"Authorization": f"Bearer {API_KEY}"}) as http,
            Client(streamable_http_client(f"{proxy.url}/mcp", http_client=http)) as client,
        ):
            arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {
                "interview_template_id": DEFAULT_TEMPLATE_ID
            }
            created = await client.call_tool("create_interview", arguments)
            assert isinstance(created, CallToolResult) and not created.is_error, text_of(created)
            assert isinstance(created.structured_content, dict)
            interview_id = created.structured_content["interview_def_set_id"]
            for _ in range(3):
                got = await client.call_tool("get_interview_definition", {"position_id": interview_id})
                assert isinstance(got, CallToolResult) and not got.is_error, text_of(got)
                listed = await client.call_tool("list_avatars", {"limit": 1})
                assert isinstance(listed, CallToolResult) and not listed.is_error
        # Round robin really spread the one session over both replicas.
        for replica in proxy.replicas:
            assert replica.stderr().count('"POST /mcp HTTP/1.1" 200') >= 2, replica.stderr()[-2000:]
        assert len(sandbox.requests()) == 7
        assert {r.headers["authorization"] for r in sandbox.requests()} == {f"Bearer {TOKEN}"}


async def test_a_confirmation_round_trip_crosses_replicas(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """2026-07-28 elicitation: the answer returns with request state sealed by one replica, often to
    the other; with the shared JOBMOJITO_MCP_STATE_KEYS it opens there and the delete goes through."""
    accept = AcceptConfirmation()
    async with (
        replicas_behind_nginx(replica_env(sandbox), REPLICA_ARGS, tmp_path) as proxy,
        proxy.client({"Authorization": f"Bearer {API_KEY}"}) as http,
        Client(
            streamable_http_client(f"{proxy.url}/mcp", http_client=http), elicitation_callback=accept
        ) as client,
    ):
        for _ in range(2):  # two rounds: whichever replica answers first, one round trip crosses over
            await create_then_delete(client, sandbox)
    assert len(accept.asked) == 2


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # modern JSON answers; legacy SSE-streamed answers
async def test_sigterm_lets_in_flight_calls_finish_and_exits_zero(sandbox: RunningSandbox, mode: str) -> None:
    env = server_env(sandbox.base_url, LOG_LEVEL="INFO", TIMEOUT="10")
    async with http_server(env, ["--transport", "streamable-http", "--shutdown-grace", "10"]) as server:
        refused_during_drain: list[bool] = []

        async def new_connection() -> None:
            await anyio.sleep(0.5)
            try:
                async with httpx2.AsyncClient() as http:
                    await http.get(f"{server.url}/healthz")
                refused_during_drain.append(False)
            except httpx2.ConnectError:
                refused_during_drain.append(True)

        result = await sigterm_during_a_call(
            server.url, server.process, sandbox, mode=mode, while_draining=new_connection
        )
        assert refused_during_drain == [True], "after SIGTERM, no new connections"
        assert not result.is_error, text_of(result)
        await anyio.to_thread.run_sync(lambda: server.process.wait(15))
        assert server.process.returncode == 0, server.stderr()[-2000:]
        assert "1 tool call(s) in flight" in server.stderr() and "stopped" in server.stderr()
