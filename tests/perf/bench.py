"""jobmojito-mcp against the SDK floor (a bare `MCPServer` with one echo tool), in one run, as ratios.

    .venv/bin/python tests/perf/bench.py            # full run: about 5 minutes on 2 cores
    .venv/bin/python tests/perf/bench.py --quick    # smaller counts: about two minutes
    .venv/bin/python tests/perf/bench.py --only stdio_calls --only hosted   # some phases
    .venv/bin/python tests/perf/bench.py --profile /tmp/hot   # py-spy of the per-call path

Phases (docs/performance.md says what each figure means): `cold_start` (spawn -> initialize ->
tools/list over stdio, and what our start imports beyond the floor); `stdio_calls` (per-call
overhead, RSS, upstream connections, bytes per tool, client-side validation cost); `hosted`
(Streamable HTTP throughput, stateful and stateless, on the session handshake, 2025-11-25);
`hosted_sdk` (the same with the SDK's own client on 2026-07-28, and `--workers` scaling);
`listings` (tools/list bytes per toolset, as a stdio server writes them). The sandbox runs in its
own process (counting_sandbox.py), so no server shares its CPU or GIL with it. Not collected by
pytest: no `test_` names here.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx2
from anyio.streams.buffered import BufferedByteStream
from jsonschema import exceptions as jsonschema_exceptions
from jsonschema.validators import validator_for
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from referencing import Registry

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID
from jobmojito_mcp.toolsets import TOOLSETS

HERE = Path(__file__).resolve().parent
PY = sys.executable
TOKEN = "perf-token-5f1e2d3c4b5a6978"
OURS = [PY, "-m", "jobmojito_mcp"]
FLOOR = [PY, str(HERE / "floor_server.py")]
ECHO = {"text": "hello"}
COOKBOOK: dict[str, dict[str, Any]] = json.loads((HERE.parent / "data" / "cookbook.json").read_text())
# What the stdio path must not import beyond the floor: the hosted stack, the sandbox, uvicorn.
UNWANTED = (
    "uvicorn",
    "jobmojito_mcp.hosting",
    "jobmojito_mcp.sandbox",
    "jwt",
    "sqlite3",
    # Telemetry off (no OTEL_*): none of the SDK, exporters or Prometheus (the API is the floor's too);
    # its two halves that load them stay unloaded (telemetry.errors, one exception class, may load).
    "jobmojito_mcp.telemetry.otel",
    "jobmojito_mcp.telemetry.prometheus",
    "opentelemetry.sdk",
    "opentelemetry.exporter",
    "prometheus_client",
)
HANDSHAKE_VERSION = "2025-11-25"  # the session-based Streamable HTTP handshake desktop clients speak
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sizes:
    starts: int  # cold starts per server
    calls: int  # sequential calls timed, per component
    memory_calls: int  # calls per server before the second RSS reading
    clients: int  # concurrent Streamable HTTP clients
    calls_per_client: int
    repeats: int  # throughput runs per server and mode
    sessions: int = 20  # concurrent SDK clients (2026-07-28)
    session_calls: int = 15  # calls each
    sdk_repeats: int = 5  # interleaved rounds per server and mode


FULL = Sizes(starts=15, calls=1000, memory_calls=10_000, clients=50, calls_per_client=20, repeats=3)
QUICK = Sizes(
    starts=7, calls=300, memory_calls=2_000, clients=50, calls_per_client=20, repeats=1, sdk_repeats=3
)


# ---------------------------------------------------------------------------------------------
# Figures and the table


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def med_p99(values: list[float], digits: int = 2, unit: str = "ms") -> str:
    return f"{statistics.median(values):.{digits}f} / {quantile(values, 0.99):.{digits}f} {unit}"


@dataclass
class Row:
    metric: str
    ours: str
    floor: str = ""
    compare: str = ""
    target: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        return [
            self.metric,
            self.ours,
            self.floor,
            self.compare,
            self.target,
            {True: "yes", False: "**no**", None: ""}[self.met],
        ]


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


# ---------------------------------------------------------------------------------------------
# Processes


def clean_env(**extra: str) -> dict[str, str]:
    """This environment minus JOBMOJITO_*, and minus PYTHONDONTWRITEBYTECODE: an installed package
    has its .pyc files (pip compiles them), so every start after the first should find them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | extra


def child_pid(command: list[str]) -> int:
    """The pid of this process's child running exactly `command` (the SDK's stdio client hides it)."""
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = [arg.decode() for arg in (entry / "cmdline").read_bytes().split(b"\0")[:-1]]
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and argv == command:
            return int(entry.name)
    raise LookupError(f"no child process runs {command}")


def rss_mb(pid: int) -> float:
    found = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    assert found, pid
    return int(found.group(1)) / 1024


