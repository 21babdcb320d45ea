"""Many replicas, one set of rules: three real server processes behind a real nginx (round robin, no
affinity), sharing a real `redis-server` (--state-url), driven by real MCP clients and raw HTTP.

One cluster serves the whole module, in this order: a caller's session quota holds across the three
while another caller is served; a token JobMojito refused through one replica is answered 401 by
the others; Redis stopped mid-load (serving goes on within per-replica limits, /readyz says so) and
restarted (shared limits resume); a replica killed mid-load (its calls in flight fail cleanly, new
calls go to the others, its counts expire within the lease). Two more clusters, each for one test: a
toolset a caller enabled through one replica shown by all (--dynamic-toolsets), and SSE sessions
routed to their replica by name (--transport sse).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from jobmojito_mcp.discovery import EnabledToolsets
from jobmojito_mcp.hosting.state import Lease, SharedState, lease_key
from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import INITIALIZE, MCP_HEADERS, HttpServer, http_server, server_env, text_of
from tests.test_deployment import find_nginx

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]

SESSIONS = 100  # the default session quota per caller
LEASE = 3.0  # seconds a dead replica's counts outlive it (default 30; short here to watch them expire)
REPLICAS = 3


def find_redis() -> str:
    found = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server",) if Path(p).exists()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI (.ci/run installs the Debian package)")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    return found


class RedisServer:
    """A real redis-server on a unix socket in a private directory (no TCP port to pick or lose),
    nothing persisted: a restart comes back empty, as a lost Redis would."""

    def __init__(self, directory: str) -> None:
        self.socket = f"{directory}/redis.sock"
        self.url = f"unix://{self.socket}"
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self._process = subprocess.Popen(
            [
                find_redis(),
                *("--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700"),
                *("--save", "", "--appendonly", "no", "--dir", self._directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(unix_socket_path=self.socket, socket_timeout=1)
        for _ in range(200):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            assert self._process.poll() is None, "redis-server exited at start"

            time.sleep(0.025)
        raise AssertionError("redis-server did not answer")

    def pause(self) -> None:
        """SIGSTOP: connections stay open, nothing answers (a Redis that is slow, not down)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def sessions(self, caller: str) -> int:
        """The caller's sessions open across all replicas, read straight from Redis (expired ones not
        counted, as the take script does not count them)."""

        import redis

        client = redis.Redis(unix_socket_path=self.socket, decode_responses=True)
        return int(client.zcount(lease_key("sessions", caller), int(time.time() * 1000), "+inf"))


# The main configuration around deploy/nginx.conf (what docker-compose.yml mounts as conf.d), which
# is run as shipped but for the replicas' addresses and the listener.
NGINX_MAIN = """
worker_processes 1;
daemon off;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/replicas.conf;
}}
"""
DEPLOYED = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"


def deployed_conf(ports: list[str], socket: str) -> str:
    """deploy/nginx.conf with mcp-N:8000 at 127.0.0.1:<port N>, listening on a unix socket."""
    text = DEPLOYED.read_text()
    assert text.count("listen 80;") == 1
    text = text.replace("listen 80;", f"listen unix:{socket};")
    for number, port in enumerate(ports, start=1):
        assert f"server mcp-{number}:8000" in text
        text = text.replace(f"mcp-{number}:8000", f"127.0.0.1:{port}")
    assert ":8000" not in text, "deploy/nginx.conf names more replicas than the test starts"
    return text


