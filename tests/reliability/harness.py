"""Shared machinery of the reliability suites.

- `in_process`: the real server (`build_server` over a real `Upstream`) driven by a real MCP
  client in-process, against the sandbox over loopback HTTP. Sync code (hypothesis) drives it
  through a blocking portal; async tests use `open_in_process` directly.
- `contract_problems`: what is wrong with a request that reached the sandbox, judged by the
  contract JSON and the sandbox's own cross-field rules (never by the server's models).
- `RawStdio`: the server as a subprocess, spoken to line by line in raw JSON-RPC, so a test can
  send what no well-behaved client sends and watch the process (`/proc/<pid>`).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import anyio
import httpx2
from anyio.abc import Process
from anyio.from_thread import BlockingPortal, start_blocking_portal
from anyio.streams.buffered import BufferedByteReceiveStream
from jsonschema import Draft202012Validator
from mcp import Client
from mcp_types import CallToolResult, Tool

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import RecordedRequest
from jobmojito_mcp.sandbox import validation as sandbox_rules
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.spec import CONTRACT, to_json_schema
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets import TOOLS
from tests.support import TOKEN, AcceptConfirmation, FilePart, multipart_parts, text_of

CALL_TIMEOUT = 30.0  # no single call in these suites may take longer: a hang fails, it never blocks CI
READS = frozenset(
    {"list_avatars", "get_interview_definition", "list_interviews", "list_interview_results",
     "get_interview_result_details", "get_merchant_status",
     "list_candidates", "list_languages", "get_merchant_analytics", "get_merchant_credit_usage",
     "list_sub_merchants", "list_catalogue_directories", "get_catalogue_directory"}
)  # fmt: skip
CREATES = frozenset(
    {"create_interview", "create_interview_from_questions", "create_interview_for_candidate", "create_persona",
     "create_catalogue_directory"}
)  # fmt: skip
# Not creates, but never resent either: a repeat registers again (new links, maybe e-mails).
INVITES = frozenset({"register_users_for_interview", "invite_users"})
# Neither creates nor invites, but not repeatable: a link minted each call, a decision erased once.
ONE_SHOTS = frozenset({"generate_interview_url", "request_another_interview_attempt"})
# Never resent either: a screening stores a candidate and a result and spends credits; an upload
# stores a document for good; a position upsert creates another position.
STORES = frozenset(
    {
        "upsert_pre_screening",
        "pre_screen_resume_text",
        "pre_screen_resume_file",
        "upload_knowledge_base_document",
    }
)
# Tools named otherwise than the contract's operation.
CONTRACT_NAME = {"pre_screen_resume_file": "pre_screen_resume_binary"}
ENDPOINT_OF = {tool: spec["path"].strip("/") for tool, spec in CONTRACT.items()} | {
    tool: CONTRACT[operation]["path"].strip("/") for tool, operation in CONTRACT_NAME.items()
}
# Not creates either, but never resent: each call generates (and charges a translation) again.
CHARGES = frozenset({"generate_interview_report"})
REFUSED = "nothing was sent to JobMojito"
_BACKTICKED = re.compile(r"`([^`]*)`")
# A refusal lists one field per line, "- `field`: problem"; a quoted value may hold a backtick itself.
_LISTED_FIELD = re.compile(r"^\s*- `([^`]*)`", re.MULTILINE)


def settings(base_url: str, **overrides: Any) -> Settings:
    """Server settings for tests: quick backoff, and nothing read from a developer's .env."""
    values: dict[str, Any] = {
        "base_url": base_url,
        "token": TOKEN,
        "timeout": 5.0,
        "connect_timeout": 2.0,
        "retry_backoff": 0.01,
        "max_retries": 2,
        "log_level": "DEBUG",
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def open_in_process(
    config: Settings, token: str = TOKEN, transport: httpx2.AsyncBaseTransport | None = None
) -> AsyncIterator[tuple[Client, dict[str, Tool]]]:
    """The server in this event loop, with a connected client and the tools it lists. The client says
    yes to every confirmation (deletes, e-mail): these suites judge arguments and faults; refusing
    where nobody can be asked is tests/security/test_fail_closed.py's."""
    credential = StaticToken(token)
    async with (
        Upstream(config, transport=transport) as upstream,
        Client(
            build_server(upstream, lambda _ctx: credential, tools=TOOLS),  # every toolset
            elicitation_callback=AcceptConfirmation(),
        ) as client,
    ):
        listed = await client.list_tools()
        yield client, {tool.name: tool for tool in listed.tools}


@dataclass
class InProcess:
    """The in-process server, driven from synchronous code (hypothesis) through a blocking portal."""

    portal: BlockingPortal
    client: Client
    tools: dict[str, Tool]

    def call(self, tool: str, arguments: Mapping[str, Any], within: float = CALL_TIMEOUT) -> CallToolResult:
        result: CallToolResult = self.portal.call(_call_tool, self.client, tool, dict(arguments), within)
        return result


async def _call_tool(client: Client, tool: str, arguments: dict[str, Any], within: float) -> CallToolResult:
    with anyio.fail_after(within):
        result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    return result


@contextmanager
def in_process(config: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> Iterator[InProcess]:
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(open_in_process(config, transport=transport)) as (client, tools),
    ):
        yield InProcess(portal, client, tools)


# ---------------------------------------------------------------------------------------------
# Judging what reached the sandbox


def _no_rule(params: dict[str, Any]) -> None:
    return None


def _create_rules(body: dict[str, Any]) -> None:
    sandbox_rules.interview_length(body.get("interview_length"))
    sandbox_rules.check_max_duration(body)


# The cross-field rules the sandbox applies after the schema, per tool (see sandbox/handlers/).
CROSS_FIELD_RULES: dict[str, Callable[[dict[str, Any]], None]] = {
    "create_interview": _create_rules,
    "create_interview_from_questions": lambda body: sandbox_rules.check_questions(body["questions"]),
    "create_interview_for_candidate": sandbox_rules.check_for_candidate,
    "set_interview_state": sandbox_rules.check_set_state,
    "update_interview": lambda body: (
        sandbox_rules.check_questions(body["questions"]) if "questions" in body else None
    ),
}


def contract_of(tool: str) -> dict[str, Any]:
    entry: dict[str, Any] = CONTRACT[CONTRACT_NAME.get(tool, tool)]
    return entry


def is_multipart(request: RecordedRequest) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


@cache
def contract_validator(tool: str) -> Draft202012Validator:
    spec = contract_of(tool)
    if "body" in spec:
        schema = spec["body"]
    else:
        schema = {
            "type": "object",
            "properties": {p["name"]: p["schema"] for p in spec.get("query", [])},
            "required": [p["name"] for p in spec.get("query", []) if p.get("required")],
        }
    return Draft202012Validator(to_json_schema(schema), format_checker=Draft202012Validator.FORMAT_CHECKER)


def contract_fields(tool: str) -> frozenset[str]:
    spec = contract_of(tool)
    if "body" in spec:
        return frozenset(spec["body"].get("properties", {}))
    return frozenset(p["name"] for p in spec.get("query", []))


def request_params(tool: str, request: RecordedRequest) -> dict[str, Any]:
    """The request's parameters as the contract types them: the JSON body, a multipart form's parts
    (a file part as the binary string the contract types it), or the coerced query."""
    if is_multipart(request):
        parts = multipart_parts(request.headers["content-type"], request.body)
        return {name: "<binary>" if isinstance(value, FilePart) else value for name, value in parts.items()}
    if "body" in contract_of(tool):
        params = request.json()
        assert isinstance(params, dict), request.body[:200]
        return params
    return sandbox_rules.coerce_query(tool, request.query)


def contract_problems(tool: str, request: RecordedRequest) -> list[str]:
    """Everything the documented contract says is wrong with this request; [] when it is valid."""
    spec = contract_of(tool)
    problems = []
    if spec.get("body_content_type") == "multipart/form-data":
        problems += multipart_problems(spec, request)
    if request.method != spec["method"]:
        problems.append(f"method {request.method}, documented {spec['method']}")
    if request.endpoint != ENDPOINT_OF[tool]:
        problems.append(f"endpoint {request.endpoint}, documented {ENDPOINT_OF[tool]}")
    if request.token != TOKEN:
        problems.append("the request did not carry the configured token")
    try:
        params = request_params(tool, request)
    except ValueError as exc:
        return [*problems, f"body is not JSON: {exc}"]
    for error in contract_validator(tool).iter_errors(params):
        where = ".".join(str(part) for part in error.absolute_path) or "(request)"
        problems.append(f"{where}: {error.message[:200]}")
    if not problems:
        try:
            CROSS_FIELD_RULES.get(tool, _no_rule)(params)
        except ApiError as refused:
            problems.append(f"{refused.name}: {refused.message}")
    return problems


def multipart_problems(spec: dict[str, Any], request: RecordedRequest) -> list[str]:
    """What is wrong with a multipart request beyond its fields' schema: the form shape itself."""
    if not is_multipart(request):
        return [f"content type {request.headers.get('content-type')!r}, documented multipart/form-data"]
    parts = multipart_parts(request.headers["content-type"], request.body)
    problems = []
    for name, schema in spec["body"]["properties"].items():
        value = parts.get(name)
        if schema.get("format") == "binary" and value is not None and not isinstance(value, FilePart):
            problems.append(f"{name}: a text part, documented a file part")
        if isinstance(value, FilePart) and not (value.filename and value.content_type and value.data):
            problems.append(f"{name}: a file part without a file name, type or content")
    if "form" in parts:
        try:
            form = json.loads(str(parts["form"]))
        except ValueError:
            form = None
        if not isinstance(form, dict):
            problems.append("form: not a JSON-encoded object")
    return problems


async def eventually(condition: Callable[[], bool], within: float = 10.0, every: float = 0.02) -> None:
    """Wait until `condition()` holds (state owned by another thread or process: nothing to await)."""
    with anyio.fail_after(within):
        while not condition():  # noqa: ASYNC110  # polling is the only way to watch another process
            await anyio.sleep(every)


def backticked(text: str) -> list[str]:
    """The field names an error text lists: one per "- `field`:" line, else whatever is in backticks."""
    return _LISTED_FIELD.findall(text) or _BACKTICKED.findall(text)


def no_secret(result: CallToolResult, *secrets: str) -> None:
    """The token (and any other secret given) appears nowhere in the result."""
    blob = text_of(result) + json.dumps(result.structured_content, default=str)
    for secret in (TOKEN, *secrets):
        assert secret not in blob, "a secret leaked into a tool result"


def is_product_error(tool: str, text: str) -> bool:
    """An error worded by the product, not the SDK's bare 'Error executing tool X' of an unhandled exception."""
    return text.strip() != f"Error executing tool {tool}" and "JobMojito" in text


# ---------------------------------------------------------------------------------------------
# The server as a subprocess, in raw JSON-RPC over its stdio


def _clean_env(env: Mapping[str, str]) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    return {**base, **env}


INITIALIZE = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "reliability-suite", "version": "0"},
}