def cpu_ms(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def tree_cpu_ms(pid: int) -> float:
    """CPU time of the process and its children alive now (a --workers server: parent and workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_ms(pid) + sum(tree_cpu_ms(int(child)) for child in children)


@contextmanager
def sandbox_process(errlog: TextIO) -> Iterator[tuple[str, int]]:
    """counting_sandbox.py in a subprocess: its root URL and pid."""
    command = [PY, str(HERE / "counting_sandbox.py")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errlog, text=True, env=clean_env())
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{int(process.stdout.readline())}", process.pid
    finally:
        process.terminate()
        process.wait(10)


LISTENING = re.compile(r"listening on (http://\S+)")


@contextmanager
def http_process(
    command: list[str], env: dict[str, str], cwd: str, errlog: TextIO
) -> Iterator[tuple[str, int]]:
    """A hosted server in a subprocess on `--port 0`, once it names the port it bound (on stderr, in
    `errlog`, after what was there): its /mcp URL and pid. No free-port probe another process could take."""
    errlog.flush()
    start = Path(errlog.name).stat().st_size
    argv = [*command, "--port", "0"]
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog
    )
    try:
        deadline = time.monotonic() + 30
        while not (
            found := LISTENING.search(Path(errlog.name).read_bytes()[start:].decode(errors="replace"))
        ):
            assert process.poll() is None, f"{argv} exited with {process.returncode}"
            assert time.monotonic() < deadline, f"{argv} did not listen"
            time.sleep(0.02)
        yield f"{found.group(1)}/mcp", process.pid
    finally:
        process.terminate()
        process.wait(20)


# ---------------------------------------------------------------------------------------------
# Load: a minimal Streamable HTTP client, cheap enough that the load generator is not the limit.


class RawClient:
    """One MCP client over Streamable HTTP (the initialize handshake), on its own keep-alive connection.

    Plain HTTP/1.1 on a socket: an httpx2 client costs about as much CPU per call as the floor
    server itself, and on 2 cores the load generator would then be what limits the servers.
    """

    stream: BufferedByteStream  # connected by initialize()

    def __init__(self, url: str) -> None:
        self.url = httpx2.URL(url)
        self.headers = {
            "Host": self.url.netloc.decode(),
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        self.ids = 0

    async def send(self, method: str, message: dict[str, Any]) -> bytes:
        data = json.dumps(message).encode() if message else b""
        headers = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        head = (
            f"{method} {self.url.raw_path.decode()} HTTP/1.1\r\n{headers}Content-Length: {len(data)}\r\n\r\n"
        )
        await self.stream.send(head.encode() + data)
        status = int((await self.stream.receive_until(b"\r\n", 1024)).split()[1])
        answer: dict[str, str] = {}
        while line := await self.stream.receive_until(b"\r\n", 65536):
            name, _, value = line.decode("latin-1").partition(":")
            answer[name.strip().lower()] = value.strip()
        assert status < 300, (status, answer)
        if session := answer.get("mcp-session-id"):
            self.headers["Mcp-Session-Id"] = session
        if answer.get("transfer-encoding") != "chunked":
            return await self.stream.receive_exactly(int(answer.get("content-length", "0")))
        chunks = []
        while size := int(await self.stream.receive_until(b"\r\n", 1024), 16):
            chunks.append((await self.stream.receive_exactly(size + 2))[:-2])  # the data, then CRLF
        await self.stream.receive_exactly(2)  # the CRLF after the last (empty) chunk: no trailers
        return b"".join(chunks)

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.ids += 1
        body = await self.send("POST", {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params})
        events = [line[5:] for line in body.splitlines() if line.startswith(b"data:")] or [body]
        answer = next(a for a in map(json.loads, events) if a.get("id") == self.ids)
        assert "result" in answer, answer
        result: dict[str, Any] = answer["result"]
        return result

    async def initialize(self) -> None:
        tcp = await anyio.connect_tcp(self.url.host, self.url.port or 80)
        self.stream = BufferedByteStream(tcp)
        info = {"name": "bench", "version": "0"}
        await self.request(
            "initialize", {"protocolVersion": HANDSHAKE_VERSION, "capabilities": {}, "clientInfo": info}
        )
        self.headers["MCP-Protocol-Version"] = HANDSHAKE_VERSION
        await self.send("POST", {"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def call(self, tool: str, arguments: dict[str, Any]) -> None:
        result = await self.request("tools/call", {"name": tool, "arguments": arguments})
        assert not result.get("isError"), result

    async def aclose(self) -> None:
        if "Mcp-Session-Id" in self.headers:
            await self.send("DELETE", {})
        await self.stream.aclose()


async def load(url: str, tool: str, arguments: dict[str, Any], sizes: Sizes) -> tuple[float, list[float]]:
    """`clients` concurrent clients x `calls_per_client` calls each: calls/s, and each call's ms."""
    clients = [RawClient(url) for _ in range(sizes.clients)]
    latencies: list[float] = []
    go = anyio.Event()

    async def worker(client: RawClient) -> None:
        await go.wait()
        for _ in range(sizes.calls_per_client):
            started = time.perf_counter()
            await client.call(tool, arguments)
            latencies.append((time.perf_counter() - started) * 1000)

    try:
        async with anyio.create_task_group() as group:
            for client in clients:
                group.start_soon(client.initialize)
        async with anyio.create_task_group() as group:
            for client in clients:
                group.start_soon(worker, client)
            await anyio.sleep(0.1)  # every worker waiting
            started = time.perf_counter()
            go.set()
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return len(latencies) / elapsed, latencies


async def sdk_load(url: str, tool: str, arguments: dict[str, Any], sizes: Sizes) -> tuple[float, list[float]]:
    """`sessions` SDK clients (protocol 2026-07-28), each on its own connection, `session_calls`
    calls each: calls/s and each call's ms. Each client lists the tools before the clock starts, as
    clients do; validating results against the output schemas (compiled on a session's first
    call) is part of every call, as it is for every user of the SDK."""
    latencies: list[float] = []
    ready, go = [], anyio.Event()

    async def session() -> None:
        async with (
            httpx2.AsyncClient(timeout=60) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            await client.list_tools()
            ready.append(True)
            await go.wait()
            for _ in range(sizes.session_calls):
                started = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result
                latencies.append((time.perf_counter() - started) * 1000)

    async with anyio.create_task_group() as group:
        for _ in range(sizes.sessions):
            group.start_soon(session)
        with anyio.fail_after(60):
            while len(ready) < sizes.sessions:  # noqa: ASYNC110  # tasks of this group: no event per task
                await anyio.sleep(0.01)
        started = time.perf_counter()
        go.set()
    return len(latencies) / (time.perf_counter() - started), latencies


def validation_cost(schema: dict[str, Any], instance: Any, count: int = 2000) -> tuple[float, float]:
    """What the SDK client spends on one tool's output schema: compiling it (check_schema and the
    validator, once per session) and validating one result (every call), in ms, as the SDK does it."""
    started = time.perf_counter()
    for _ in range(20):
        validator_for(schema).check_schema(schema)
    compiled = validator_for(schema)(schema, registry=Registry())
    compile_ms = (time.perf_counter() - started) / 20 * 1000
    started = time.perf_counter()
    for _ in range(count):
        jsonschema_exceptions.best_match(compiled.iter_errors(instance))
    return compile_ms, (time.perf_counter() - started) / count * 1000


async def timed(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    """Milliseconds of each of `count` sequential calls."""
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        await call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def cookbook(tool: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(COOKBOOK[tool]))
    if "interview_template_id" in body:
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


def import_times(command: list[str], env: dict[str, str], cwd: str) -> dict[str, int]:
    """Module -> self import time (us) of one stdio start that reads EOF at once and exits."""
    argv = [PY, "-X", "importtime", *command[1:]]
    run = subprocess.run(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True
    )
    found = re.findall(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)$", run.stderr, re.MULTILINE)
    return {module: int(self_us) for self_us, module in found}


# ---------------------------------------------------------------------------------------------
# The phases


@dataclass
class Bench:
    sizes: Sizes
    sandbox: str  # root URL of counting_sandbox.py
    sandbox_pid: int
    scratch: str  # every server's cwd: no .env, no stray files
    errlog: TextIO  # every server's stderr
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tokens: str = ""  # the per-tool byte table

    def ours_env(self) -> dict[str, str]:
        return clean_env(JOBMOJITO_TOKEN=TOKEN, JOBMOJITO_BASE_URL=f"{self.sandbox}/functions/v1")

    def params(self, command: list[str]) -> StdioServerParameters:
        env = self.ours_env() if command[:3] == OURS else clean_env()
        return StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=self.scratch)

    @asynccontextmanager
    async def stdio(self, command: list[str]) -> AsyncIterator[tuple[Client, int]]:
        async with Client(stdio_client(self.params(command), errlog=self.errlog)) as client:
            yield client, child_pid(command)

    async def connections(self, reset: bool = False) -> dict[str, Any]:
        async with httpx2.AsyncClient(base_url=self.sandbox) as http:
            counts: dict[str, Any] = (
                await http.request("DELETE" if reset else "GET", "/_perf/connections")
            ).json()
            return counts

    async def create_position(self) -> dict[str, str]:
        """An interview with eight AI-written questions, straight from the sandbox."""
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            url = f"{self.sandbox}/functions/v1/job-interview-create"
            created = (await http.post(url, json=cookbook("create_interview"))).raise_for_status().json()
        return {"position_id": created["interview_def_set_id"]}

    # 1. Cold start ----------------------------------------------------------------------------

    async def cold_start(self) -> None:
        # name -> per start: (spawn -> initialize, spawn -> tools/list, server CPU by then, then the
        # first call: get_interview_definition, or the floor's `fetch` of the same GET), in ms
        starts: dict[str, list[tuple[float, float, float, float]]] = {"ours": [], "floor": []}
        position = await self.create_position()
        url = f"{self.sandbox}/functions/v1/job-interview-get?position_id={position['position_id']}"
        first_calls = {"ours": ("get_interview_definition", position), "floor": ("fetch", {"url": url})}
        for run in range(self.sizes.starts + 1):  # run 0 writes the .pyc files and warms the page cache
            for name, command in (("ours", OURS), ("floor", FLOOR)):
                started = time.perf_counter()
                async with Client(stdio_client(self.params(command), errlog=self.errlog)) as client:
                    initialized = time.perf_counter()
                    await client.list_tools()
                    listed = time.perf_counter()
                    cpu = cpu_ms(child_pid(command))
                    # Ours imports the tool's toolset module (its models) here, at the first call.
                    result = await client.call_tool(*first_calls[name])
                    called = time.perf_counter()
                    assert not result.is_error, result
                if run:
                    starts[name].append(
                        (
                            (initialized - started) * 1000,
                            (listed - started) * 1000,
                            cpu,
                            (called - listed) * 1000,
                        )
                    )
        labels = (
            "spawn -> initialize result",
            "spawn -> first tools/list",
            "server CPU until tools/list answered",
        )
        for step, label in enumerate(labels):
            ours, floor = ([start[step] for start in starts[name]] for name in ("ours", "floor"))
            ratio = statistics.median(ours) / statistics.median(floor)
            self.rows.append(Row(f"cold start, stdio: {label} (n={len(ours)})", med_p99(ours, 0), med_p99(floor, 0),
                                 f"{ratio:.2f}x", "<= 1.10x", ratio <= 1.10))  # fmt: skip
        ours, floor = ([start[3] for start in starts[name]] for name in ("ours", "floor"))
        self.rows.append(Row(f"first tool call after tools/list, stdio: get_interview_definition vs `fetch` (n={len(ours)})",
                             med_p99(ours, 1), med_p99(floor, 1), f"+{statistics.median(ours) - statistics.median(floor):.1f} ms",
                             "", None))  # fmt: skip
        ours_modules = import_times(OURS, self.ours_env(), self.scratch)
        floor_modules = import_times(FLOOR, clean_env(), self.scratch)
        extra = {module: us for module, us in ours_modules.items() if module not in floor_modules}
        unwanted = sorted(module for module in extra if module.startswith(UNWANTED))
        self.rows.append(
            Row(
                "stdio start: modules imported",
                f"{len(ours_modules)}",
                f"{len(floor_modules)}",
                f"+{len(extra)}, {sum(extra.values()) / 1000:.0f} ms self time",
                "none of uvicorn, hosting, auth, sandbox, telemetry SDK",
                not unwanted,
            )
        )
        top = sorted(extra.items(), key=lambda item: -item[1])[:10]
        self.notes.append(
            "Imported on the stdio start beyond the floor, by self time (`-X importtime`, inflated by the "
            "tracing): "
            + ", ".join(f"{module} {us / 1000:.1f} ms" for module, us in top)
            + ". "
            + (
                f"Unwanted: {', '.join(unwanted)}."
                if unwanted
                else "Nothing from uvicorn, hosting, auth or the sandbox."
            )
        )
        in_floor = sorted({module.split(".")[0] for module in floor_modules if module.startswith(UNWANTED)})
        if in_floor:
            self.notes.append(
                f"The floor (the SDK itself) imports {', '.join(in_floor)} on its own stdio start."
            )

    # 2, 4, 5, 6. Calls over stdio ---------------------------------------------------------------

    async def stdio_calls(self) -> None:
        sizes = self.sizes
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            self.stdio(OURS) as (ours, ours_pid),
            self.stdio(FLOOR) as (floor, floor_pid),
            httpx2.AsyncClient(base_url=f"{self.sandbox}/functions/v1", headers=headers) as direct,
        ):
            await ours.list_tools()
            await floor.list_tools()
            rss_start = rss_mb(ours_pid), rss_mb(floor_pid)
            position = await self.create_position()
            url = f"{self.sandbox}/functions/v1/job-interview-get?position_id={position['position_id']}"

            async def ours_call() -> None:
                result = await ours.call_tool("get_interview_definition", position)
                assert not result.is_error, result

            async def direct_call() -> None:
                (await direct.get("/job-interview-get", params=position)).raise_for_status().json()

            # name: (call, the server process whose CPU it costs)
            calls: dict[str, tuple[Callable[[], Awaitable[object]], int]] = {
                "ours": (ours_call, ours_pid),
                "echo": (lambda: floor.call_tool("echo", ECHO), floor_pid),
                "GET": (direct_call, self.sandbox_pid),
                "fetch": (lambda: floor.call_tool("fetch", {"url": url}), floor_pid),
            }
            for call, _ in calls.values():  # warm up: first-call imports, caches, pooled connections
                await timed(call, 50)
            await self.connections(reset=True)
            # Interleaved blocks, so drift on a noisy machine hits every component alike.
            samples: dict[str, list[float]] = {name: [] for name in calls}
            cpu: defaultdict[str, float] = defaultdict(float)
            rounds = 10
            for _ in range(rounds):
                for name, (call, pid) in calls.items():
                    before = cpu_ms(pid), cpu_ms(os.getpid())
                    samples[name] += await timed(call, sizes.calls // rounds)
                    cpu[f"{name} server"] += cpu_ms(pid) - before[0]
                    cpu[f"{name} client"] += cpu_ms(os.getpid()) - before[1]
            sequential = (await self.connections())["by_agent"].get("jobmojito-mcp", 0)
            # Up to memory_calls calls each: ours had 50 + calls; the floor 2 x (50 + calls) (echo, fetch).
            await timed(ours_call, sizes.memory_calls - 50 - sizes.calls)
            await timed(calls["echo"][0], sizes.memory_calls - 2 * (50 + sizes.calls))
            rss_end = rss_mb(ours_pid), rss_mb(floor_pid)
            self.report_calls(samples, {key: used / len(samples["ours"]) for key, used in cpu.items()})
            self.report_memory(rss_start, rss_end)
            n = len(samples["ours"])
            self.rows.append(
                Row(
                    f"upstream TCP connections, {n} sequential calls",
                    str(sequential),
                    target="1",
                    met=sequential == 1,
                )
            )
            await self.token_economy(ours, floor, position)

    def report_calls(self, samples: dict[str, list[float]], cpu: dict[str, float]) -> None:
        median = {name: statistics.median(values) for name, values in samples.items()}
        p99 = {name: quantile(values, 0.99) for name, values in samples.items()}
        floor = median["echo"] + median["GET"]
        overhead = median["ours"] - floor
        overhead_p99 = p99["ours"] - p99["echo"] - p99["GET"]
        n = len(samples["ours"])

        def split(name: str) -> str:
            return f"{cpu[f'{name} server']:.2f} / {cpu[f'{name} client']:.2f} ms"

        self.rows += [
            Row(f"per call, stdio: get_interview_definition (n={n})", med_p99(samples["ours"])),
            Row(f"per call, stdio: floor echo (n={n})", "", med_p99(samples["echo"])),
            Row(f"per call: direct httpx2 GET job-interview-get (n={n})", "", med_p99(samples["GET"])),
            Row(
                "per-call overhead: ours - (echo + GET), of medians / of p99s",
                f"{overhead:.2f} / {overhead_p99:.2f} ms",
                f"{floor:.2f} ms (echo + GET)",
                f"{median['ours'] / floor:.2f}x",
                "median <= 0.3 ms",
                overhead <= 0.3,
            ),
            Row(
                "per call, stdio: vs floor `fetch` (SDK + the same GET, one server)",
                med_p99(samples["ours"]),
                med_p99(samples["fetch"]),
                f"+{median['ours'] - median['fetch']:.2f} ms",
            ),
            Row("CPU per call, stdio: server / MCP client (floor: echo)", split("ours"), split("echo")),
            Row("CPU per call, stdio: server / MCP client (floor: fetch)", split("ours"), split("fetch")),
            Row("CPU per call, direct GET: sandbox / httpx2 client", "", split("GET")),
        ]

    def report_memory(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        growth = [(after - before) / before * 100 for before, after in zip(start, end, strict=True)]
        self.rows += [
            Row(
                "RSS after start (initialize + tools/list)",
                f"{start[0]:.1f} MB",
                f"{start[1]:.1f} MB",
                f"+{start[0] - start[1]:.1f} MB",
                "<= floor + 10 MB",
                start[0] - start[1] <= 10,
            ),
            Row(
                f"RSS after {self.sizes.memory_calls:,} calls",
                f"{end[0]:.1f} MB ({growth[0]:+.1f}%)",
                f"{end[1]:.1f} MB ({growth[1]:+.1f}%)",
                f"+{end[0] - end[1]:.1f} MB",
                "growth < 5%",
                growth[0] < 5,
            ),
        ]

    async def token_economy(self, ours: Client, floor: Client, position: dict[str, str]) -> None:
        listing, floor_listing = await ours.list_tools(), await floor.list_tools()
        size = len(listing.model_dump_json(by_alias=True, exclude_none=True).encode())
        floor_size = len(floor_listing.model_dump_json(by_alias=True, exclude_none=True).encode())
        self.rows.append(
            Row(
                "tools/list result, compact JSON (as the SDK sends it)",
                f"{size:,} B (~{size // 4:,} tokens)",
                f"{floor_size:,} B (2 tools)",
                target="<= 16,000 B",
                met=size <= 16_000,
            )
        )
        typical = {
            "list_avatars": {"type": "interactive_heygen", "mojito_language_code": "en", "limit": 5},
            "create_interview": cookbook("create_interview"),
            "create_interview_from_questions": cookbook("create_interview_from_questions"),
            "create_interview_for_candidate": cookbook("create_interview_for_candidate"),
            "get_interview_definition": position,
            "set_interview_state": position | {"status": "archived"},
        }
        tools = {tool.name: tool for tool in listing.tools}

        def size_of(value: Any) -> int:
            return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())

        table = []
        for tool, arguments in typical.items():
            entry = tools[tool]
            result = await ours.call_tool(tool, arguments)
            assert not result.is_error, result
            text = sum(len(block.text.encode()) for block in result.content if block.type == "text")
            structured = size_of(result.structured_content)
            compile_ms, validate_ms = validation_cost(entry.output_schema or {}, result.structured_content)
            table.append(
                [
                    tool,
                    f"{len(entry.model_dump_json(by_alias=True, exclude_none=True).encode()):,}",
                    f"{size_of(entry.input_schema):,} / {size_of(entry.output_schema):,}",
                    f"{text:,} / {structured:,}",
                    f"{compile_ms:.2f} / {validate_ms * 1000:.0f} us",
                ]
            )
        fetch = next(tool for tool in floor_listing.tools if tool.name == "fetch")
        compile_ms, validate_ms = validation_cost(fetch.output_schema or {}, {"result": "x" * 3500})
        table.append(["(floor `fetch`)", "", "", "", f"{compile_ms:.2f} / {validate_ms * 1000:.0f} us"])
        header = [
            "tool",
            "tools/list entry (B)",
            "input / output schema (B)",
            "result text / structuredContent (B)",
            "client validation: compile per session (ms) / per call",
        ]
        self.tokens = markdown(header, table)

    # 3, 5. Hosted -----------------------------------------------------------------------------

    async def hosted(self) -> None:
        for mode in ("stateful", "stateless"):
            await self.hosted_mode(mode, await self.create_position())

    async def hosted_mode(self, mode: str, position: dict[str, str]) -> None:
        sizes, runs = self.sizes, self.sizes.repeats
        flags = ["--transport", "streamable-http", *(["--stateless"] if mode == "stateless" else [])]
        url = f"{self.sandbox}/functions/v1/job-interview-get?position_id={position['position_id']}"
        rates: defaultdict[str, list[float]] = defaultdict(list)
        latencies: defaultdict[str, list[float]] = defaultdict(list)
        cpu: defaultdict[str, float] = defaultdict(float)
        opened, peak = [], []
        with (
            http_process([*OURS, *flags], self.ours_env(), self.scratch, self.errlog) as (ours, ours_pid),
            http_process([*FLOOR, *flags], clean_env(), self.scratch, self.errlog) as (floor, floor_pid),
        ):
            loads = {
                "ours": (ours, ours_pid, "get_interview_definition", position),
                "echo": (floor, floor_pid, "echo", ECHO),
                "fetch": (floor, floor_pid, "fetch", {"url": url}),
            }
            for run in range(runs + 1):  # run 0 warms everything up
                for name, (endpoint, pid, tool, arguments) in loads.items():
                    await self.connections(reset=True)
                    before = cpu_ms(pid), cpu_ms(self.sandbox_pid), cpu_ms(os.getpid())
                    per_second, times = await load(endpoint, tool, arguments, sizes)
                    after = cpu_ms(pid), cpu_ms(self.sandbox_pid), cpu_ms(os.getpid())
                    if run:
                        rates[name].append(per_second)
                        latencies[name] += times
                        for part, end, start in zip(
                            ("server", "sandbox", "client"), after, before, strict=True
                        ):
                            cpu[f"{name} {part}"] += (end - start) / len(times) / runs
                    if run and name == "ours":
                        counts = await self.connections()
                        opened.append(counts["opened"])
                        peak.append(counts["peak"])

        def rate(name: str) -> str:
            return f"{statistics.median(rates[name]):.0f} / {min(rates[name]):.0f} ({name})"

        def split(name: str) -> str:
            parts = ("server", "sandbox", "client")
            return " / ".join(f"{cpu[f'{name} {part}']:.2f}" for part in parts) + f" ms ({name})"

        ratio = {name: statistics.median(rates["ours"]) / statistics.median(rates[name]) for name in rates}
        load_size = f"{sizes.clients} clients x {sizes.calls_per_client} calls"
        self.rows += [
            Row(f"hosted {mode}, 2025-11-25 handshake: calls/s, {load_size}, median / min of {runs}",
                rate("ours"), rate("fetch"), f"{ratio['fetch']:.2f}x", ">= 0.9x of `fetch`",
                ratio["fetch"] >= 0.9),
            Row(f"hosted {mode}, 2025-11-25 handshake: calls/s vs floor `echo` (no upstream call)",
                rate("ours"), rate("echo"), f"{ratio['echo']:.2f}x"),
            Row(f"hosted {mode}: call latency under load", med_p99(latencies["ours"], 0),
                med_p99(latencies["echo"], 0) + " (echo)"),
            Row(f"hosted {mode}: CPU per call, server / sandbox / load client", split("ours"), split("echo")),
            Row(f"hosted {mode}: CPU per call, server / sandbox / load client", split("ours"), split("fetch")),
            Row(f"upstream TCP connections, hosted {mode}: opened / peak open (max of {runs})",
                f"{max(opened)} / {max(peak)}", target="peak <= 100 (pool limit)", met=max(peak) <= 100),
        ]  # fmt: skip

    # 7. Hosted, the SDK's own client (2026-07-28), and --workers --------------------------------

    async def hosted_sdk(self) -> None:
        position = await self.create_position()
        url = f"{self.sandbox}/functions/v1/job-interview-get?position_id={position['position_id']}"
        for mode in ("stateful", "stateless"):
            flags = ["--transport", "streamable-http", *(["--stateless"] if mode == "stateless" else [])]
            with (
                http_process([*OURS, *flags], self.ours_env(), self.scratch, self.errlog) as ours,
                http_process([*FLOOR, *flags], clean_env(), self.scratch, self.errlog) as floor,
            ):
                loads = {
                    "ours": (*ours, "get_interview_definition", position),
                    "fetch": (*floor, "fetch", {"url": url}),
                }
                measured = await self.interleaved(loads, sdk_load)
            self.report_interleaved(f"hosted {mode}, SDK client 2026-07-28", measured, "fetch", 0.9)
        stateless = ["--transport", "streamable-http", "--stateless"]
        with (
            http_process([*OURS, *stateless], self.ours_env(), self.scratch, self.errlog) as one,
            http_process(
                [*OURS, *stateless, "--workers", "2"], self.ours_env(), self.scratch, self.errlog
            ) as two,
        ):
            for label, generator in (("SDK client 2026-07-28", sdk_load), ("2025-11-25 handshake", load)):
                loads = {
                    "1 worker": (*one, "get_interview_definition", position),
                    "2 workers": (*two, "get_interview_definition", position),
                }
                measured = await self.interleaved(loads, generator)
                self.report_interleaved(f"hosted stateless --workers 2 vs 1, {label}", measured, "1 worker")

    async def interleaved(
        self,
        loads: dict[str, tuple[str, int, str, dict[str, Any]]],
        generator: Callable[[str, str, dict[str, Any], Sizes], Awaitable[tuple[float, list[float]]]],
    ) -> dict[str, dict[str, list[float]]]:
        """Rounds of every load in turn (round 0 warms up): per load, calls/s per round and the CPU
        per call of the server (with its workers), the sandbox and this process (the clients)."""
        measured: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in loads}
        for run in range(self.sizes.sdk_repeats + 1):
            for name, (endpoint, pid, tool, arguments) in loads.items():
                before = tree_cpu_ms(pid), cpu_ms(self.sandbox_pid), cpu_ms(os.getpid())
                per_second, times = await generator(endpoint, tool, arguments, self.sizes)
                after = tree_cpu_ms(pid), cpu_ms(self.sandbox_pid), cpu_ms(os.getpid())
                if run:
                    measured[name]["rate"].append(per_second)
                    measured[name]["latency"] += times
                    for part, end, start in zip(("server", "sandbox", "client"), after, before, strict=True):
                        measured[name][part].append((end - start) / len(times))
        return measured

    def report_interleaved(
        self, label: str, measured: dict[str, dict[str, list[float]]], base: str, target: float | None = None
    ) -> None:
        """One row per load: calls/s median (min-max), ratio to `base` of the medians, and the spread of
        the per-round ratios (rounds ran back to back, so each ratio compares like with like)."""
        rounds = len(measured[base]["rate"])
        for name, figures in measured.items():
            if name == base:
                continue
            rates, base_rates = figures["rate"], measured[base]["rate"]
            ratio = statistics.median(rates) / statistics.median(base_rates)
            per_round = sorted(ours / theirs for ours, theirs in zip(rates, base_rates, strict=True))

            def rate(values: list[float]) -> str:
                return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

            def cpu(figures: dict[str, list[float]]) -> str:
                parts = ("server", "sandbox", "client")
                return " / ".join(f"{statistics.median(figures[part]):.2f}" for part in parts) + " ms"

            self.rows += [
                Row(f"{label}: calls/s, median (min-max) of {rounds} rounds", f"{rate(rates)} ({name})",
                    f"{rate(base_rates)} ({base})",
                    f"{ratio:.2f}x (rounds: {per_round[0]:.2f}-{per_round[-1]:.2f})",
                    "" if target is None else f">= {target}x", None if target is None else ratio >= target),
                Row(f"{label}: CPU per call, server / sandbox / clients", f"{cpu(figures)} ({name})",
                    f"{cpu(measured[base])} ({base})"),
                Row(f"{label}: call latency", med_p99(figures["latency"], 0),
                    med_p99(measured[base]["latency"], 0)),
            ]  # fmt: skip

    # --profile ---------------------------------------------------------------------------------

    async def profile(self, output: str) -> None:
        """py-spy (GIL holder only, 1 kHz) on each server in turn during sequential stdio calls."""
        calls = self.sizes.calls * 2
        position = await self.create_position()
        url = f"{self.sandbox}/functions/v1/job-interview-get?position_id={position['position_id']}"
        async with self.stdio(OURS) as (ours, ours_pid), self.stdio(FLOOR) as (floor, floor_pid):
            for name, pid, call in (
                ("ours", ours_pid, lambda: ours.call_tool("get_interview_definition", position)),
                ("echo", floor_pid, lambda: floor.call_tool("echo", ECHO)),
                ("fetch", floor_pid, lambda: floor.call_tool("fetch", {"url": url})),
            ):
                await timed(call, 50)
                path = Path(f"{output}.{name}.txt")
                spy = Path(PY).parent / "py-spy"
                options = ["--rate", "1000", "--gil", "--nolineno", "--format", "raw", "--output", str(path)]
                process = await anyio.open_process(
                    [spy, "record", "--pid", str(pid), *options],
                    stdout=subprocess.DEVNULL,
                    stderr=self.errlog,
                )
                await anyio.sleep(1)  # attached
                await timed(call, calls)
                process.send_signal(signal.SIGINT)
                await process.wait()
                print(f"\n{name} ({path}):\n{summarize_profile(path, calls)}")


def summarize_profile(path: Path, calls: int, top: int = 20) -> str:
    """CPU per call, self time by package, our functions' inclusive time, the top self-time functions."""
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(frame) for frame in stack.split(";") if frame.strip()]
        for frame in set(frames):
            inclusive[frame] += int(count)
        self_time[frames[-1]] += int(count)
    packages: Counter[str] = Counter()
    for frame, samples in self_time.items():
        packages[re.split(r"[/.)]", frame.split(" (")[-1])[0]] += samples
    # --rate 1000 --gil: one sample is one millisecond with the GIL held.
    lines = [f"CPU (GIL held) per call: {sum(self_time.values()) / calls:.2f} ms"]
    lines.append(
        "self time by package, ms/call: "
        + ", ".join(f"{p} {n / calls:.3f}" for p, n in packages.most_common(12))
    )
    ours = [
        (frame, n)
        for frame, n in inclusive.most_common()
        if "jobmojito_mcp/" in frame and "cli.py" not in frame and "__main__" not in frame
    ]
    lines += ["our functions, inclusive ms/call:"] + [
        f"  {n / calls:6.3f}  {frame}" for frame, n in ours[:12]
    ]
    lines += ["top self time, ms/call:"] + [
        f"  {n / calls:6.3f}  {frame}" for frame, n in self_time.most_common(top)
    ]
    return "\n".join(lines)


