"""What a plain stdio start loads: nothing a stdio run does not need.

The stdio cold start is measured against a bare SDK server (tests/perf/bench.py, docs/performance.md);
this keeps the modules kept off that path off it, so a stray top-level import cannot silently undo
the gain. The server runs as a client launches it (a subprocess, a real MCP client on its stdio,
initialize then tools/list) and writes the names in `sys.modules` as it exits.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from jobmojito_mcp.toolsets import TOOLSETS, cards_by_name
from tests.support import server_env, stdio_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

# The server, with the names of the modules it loaded written to $MODULES_OUT when it exits (a
# closed stdin ends it normally; SIGTERM, should the client resort to it, is turned into an exit).
LAUNCHER = (
    "-c",
    "import atexit, json, os, signal, sys\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
    "atexit.register(lambda: open(os.environ['MODULES_OUT'], 'w').write(json.dumps(sorted(sys.modules))))\n"
    "from jobmojito_mcp.cli import main\n"
    "main()\n",
)

# What a stdio run against JobMojito never needs at its start (prefixes of module names). Not uvicorn:
# the SDK itself loads it (mcp.server.streamable_http -> sse_starlette), the floor server too.
NOT_AT_START = (
    "rich",  # the SDK's logging setup, which our own logging makes moot (server._sdk_logging_setup_skipped)
    "sqlite3",  # the sandbox's file and the sign-in store's database
    "pydantic_settings",  # settings are read by config.load_settings (~11 ms of a start saved)
    "dotenv",  # only for the file --env-file names
    "jobmojito_mcp.hosting",
    "jobmojito_mcp.sandbox",
    "jobmojito_mcp.discovery",  # --dynamic-toolsets only
    "jobmojito_mcp.signin.login",
    "jobmojito_mcp.telemetry.otel",
    "jobmojito_mcp.telemetry.prometheus",
    "opentelemetry.sdk",
    "prometheus_client",
    "jwt",
    "pypdf",
    "playwright",
    # The toolsets' modules and their models: tools are listed from their packaged cards
    # (tooling/listing.py), and a toolset's module is imported at the first call of one of its tools.
    *(f"jobmojito_mcp.toolsets.{name}" for name in (*TOOLSETS, "common")),
)


async def loaded_modules(sandbox: RunningSandbox, *calls: tuple[str, dict[str, object]]) -> list[str]:
    """The modules a stdio server had loaded when it exited, after tools/list and `calls`."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "modules.json"
        env = {**server_env(sandbox.base_url), "MODULES_OUT": str(out)}
        async with stdio_server(env, launcher=LAUNCHER) as server:
            listed = await server.client.list_tools()
            assert listed.tools, "the server answered tools/list"
            for name, arguments in calls:
                result = await server.client.call_tool(name, arguments)
                assert not result.is_error, result.content
        loaded: list[str] = json.loads(out.read_text("utf-8"))
    assert "jobmojito_mcp.server" in loaded  # the list is the server's, not an empty file
    return loaded


async def test_a_plain_stdio_start_loads_only_what_it_needs(sandbox: RunningSandbox) -> None:
    loaded = await loaded_modules(sandbox)
    unwanted = sorted(name for name in loaded if name.startswith(NOT_AT_START))
    assert not unwanted, f"a plain stdio start imported {unwanted}"


async def test_a_call_imports_its_own_toolset_only(sandbox: RunningSandbox) -> None:
    """The first call of a tool imports its toolset's module (models and all), and no other."""
    assert cards_by_name()["get_merchant_status"].toolset == "account"
    loaded = await loaded_modules(sandbox, ("get_merchant_status", {}))
    toolsets = sorted(
        name.split(".")[2]
        for name in loaded
        if name.startswith("jobmojito_mcp.toolsets.") and name.count(".") == 2
    )
    assert toolsets == ["account", "common", "languages"]
