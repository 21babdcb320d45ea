"""The hosted endpoint under the attacks of issue 11, as figures: this tree, and optionally another one.

    .venv/bin/python tests/perf/abuse_bench.py                        # this tree (about 3 minutes)
    .venv/bin/python tests/perf/abuse_bench.py --before /tmp/old      # and a tree from before the fix
    .venv/bin/python tests/perf/abuse_bench.py --only layers          # some phases

`--before DIR` runs the server from DIR (e.g. `git archive 1792f53 | tar -x -C DIR`) with the
same attacks and prints both columns. Every server runs in its own process with a file limit of
4,096 (the attacks must reach the limit on a CI machine), against the sandbox over loopback.
Phases: `connections` (5,000 silent sockets), `slow_heads` (1,000 dripping heads), `sessions`
(2,000 initialize with one key), `streams` (1,000 GET /sse with one key), `fairness` (110 slow
calls by one caller on a 20-connection pool), `jwks` (a failing and a hanging JWKS), `malformed`
(RS256 naming the real EC key), `layers` (what the new per-request layers cost, this tree only).
Not collected by pytest; figures are noisy on a shared machine: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the security suite's attack helpers

from jobmojito_mcp.sandbox import RunningSandbox, run_sandbox  # noqa: E402
from tests.security.attack import (  # noqa: E402
    INITIALIZE,
    KEY_A,
    KEY_B,
    RawSession,
    bearer,
    closed_by_server,
    headers_of,
    hosted_env,
    rpc_body,
)
from tests.security.jwks_stub import jwks_stub  # noqa: E402
from tests.support import http_server  # noqa: E402

FILES = 4096  # the servers' file limit (soft and hard)
PHASES = ["connections", "slow_heads", "sessions", "streams", "fairness", "jwks", "malformed", "layers"]


@dataclass
class Server:
    url: str
    pid: int
    log: Path
    log_start: int = 0

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def mark(self) -> None:
        self.log_start = self.log.stat().st_size

    def log_bytes(self) -> int:
        return self.log.stat().st_size - self.log_start

    def log_text(self) -> str:
        return self.log.read_bytes()[self.log_start :].decode(errors="replace")


@dataclass
class Tree:
    label: str
    pythonpath: str | None  # None: this tree


@dataclass
class Results:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def put(self, figure: str, label: str, value: str) -> None:
        if figure not in self.rows:
            self.rows[figure] = {}
            self.order.append(figure)
        self.rows[figure][label] = value
        print(f"  {label}: {figure}: {value}", file=sys.stderr, flush=True)


def limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


@asynccontextmanager
async def serve(
    tree: Tree, sandbox: RunningSandbox, *args: str, auth: str = "api-key", **env: str
) -> AsyncIterator[Server]:
    # Production timeouts, not the test suite's short ones: the attacks play out as they would.
    production = {
        "JOBMOJITO_TIMEOUT": "120",
        "JOBMOJITO_CONNECT_TIMEOUT": "10",
        "JOBMOJITO_RETRY_BACKOFF": "0.5",
    }
    settings = {f"JOBMOJITO_{key.upper()}": value for key, value in env.items()}
    environment = hosted_env(sandbox, auth) | production | settings
    if tree.pythonpath:
        environment["PYTHONPATH"] = tree.pythonpath
    async with http_server(
        environment, ["--transport", "http", "--auth", auth, *args], ready_timeout=30, preexec_fn=limit_files
    ) as running:
        server = Server(running.url, running.process.pid, running.stderr_path)
        server.mark()
        yield server


def port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def open_silent(port: int, count: int) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            continue
        sock.setblocking(False)
        opened.append(sock)
    return opened


async def probe_latency(url: str, tries: int = 5) -> tuple[float, int]:
    """(median seconds of /healthz, failures), each try on a fresh connection with a 5 s timeout."""
    seconds, failures = [], 0
    for _ in range(tries):
        started = time.perf_counter()
        try:
            async with httpx2.AsyncClient(timeout=5) as http:
                ok = (await http.get(f"{url}/healthz")).status_code == 200
        except httpx2.HTTPError:
            ok = False
        seconds.append(time.perf_counter() - started)
        failures += not ok
    return statistics.median(seconds), failures


LIST_ONE = {"name": "list_avatars", "arguments": {"limit": 1}}


async def victim_call(url: str, key: str = KEY_B, patience: float = 60) -> tuple[bool, float]:
    """A valid caller's initialize + list_avatars, over Streamable HTTP: (succeeded, seconds)."""
    started = time.perf_counter()
    try:
        async with httpx2.AsyncClient(timeout=patience) as http:
            session = RawSession(http, url, headers_of(key))
            if (await session.open()).status_code != 200:
                return False, time.perf_counter() - started
            answer = await session.request("tools/call", LIST_ONE)
            ok = answer.status_code == 200 and not rpc_body(answer).get("result", {}).get("isError", True)
    except httpx2.HTTPError:
        ok = False
    return ok, time.perf_counter() - started


