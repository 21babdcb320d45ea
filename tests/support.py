"""Helpers for driving the server the way its users do: as a subprocess over stdio."""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID
from jobmojito_mcp.toolsets import OFF_BY_DEFAULT, TOOLS_BY_NAME

# Every tool (--toolsets all), named exactly as users' configs and scripts rely on, in the order they are listed.
TOOL_NAMES = (
    "list_avatars",
    "create_interview",
    "create_interview_from_questions",
    "create_interview_for_candidate",
    "set_interview_state",
    "get_interview_definition",
    "list_interviews",
    "update_interview",
    "register_users_for_interview",
    "list_candidates",
    "request_another_interview_attempt",
    "generate_interview_url",
    "list_interview_results",
    "get_interview_result_details",
    "generate_interview_report",
    "get_merchant_status",
    "list_languages",
    "get_merchant_analytics",
    "get_merchant_credit_usage",
    "list_sub_merchants",
    "invite_users",
    "upsert_pre_screening",
    "pre_screen_resume_text",
    "pre_screen_resume_file",
    "upload_knowledge_base_document",
    "create_persona",
    "list_catalogue_directories",
    "get_catalogue_directory",
    "create_catalogue_directory",
    "update_catalogue_directory",
)
# What a server started without --toolsets lists: the tools of the toolsets on by default.
DEFAULT_TOOL_NAMES = tuple(name for name in TOOL_NAMES if TOOLS_BY_NAME[name].toolset not in OFF_BY_DEFAULT)
# The read-only ones (what --read-only leaves).
READ_TOOL_NAMES = (
    "list_avatars",
    "get_interview_definition",
    "list_interviews",
    "list_candidates",
    "list_interview_results",
    "get_interview_result_details",
    "get_merchant_status",
    "list_languages",
    "get_merchant_analytics",
    "get_merchant_credit_usage",
    "list_sub_merchants",
    "list_catalogue_directories",
    "get_catalogue_directory",
)
SERVER = ("-m", "jobmojito_mcp")  # how a server subprocess is started: python + this
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
    env: Mapping[str, str],
    args: list[str] | None = None,
    cwd: str | Path | None = None,
    launcher: Sequence[str] = SERVER,
    mode: Any = "auto",
    elicitation: Any = None,
) -> AsyncIterator[StdioServer]:
    """`python -m jobmojito_mcp` (or another `launcher`) as a subprocess with a real MCP client on its
    stdio (answering questions with `elicitation`, if given); stderr captured."""
    # Start from a clean slate: no JOBMOJITO_* from the developer's shell, no .env from the repo.
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    with tempfile.TemporaryDirectory() as scratch:
        stderr_path = Path(scratch) / "stderr.log"
        params = StdioServerParameters(
            command=sys.executable,
            args=[*launcher, *(args or [])],
            env={**base, **env},
            cwd=str(cwd or scratch),
        )
        with stderr_path.open("w", encoding="utf-8") as errlog:
            async with Client(
                stdio_client(params, errlog=errlog), mode=mode, elicitation_callback=elicitation
            ) as client:
                yield StdioServer(client, stderr_path)


def answering(action: str, confirm: bool | None = None) -> Any:
    """An elicitation callback answering every question the same way; `.asked` keeps the questions."""
    from mcp_types import ElicitResult

    asked: list[str] = []

    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content=None if confirm is None else {"confirm": confirm})  # type: ignore[arg-type]

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


@dataclass
class HttpServer:
    url: str  # e.g. http://127.0.0.1:PORT
    process: Any
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")


LISTENING = re.compile(r"^jobmojito-mcp listening on (http://\S+)$", re.MULTILINE)