@dataclass
class RawStdio:
    """`python -m jobmojito_mcp` on pipes: write any bytes, read JSON-RPC lines back."""

    process: Process
    stderr_path: Path
    reader: BufferedByteReceiveStream
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1000

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")

    async def send(self, message: bytes | Mapping[str, Any]) -> None:
        line = message if isinstance(message, bytes) else json.dumps(message).encode()
        assert self.process.stdin is not None
        await self.process.stdin.send(line + b"\n")

    async def receive(self, within: float) -> dict[str, Any] | None:
        """The next message from the server, or None if none arrives within `within` seconds."""
        if self.pending:
            return self.pending.pop(0)
        with anyio.move_on_after(within):
            line = await self.reader.receive_until(b"\n", 64 * 1024 * 1024)
            message = json.loads(line)
            assert isinstance(message, dict)
            return message
        return None

    async def response(self, request_id: Any, within: float = CALL_TIMEOUT) -> dict[str, Any]:
        """The response to `request_id`; messages for other ids are kept for later."""
        kept: list[dict[str, Any]] = []
        with anyio.fail_after(within):
            while True:
                if self.pending:
                    message = self.pending.pop(0)
                else:
                    line = await self.reader.receive_until(b"\n", 64 * 1024 * 1024)
                    message = json.loads(line)
                if message.get("id") == request_id and ("result" in message or "error" in message):
                    self.pending = kept + self.pending
                    return message
                kept.append(message)

    async def request(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = dict(params)
        await self.send(message)
        return await self.response(self.next_id)

    async def call(self, tool: str, arguments: Any) -> dict[str, Any]:
        """tools/call; the JSON-RPC response (its `result` or `error`)."""
        return await self.request("tools/call", {"name": tool, "arguments": arguments})

    async def initialize(self) -> dict[str, Any]:
        answer = await self.request("initialize", INITIALIZE)
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def connections_to(self, port: int) -> int:
        """The server's established TCP connections to `port` (from /proc/<pid>/net/tcp and its fds)."""
        return count_connections(self.pid, port)


def count_connections(pid: int, port: int) -> int:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            cols = row.split()
            remote_port = int(cols[2].split(":")[1], 16)
            if remote_port == port and cols[3] == "01" and cols[9] in inodes:  # 01: ESTABLISHED
                count += 1
    return count


@asynccontextmanager
async def raw_stdio(env: Mapping[str, str], initialize: bool = True) -> AsyncIterator[RawStdio]:
    """The server as a subprocess on pipes, stderr captured; killed if it outlives the block."""
    with tempfile.TemporaryDirectory() as scratch:
        stderr_path = Path(scratch) / "stderr.log"
        with stderr_path.open("wb") as errlog:
            process = await anyio.open_process(
                [sys.executable, "-m", "jobmojito_mcp"], env=_clean_env(env), cwd=scratch, stderr=errlog
            )
            assert process.stdout is not None
            server = RawStdio(process, stderr_path, BufferedByteReceiveStream(process.stdout))
            try:
                if initialize:
                    answer = await server.initialize()
                    assert "result" in answer, answer
                yield server
            finally:
                if process.returncode is None:
                    process.kill()
                with anyio.CancelScope(shield=True):
                    await process.wait()
                    await process.aclose()