@dataclass
class Cluster:
    redis: RedisServer
    replicas: list[HttpServer]
    socket: str  # nginx's
    url: str = "http://127.0.0.1"  # the Host the replicas see: a loopback name they accept

    def via_nginx(self, token: str | None = None) -> httpx2.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        transport = httpx2.AsyncHTTPTransport(uds=self.socket)
        return httpx2.AsyncClient(transport=transport, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def redis_dir() -> Iterator[str]:
    # A short path: unix socket paths are limited to ~100 bytes, pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="rds") as directory:
        yield directory


@asynccontextmanager
async def cluster_of(
    sandbox: RunningSandbox, directory: str, transport: str = "streamable-http", *flags: str
) -> AsyncIterator[Cluster]:
    redis = RedisServer(directory)
    redis.start()
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="INFO", TIMEOUT="10") | {
        "JOBMOJITO_MCP_STATE_URL": redis.url,
        "JOBMOJITO_MCP_STATE_LEASE": str(LEASE),
        # Two cores shared by the whole suite: a replica's event loop may lag past the default 0.25 s
        # wait under load, which (rightly) counts as Redis being slow. Stopping Redis fails fast anyway.
        "JOBMOJITO_MCP_STATE_TIMEOUT": "2",
        "JOBMOJITO_MCP_METRICS": "/metrics",  # Prometheus on the MCP port (loopback: no token needed)
        # The request rate is shared too, but is not what these tests are about: high enough not to matter.
        "JOBMOJITO_MCP_CALLER_RATE": "1000",
    }
    args = ["--transport", transport, "--auth", "jobmojito-jwt", *flags]
    try:
        async with AsyncExitStack() as stack:
            replicas = [
                await stack.enter_async_context(
                    http_server(env | {"JOBMOJITO_MCP_REPLICA_NAME": f"mcp-{n + 1}"}, args)
                )
                for n in range(REPLICAS)
            ]
            ports = [replica.url.rsplit(":", 1)[1] for replica in replicas]
            conf = Path(directory) / "nginx.conf"
            user = "user root;" if os.geteuid() == 0 else ""
            socket = f"{directory}/nginx.sock"
            (Path(directory) / "replicas.conf").write_text(deployed_conf(ports, socket))
            conf.write_text(NGINX_MAIN.format(tmp=directory, user=user))
            nginx = subprocess.Popen(  # noqa: ASYNC220  # started once; nginx forks itself
                [find_nginx(), "-c", str(conf), "-p", directory],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            cluster = Cluster(redis, replicas, socket)
            try:
                with anyio.fail_after(10):
                    while True:  # watching other processes
                        try:
                            async with cluster.via_nginx() as probe:
                                if (await probe.get(f"{cluster.url}/healthz")).status_code == 200:
                                    break
                        except httpx2.TransportError:
                            await anyio.sleep(0.05)
                yield cluster
            finally:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(timeout=10)
    finally:
        redis.stop()


@pytest.fixture(scope="module")
async def cluster(sandbox: RunningSandbox, redis_dir: str) -> AsyncIterator[Cluster]:
    async with cluster_of(sandbox, redis_dir) as running:
        yield running


async def open_session(http: httpx2.AsyncClient, url: str) -> int:
    """A handshake-era session opened with a raw initialize: the status (200 opened, 429 refused)."""
    answer = await http.post(f"{url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)
    if answer.status_code == 429:
        assert int(answer.headers["retry-after"]) >= 1
        assert "sessions open" in answer.json()["error"]["message"]
    return answer.status_code


async def open_sessions(http: httpx2.AsyncClient, url: str, count: int) -> list[int]:
    statuses: list[int] = []

    async def one() -> None:
        statuses.append(await open_session(http, url))

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one)
    return statuses


@asynccontextmanager
async def mcp_client(cluster: Cluster, token: str) -> AsyncIterator[Client]:
    """The SDK's client through nginx: 2026-07-28, sessionless, so any replica serves each request."""
    async with (
        cluster.via_nginx(token) as http,
        Client(streamable_http_client(f"{cluster.url}/mcp", http_client=http)) as client,
    ):
        yield client


async def served(client: Client, times: int) -> None:
    for _ in range(times):
        listed = await client.call_tool("list_avatars", {"limit": 1})
        assert isinstance(listed, CallToolResult) and not listed.is_error, text_of(listed)


def direct(replica: HttpServer, token: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(base_url=replica.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def test_a_callers_session_quota_holds_across_three_replicas(
    cluster: Cluster, sandbox: RunningSandbox
) -> None:
    alice, bob = sandbox.issue_token("alice"), sandbox.issue_token("bob")
    async with cluster.via_nginx(alice) as http, mcp_client(cluster, bob) as other:
        statuses: list[int] = []

        async def alice_opens() -> None:
            for _ in range(13):  # 130 attempts, ten at a time, spread over the three by nginx
                statuses.extend(await open_sessions(http, cluster.url, 10))

        async with anyio.create_task_group() as group:
            group.start_soon(alice_opens)
            group.start_soon(served, other, 10)  # another caller, served meanwhile
    # Per process, each replica would have let alice open 100 (300 in all): shared, exactly 100.
    assert statuses.count(200) == SESSIONS, statuses
    assert statuses.count(429) == 30
    assert cluster.redis.sessions("alice") == SESSIONS
    # Each replica opened some of them (round robin, no affinity): the limit was not one replica's.
    for replica in cluster.replicas:
        async with direct(replica, alice) as http:
            assert await open_session(http, replica.url) == 429


async def test_a_token_refused_through_one_replica_is_answered_401_by_the_others(
    cluster: Cluster, sandbox: RunningSandbox
) -> None:
    carol = sandbox.issue_token("carol")
    first, *others = cluster.replicas
    for replica in cluster.replicas:  # a valid token: every replica serves it
        async with direct(replica, carol) as http:
            assert await open_session(http, replica.url) == 200
    sandbox.auth.sign_out(subject="carol")  # signed out in JobMojito: its API now answers 401
    async with (
        direct(first, carol) as http,
        Client(streamable_http_client(f"{first.url}/mcp", http_client=http)) as client,
    ):
        refused = await client.call_tool("list_avatars", {"limit": 1})
        assert isinstance(refused, CallToolResult) and refused.is_error
        assert "sign in again" in text_of(refused)
    # The others have never seen JobMojito refuse it: they answer 401 (the client signs in again).
    with anyio.fail_after(5):
        for replica in others:
            async with direct(replica, carol) as http:
                while (await http.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)).status_code != 401:  # noqa: ASYNC110  # watching other processes
                    await anyio.sleep(0.05)  # the digest is written in the background, within moments
    async with cluster.via_nginx(carol) as http:
        for _ in range(REPLICAS):
            assert (
                await http.post(f"{cluster.url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)
            ).status_code == 401
    for replica in cluster.replicas:
        assert carol not in replica.stderr()
        assert "refused" in replica.stderr() or replica is first


async def test_a_handshake_session_stays_with_its_replica_and_a_stray_one_is_told_why(
    cluster: Cluster, sandbox: RunningSandbox
) -> None:
    heidi = sandbox.issue_token("heidi")
    # A handshake-era client (2025-11-25, a session) through nginx: its requests reach its replica.
    async with (
        cluster.via_nginx(heidi) as http,
        Client(streamable_http_client(f"{cluster.url}/mcp", http_client=http), mode="legacy") as client,
    ):
        await served(client, 4)
        tools = await client.list_tools()
        assert any(tool.name == "list_avatars" for tool in tools.tools)
    # A session id names its replica; sent to another one, it is answered 404 with the reason.
    first, second = cluster.replicas[0], cluster.replicas[1]
    async with direct(first, heidi) as http:
        opened = await http.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
    session = opened.headers["mcp-session-id"]
    assert session.startswith("mcp-1.")
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    with_session = MCP_HEADERS | {"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-06-18"}
    async with direct(second, heidi) as http:
        stray = await http.post("/mcp", json=initialized, headers=with_session)
    assert stray.status_code == 404
    assert "belongs to replica 'mcp-1', but reached replica 'mcp-2'" in stray.json()["error"]["message"]
    assert "docs/hosting.md" in stray.json()["error"]["message"]
    async with cluster.via_nginx(heidi) as http:  # nginx routes it home, whichever replica is next
        for _ in range(REPLICAS):
            answer = await http.post(f"{cluster.url}/mcp", json=initialized, headers=with_session)
            assert answer.status_code == 202, answer.text


async def listed_by(replica: HttpServer, token: str) -> set[str]:
    """The tools a caller is shown by one replica (the SDK's client, 2026-07-28: no session)."""
    async with (
        direct(replica, token) as http,
        Client(streamable_http_client(f"{replica.url}/mcp", http_client=http)) as client,
    ):
        return {tool.name for tool in (await client.list_tools()).tools}


async def test_a_toolset_enabled_through_one_replica_is_shown_by_all_to_that_caller_only(
    sandbox: RunningSandbox,
) -> None:
    """--dynamic-toolsets on three replicas (their own cluster): the default toolsets (list_avatars
    among them) plus the discovery tools; SDK clients on 2026-07-28, so toolsets are per caller."""
    with tempfile.TemporaryDirectory(prefix="rds") as directory:
        async with cluster_of(sandbox, directory, "streamable-http", "--dynamic-toolsets") as cluster:
            await toolsets_shared(cluster, sandbox)


async def toolsets_shared(cluster: Cluster, sandbox: RunningSandbox) -> None:
    ivan, judy = sandbox.issue_token("ivan"), sandbox.issue_token("judy")
    first, *others = cluster.replicas
    for replica in cluster.replicas:
        assert "create_persona" not in await listed_by(replica, ivan)  # coaching is off by default
    async with (
        direct(first, ivan) as http,
        Client(streamable_http_client(f"{first.url}/mcp", http_client=http)) as client,
    ):
        enabled = await client.call_tool("enable_toolset", {"toolset": "coaching"})
        assert not enabled.is_error, text_of(enabled)
    for replica in others:  # never asked by ivan to enable anything
        listed = await listed_by(replica, ivan)
        assert {"create_persona", "list_catalogue_directories", "list_avatars"} <= listed
        assert "create_persona" not in await listed_by(replica, judy)  # another caller: unchanged
    # Through nginx (any replica): ivan calls a coaching tool; it reaches JobMojito.
    async with mcp_client(cluster, ivan) as client:
        for _ in range(REPLICAS):
            listed = await client.call_tool("list_catalogue_directories", {})
            assert isinstance(listed, CallToolResult) and not listed.is_error, text_of(listed)


async def test_an_sse_session_stays_with_its_replica_through_nginx(sandbox: RunningSandbox) -> None:
    """The older SSE transport: the stream (GET /sse) lands on any replica, and every message posted
    to its session (/messages/?session_id=...) must reach that same replica, which nginx does by the
    replica's name in the session id. Round robin would send two of three elsewhere. Its own
    cluster, serving SSE only."""
    with tempfile.TemporaryDirectory(prefix="rds") as directory:
        async with cluster_of(sandbox, directory, "sse") as cluster:
            await sse_sessions_routed(cluster, sandbox)


async def sse_sessions_routed(cluster: Cluster, sandbox: RunningSandbox) -> None:
    mia = sandbox.issue_token("mia")

    def through_nginx(
        headers: dict[str, str] | None = None,
        timeout: httpx2.Timeout | None = None,
        auth: httpx2.Auth | None = None,
    ) -> httpx2.AsyncClient:
        transport = httpx2.AsyncHTTPTransport(uds=cluster.socket)
        return httpx2.AsyncClient(transport=transport, headers=headers, timeout=timeout, auth=auth)

    sessions: list[str] = []
    for _ in range(REPLICAS):  # three streams: round robin opens one on each replica
        async with Client(
            sse_client(
                f"{cluster.url}/sse",
                headers={"Authorization": f"Bearer {mia}"},
                timeout=30,
                httpx_client_factory=through_nginx,
                on_session_created=sessions.append,
            )
        ) as client:
            await served(client, 4)  # eight messages posted: each must find the session
    assert sorted(session.split(".", 1)[0] for session in sessions) == ["mcp-1", "mcp-2", "mcp-3"]
    # Posted to another replica directly, a session's message is refused with the reason.
    second = cluster.replicas[1]
    async with direct(second, mia) as http:
        stray = await http.post(
            f"/messages/?session_id=mcp-1.{'0' * 32}", json={"jsonrpc": "2.0", "method": "ping", "id": 1}
        )
    assert stray.status_code == 404
    assert "belongs to replica 'mcp-1', but reached replica 'mcp-2'" in stray.json()["error"]["message"]
    assert "its session_id" in stray.json()["error"]["message"]


async def readiness(replica: HttpServer) -> dict[str, Any]:
    async with httpx2.AsyncClient() as http:
        answer = await http.get(f"{replica.url}/readyz")
    assert answer.status_code == 200, answer.text  # Redis away never makes a replica unready
    body: dict[str, Any] = answer.json()
    return body


async def test_redis_stopped_mid_load_serving_goes_on_within_per_replica_limits_then_shared_resumes(
    cluster: Cluster, sandbox: RunningSandbox
) -> None:
    erin, frank = sandbox.issue_token("erin"), sandbox.issue_token("frank")
    target = cluster.replicas[0]
    async with cluster.via_nginx(erin) as http, mcp_client(cluster, frank) as other:
        assert (await open_sessions(http, cluster.url, SESSIONS)).count(200) == SESSIONS
        assert await open_session(http, cluster.url) == 429
        assert (await readiness(target))["state"] == "shared (redis)"

        cluster.redis.stop()
        await served(other, 6)  # mid-load: frank's calls go on, on every replica
        ready = await readiness(target)
        assert ready["state"].startswith("per-replica") and ready["state_fallbacks"] >= 1
        # Per-replica limits: this replica holds about a third of erin's 100; it lets her reach 100
        # here, and no further.
        async with direct(target, erin) as one:
            more = await open_sessions(one, target.url, SESSIONS)
        opened_here = more.count(200)
        assert 0 < opened_here < SESSIONS and more.count(429) == SESSIONS - opened_here
        assert "Redis unreachable" in target.stderr()
        async with httpx2.AsyncClient() as scraper:
            metrics = (await scraper.get(f"{target.url}/metrics")).text
        counted = [
            line for line in metrics.splitlines() if line.startswith("jobmojito_state_fallbacks_total")
        ]
        assert counted and float(counted[0].split()[-1]) >= 1, metrics[-2000:]

        cluster.redis.start()  # back, and empty
        with anyio.fail_after(LEASE + 5):
            while (await readiness(target))["state"] != "shared (redis)":  # noqa: ASYNC110  # watching other processes
                await anyio.sleep(0.2)
            # Every replica writes back what it holds: erin is over her quota everywhere again.
            while cluster.redis.sessions("erin") < SESSIONS + opened_here:  # noqa: ASYNC110  # watching other processes
                await anyio.sleep(0.2)
        for replica in cluster.replicas[1:]:
            async with direct(replica, erin) as one:
                assert await open_session(one, replica.url) == 429
        await served(other, 3)
    assert "answers again" in target.stderr()


async def test_a_replica_killed_mid_load_fails_its_calls_cleanly_and_its_counts_expire(
    cluster: Cluster, sandbox: RunningSandbox
) -> None:
    grace = sandbox.issue_token("grace")
    doomed = cluster.replicas[0]
    # Grace holds sessions on every replica, up to her quota.
    async with cluster.via_nginx(grace) as http:
        assert (await open_sessions(http, cluster.url, SESSIONS)).count(200) == SESSIONS
        assert await open_session(http, cluster.url) == 429
    before = cluster.redis.sessions("grace")
    assert before == SESSIONS
    # Calls in flight: list_avatars held by the sandbox for a while, spread over the three.
    sandbox.inject("merchant-avatar-list", "hang", delay=4.0, times=None)
    outcomes: dict[str, list[str]] = {"doomed": [], "nginx": []}

    async def call(where: str, url: str, http: httpx2.AsyncClient) -> None:
        try:
            async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                result = await client.call_tool("list_avatars", {"limit": 1})
                outcomes[where].append(text_of(result) if result.is_error else "ok")
        except Exception:  # the replica died under it: an error, not a hang
            outcomes[where].append("failed")

    try:
        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for _ in range(2):
                    group.start_soon(call, "doomed", doomed.url, direct(doomed, grace))
                for _ in range(4):
                    group.start_soon(call, "nginx", cluster.url, cluster.via_nginx(grace))
                await anyio.sleep(1.5)  # all six in flight
                doomed.process.kill()  # SIGKILL: no draining, no release of its counts
    finally:
        sandbox.clear_faults()
    assert outcomes["doomed"] == ["failed", "failed"], outcomes
    assert len(outcomes["nginx"]) == 4 and "ok" in outcomes["nginx"], outcomes
    # New calls go to the others.
    async with mcp_client(cluster, grace) as client:
        await served(client, 4)
    # The dead replica's sessions expire within the lease; then grace may open that many again.
    with anyio.fail_after(LEASE + 5):
        while cluster.redis.sessions("grace") >= before:  # noqa: ASYNC110  # watching other processes
            await anyio.sleep(0.2)
    freed = before - cluster.redis.sessions("grace")
    assert 0 < freed < SESSIONS
    async with cluster.via_nginx(grace) as http:
        assert (await open_sessions(http, cluster.url, freed)).count(200) == freed
        assert await open_session(http, cluster.url) == 429


async def test_a_slow_redis_costs_a_decision_at_most_the_timeout_and_is_used_again_once_it_answers() -> None:
    """In process, against its own redis-server: a Redis that is connected but silent (SIGSTOP)."""
    with tempfile.TemporaryDirectory(prefix="rds") as directory:
        redis = RedisServer(directory)
        redis.start()
        state = SharedState(redis.url, lease=LEASE, timeout=0.2)
        try:
            await state.start()
            assert isinstance(await state.take("calls", "ivan", 1), Lease)
            assert await state.take("calls", "ivan", 1) == 1  # shared: ivan holds his one call
            redis.pause()
            started = time.monotonic()
            local = await state.take("calls", "ivan", 1)  # no answer: decided here, within the bound
            assert isinstance(local, Lease) and time.monotonic() - started < 2.0
            assert state.status()["state"] == "per-replica (redis unreachable)"
            started = time.monotonic()
            assert isinstance(await state.take("calls", "ivan", 1), Lease)  # left alone meanwhile: no wait
            assert time.monotonic() - started < 0.1
            assert state.fallbacks == 2
            redis.resume()
            await anyio.sleep(1.2)  # past the pause after a failure
            held = await state.take("calls", "ivan", 1)  # shared again: refused
            assert isinstance(held, int) and held >= 1
            assert state.status() == {"state": "shared (redis)"}
        finally:
            redis.resume()
            await state.aclose()
            redis.stop()


async def test_toolsets_enabled_while_redis_was_away_are_written_back_when_it_returns() -> None:
    """Two replicas' memories of enabled toolsets (discovery.EnabledToolsets) over one real
    redis-server: shared while it answers; each goes by what it knows while it is away; what was
    enabled meanwhile (or lost with a Redis restart) is written back, and every replica sees it."""
    with tempfile.TemporaryDirectory(prefix="rds") as directory:
        redis = RedisServer(directory)
        redis.start()
        states = [SharedState(redis.url, lease=LEASE, timeout=0.2) for _ in range(2)]
        one, two = (EnabledToolsets(["interviews"], store=state) for state in states)
        try:
            for state in states:
                await state.start()
            assert await one.enable("kim", "coaching")
            await two.refresh("kim")
            assert two.of("kim") == {"interviews", "coaching"}
            assert two.of("lea") == {"interviews"}  # another caller
            redis.stop()
            assert await one.enable("kim", "screening")  # Redis away: kept by this replica
            await two.refresh("kim")
            assert one.of("kim") == {"interviews", "coaching", "screening"}
            assert two.of("kim") == {"interviews", "coaching"}  # what it knew, still shown
            redis.start()  # back, and empty
            await anyio.sleep(1.2)  # past the pause after a failure
            await one.refresh("kim")  # its next request: writes back what only it knows
            await two.refresh("kim")
            assert two.of("kim") == {"interviews", "coaching", "screening"}
            assert not await two.enable("kim", "screening")  # already enabled: nothing to announce
        finally:
            for state in states:
                await state.aclose()
            redis.stop()