# An MCP initialize as a hosted client sends it first (handshake era), and the headers it needs.
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@asynccontextmanager
async def http_server(
    env: Mapping[str, str],
    args: list[str],
    *,
    ready_timeout: float = 20.0,
    launcher: Sequence[str] = SERVER,
    preexec_fn: Any = None,
) -> AsyncIterator[HttpServer]:
    """The server as a hosted endpoint in a subprocess on `--port 0`: the OS picks a free port, the
    server names it on stderr (no race for a port probed and released); waits for /healthz; SIGTERM on exit.
    `preexec_fn` runs in the child before it starts (e.g. to lower its file limit)."""
    import subprocess

    import anyio
    import httpx2

    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    with tempfile.TemporaryDirectory() as scratch:
        stderr_path = Path(scratch) / "stderr.log"
        with stderr_path.open("w", encoding="utf-8") as errlog:
            process = subprocess.Popen(  # noqa: ASYNC220  # a plain start; it is polled, never awaited
                [sys.executable, *launcher, "--port", "0", *args],
                env={**base, **env},
                cwd=scratch,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errlog,
                preexec_fn=preexec_fn,
            )
            try:
                with anyio.fail_after(ready_timeout):
                    while not (found := LISTENING.search(stderr_path.read_text("utf-8", errors="replace"))):
                        assert process.poll() is None, stderr_path.read_text()
                        await anyio.sleep(0.02)
                    url = found.group(1)
                    async with httpx2.AsyncClient() as probe:
                        while True:
                            assert process.poll() is None, stderr_path.read_text()
                            try:
                                if (await probe.get(f"{url}/healthz")).status_code == 200:
                                    break
                            except httpx2.TransportError:
                                pass
                            await anyio.sleep(0.05)
                yield HttpServer(url, process, stderr_path)
            finally:
                stop(process)


def stop(process: Any, within: float = 15.0) -> None:
    """SIGTERM a server subprocess still running, and wait; SIGKILL it if it outlives `within`."""
    import signal
    import subprocess

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class AcceptConfirmation:
    """An elicitation callback that accepts every confirmation, remembering each question."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: Any) -> Any:
        from mcp_types import ElicitResult

        self.asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})


async def create_then_delete(client: Client, sandbox: Any) -> None:
    """Create an interview, then delete it (a confirmation round trip): exactly that one delete is sent."""
    import copy

    from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID

    arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
    created = await client.call_tool("create_interview", arguments)
    assert isinstance(created.structured_content, dict), text_of(created)
    interview_id = created.structured_content["interview_def_set_id"]
    sandbox.clear_requests()
    deleted = await client.call_tool(
        "set_interview_state", {"position_id": interview_id, "status": "deleted"}
    )
    assert not deleted.is_error, text_of(deleted)
    assert [r.json() for r in sandbox.requests("job-interview-set-state")] == [
        {"position_id": interview_id, "status": "deleted"}
    ]


@asynccontextmanager
async def http_mcp_client(
    url: str,
    transport: str,
    headers: dict[str, str] | None = None,
    mode: Any = "auto",
    elicitation: Any = None,
) -> AsyncIterator[Client]:
    """The SDK's own HTTP clients against a hosted server at `url`: streamable-http (/mcp) or sse (/sse),
    answering questions with `elicitation`, if given."""
    import httpx2
    from mcp.client.sse import sse_client
    from mcp.client.streamable_http import streamable_http_client

    if transport == "streamable-http":
        http = httpx2.AsyncClient(headers=headers or {}, timeout=30)
        transport_client = streamable_http_client(f"{url}/mcp", http_client=http)
        async with http, Client(transport_client, mode=mode, elicitation_callback=elicitation) as client:
            yield client
    else:
        sse = sse_client(f"{url}/sse", headers=headers or {})
        async with Client(sse, mode=mode, elicitation_callback=elicitation) as client:
            yield client


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> Any:
    """`python -m jobmojito_mcp ARGS` to completion, output captured (a CompletedProcess)."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "jobmojito_mcp", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=None if env is None else dict(env),
        check=False,
    )


