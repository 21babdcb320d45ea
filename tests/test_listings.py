"""What every agent session pays for, pinned: the size of tools/list, and the same listings,
byte for byte and in the same order, every time.

Agents read tools/list into their context at every session, and prompt caches (and the
2026-07-28 spec) want listings that do not reorder between calls, connections or processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from mcp import Client

from jobmojito_mcp.config import Settings
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import DEFAULT_TOOL_NAMES, TOOL_NAMES

pytestmark = pytest.mark.anyio

# What tools/list may cost an agent's context, every session: the default toolsets in what the six
# creation tools alone cost before the tool-surface work (about 7,500 tokens), the six creation tools
# in about 4,000, and every tool (--toolsets all) in 45,000 (FastMCP's OpenAPI conversion of the same
# thirty endpoints, JobMojito's own server's approach: 202,549).
TOOLS_LIST_BUDGET = 30_000
SIX_TOOLS_BUDGET = 16_000
ALL_TOOLS_BUDGET = 45_000
PROMPT_NAMES = [
    "interview_from_job_description",
    "interview_from_my_questions",
    "screen_candidate",
    "invite_candidates",
    "review_results",
    "give_another_try",
    "weekly_hiring_report",
    # screen_candidates: shown where the screening toolset is on (off by default)
]
LISTINGS = ("tools/list", "prompts/list", "resources/list", "resources/templates/list")


def stdio_listings(hash_seed: str, *flags: str) -> dict[str, bytes]:
    """Each listing's JSON-RPC line exactly as a stdio server writes it (session handshake)."""
    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    server = subprocess.Popen(  # one request, one answer at a time: a closed stdin ends the server
        [sys.executable, "-m", "jobmojito_mcp", "--sandbox", *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env | {"PYTHONHASHSEED": hash_seed},
    )
    assert server.stdin is not None and server.stdout is not None

    def send(message: dict[str, Any]) -> None:
        server.stdin.write(json.dumps(message).encode() + b"\n")  # type: ignore[union-attr]
        server.stdin.flush()  # type: ignore[union-attr]

    try:
        send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello})
        server.stdout.readline()
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        lines = {}
        for index, method in enumerate(LISTINGS, 1):
            send({"jsonrpc": "2.0", "id": index, "method": method})
            lines[method] = server.stdout.readline().rstrip(b"\n")
            assert json.loads(lines[method])["id"] == index, lines[method][:300]
        return lines
    finally:
        server.stdin.close()
        server.wait(timeout=20)
        server.stdout.close()


def compact(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


async def test_tools_list_fits_the_budget_on_both_protocol_paths() -> None:
    wire = json.loads(stdio_listings("0")["tools/list"])["result"]
    upstream = Upstream(Settings(base_url="http://127.0.0.1:9"))
    credential = StaticToken("never-sent-0a9b")
    async with upstream, Client(build_server(upstream, lambda _ctx: credential)) as client:  # 2026-07-28
        modern = await client.list_tools()
    sizes = {
        "2025-11-25 (stdio, as written)": compact(wire),
        "2026-07-28 (SDK client)": len(modern.model_dump_json(by_alias=True, exclude_unset=True).encode()),
    }
    assert max(sizes.values()) <= TOOLS_LIST_BUDGET, sizes
    assert [tool["name"] for tool in wire["tools"]] == list(DEFAULT_TOOL_NAMES)
    six = wire | {"tools": [tool for tool in wire["tools"] if tool["name"] in TOOL_NAMES[:6]]}
    assert compact(six) <= SIX_TOOLS_BUDGET, compact(six)


def test_every_tool_fits_the_all_tools_budget() -> None:
    """--toolsets all: whatever tools the table holds, all of them, in one listing."""
    wire = json.loads(stdio_listings("0", "--toolsets", "all")["tools/list"])["result"]
    assert [tool["name"] for tool in wire["tools"]] == list(TOOL_NAMES)
    assert compact(wire) <= ALL_TOOLS_BUDGET, compact(wire)


def test_listings_are_the_same_bytes_in_every_process() -> None:
    """Two processes, different hash seeds (set and dict-of-set orders differ): identical listings."""
    first, second = stdio_listings("1"), stdio_listings("2")
    assert first == second
    listed = {method: json.loads(line)["result"] for method, line in first.items()}
    assert [tool["name"] for tool in listed["tools/list"]["tools"]] == list(DEFAULT_TOOL_NAMES)
    assert [prompt["name"] for prompt in listed["prompts/list"]["prompts"]] == PROMPT_NAMES
    assert [resource["uri"] for resource in listed["resources/list"]["resources"]] == [
        "jobmojito://languages"
    ]
    templates = listed["resources/templates/list"]["resourceTemplates"]
    assert [template["uriTemplate"] for template in templates] == ["jobmojito://templates/{language}"]


async def test_listings_repeat_in_the_same_order_on_one_connection() -> None:
    upstream = Upstream(Settings(base_url="http://127.0.0.1:9"))
    credential = StaticToken("never-sent-0a9b")
    async with upstream, Client(build_server(upstream, lambda _ctx: credential)) as client:
        rounds = []
        for _ in range(3):
            rounds.append(
                [
                    (await client.list_tools()).model_dump_json(exclude={"meta"}),
                    (await client.list_prompts()).model_dump_json(exclude={"meta"}),
                    (await client.list_resources()).model_dump_json(exclude={"meta"}),
                    (await client.list_resource_templates()).model_dump_json(exclude={"meta"}),
                ]
            )
    assert rounds[0] == rounds[1] == rounds[2]
