"""Every tool x every upstream fault, in one table: message, attempts, nothing created twice, still healthy.

tests/test_stdio_faults.py proves the table for one read and one create over stdio; this extends
it to all thirteen tools, adds the connection-level faults (refused, connect timeout), and checks
the sandbox's store so a create (or a registration) is never made twice. The server runs in-process (the same
`build_server` + `Upstream` code path as stdio) with short timeouts so the matrix stays quick.

Retry rules under test (max_retries 2, so at most 3 attempts):
- reads (the six GET tools) are retried on connection failures, 429, 502/503/504 and dropped
  connections;
- creates, registrations and the repeatable changes (set_interview_state, update_interview,
  generate_interview_report) are never resent once sent; a connection that was never made
  (refused, connect timeout) is retried for every tool, since nothing was sent.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from jobmojito_mcp.sandbox import (
    DEFAULT_TEMPLATE_ID,
    DEMO_POSITION_ID,
    KNOWLEDGE_BASE_ID,
    RunningSandbox,
    run_sandbox,
)
from jobmojito_mcp.toolsets import TOOLS_BY_NAME
from tests.reliability.harness import (
    CHARGES,
    CREATES,
    ENDPOINT_OF,
    INVITES,
    ONE_SHOTS,
    READS,
    STORES,
    InProcess,
    in_process,
    is_product_error,
    no_secret,
    settings,
)
from tests.support import COOKBOOK, TOOL_NAMES, text_of

pytestmark = [pytest.mark.timeout(60)]

RETRIES = 2
READ_TIMEOUT = 0.5  # the hang and slow-drip faults cost this much per tool
CONNECT_TIMEOUT = 0.1  # the connect-timeout fault costs three of these per tool
TOOLS = TOOL_NAMES
MAY_EXIST = "may have created the interview"
SAFE = "safe to try again"
DIRECTORY = "matrix-directory"
PERSONA = {
    "name": "Matrix persona", "interview_template_id": DEFAULT_TEMPLATE_ID, "mojito_language_code": "en",
    "status": "draft", "visibility": "merchant_public", "portal": "coaching",
    "persona_role_avatar": "play a customer", "persona_role_user": "help the customer",
}  # fmt: skip


@dataclass(frozen=True)
class Expect:
    says: tuple[str, ...]  # every fragment must be in the error text
    attempts: int
    succeeds: bool = False


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str  # a sandbox fault kind, or "refused" / "connect-timeout" (no sandbox at all)
    read: Expect
    create: Expect
    change: Expect  # set_interview_state: not resent once sent, but repeating it is harmless
    options: dict[str, Any] = field(default_factory=dict)
    times: int = 1 + RETRIES  # how many calls the fault hits: more than a read may retry
    handled: bool = False  # whether the sandbox still carries out the request (state changes)


def same(says: tuple[str, ...], attempts: int) -> tuple[Expect, Expect, Expect]:
    return Expect(says, attempts), Expect(says, attempts), Expect(says, attempts)


def transient(says: str) -> tuple[Expect, Expect, Expect]:
    """Retried for reads; a create may exist and is not resent; a state change may be repeated."""
    return (
        Expect((says, SAFE), 1 + RETRIES),
        Expect((says, MAY_EXIST, "NOT sent again"), 1),
        Expect((says, SAFE), 1),
    )


def final(says: str) -> tuple[Expect, Expect, Expect]:
    """Not retried by anyone; a create may exist."""
    return Expect((says, SAFE), 1), Expect((says, MAY_EXIST, "NOT sent again"), 1), Expect((says, SAFE), 1)


def row(name: str, kind: str, expects: tuple[Expect, Expect, Expect], **extra: Any) -> Fault:
    read, create, change = expects
    return Fault(name, kind, read, create, change, **extra)


FAULTS = [
    row("connect-refused", "refused", same(("Could not connect", "Nothing was sent"), 1 + RETRIES)),
    row("connect-timeout", "connect-timeout", same(("Could not connect", "Nothing was sent"), 1 + RETRIES)),
    row("read-timeout", "hang", final("did not answer in time"), options={"delay": 30}),
    row("reset-mid-body", "reset", transient("connection to JobMojito broke"), handled=True),
    row("dropped-before-answer", "close", transient("connection to JobMojito broke")),
    row(
        "401", "status", same(("rejected JOBMOJITO_TOKEN", "jobmojito-mcp login"), 1), options={"status": 401}
    ),
    row("403", "status", same(("refused this action",), 1), options={"status": 403}),
    row("404", "status", same(("no such item",), 1), options={"status": 404}),
    row(
        "422-with-name",
        "status",
        same(("rejected the arguments", "`mojito_language_code`", "Unknown language."), 1),
        options={"status": 422, "body": {"error": "Unknown language.", "name": "mojito_language_code"}},
    ),
    Fault(
        "429-retry-after-0",
        "status",
        read=Expect((), 2, succeeds=True),
        create=Expect(("retry after 0 s",), 1),
        change=Expect(("retry after 0 s",), 1),
        options={"status": 429, "headers": {"Retry-After": "0"}},
        times=1,
    ),
    row(
        "429-without-retry-after",
        "status",
        (
            Expect(("wait, then retry",), 1 + RETRIES),
            Expect(("rate limiting",), 1),
            Expect(("rate limiting",), 1),
        ),
        options={"status": 429},
    ),
    row(
        "429-retry-after-120",
        "status",
        same(("retry after 120 s",), 1),
        options={"status": 429, "headers": {"Retry-After": "120"}},
    ),
    row("500", "status", same(("HTTP 500", "boom"), 1), options={"status": 500, "body": {"error": "boom"}}),
    *[
        row(str(status), "status", transient("unavailable or overloaded"), options={"status": status})
        for status in (502, 503, 504)
    ],
    row("non-json", "non_json", final("non-JSON body")),
    row("truncated-json", "truncated_json", final("truncated or malformed JSON")),
    row("10-MiB-body", "huge", final("limit"), options={"size": 10 * 1024 * 1024}),
    row(
        "slow-drip",
        "slow_drip",
        final("did not answer in time"),
        options={"delay": 1.0, "size": 4},
        handled=True,
    ),
]


# ---------------------------------------------------------------------------------------------
# Three servers: one against the sandbox, one against a closed port, one against a full backlog


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


@pytest.fixture(scope="module")
def server(sandbox: RunningSandbox) -> Iterator[InProcess]:
    config = settings(sandbox.base_url, timeout=READ_TIMEOUT, connect_timeout=1.0, max_retries=RETRIES)
    with in_process(config) as running:
        yield running


class CountingTransport(httpx2.AsyncBaseTransport):
    """The default transport, counting the attempts the server makes (nothing reaches a sandbox)."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.attempts = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.attempts += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Unreachable:
    server: InProcess
    transport: CountingTransport


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def full_backlog() -> Iterator[int]:
    """A port that listens but never accepts, its backlog full: connects hang until they time out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        probe = socket.create_connection(("127.0.0.1", port), timeout=0.3)
    except TimeoutError:
        pass  # as wanted: the next connect cannot complete
    else:
        probe.close()
        pytest.skip("cannot fill a listen backlog on this kernel: no connect timeout to provoke on loopback")
    yield port
    for sock in (*fillers, listener):
        sock.close()


def unreachable_server(port: int) -> Iterator[Unreachable]:
    transport = CountingTransport()
    base_url = f"http://127.0.0.1:{port}/functions/v1"
    config = settings(base_url, timeout=READ_TIMEOUT, connect_timeout=CONNECT_TIMEOUT, max_retries=RETRIES)
    with in_process(config, transport=transport) as running:
        yield Unreachable(running, transport)


@pytest.fixture(scope="module")
def refused_server() -> Iterator[Unreachable]:
    yield from unreachable_server(closed_port())


@pytest.fixture(scope="module")
def timeout_server(full_backlog: int) -> Iterator[Unreachable]:
    yield from unreachable_server(full_backlog)


@pytest.fixture(scope="module")
def interview(server: InProcess) -> str:
    created = server.call("create_interview", arguments_for("create_interview", ""))
    assert not created.is_error, text_of(created)
    assert isinstance(created.structured_content, dict)
    return str(created.structured_content["interview_def_set_id"])


@pytest.fixture(scope="module")
def directory(server: InProcess) -> str:
    made = server.call(
        "create_catalogue_directory",
        {"id": DIRECTORY, "name": "Matrix", "status": "draft", "visibility": "merchant_public"},
    )
    assert not made.is_error, text_of(made)
    return DIRECTORY


@pytest.fixture(scope="module")
def result(server: InProcess, sandbox: RunningSandbox, interview: str) -> str:
    invite = {"interview_id": interview, "users": [{"email": "taker@example.com"}], "send_email": False}
    registered = server.call("register_users_for_interview", invite)
    assert isinstance(registered.structured_content, dict), text_of(registered)
    return str(
        sandbox.take_interview(registered.structured_content["users"][0]["interview_url"])[
            "interview_result_id"
        ]
    )


def arguments_for(tool: str, interview_id: str, result_id: str = "") -> dict[str, Any]:
    if tool in COOKBOOK:
        body = copy.deepcopy(COOKBOOK[tool])
        if body.get("interview_template_id") == "TEMPLATE_UUID":
            body["interview_template_id"] = DEFAULT_TEMPLATE_ID
        return body
    others: dict[str, dict[str, Any]] = {
        "list_avatars": {"limit": 2},
        "get_interview_definition": {"position_id": interview_id},
        "set_interview_state": {"position_id": interview_id, "status": "active"},
        "list_interviews": {"limit": 5},
        "update_interview": {"position_id": interview_id, "interview_salary": "60k"},
        "register_users_for_interview": {
            "interview_id": interview_id,
            "users": [{"email": "matrix@example.com"}],
            "send_email": False,
        },
        "list_interview_results": {"interview_id": interview_id, "order_by": "score"},
        "get_interview_result_details": {"interview_result_id": result_id},
        "generate_interview_report": {"export_type": "json", "interview_result_id": result_id},
        "get_merchant_status": {},
        "list_candidates": {"filter_text": "example.com"},
        "request_another_interview_attempt": {"interview_result_id": result_id},
        "generate_interview_url": {"type": "interview-results-for-position", "interview_id": interview_id},
        "list_languages": {},
        "get_merchant_analytics": {"date_from": "2026-01-01", "date_to": "2026-12-31"},
        "get_merchant_credit_usage": {},
        "list_sub_merchants": {},
        "invite_users": {  # force_invite: every call invites (and mints a link) anew
            "users": [
                {"email": "matrix-invite@example.com", "type": "candidate", "interview_id": interview_id}
            ],
            "force_invite": True,
        },
        "upsert_pre_screening": {
            "position_name": "Matrix analyst",
            "position_location": "Oslo",
            "position_country_code": "NO",
            "mojito_language_code": "en",
        },
        "pre_screen_resume_text": {
            "position_id": DEMO_POSITION_ID,
            "candidate_name": "Matrix",
            "candidate_email": "matrix@example.com",
            "candidate_resume": "Python engineer, 4 years.",
        },
        "pre_screen_resume_file": {
            "position_id": DEMO_POSITION_ID,
            "candidate_name": "Matrix",
            "candidate_email": "matrix@example.com",
            "file_base64": base64.b64encode(b"Python engineer, 4 years.").decode(),
            "file_name": "cv.txt",
        },
        "upload_knowledge_base_document": {
            "knowledge_base_store_id": KNOWLEDGE_BASE_ID,
            "file_base64": base64.b64encode(b"Paid leave: 30 days.").decode(),
            "file_name": "leave.txt",
        },
        "create_persona": copy.deepcopy(PERSONA),
        "list_catalogue_directories": {"limit": 5},
        "get_catalogue_directory": {"id": DIRECTORY},
        # A directory's id is the caller's: a fresh one per call, so a repeat is not refused as taken.
        "create_catalogue_directory": {
            "id": f"matrix-{uuid.uuid4().hex[:12]}",
            "name": "Matrix",
            "status": "draft",
            "visibility": "merchant_public",
        },
        "update_catalogue_directory": {"id": DIRECTORY, "content_md": "[sessions]"},
    }
    return others[tool]


def completed_result(server: InProcess, sandbox: RunningSandbox, interview_id: str) -> str:
    """A fresh completed result: another attempt reopens one only once."""
    invite = {"interview_id": interview_id, "users": [{"email": "again@example.com"}], "send_email": False}
    registered = server.call("register_users_for_interview", invite)
    assert isinstance(registered.structured_content, dict), text_of(registered)
    link = registered.structured_content["users"][0]["interview_url"]
    return str(sandbox.take_interview(link)["interview_result_id"])


# Answers that fit in one chunk of the slow drip arrive whole, in time: another attempt's `{}`.
WHOLE_IN_ONE_DRIP = frozenset({"request_another_interview_attempt"})
# What each storing tool leaves behind in the sandbox: counted, so nothing is stored twice.
STORED = {
    "upsert_pre_screening": lambda state: len(state.positions.all()),
    "pre_screen_resume_text": lambda state: len(state.results.all()),
    "pre_screen_resume_file": lambda state: len(state.results.all()),
    "upload_knowledge_base_document": lambda state: len(state.knowledge.all()),
}


def expected(fault: Fault, tool: str) -> Expect:
    if fault.kind == "slow_drip" and tool in WHOLE_IN_ONE_DRIP:
        return Expect((), 1, succeeds=True)
    if tool in READS:
        return fault.read
    return fault.create if tool in CREATES | INVITES | ONE_SHOTS | STORES | CHARGES else fault.change


# What a call that may have gone through did, as its message says it.
MAY_HAVE = {
    "register_users_for_interview": "may have registered the candidates",
    "invite_users": "may have invited them",
    "request_another_interview_attempt": "may have reopened the result",
    "generate_interview_url": "may have minted a link",
    "generate_interview_report": "may have generated the report",
    "create_persona": "may have created the persona",
    "create_catalogue_directory": "may have created the directory",
} | {tool: f"may have {TOOLS_BY_NAME[tool].effect}" for tool in STORES}


def check_error(expect: Expect, tool: str, text: str) -> None:
    assert is_product_error(tool, text), text
    for fragment in expect.says:
        fragment = MAY_HAVE.get(tool, fragment) if fragment == MAY_EXIST else fragment
        assert fragment in text, f"{fragment!r} not in: {text}"
    assert "Traceback" not in text


# ---------------------------------------------------------------------------------------------
# The matrix


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
@pytest.mark.parametrize("tool", TOOLS)
def test_fault(
    request: pytest.FixtureRequest,
    server: InProcess,
    sandbox: RunningSandbox,
    interview: str,
    result: str,
    directory: str,
    tool: str,
    fault: Fault,
) -> None:
    expect = expected(fault, tool)
    if tool == "request_another_interview_attempt":
        result = completed_result(server, sandbox, interview)
    result_id = result  # `result` is reused below for the call's result
    arguments = arguments_for(tool, interview, result_id)
    if "candidate_email" in arguments:  # a candidate of its own per fault: a repeat is not applicable
        arguments["candidate_email"] = f"{fault.name}.{tool}@example.com"
    if fault.kind in ("refused", "connect-timeout"):
        fixture = "refused_server" if fault.kind == "refused" else "timeout_server"
        unreachable: Unreachable = request.getfixturevalue(fixture)
        for _ in range(2 if fault.kind == "refused" else 1):  # again: a failure leaves nothing stuck behind
            before = unreachable.transport.attempts
            result = unreachable.server.call(tool, arguments)
            assert result.is_error
            check_error(expect, tool, text_of(result))
            no_secret(result)
            assert unreachable.transport.attempts - before == expect.attempts
        return

    endpoint = ENDPOINT_OF[tool]
    sandbox.clear_requests()
    sandbox.state.faults.clear()
    stored = len(sandbox.state.interviews.all()) + len(sandbox.state.directories.all())
    links = len(sandbox.state.links.all())
    kept = STORED[tool](sandbox.state) if tool in STORED else 0
    sandbox.inject(endpoint, fault.kind, times=fault.times, **fault.options)
    result = server.call(tool, arguments)
    text = text_of(result)
    no_secret(result)
    if expect.succeeds:
        assert not result.is_error, text
    else:
        assert result.is_error, text
        check_error(expect, tool, text)
    assert len(sandbox.requests(endpoint)) == expect.attempts, f"attempts for {tool} under {fault.name}"
    if tool in CREATES:
        created = len(sandbox.state.interviews.all()) + len(sandbox.state.directories.all()) - stored
        assert created == (1 if fault.handled or expect.succeeds else 0), (
            "a create was made twice, or made unseen"
        )
    if tool in INVITES:
        minted = len(sandbox.state.links.all()) - links
        assert minted == (1 if fault.handled or expect.succeeds else 0), "a registration was made twice"
    if tool in STORED:
        made = STORED[tool](sandbox.state) - kept
        assert made == (1 if fault.handled or expect.succeeds else 0), f"{tool} stored twice, or unseen"

    # Healthy afterwards: with the fault gone, the same call succeeds.
    sandbox.state.faults.clear()
    if tool == "request_another_interview_attempt" and (fault.handled or expect.succeeds):
        arguments = arguments_for(tool, interview, completed_result(server, sandbox, interview))
    if tool == "create_catalogue_directory":
        arguments = arguments_for(tool, interview, result_id)  # a fresh id: the first call's may exist now
    healthy = server.call(tool, arguments)
    assert not healthy.is_error, text_of(healthy)