class Bench:
    def __init__(self, trees: list[Tree], sandbox: RunningSandbox, results: Results) -> None:
        self.trees = trees
        self.sandbox = sandbox
        self.results = results

    def serve(self, tree: Tree, *args: str, **env: str) -> Any:
        return serve(tree, self.sandbox, *args, **env)

    async def connections(self, tree: Tree) -> None:
        put = self.results.put
        async with self.serve(tree) as server:
            rss = server.rss_mib()
            cpu = server.cpu_seconds()
            silent = await anyio.to_thread.run_sync(open_silent, port(server), 5_000)
            await anyio.sleep(1)
            put("5,000 silent sockets: sockets the server holds", tree.label, str(server.fds()))
            latency, failures = await probe_latency(server.url)
            put(
                "5,000 silent sockets: /healthz (median; failed of 5)",
                tree.label,
                f"{latency * 1000:.0f} ms; {failures}",
            )
            ok, seconds = await victim_call(server.url, patience=10)
            put(
                "5,000 silent sockets: a valid caller's call",
                tree.label,
                f"{'ok' if ok else 'FAILED'} in {seconds:.2f} s",
            )
            await anyio.sleep(5)
            busy = server.cpu_seconds() - cpu
            put("5,000 silent sockets: server CPU over the ~10 s", tree.label, f"{busy:.1f} s")
            put("5,000 silent sockets: log bytes", tree.label, f"{server.log_bytes():,}")
            put(
                "5,000 silent sockets: RSS before -> during",
                tree.label,
                f"{rss:.0f} -> {server.rss_mib():.0f} MiB",
            )
            for sock in silent:
                sock.close()

    async def slow_heads(self, tree: Tree) -> None:
        async with self.serve(tree) as server:
            alive = await anyio.to_thread.run_sync(open_silent, port(server), 1_000)
            started = time.monotonic()
            head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
            for byte in head:  # one byte a second on every connection still open
                alive = [sock for sock in alive if not closed_by_server(sock)]
                if not alive or time.monotonic() - started > 30:
                    break
                for sock in alive:
                    with contextlib.suppress(OSError):
                        sock.send(bytes([byte]))
                await anyio.sleep(1)
            held = time.monotonic() - started
            label = f"{held:.0f} s" if not alive else f"> {held:.0f} s ({len(alive)} still open)"
            self.results.put("1,000 slow-header connections: held for", tree.label, label)
            for sock in alive:
                sock.close()

    async def sessions(self, tree: Tree) -> None:
        async with self.serve(tree, MCP_CALLER_RATE="10000") as server:
            rss = server.rss_mib()
            statuses: Counter[int] = Counter()
            limiter = anyio.Semaphore(50)
            async with httpx2.AsyncClient(timeout=30) as http, anyio.create_task_group() as group:

                async def initialize() -> None:
                    async with limiter:
                        try:
                            response = await http.post(
                                f"{server.url}/mcp", json=INITIALIZE, headers=bearer(KEY_A)
                            )
                            statuses[response.status_code] += 1
                        except httpx2.HTTPError:
                            statuses[0] += 1

                for _ in range(2_000):
                    group.start_soon(initialize)
            put = self.results.put
            put(
                "2,000 initialize with key A: sessions opened / refused",
                tree.label,
                f"{statuses[200]} / {sum(statuses.values()) - statuses[200]} {dict(statuses)}",
            )
            put(
                "2,000 initialize with key A: RSS before -> after",
                tree.label,
                f"{rss:.0f} -> {server.rss_mib():.0f} MiB",
            )
            ok, seconds = await victim_call(server.url)
            put(
                "2,000 initialize with key A: key B's call",
                tree.label,
                f"{'ok' if ok else 'FAILED'} in {seconds:.2f} s",
            )

    async def streams(self, tree: Tree) -> None:
        async with self.serve(tree, MCP_CALLER_RATE="10000") as server:
            rss = server.rss_mib()
            statuses: Counter[int] = Counter()
            settled = anyio.Event()
            async with (
                httpx2.AsyncClient(timeout=30, limits=httpx2.Limits(max_connections=None)) as http,
                anyio.create_task_group() as group,
            ):

                async def hold() -> None:
                    try:
                        async with http.stream("GET", f"{server.url}/sse", headers=bearer(KEY_A)) as stream:
                            statuses[stream.status_code] += 1
                            if sum(statuses.values()) >= 1_000:
                                settled.set()
                            if stream.status_code == 200:
                                await anyio.sleep_forever()
                    except httpx2.HTTPError:
                        statuses[0] += 1
                        if sum(statuses.values()) >= 1_000:
                            settled.set()

                for _ in range(1_000):
                    group.start_soon(hold)
                with anyio.move_on_after(60):
                    await settled.wait()
                put = self.results.put
                put(
                    "1,000 GET /sse with key A: streams held / refused",
                    tree.label,
                    f"{statuses[200]} / {sum(statuses.values()) - statuses[200]}",
                )
                put(
                    "1,000 GET /sse with key A: RSS before -> during",
                    tree.label,
                    f"{rss:.0f} -> {server.rss_mib():.0f} MiB",
                )
                ok, seconds = await victim_call(server.url)
                put(
                    "1,000 GET /sse with key A: key B's call",
                    tree.label,
                    f"{'ok' if ok else 'FAILED'} in {seconds:.2f} s",
                )
                put("1,000 GET /sse with key A: log bytes", tree.label, f"{server.log_bytes():,}")
                group.cancel_scope.cancel()

    async def fairness(self, tree: Tree) -> None:
        self.sandbox.inject("merchant-avatar-list", "hang", delay=45, times=None)
        try:
            async with (
                self.serve(tree, MAX_CONNECTIONS="20") as server,
                httpx2.AsyncClient(timeout=120) as http,
            ):
                attacker = RawSession(http, server.url, headers_of(KEY_A))
                await attacker.open()
                victims: list[tuple[bool, float]] = []
                async with anyio.create_task_group() as group:
                    for _ in range(110):
                        group.start_soon(attacker.request, "tools/call", LIST_ONE)
                    await anyio.sleep(2)
                    self.sandbox.clear_faults()  # B's list_avatars is not slow; A's are on their way already

                    async def victim() -> None:
                        victims.append(await victim_call(server.url, patience=60))

                    async with anyio.create_task_group() as inner:
                        for _ in range(5):
                            inner.start_soon(victim)
                    group.cancel_scope.cancel()
                succeeded = [seconds for ok, seconds in victims if ok]
                worst = max(seconds for _, seconds in victims)
                self.results.put(
                    "110 slow calls by key A (20-connection pool): key B's 5 calls",
                    tree.label,
                    f"{len(succeeded)}/5 ok; slowest {worst:.1f} s",
                )
        finally:
            self.sandbox.clear_faults()

    async def jwks(self, tree: Tree) -> None:
        keys = httpx2.get(self.sandbox.jwks_url).json()
        for mode, count in (("503", 200), ("hang", 20)):
            with jwks_stub(keys, mode=mode) as stub:  # type: ignore[arg-type]
                async with self.serve(tree, auth="jobmojito-jwt", JWKS_URL=stub.url) as server:
                    started = time.perf_counter()
                    statuses = await _posts(
                        server.url, [_random_kid(self.sandbox) for _ in range(count)], patience=60
                    )
                    took = time.perf_counter() - started
                    warnings = server.log_text().count("could not refresh the JWKS")
                    self.results.put(
                        f"{count} made-up kids, JWKS {'answering 503' if mode == '503' else 'hanging'}: fetches, warnings, time",
                        tree.label,
                        f"{stub.fetches} fetches, {warnings} warnings, {took:.1f} s {dict(Counter(statuses))}",
                    )

    async def malformed(self, tree: Tree) -> None:
        kid = httpx2.get(self.sandbox.jwks_url).json()["keys"][0]["kid"]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        claims = {
            "sub": "x",
            "aud": "authenticated",
            "iss": self.sandbox.jwt_issuer,
            "exp": int(time.time()) + 600,
        }
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
        async with self.serve(tree, auth="jobmojito-jwt") as server:
            statuses = await _posts(server.url, [token] * 100)
            self.results.put(
                "100 x alg RS256 naming the real EC kid: statuses, log bytes",
                tree.label,
                f"{dict(Counter(statuses))}, {server.log_bytes():,} bytes",
            )

    async def layers(self, tree: Tree) -> None:
        if tree.pythonpath:
            return  # the layers exist in this tree only
        for figure, value in (await _layer_costs()).items():
            self.results.put(figure, tree.label, value)


