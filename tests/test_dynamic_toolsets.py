"""--dynamic-toolsets, as agents use it: the default toolsets and three discovery tools listed; an
agent enables a toolset and its client sees the new tools without reconnecting, on both protocol
generations (2025-11-25: notifications/tools/list_changed on the session; 2026-07-28: an event on
the caller's subscriptions/listen stream). Python SDK clients here; the TypeScript SDK and the
MCP Inspector CLI further down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from jobmojito_mcp.sandbox.runner import RunningSandbox
from jobmojito_mcp.toolsets import DEFAULT_TOOLSETS, TOOLS, TOOLSETS
from tests.support import TOKEN, http_mcp_client, http_server, server_env, text_of

pytestmark = pytest.mark.anyio

DISCOVERY = ["list_available_toolsets", "get_toolset_tools", "enable_toolset"]
NODE_MODULES = Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules"
TS_CLIENT = Path(__file__).resolve().parent / "clients" / "ts_dynamic_toolsets.cjs"
API_KEYS = ("key-of-alice-0123456789", "key-of-bob-9876543210")


def names_of(toolsets: tuple[str, ...] | list[str]) -> list[str]:
    return [spec.name for spec in TOOLS if spec.toolset in toolsets]


def stdio_params(sandbox: RunningSandbox, *args: str) -> StdioServerParameters:
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "jobmojito_mcp", "--dynamic-toolsets", *args],
        env={**base, **server_env(sandbox.base_url)},
    )


async def test_default_toolsets_are_listed_with_the_discovery_tools(sandbox: RunningSandbox) -> None:
    async with Client(stdio_client(stdio_params(sandbox)), mode="legacy") as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert listed == names_of(DEFAULT_TOOLSETS) + DISCOVERY
        about = text_of(await client.call_tool("list_available_toolsets", {}))
    for name in TOOLSETS:
        assert f"- {name} ({'enabled' if name in DEFAULT_TOOLSETS else 'not enabled'}" in about


async def test_enabling_on_a_2025_session_notifies_and_the_new_tools_work(sandbox: RunningSandbox) -> None:
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if getattr(getattr(message, "root", message), "method", None) == "notifications/tools/list_changed":
            changed.set()

    sandbox.clear_requests()
    params = stdio_params(sandbox, "--toolsets", "interviews")
    async with Client(stdio_client(params), mode="legacy", message_handler=on_message) as client:
        assert client.session.server_capabilities is not None
        tools_capability = client.session.server_capabilities.tools
        assert tools_capability is not None and tools_capability.list_changed is True
        assert [tool.name for tool in (await client.list_tools()).tools] == names_of(
            ["interviews"]
        ) + DISCOVERY
        refused = await client.call_tool("get_merchant_status", {})
        assert refused.is_error and "enable_toolset with toolset 'account'" in text_of(refused)
        assert sandbox.requests("merchant-status") == []  # refused before anything was sent
        shown = text_of(await client.call_tool("get_toolset_tools", {"toolset": "account"}))
        assert "get_merchant_status" in shown
        unknown = await client.call_tool("enable_toolset", {"toolset": "billing"})
        assert unknown.is_error and "interviews, candidates" in text_of(unknown)

        enabled = await client.call_tool("enable_toolset", {"toolset": "account"})
        assert not enabled.is_error and "get_merchant_status" in text_of(enabled)
        with anyio.fail_after(10):
            await changed.wait()
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert listed == names_of(["interviews", "account"]) + DISCOVERY
        status = await client.call_tool("get_merchant_status", {})
        assert not status.is_error, text_of(status)
        assert [request.method for request in sandbox.requests("merchant-status")] == ["GET"]
        again = await client.call_tool("enable_toolset", {"toolset": "account"})
        assert "already enabled" in text_of(again)


async def test_enabling_on_2026_07_28_reaches_the_listen_stream(sandbox: RunningSandbox) -> None:
    async with Client(stdio_client(stdio_params(sandbox, "--toolsets", "interviews"))) as client:
        assert client.session.protocol_version == "2026-07-28"
        async with client.listen(tools_list_changed=True) as events:
            await client.call_tool("enable_toolset", {"toolset": "results"})
            with anyio.fail_after(10):
                event = await events.__anext__()
        assert type(event).__name__ == "ToolsListChanged"
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert listed == names_of(["interviews", "results"]) + DISCOVERY
        result = await client.call_tool("list_interview_results", {"limit": 1})
        assert not result.is_error, text_of(result)


async def test_hosted_enabling_persists_per_caller_and_headers_still_narrow(sandbox: RunningSandbox) -> None:
    """2026-07-28 over Streamable HTTP: no session; what Alice enables, Alice's next connection sees
    (her key is the caller), Bob does not; X-MCP-Toolsets still narrows, and enabling a toolset the
    header excludes is refused."""
    env = server_env(sandbox.base_url, token=TOKEN) | {"JOBMOJITO_MCP_API_KEYS": ",".join(API_KEYS)}
    args = [
        "--transport",
        "streamable-http",
        "--auth",
        "api-key",
        "--dynamic-toolsets",
        "--toolsets",
        "interviews",
    ]
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    async with http_server(env, args) as server:
        async with (
            http_mcp_client(server.url, "streamable-http", alice) as client,
            http_mcp_client(server.url, "streamable-http", bob) as other,
        ):
            assert client.session.protocol_version == "2026-07-28"
            async with (
                client.listen(tools_list_changed=True) as events,
                other.listen(tools_list_changed=True) as others,
            ):
                await client.call_tool("enable_toolset", {"toolset": "account"})
                with anyio.fail_after(10):
                    await events.__anext__()
                with anyio.move_on_after(1) as waited:
                    await others.__anext__()  # Bob's stream hears nothing of Alice's change
                assert waited.cancelled_caught
        async with http_mcp_client(server.url, "streamable-http", alice) as client:  # a new connection
            listed = [tool.name for tool in (await client.list_tools()).tools]
            assert listed == names_of(["interviews", "account"]) + DISCOVERY
        async with http_mcp_client(server.url, "streamable-http", bob) as client:
            listed = [tool.name for tool in (await client.list_tools()).tools]
            assert listed == names_of(["interviews"]) + DISCOVERY
        narrowed = alice | {"X-MCP-Toolsets": "interviews,results"}
        async with http_mcp_client(server.url, "streamable-http", narrowed) as client:
            listed = [tool.name for tool in (await client.list_tools()).tools]
            assert listed == names_of(["interviews"]) + DISCOVERY  # account: enabled, but narrowed out
            refused = await client.call_tool("enable_toolset", {"toolset": "account"})
            assert refused.is_error and "offers: interviews, results" in text_of(refused)
            about = text_of(await client.call_tool("list_available_toolsets", {}))
            assert "account" not in about and "- results (not enabled" in about


async def test_hosted_2025_sessions_enable_for_themselves(sandbox: RunningSandbox) -> None:
    env = server_env(sandbox.base_url, token=TOKEN)
    args = ["--transport", "http", "--dynamic-toolsets", "--toolsets", "interviews"]
    async with http_server(env, args) as server:
        for transport in ("streamable-http", "sse"):
            async with (
                http_mcp_client(server.url, transport, mode="legacy") as first,
                http_mcp_client(server.url, transport, mode="legacy") as second,
            ):
                await first.call_tool("enable_toolset", {"toolset": "candidates"})
                assert "register_users_for_interview" in [t.name for t in (await first.list_tools()).tools]
                assert "register_users_for_interview" not in [
                    t.name for t in (await second.list_tools()).tools
                ]


def test_unknown_or_mixed_toolsets_are_refused_at_start() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    for flags, said in (
        (["--toolsets", "all,results"], "name it alone"),
        (["--toolsets", "billing"], "unknown toolset(s) billing"),
        (["--dynamic-toolsets", "--toolsets", "billing"], "unknown toolset(s) billing"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "jobmojito_mcp", "--sandbox", *flags, "tools"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0 and said in done.stderr, done.stderr


async def test_the_typescript_sdk_sees_the_change_without_reconnecting(sandbox: RunningSandbox) -> None:
    node = NODE_MODULES / ".bin" / "node"
    if not (node.exists() and (NODE_MODULES / "@modelcontextprotocol" / "client").is_dir()):
        if os.environ.get("CI"):
            pytest.fail("the TypeScript SDK is required in CI (.ci/run installs it into .ci/node)")
        pytest.skip("TypeScript SDK not installed: bash .ci/run installs it into .ci/node")
    server = [sys.executable, "-m", "jobmojito_mcp", "--dynamic-toolsets", "--toolsets", "interviews"]
    env = {"PATH": os.environ.get("PATH", ""), "NODE_MODULES_DIR": str(NODE_MODULES)}
    env |= {"SERVER_COMMAND": json.dumps(server), "SERVER_ENV": json.dumps(server_env(sandbox.base_url))}
    sandbox.clear_requests()
    done = await anyio.run_process([str(node), str(TS_CLIENT)], env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    outcome = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert outcome["before"] == names_of(["interviews"]) + DISCOVERY
    assert outcome["refreshed"] == names_of(["interviews", "account"]) + DISCOVERY  # pushed, not asked for
    assert outcome["isError"] is False and outcome["structured"]["credits_interview_monthly"] is not None
    assert [request.method for request in sandbox.requests("merchant-status")] == ["GET"]


def inspector(*args: str, setting: str = "JOBMOJITO_DYNAMIC_TOOLSETS=true") -> Any:
    bin_dir = NODE_MODULES / ".bin"
    if not (bin_dir / "mcp-inspector").exists():
        if os.environ.get("CI"):
            pytest.fail("the MCP Inspector is required in CI (.ci/run installs it into .ci/node)")
        pytest.skip("MCP Inspector not installed: bash .ci/run installs it into .ci/node")
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [str(bin_dir / "mcp-inspector"), "--cli", "-e", setting,
             sys.executable, "-m", "jobmojito_mcp", "--sandbox", *args],
            capture_output=True, text=True, timeout=120, env=env, cwd=scratch, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_inspector_lists_and_calls_the_discovery_tools() -> None:
    strict = inspector("--method", "tools/list", "--strict", "--format", "json")
    assert [tool["name"] for tool in strict["result"]["tools"]] == names_of(DEFAULT_TOOLSETS) + DISCOVERY
    assert strict.get("schemaFindings", []) == []
    listed = inspector("--method", "tools/call", "--tool-name", "list_available_toolsets")
    assert "- interviews (enabled, default" in listed["content"][0]["text"]
    shown = inspector(
        "--method", "tools/call", "--tool-name", "get_toolset_tools", "--tool-arg", "toolset=account"
    )
    assert "get_merchant_status" in shown["content"][0]["text"]
    enabled = inspector(
        "--method", "tools/call", "--tool-name", "enable_toolset", "--tool-arg", f"toolset={TOOLSETS[-1]}"
    )
    assert enabled.get("isError") is not True and "enabled" in enabled["content"][0]["text"]


def test_every_tool_passes_the_inspector_portability_lint() -> None:
    """--toolsets all: the tools off by default (coaching) too, 0 errors, 0 warnings."""
    strict = inspector(
        "--method", "tools/list", "--strict", "--format", "json", setting="JOBMOJITO_TOOLSETS=all"
    )
    assert [tool["name"] for tool in strict["result"]["tools"]] == [spec.name for spec in TOOLS]
    assert strict.get("schemaFindings", []) == []
