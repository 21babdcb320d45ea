"""What a person typing into a prompt argument waits for: `completion/complete` latency, in one run.

    .venv/bin/python tests/perf/completions_bench.py           # about 20 s

Against the sandbox over loopback with 300 interviews on the account, through the SDK's own client
(in memory, so the figures are the server's): the documented languages (no upstream call), the
caller's interviews on a cache miss (one list_interviews read of up to 1,000 rows, then ranking) and
on a hit (ranking only), each against the floor of a `prompts/list` round trip in the same run, and
list_interviews called as a tool for comparison. Not collected by pytest: no `test_` names here.
"""

from __future__ import annotations

import copy
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp_types import PromptReference

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, run_sandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import COOKBOOK, TOKEN

INTERVIEWS = 300
ROUNDS = 200


async def timed(call: Callable[[], Awaitable[object]], count: int = ROUNDS) -> list[float]:
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def cell(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(values):.2f} / {ordered[int(0.99 * (len(ordered) - 1))]:.2f} ms"


async def main() -> None:
    with run_sandbox() as sandbox:
        body = copy.deepcopy(COOKBOOK["create_interview_from_questions"]) | {
            "interview_template_id": DEFAULT_TEMPLATE_ID
        }
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            for index in range(INTERVIEWS):
                await http.post(
                    f"{sandbox.base_url}/job-interview-create-from-array",
                    json=body | {"name": f"Role {index:03}"},
                )
        upstream = Upstream(Settings(base_url=sandbox.base_url, token=TOKEN))
        # Which token the caller sends: a new one is a new caller, whose lists are not cached yet.
        caller = [StaticToken(TOKEN)]
        server = build_server(upstream, lambda _ctx: caller[0])
        logging.getLogger().setLevel(logging.WARNING)  # MCPServer() set INFO: no line per request
        review = PromptReference(name="review_results")
        language = PromptReference(name="interview_from_job_description")
        async with upstream, Client(server) as client:

            async def complete(ref: PromptReference, name: str, value: str) -> Any:
                return await client.complete(ref, {"name": name, "value": value})

            floor = await timed(client.list_prompts)
            languages = await timed(lambda: complete(language, "language", "por"))
            hits = await timed(lambda: complete(review, "interview", "role 1"))
            misses: list[float] = []
            for index in range(40):  # a new caller each time: a list_interviews read every time
                caller[0] = StaticToken(f"{TOKEN}-{index}")
                misses += await timed(lambda: complete(review, "interview", "role 1"), 1)
            tool = await timed(lambda: client.call_tool("list_interviews", {"limit": 1000}), 40)
    rows = [
        ("prompts/list (floor: no upstream call)", floor),
        ("languages, `por`", languages),
        (f"interviews, cache hit ({INTERVIEWS} on the account)", hits),
        ("interviews, cache miss (reads them first)", misses),
        ("list_interviews limit=1000 as a tool call", tool),
    ]
    base = statistics.median(floor)
    print("| completion | median / p99 | median vs prompts/list |\n|---|---|---|")
    for name, values in rows:
        print(f"| {name} | {cell(values)} | {statistics.median(values) / base:.1f}x |")


if __name__ == "__main__":
    anyio.run(main)
