"""What sharing quotas in Redis costs (--state-url), and what three replicas give over one.

    .venv/bin/python tests/perf/state_bench.py            # about 2 minutes on 2 cores
    .venv/bin/python tests/perf/state_bench.py --quick    # smaller counts

Needs redis-server and nginx (Debian packages, as the tests). Three figures, each against a
baseline measured in the same run, interleaved in blocks so drift on a shared machine hits both:

1. the quota check alone: what one HTTP request carrying one tool call asks of the shared state
   (`admit` + `take("calls")` + both releases, on loopback TCP Redis) against the same decisions
   in the process (`CallerBook`): p50 and p99 per request;
2. end to end: sequential tool calls (`list_avatars`, the sandbox behind) to one replica with
   `--state-url` and to one without: p50/p99 per call, and the difference, the added latency;
3. throughput: concurrent clients through nginx to three replicas and to one (all sharing Redis,
   stateless Streamable HTTP, api-key auth): calls/s, in alternating rounds.

Not collected by pytest; figures are noisy on a shared machine: compare within a run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import TextIO

import anyio
from anyio.streams.buffered import BufferedByteStream

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from jobmojito_mcp.hosting.quotas import CallerBook, Quotas  # noqa: E402
from jobmojito_mcp.hosting.state import SharedState  # noqa: E402
from tests.perf.bench import HANDSHAKE_VERSION, RawClient, sandbox_process  # noqa: E402
from tests.support import HttpServer, http_server, server_env  # noqa: E402
from tests.test_shared_state import NGINX_MAIN, deployed_conf, find_nginx, find_redis  # noqa: E402

KEY = "bench-state-key-7d41c9a2e8f0"
TOOL, ARGUMENTS = "list_avatars", {"limit": 1}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def p50_p99(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} / {quantile(values, 0.99):.3f}"


def free_port() -> int:
    # Redis cannot report a port it picked; a benchmark may take the small risk of a race.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_on_tcp(directory: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            find_redis(),
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", directory),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.RedisError:
                time.sleep(0.025)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


class UnixRawClient(RawClient):
    """bench.py's raw HTTP/1.1 client, over nginx's unix socket, with the API key."""

    def __init__(self, url: str, socket_path: str | None) -> None:
        super().__init__(url)
        self.socket_path = socket_path
        self.headers["Authorization"] = f"Bearer {KEY}"

    async def initialize(self) -> None:
        if self.socket_path is None:
            tcp = await anyio.connect_tcp(self.url.host, self.url.port or 80)
            self.stream = BufferedByteStream(tcp)
        else:
            self.stream = BufferedByteStream(await anyio.connect_unix(self.socket_path))
        info = {"name": "bench", "version": "0"}
        await self.request(
            "initialize", {"protocolVersion": HANDSHAKE_VERSION, "capabilities": {}, "clientInfo": info}
        )
        self.headers["MCP-Protocol-Version"] = HANDSHAKE_VERSION


async def quota_check(url: str, requests: int) -> tuple[list[float], list[float]]:
    """Per request, ms: the shared decisions of one request with one call, and the in-process ones."""
    quotas = Quotas(sessions=100, streams=100, calls=10, rate=1e9, session_retry=60)
    book, shared = CallerBook(quotas), SharedState(url, lease=30, timeout=1.0)
    await shared.start()
    local: list[float] = []
    remote: list[float] = []
    try:
        for block in range(requests // 200):
            for _ in range(200):
                started = time.perf_counter()
                entry = book.entry("caller")
                book.spend(entry)
                entry.requests += 1
                entry.calls += 1
                entry.calls -= 1
                entry.requests -= 1
                local.append((time.perf_counter() - started) * 1000)
            for _ in range(200):
                started = time.perf_counter()
                _, _, lease = await shared.admit("caller", quotas.rate, quotas.burst, quotas.requests)
                call = await shared.take("calls", "caller", quotas.calls)
                assert not isinstance(call, int)
                shared.release(call)
                shared.release(lease)
                remote.append((time.perf_counter() - started) * 1000)
            await anyio.sleep(0.01)  # the background releases
            del block
        assert shared.fallbacks == 0, "Redis did not answer in time: the figures would be of the fallback"
    finally:
        await shared.aclose()
    return local, remote


async def sequential(client: UnixRawClient, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        await client.call(TOOL, ARGUMENTS)
        out.append((time.perf_counter() - started) * 1000)
    return out


async def throughput(url: str, socket_path: str, clients: int, calls: int) -> float:
    pool = [UnixRawClient(url, socket_path) for _ in range(clients)]
    async with anyio.create_task_group() as group:
        for client in pool:
            group.start_soon(client.initialize)
    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for client in pool:
            group.start_soon(sequential, client, calls)
    elapsed = time.perf_counter() - started
    for client in pool:
        await client.aclose()
    return clients * calls / elapsed


def nginx_conf(replicas: list[HttpServer], directory: Path) -> tuple[str, str]:
    """deploy/nginx.conf in front of `replicas` (repeated to fill its three names): (conf, socket)."""
    directory.mkdir()
    ports = [replica.url.rsplit(":", 1)[1] for replica in replicas]
    socket_path = f"{directory}/nginx.sock"
    (directory / "replicas.conf").write_text(deployed_conf((ports * 3)[:3], socket_path))
    user = "user root;" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(NGINX_MAIN.format(tmp=directory, user=user))
    return f"{directory}/nginx.conf", socket_path


@asynccontextmanager
async def nginx_for(replicas: list[HttpServer], directory: Path) -> AsyncIterator[str]:
    conf, socket_path = nginx_conf(replicas, directory)
    process = subprocess.Popen([find_nginx(), "-c", conf, "-p", str(directory)])  # noqa: ASYNC220
    try:
        with anyio.fail_after(10):
            while True:
                try:
                    await (await anyio.connect_unix(socket_path)).aclose()
                    break
                except OSError:
                    await anyio.sleep(0.05)
        yield socket_path
    finally:
        process.terminate()
        process.wait()


async def run(quick: bool, quiet: TextIO) -> None:
    requests, calls, rounds = (1000, 300, 2) if quick else (4000, 1000, 4)
    clients, per_client = (20, 10) if quick else (50, 20)
    with (
        tempfile.TemporaryDirectory(prefix="stb") as scratch,
        sandbox_process(quiet) as (sandbox_root, _),
        redis_on_tcp(scratch) as redis_url,
    ):
        local, remote = await quota_check(redis_url, requests)
        print(f"\n## Quota check per request ({requests} requests, loopback TCP Redis)\n")
        print("| | p50 / p99 ms |\n|---|---|")
        print(f"| in process (`CallerBook`) | {p50_p99(local)} |")
        print(f"| shared (`admit` + `take` + 2 releases) | {p50_p99(remote)} |")
        added = statistics.median(remote) - statistics.median(local)
        print(f"| added, p50 | {added:.3f} |")

        env = server_env(f"{sandbox_root}/functions/v1", LOG_LEVEL="WARNING") | {
            "JOBMOJITO_MCP_API_KEYS": KEY,
            "JOBMOJITO_MCP_STATE_KEYS": "bench-shared-state-key-0c5b8e2a9d7f4136",
            "JOBMOJITO_MCP_CALLER_RATE": "1000000",
            "JOBMOJITO_MCP_CALLER_CALLS": "100",
            "JOBMOJITO_MAX_CONNECTIONS": "200",
        }
        shared_env = env | {"JOBMOJITO_MCP_STATE_URL": redis_url}
        args = ["--transport", "streamable-http", "--stateless", "--auth", "api-key"]
        async with AsyncExitStack() as stack:
            alone = await stack.enter_async_context(http_server(env, args))
            replicas = [
                await stack.enter_async_context(
                    http_server(shared_env | {"JOBMOJITO_MCP_REPLICA_NAME": f"mcp-{n}"}, args)
                )
                for n in (1, 2, 3)
            ]
            plain_client, shared_client = (
                UnixRawClient(f"{alone.url}/mcp", None),
                UnixRawClient(f"{replicas[0].url}/mcp", None),
            )
            await plain_client.initialize()
            await shared_client.initialize()
            await sequential(plain_client, 50)
            await sequential(shared_client, 50)  # warm-up
            without: list[float] = []
            with_state: list[float] = []
            for _ in range(calls // 100):
                without += await sequential(plain_client, 100)
                with_state += await sequential(shared_client, 100)
            await plain_client.aclose()
            await shared_client.aclose()
            print(f"\n## One replica, sequential `{TOOL}` calls ({calls} each, interleaved)\n")
            print("| | p50 / p99 ms |\n|---|---|")
            print(f"| without `--state-url` | {p50_p99(without)} |")
            print(f"| with `--state-url` (loopback Redis) | {p50_p99(with_state)} |")
            print(
                f"| added | {statistics.median(with_state) - statistics.median(without):.3f} / "
                f"{quantile(with_state, 0.99) - quantile(without, 0.99):.3f} |"
            )

            one = await stack.enter_async_context(nginx_for(replicas[:1], Path(scratch, "one")))
            three = await stack.enter_async_context(nginx_for(replicas, Path(scratch, "three")))
            await throughput("http://127.0.0.1/mcp", three, clients, 2)  # warm-up
            figures: dict[str, list[float]] = {"1": [], "3": []}
            for _ in range(rounds):
                figures["1"].append(await throughput("http://127.0.0.1/mcp", one, clients, per_client))
                figures["3"].append(await throughput("http://127.0.0.1/mcp", three, clients, per_client))
            print(
                f"\n## Throughput through nginx ({clients} clients x {per_client} calls, {rounds} rounds)\n"
            )
            print("| replicas | calls/s, median (range) |\n|---|---|")
            for name, values in figures.items():
                print(f"| {name} | {statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f}) |")
            ratio = statistics.median(figures["3"]) / statistics.median(figures["1"])
            print(f"| 3 vs 1 | {ratio:.2f}x |")
            print(
                f"\n{os.cpu_count()} CPUs; the sandbox, Redis, nginx, the replicas and the clients share them."
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    with open(os.devnull, "w") as quiet:  # the sandbox log
        anyio.run(run, parser.parse_args().quick, quiet)


if __name__ == "__main__":
    main()
