"""A 5 MB PDF résumé through pre_screen_resume_file on stdio: memory and time, in one run.

    .venv/bin/python tests/perf/upload_bench.py            # about a minute

The server runs as MCP clients launch it (`python -m jobmojito_mcp`, stdio, `--files-root` the
folder), the sandbox in a process of its own over loopback, so each process's figures are its own.

- **Memory**: the server's peak RSS while it screens the file (VmHWM, its high-water mark reset
  through /proc/<pid>/clear_refs just before) over its RSS when idle after a warm-up call, against
  the file's size. The goal: under 2x the file size (the file is streamed, never held whole; the
  inline base64 path is measured too, for comparison: there the agent's JSON holds it already).
- **Time**: the tool call, as the MCP client waits for it, against a bare upload of the same file as
  the same multipart form with the same HTTP client (httpx2) straight to the sandbox, interleaved,
  medians of several rounds. The goal: within 10%.

Not collected by pytest: no `test_` names here. Linux only (/proc).
"""

# ruff: noqa: ASYNC220, ASYNC240  # a benchmark script: blocking /proc reads and a plain start are the point

from __future__ import annotations

import base64
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jobmojito_mcp.sandbox import DEMO_POSITION_ID
from tests import documents
from tests.support import TOKEN, answering, server_env, stdio_server, text_of

SIZE = 5 * 1024 * 1024
ROUNDS = 21
ENDPOINT = "/job-interview-pre-screening-api-resume-binary"


def kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def server_pid(parent: int) -> int:
    """The stdio server: the child process of ours running jobmojito_mcp."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"PPid:\t{parent}\n" in status and b"jobmojito_mcp" in cmdline and b"sandbox" not in cmdline:
            return int(entry.name)
    raise RuntimeError("server process not found")


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="jobmojito-bench-"))
    resume = folder / "scanned-cv.pdf"
    resume.write_bytes(documents.pdf("Python Django PostgreSQL engineer, 6 years", pad_to=SIZE))
    size = resume.stat().st_size
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp", "sandbox", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sandbox.stderr is not None
        found = re.search(r"(http://\S+)", sandbox.stderr.readline())
        assert found, "the sandbox did not say where it serves"
        base_url = found.group(1)
        print("-- the client is asked before each screening (elicitation: one more stdio round trip)")
        await run(base_url, folder, resume, size)
        print("-- a client that cannot be asked (the tool's annotations tell it the call spends credits)")
        await run(base_url, folder, resume, size, asking=False)
    finally:
        sandbox.terminate()
        sandbox.wait(10)


async def run(base_url: str, folder: Path, resume: Path, size: int, asking: bool = True) -> None:
    env = server_env(base_url, FILES_ROOTS=str(folder), LOG_LEVEL="WARNING", TIMEOUT="120")
    counter = iter(range(10_000))

    def candidate() -> dict[str, Any]:
        number = next(counter)
        return {
            "position_id": DEMO_POSITION_ID,
            "candidate_name": f"C{number}",
            "candidate_email": f"c{number}@example.com",
        }

    async with (
        stdio_server(env, elicitation=answering("accept", True) if asking else None) as server,
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as http,
    ):
        pid = server_pid(os.getpid())

        async def tool(arguments: dict[str, Any]) -> float:
            started = time.perf_counter()
            result = await server.call("pre_screen_resume_file", arguments)
            spent = time.perf_counter() - started
            assert not result.is_error, text_of(result)
            return spent

        async def bare() -> float:
            fields = candidate()
            with resume.open("rb") as stream:
                started = time.perf_counter()
                response = await http.post(
                    base_url + ENDPOINT, data=fields, files={"file": (resume.name, stream, "application/pdf")}
                )
                spent = time.perf_counter() - started
            response.raise_for_status()
            return spent

        # Warm up both paths (imports, connections, the sandbox's PDF reader), then settle.
        await tool(candidate() | {"file_path": str(resume)})
        await bare()
        await anyio.sleep(1)
        idle = kib(pid, "VmRSS")

        reset_peak(pid)
        await tool(candidate() | {"file_path": str(resume)})
        by_path = kib(pid, "VmHWM") - idle

        inline = base64.b64encode(resume.read_bytes()).decode()
        reset_peak(pid)
        await tool(candidate() | {"file_base64": inline, "file_name": resume.name})
        by_inline = kib(pid, "VmHWM") - idle

        tools, bares = [], []
        for _ in range(ROUNDS):
            tools.append(await tool(candidate() | {"file_path": str(resume)}))
            bares.append(await bare())

    mb = size / (1024 * 1024)
    print(f"file: {size:,} bytes ({mb:.1f} MiB PDF); server idle RSS {idle / 1024:.1f} MiB")
    print(
        f"peak RSS over idle, file_path:   {by_path / 1024:6.1f} MiB = {by_path * 1024 / size:.2f}x the file (goal < 2x)"
    )
    print(
        f"peak RSS over idle, file_base64: {by_inline / 1024:6.1f} MiB = {by_inline * 1024 / size:.2f}x the file (for comparison)"
    )
    tool_ms, bare_ms = median(tools) * 1000, median(bares) * 1000
    print(
        f"time, median of {ROUNDS}: tool call {tool_ms:.0f} ms, bare upload {bare_ms:.0f} ms: "
        f"{tool_ms / bare_ms:.2f}x ({(tool_ms / bare_ms - 1) * 100:+.0f}%; goal within 10%)"
    )
    best_tool, best_bare = min(tools) * 1000, min(bares) * 1000
    print(
        f"time, best of {ROUNDS}: tool call {best_tool:.0f} ms, bare upload {best_bare:.0f} ms: {best_tool / best_bare:.2f}x"
    )


if __name__ == "__main__":
    anyio.run(main)