async def call_ok(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    assert not result.is_error, text_of(result)
    return result


async def call_every_tool(client: Client) -> None:
    """The six tools once each, in a recruiter's order, each expected to succeed."""
    await call_ok(client, "list_avatars", {"limit": 2})
    created = await call_ok(
        client,
        "create_interview",
        copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID},
    )
    assert isinstance(created.structured_content, dict)
    interview_id = created.structured_content["interview_def_set_id"]
    await call_ok(
        client,
        "create_interview_from_questions",
        copy.deepcopy(COOKBOOK["create_interview_from_questions"])
        | {"interview_template_id": DEFAULT_TEMPLATE_ID},
    )
    await call_ok(
        client, "create_interview_for_candidate", copy.deepcopy(COOKBOOK["create_interview_for_candidate"])
    )
    await call_ok(client, "get_interview_definition", {"position_id": interview_id})
    await call_ok(client, "set_interview_state", {"position_id": interview_id, "status": "archived"})


# -- signing in ------------------------------------------------------------------------------------

FAKE_BROWSER = Path(__file__).parent / "data" / "fake_browser.py"


def signin_env(
    base_url: str, credentials_file: Path, *, decision: str = "approve", **settings: str
) -> dict[str, str]:
    """Settings for a server or CLI that signs in (no JOBMOJITO_TOKEN), with its own credentials file
    and a browser that completes the sign-in as a person would (`decision` on a consent page)."""
    return server_env(base_url, token=None, CREDENTIALS_FILE=str(credentials_file), **settings) | {
        "BROWSER": f"{sys.executable} {FAKE_BROWSER} %s",
        "FAKE_BROWSER_DECISION": decision,
    }


def whole_env(settings: Mapping[str, str]) -> dict[str, str]:
    """A subprocess environment: this one without any JOBMOJITO_*, plus `settings`."""
    return {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")} | dict(
        settings
    )


async def sigterm_during_a_call(
    url: str, process: Any, sandbox: Any, *, mode: str = "auto", while_draining: Any = None
) -> CallToolResult:
    """A list_avatars call that takes 2 s upstream; SIGTERM to `process` once it has reached the
    sandbox; `while_draining()` (if given) awaited then; the call's result once it is answered."""
    import signal

    import anyio
    from mcp.client.streamable_http import streamable_http_client

    sandbox.clear_requests()
    sandbox.inject("merchant-avatar-list", "hang", delay=2.0)
    results: list[CallToolResult] = []

    async def slow_call() -> None:
        # No DELETE on close: by then the server has (rightly) stopped accepting connections.
        transport = streamable_http_client(f"{url}/mcp", terminate_on_close=False)
        async with Client(transport, mode=mode) as client:  # type: ignore[arg-type]
            await client.list_tools()  # the client validates results against these schemas
            result = await client.call_tool("list_avatars", {"limit": 1})
            assert isinstance(result, CallToolResult)
            results.append(result)

    async with anyio.create_task_group() as group:
        group.start_soon(slow_call)
        with anyio.fail_after(10):
            while not sandbox.requests("merchant-avatar-list"):  # noqa: ASYNC110  # another thread's state
                await anyio.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        if while_draining is not None:
            await while_draining()
    assert len(results) == 1
    return results[0]


@dataclass(frozen=True)
class FilePart:
    """A multipart file part as it went over the wire."""

    filename: str
    content_type: str
    data: bytes


def multipart_parts(content_type: str, body: bytes) -> dict[str, str | FilePart]:
    """A recorded multipart/form-data body's parts, parsed by python-multipart (Starlette's parser,
    not the sandbox's code path): text parts as text, file parts as `FilePart`."""
    import io

    from python_multipart import parse_form

    parts: dict[str, str | FilePart] = {}

    def on_field(field: Any) -> None:
        parts[field.field_name.decode()] = (field.value or b"").decode("utf-8")

    def on_file(file: Any) -> None:
        file.file_object.seek(0)
        parts[file.field_name.decode()] = FilePart(
            (file.file_name or b"").decode("utf-8"), file.content_type or "", file.file_object.read()
        )

    headers = {"Content-Type": content_type.encode(), "Content-Length": str(len(body)).encode()}
    parse_form(headers, io.BytesIO(body), on_field, on_file)
    return parts