def _frame(frame: str) -> str:
    """`fn (/venv/lib/python3.11/site-packages/mcp/server/x.py)` -> `fn (mcp/server/x.py)`."""
    name, _, where = frame.strip().partition(" (")
    for marker in ("site-packages/", "/lib/python3.11/"):
        where = where.split(marker, 1)[-1]
    if "jobmojito_mcp/" in where:
        where = "jobmojito_mcp/" + where.split("jobmojito_mcp/", 1)[1]
    return f"{name} ({where}"


# ---------------------------------------------------------------------------------------------


def machine() -> str:
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    gigabytes = int(memory.group(1)) / 1024**2 if memory else 0
    now = datetime.datetime.now().astimezone()
    return f"{now:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, {gigabytes:.0f} GiB RAM, Python {sys.version.split()[0]}"


def listing_bytes(*flags: str) -> tuple[int, int]:
    """(tool count, bytes of the tools/list result) as `jobmojito-mcp --sandbox FLAGS` writes it on stdio."""
    hello = {
        "protocolVersion": HANDSHAKE_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "b", "version": "0"},
    }
    messages = [
        {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    ]
    server = subprocess.Popen(
        [*OURS, "--sandbox", *flags], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=clean_env(),
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    try:
        for message in messages:
            server.stdin.write(json.dumps(message).encode() + b"\n")
            server.stdin.flush()
        server.stdout.readline()  # initialize
        result = json.loads(server.stdout.readline())["result"]
    finally:
        server.stdin.close()
        server.wait(timeout=20)
        server.stdout.close()
    return len(result["tools"]), len(json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode())


def listings_table() -> str:
    """tools/list bytes for the default listing, every tool, each toolset alone, --read-only and
    --dynamic-toolsets (the defaults plus the three discovery tools)."""
    rows = []
    for label, flags in [
        ("default toolsets", ()),
        ("--toolsets all", ("--toolsets", "all")),
        *((f"--toolsets {name}", ("--toolsets", name)) for name in TOOLSETS),
        ("--read-only", ("--read-only",)),
        ("--dynamic-toolsets", ("--dynamic-toolsets",)),
    ]:
        count, size = listing_bytes(*flags)
        rows.append([label, str(count), f"{size:,}", f"~{size // 4:,}"])
    return markdown(["listing", "tools", "tools/list result (B)", "tokens"], rows)


async def run(bench: Bench, phases: list[str], profile: str | None) -> None:
    if profile:
        await bench.profile(profile)
        return
    for phase in phases:
        started = time.perf_counter()
        if phase == "listings":  # no sandbox or floor involved: what each listing costs an agent
            bench.notes.append(
                f"tools/list per toolset (compact JSON, as written on stdio):\n\n{listings_table()}"
            )
            continue
        await getattr(bench, phase)()
        print(f"{phase}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument(
        "--only",
        action="append",
        choices=["cold_start", "stdio_calls", "hosted", "hosted_sdk", "listings"],
        help="run this phase (repeatable)",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="instead: py-spy the per-call path, into PREFIX.ours.txt / PREFIX.floor.txt",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="rounds of each interleaved hosted load (default: 3 quick, 5 full)",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = dataclasses.replace(sizes, sdk_repeats=args.rounds)
    with tempfile.TemporaryDirectory(prefix="jobmojito-perf-") as scratch:
        log = Path(scratch) / "servers.log"
        with log.open("a") as errlog, sandbox_process(errlog) as (sandbox, sandbox_pid):
            bench = Bench(sizes, sandbox, sandbox_pid, scratch, errlog)
            try:
                phases = args.only or ["cold_start", "stdio_calls", "hosted", "hosted_sdk", "listings"]
                anyio.run(run, bench, phases, args.profile)
            except BaseException:
                errlog.flush()
                print(f"--- servers' stderr (tail) ---\n{log.read_text()[-3000:]}", file=sys.stderr)
                raise
    if args.profile:
        return
    print(f"\n{machine()}; {'--quick' if args.quick else 'full'} run\n")
    header = ["metric", "ours (median / p99)", "floor (median / p99)", "ratio or delta", "target", "met?"]
    print(markdown(header, [row.cells() for row in bench.rows]))
    if bench.tokens:
        print(f"\nBytes an agent reads, per tool (ours; ~4 bytes per token):\n\n{bench.tokens}")
    for note in bench.notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