def _random_kid(sandbox: RunningSandbox) -> str:
    now = int(time.time())
    claims = {"sub": "x", "aud": "authenticated", "iss": sandbox.jwt_issuer, "exp": now + 600}
    return jwt.encode(
        claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": uuid.uuid4().hex}
    )


async def _posts(url: str, tokens: list[str], patience: float = 30) -> list[int]:
    statuses: list[int] = []
    async with httpx2.AsyncClient(timeout=patience) as http, anyio.create_task_group() as group:

        async def one(token: str) -> None:
            try:
                response = await http.post(f"{url}/mcp", json=INITIALIZE, headers=bearer(token))
                statuses.append(response.status_code)
            except httpx2.HTTPError:
                statuses.append(0)

        for token in tokens:
            group.start_soon(one, token)
    return statuses


# ---------------------------------------------------------------------------------------------
# What the new per-request layers cost (issue 12 aims at >= 0.9x the bare SDK's hosted throughput)


async def _layer_costs() -> dict[str, str]:
    from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
    from mcp.server.auth.provider import AccessToken

    from jobmojito_mcp.config import Settings
    from jobmojito_mcp.exposure import Exposure, NarrowingCheck, RequestNarrowing
    from jobmojito_mcp.hosting.quotas import CallerBook, CallerQuotas, CallsInFlight, Quotas
    from jobmojito_mcp.toolsets import TOOLS

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    book = CallerBook(Quotas.from_settings(Settings(mcp_caller_rate=1e9)))
    user = AuthenticatedUser(AccessToken(token="t", client_id="api-key:abc", scopes=[]))
    headers = [
        (b"host", b"127.0.0.1"),
        (b"accept", b"application/json, text/event-stream"),
        (b"content-type", b"application/json"),
        (b"authorization", b"Bearer x"),
        (b"mcp-session-id", b"a" * 32),
        (b"mcp-protocol-version", b"2025-06-18"),
    ]

    def scope() -> dict[str, Any]:
        return {"type": "http", "method": "POST", "path": "/mcp", "headers": headers, "user": user}

    layered = CallerQuotas(NarrowingCheck(app), book, stateless=False)

    async def asgi(target: Any) -> None:
        for _ in range(20_000):
            await target(scope(), None, None)

    @dataclass
    class Ctx:
        method: str = "tools/call"
        params: dict[str, Any] = field(default_factory=lambda: {"name": "list_avatars"})
        request: Any = None
        session: Any = None

    class Request:
        def __init__(self) -> None:
            self.scope = scope()

    narrowing, calls = RequestNarrowing(Exposure(TOOLS)), CallsInFlight(book)

    async def call_next(ctx: Any) -> Any:
        return None

    async def through_both(ctx: Any) -> Any:
        return await narrowing(ctx, lambda inner: calls(inner, call_next))

    async def mcp(target: Callable[[Any], Any]) -> None:
        for _ in range(20_000):
            await target(Ctx(request=Request()))

    async def timed(run: Callable[[], Any]) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            await run()
            best = min(best, time.perf_counter() - started)
        return best / 20_000 * 1e6

    bare_asgi, with_asgi = await timed(lambda: asgi(app)), await timed(lambda: asgi(layered))
    bare_mcp, with_mcp = await timed(lambda: mcp(call_next)), await timed(lambda: mcp(through_both))
    h11_bare, h11_guarded = await anyio.to_thread.run_sync(_h11_costs)
    return {
        "per request: CallerQuotas + NarrowingCheck (ASGI)": f"+{with_asgi - bare_asgi:.1f} µs",
        "per request: RequestNarrowing + CallsInFlight (MCP)": f"+{with_mcp - bare_mcp:.1f} µs",
        "per request: guarded h11 protocol vs uvicorn's": f"{h11_guarded:.0f} vs {h11_bare:.0f} µs ({h11_guarded - h11_bare:+.0f} µs)",
    }


