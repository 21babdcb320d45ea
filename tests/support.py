"""Helpers for driving the server the way its users do: as a subprocess over stdio."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult

TOKEN = "test-token-0b7e3c2a9f41d8e6"  # long and unique: any occurrence in output is a leak
COOKBOOK: dict[str, dict[str, Any]] = {
    name: body
    for name, body in json.loads(
        (Path(__file__).parent / "data" / "cookbook.json").read_text("utf-8")
    ).items()
    if not name.startswith("_")
}


@dataclass
class StdioServer:
    client: Client
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> CallToolResult:
        result = await self.client.call_tool(tool, dict(arguments))
        assert isinstance(result, CallToolResult)
        return result


def server_env(base_url: str, token: str | None = TOKEN, **settings: str) -> dict[str, str]:
    """Environment for a server subprocess: quick timeouts and backoff, so fault tests stay short."""
    env = {
        "JOBMOJITO_BASE_URL": base_url,
        "JOBMOJITO_TIMEOUT": "2",
        "JOBMOJITO_CONNECT_TIMEOUT": "1",
        "JOBMOJITO_RETRY_BACKOFF": "0.01",
        "JOBMOJITO_LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
    }
    if token is not None:
        env["JOBMOJITO_TOKEN"] = token
    env.update({f"JOBMOJITO_{key.upper()}": value for key, value in settings.items()})
    return env


@asynccontextmanager
async def stdio_server(
    env: Mapping[str, str], args: list[str] | None = None, cwd: str | Path | None = None
) -> AsyncIterator[StdioServer]:
    """`python -m jobmojito_mcp` as a subprocess with a real MCP client on its stdio; stderr captured."""
    # Start from a clean slate: no JOBMOJITO_* from the developer's shell, no .env from the repo.
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    with tempfile.TemporaryDirectory() as scratch:
        stderr_path = Path(scratch) / "stderr.log"
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "jobmojito_mcp", *(args or [])],
            env={**base, **env},
            cwd=str(cwd or scratch),
        )
        with stderr_path.open("w", encoding="utf-8") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                yield StdioServer(client, stderr_path)


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")
