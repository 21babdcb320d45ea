"""The command line and the stdio contract: flags, environment, .env, --sandbox, stdout purity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jobmojito_mcp import __version__
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import (
    COOKBOOK,
    DEFAULT_TOOL_NAMES,
    TOKEN,
    run_cli,
    server_env,
    stdio_server,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def test_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"jobmojito-mcp {__version__}"


def test_help_lists_every_setting() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for name in ("JOBMOJITO_TOKEN", "JOBMOJITO_BASE_URL", "JOBMOJITO_TIMEOUT", "JOBMOJITO_CONNECT_TIMEOUT",
                 "JOBMOJITO_LOG_LEVEL", "--sandbox", "sandbox"):  # fmt: skip
        assert name in done.stdout


def test_invalid_configuration_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobmojito_mcp"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**server_env("http://127.0.0.1:9"), "JOBMOJITO_TIMEOUT": "soon"},
        check=False,
    )
    assert done.returncode != 0
    assert "invalid configuration" in done.stderr and "timeout" in done.stderr
    assert "Traceback" not in done.stderr


async def test_flags_win_over_environment(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    env = server_env("http://127.0.0.1:9", token="env-token-should-lose-1234")
    args = ["--base-url", sandbox.base_url, "--token", TOKEN]
    async with stdio_server(env, args) as server:
        result = await server.call("list_avatars", {"limit": 1})
    assert not result.is_error, text_of(result)
    assert [r.headers["authorization"] for r in sandbox.requests()] == [f"Bearer {TOKEN}"]


async def test_a_dotenv_is_read_only_when_named(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Not from the working directory (an MCP client starts servers anywhere: issue 21, finding 2),
    only the file `--env-file` names."""
    sandbox.clear_requests()
    (tmp_path / ".env").write_text(
        f"JOBMOJITO_TOKEN=dotenv-token-5f2a9c81\nJOBMOJITO_BASE_URL={sandbox.base_url}\n"
    )
    env = {"JOBMOJITO_LOG_LEVEL": "DEBUG", "JOBMOJITO_SANDBOX": "1"}  # would call nobody if .env were ignored
    async with stdio_server(env, cwd=tmp_path) as server:
        result = await server.call("list_avatars", {"limit": 1})
    assert not result.is_error, text_of(result)
    assert sandbox.requests() == []
    async with stdio_server(
        {"JOBMOJITO_LOG_LEVEL": "DEBUG"}, ["--env-file", str(tmp_path / ".env")]
    ) as server:
        result = await server.call("list_avatars", {"limit": 1})
    assert not result.is_error, text_of(result)
    assert [r.headers["authorization"] for r in sandbox.requests()] == ["Bearer dotenv-token-5f2a9c81"]
    missing = run_cli("--env-file", str(tmp_path / "nope.env"), "tools")
    assert missing.returncode != 0 and "no such file" in missing.stderr


async def test_without_a_token_tools_are_listed_and_calls_explain(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    async with stdio_server(server_env(sandbox.base_url, token=None)) as server:
        tools = await server.client.list_tools()
        assert [tool.name for tool in tools.tools] == list(DEFAULT_TOOL_NAMES)
        result = await server.call("list_avatars", {})
        assert result.is_error
        assert "`jobmojito-mcp login`" in text_of(result) and "--sandbox" in text_of(result)
        assert "not signed in to" in server.stderr() and "run `jobmojito-mcp login`" in server.stderr()
    assert sandbox.requests() == []


async def test_sandbox_flag_runs_a_whole_flow_in_process() -> None:
    # Base URL points nowhere: with --sandbox nothing may leave the process.
    env = server_env("http://127.0.0.1:9", token=None)
    async with stdio_server(env, ["--sandbox"]) as server:
        avatars = await server.call("list_avatars", {"limit": 5})
        assert not avatars.is_error, text_of(avatars)
        arguments = COOKBOOK["create_interview"] | {"interview_template_id": DEFAULT_TEMPLATE_ID}
        created = await server.call("create_interview", arguments)
        assert not created.is_error, text_of(created)
        assert isinstance(created.structured_content, dict)
        interview_id = created.structured_content["interview_def_set_id"]
        got = await server.call("get_interview_definition", {"position_id": interview_id})
        assert not got.is_error, text_of(got)
        assert server.client.instructions is not None and "sandbox" in server.client.instructions


def test_stdout_carries_only_protocol_messages(sandbox: RunningSandbox) -> None:
    """Even at DEBUG, with a failing call, every stdout line is a JSON-RPC message."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list_avatars", "arguments": {"limit": 1}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get_interview_definition", "arguments": {"position_id": "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"}}},
    ]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(sandbox.base_url),
    )
    assert process.stdin and process.stdout and process.stderr
    # Closing stdin ends the session (in-flight calls are dropped), so it stays open until all answers are in.
    process.stdin.write("".join(json.dumps(message) + "\n" for message in messages))
    process.stdin.flush()
    replies = []
    try:
        while {reply.get("id") for reply in replies} < {1, 2, 3, 4}:
            line = process.stdout.readline()
            assert line, "the server closed stdout early"
            replies.append(json.loads(line))  # anything but a JSON-RPC message fails here
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    stderr = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert all(reply.get("jsonrpc") == "2.0" for reply in replies)
    assert process.returncode == 0
    assert "DEBUG" in stderr, "logs exist, on stderr"
    assert TOKEN not in stderr and TOKEN not in json.dumps(replies)