def _h11_costs() -> tuple[float, float]:
    """µs per keep-alive GET through uvicorn's h11 protocol and through the guarded one (in-process)."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from jobmojito_mcp.hosting.limits import guarded_protocol

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    def per_request(protocol: Any) -> float:
        sock = socket.create_server(("127.0.0.1", 0))
        # Two small writes per response (head, body): without NODELAY, Nagle and delayed ACKs add 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server = uvicorn.Server(
            uvicorn.Config(app, http=protocol, log_config=None, access_log=False, lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        client = socket.create_connection(sock.getsockname())
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(3_000):
                client.sendall(request)
                received = b""
                while not received.endswith(b"ok"):
                    received += client.recv(4096)
            best = min(best, time.perf_counter() - started)
        client.close()
        server.should_exit = True
        thread.join(10)
        sock.close()
        return best / 3_000 * 1e6

    return per_request(H11Protocol), per_request(guarded_protocol(4096, 10.0, 60.0))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", metavar="DIR", help="also run the server from this source tree")
    parser.add_argument("--only", action="append", choices=PHASES, help="run this phase (repeatable)")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the attacker's sockets
    trees = [Tree("after", None)]
    if args.before:
        trees.insert(0, Tree("before", str(Path(args.before).resolve())))
    results = Results()
    with run_sandbox() as sandbox:
        bench = Bench(trees, sandbox, results)

        async def run() -> None:
            for phase in args.only or PHASES:
                for tree in trees:
                    print(f"{phase} ({tree.label})", file=sys.stderr, flush=True)
                    await getattr(bench, phase)(tree)

        anyio.run(run)
    labels = [tree.label for tree in trees]
    print(f"\n| figure | {' | '.join(labels)} |\n|---|{'---|' * len(labels)}")
    for figure in results.order:
        print(f"| {figure} | {' | '.join(results.rows[figure].get(label, '') for label in labels)} |")


if __name__ == "__main__":
    main()
