"""Per-caller quotas on the hosted endpoint: what one caller may hold and ask, so none crowds out another.

A caller is what the bearer middleware verified: an API key (by its fingerprint) or a JobMojito
user (the token's `sub`). With `--auth none` there is one user and no quotas (the connection
limits of limits.py still hold).

    sessions   Streamable HTTP sessions open           429 + Retry-After on the request opening one
    streams    SSE streams open (GET /sse, GET /mcp)    429 + Retry-After
    requests   HTTP requests in progress: streams +     429 + Retry-After
               calls + 10 (slow bodies, held responses)
    rate       HTTP requests per second, token bucket   429 + Retry-After (seconds until allowed)
               (bursts of five seconds' worth)
    calls      tool calls and template reads running    a tool error saying so and when to retry: the
               (its share of the upstream pool)         call travels inside a session, whose transport
                                                        has no status of its own; nothing is sent upstream

A caller's share of the upstream pool shrinks as callers grow: with n callers calling (this one
included), each may have pool // (n + 1) calls running (at most `calls`, at least one), so one
share is always left for the next caller to arrive. Two callers, or ten, cannot fill the pool
while a third waits; calls already running are never cut, so a caller above its new share gets no
more until it is back under it, and the connections it frees go to the others.

Book-keeping is in memory, per process; with `--state-url` every count and the rate are also kept
in Redis and enforced across all replicas (state.py), the in-process counts staying as this
replica's own limits (what applies alone, and whenever Redis does not answer). A session is counted
from the request that opens it until it ends, however it ends (DELETE, idle expiry, shutdown):
the admission is decided here before the SDK creates anything, and the count is handed to the
session's own lifetime at `initialize`. It owns the counting; the limits' values are in config.py.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.provider import AccessToken
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobmojito_mcp.config import Settings
from jobmojito_mcp.hosting.state import Lease, SharedState

logger = logging.getLogger(__name__)

_SLOT_KEY = "jobmojito.session_slot"
_BURST_SECONDS = 5.0
_SERVER_ERROR = -32000  # JSON-RPC's implementation-defined server error
_PRUNE_ABOVE = 10_000  # callers remembered before the quiet ones are forgotten
_STREAM_PATHS = frozenset({"/sse", "/mcp"})
_REQUEST_SLACK = 10
_HANDSHAKE_VERSIONS = frozenset(version.encode() for version in HANDSHAKE_PROTOCOL_VERSIONS)


@dataclass(frozen=True)
class Quotas:
    """The per-caller limits (config.py says why each default)."""

    sessions: int
    streams: int
    calls: int
    rate: float  # requests per second
    pool: int  # upstream connections, shared fairly among the callers calling (see the module docs)
    session_retry: int  # seconds a refused session or stream is told to wait

    @property
    def burst(self) -> float:
        return max(1.0, self.rate * _BURST_SECONDS)

    @property
    def requests(self) -> int:
        """HTTP requests in progress: each open stream is one, each call (a POST awaiting its result)
        one, and a few more for notifications and DELETEs. It bounds the connections a caller keeps
        busy, e.g. with request bodies sent slowly."""
        return self.streams + self.calls + _REQUEST_SLACK

    @classmethod
    def from_settings(cls, settings: Settings) -> Quotas:
        # A caller's calls each hold an upstream connection: never more than half the pool, so
        # another caller always finds one free.
        share = max(1, settings.max_connections // 2)
        if settings.mcp_caller_calls > share:
            logger.warning(
                "calls in progress per caller lowered from %d to %d: half the upstream pool "
                "(JOBMOJITO_MAX_CONNECTIONS=%d), so one caller cannot take all of it",
                settings.mcp_caller_calls,
                share,
                settings.max_connections,
            )
        return cls(
            sessions=settings.mcp_caller_sessions,
            streams=settings.mcp_caller_streams,
            calls=min(settings.mcp_caller_calls, share),
            rate=settings.mcp_caller_rate,
            pool=settings.max_connections,
            session_retry=math.ceil(min(60.0, settings.mcp_session_idle_timeout)),
        )


class _Caller:
    __slots__ = ("calls", "requests", "sessions", "stamp", "streams", "tokens")

    def __init__(self, tokens: float, now: float) -> None:
        self.requests = 0
        self.sessions = 0
        self.streams = 0
        self.calls = 0
        self.tokens = tokens
        self.stamp = now


class CallerBook:
    """Every caller's counts and request budget."""

    def __init__(self, quotas: Quotas, shared: SharedState | None = None) -> None:
        self.quotas = quotas
        self.shared = shared  # the replicas' common counts (--state-url), or None: this process only
        self._callers: dict[str, _Caller] = {}
        self.calling = 0  # callers with at least one call running

    def call_share(self, entry: _Caller) -> int:
        """How many calls this caller may have running now: its fair share of the upstream pool."""
        callers = self.calling + (0 if entry.calls else 1)
        return min(self.quotas.calls, max(1, self.quotas.pool // (callers + 1)))

    def call_started(self, entry: _Caller) -> None:
        entry.calls += 1
        if entry.calls == 1:
            self.calling += 1

    def call_ended(self, entry: _Caller) -> None:
        entry.calls -= 1
        if entry.calls == 0:
            self.calling -= 1

    def entry(self, caller: str) -> _Caller:
        found = self._callers.get(caller)
        if found is None:
            if len(self._callers) >= _PRUNE_ABOVE:
                self._prune()
            found = self._callers[caller] = _Caller(self.quotas.burst, time.monotonic())
        return found

    def spend(self, entry: _Caller) -> float | None:
        """Take one request from the caller's budget: None when allowed, else seconds until it is."""
        now = time.monotonic()
        quotas = self.quotas
        entry.tokens = min(quotas.burst, entry.tokens + (now - entry.stamp) * quotas.rate)
        entry.stamp = now
        if entry.tokens >= 1.0:
            entry.tokens -= 1.0
            return None
        return (1.0 - entry.tokens) / quotas.rate

    def open_sessions(self, caller: str) -> int:
        found = self._callers.get(caller)
        return 0 if found is None else found.sessions

    def _prune(self) -> None:
        now = time.monotonic()
        burst, rate = self.quotas.burst, self.quotas.rate
        for name in [
            name
            for name, seen in self._callers.items()
            if not (seen.sessions or seen.streams or seen.calls or seen.requests)
            and seen.tokens + (now - seen.stamp) * rate >= burst
        ]:
            del self._callers[name]


def caller_of(scope: Any) -> str | None:
    """Who is asking: the verified principal the bearer middleware left on the request, if any."""
    if not isinstance(scope, dict):
        return None
    access = getattr(scope.get("user"), "access_token", None)
    return access.client_id if isinstance(access, AccessToken) else None


class _SessionSlot:
    """A counted session: released when the opening request fails, else when the session ends or is
    ended (DELETE), whichever comes first."""

    def __init__(
        self,
        entry: _Caller,
        by_id: dict[bytes, _SessionSlot],
        shared: SharedState | None,
        lease: Lease | None,
    ) -> None:
        self.entry = entry
        self._shared = shared
        self._lease = lease
        self.kept = False
        self.session_id: bytes | None = None
        self._by_id = by_id
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.entry.sessions -= 1
            if self._shared is not None and self._lease is not None:
                self._shared.release(self._lease)
            if self.session_id is not None:
                self._by_id.pop(self.session_id, None)


class CallerQuotas:
    """ASGI, inside the bearer middleware: the request rate, open sessions and open streams per caller."""

    def __init__(self, app: ASGIApp, book: CallerBook, stateless: bool) -> None:
        self.app = app
        self.book = book
        self.stateless = stateless
        # Open sessions by id: a DELETE frees its place at once (the session itself winds down later).
        self._sessions: dict[bytes, _SessionSlot] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = caller_of(scope) if scope["type"] == "http" else None
        if caller is None:  # probes, metadata, and the unauthenticated (the bearer layer answers them)
            await self.app(scope, receive, send)
            return
        book, quotas = self.book, self.book.quotas
        entry = book.entry(caller)
        wait = book.spend(entry)
        if wait is not None:
            message = f"Too many requests from this caller (at most {quotas.rate:g} a second)."
            await _too_many(message, math.ceil(wait), scope, receive, send)
            return
        if entry.requests >= quotas.requests:
            message = _at_most(entry.requests, "requests in progress", "wait for one to finish.")
            await _too_many(message, 1, scope, receive, send)
            return
        # Counted here before the shared check's wait: concurrent requests cannot all pass the local limit.
        entry.requests += 1
        lease = None
        try:
            if book.shared is not None:
                verdict, value, lease = await book.shared.admit(
                    caller, quotas.rate, quotas.burst, quotas.requests
                )
                if verdict == "wait":
                    message = f"Too many requests from this caller (at most {quotas.rate:g} a second)."
                    await _too_many(message, math.ceil(value), scope, receive, send)
                    return
                if verdict == "busy":
                    message = _at_most(int(value), "requests in progress", "wait for one to finish.")
                    await _too_many(message, 1, scope, receive, send)
                    return
            await self._dispatch(entry, scope, receive, send, caller)
        finally:
            entry.requests -= 1
            if lease is not None and book.shared is not None:
                book.shared.release(lease)

    async def _dispatch(
        self, entry: _Caller, scope: Scope, receive: Receive, send: Send, caller: str
    ) -> None:
        quotas, shared = self.book.quotas, self.book.shared
        method, path = scope["method"], scope["path"]
        if method == "GET" and path in _STREAM_PATHS:
            if entry.streams >= quotas.streams:
                message = _at_most(entry.streams, "streams open", "close one first.")
                await _too_many(message, quotas.session_retry, scope, receive, send)
                return
            entry.streams += 1
            lease = None
            try:
                if shared is not None:
                    taken = await shared.take("streams", caller, quotas.streams)
                    if isinstance(taken, int):
                        message = _at_most(taken, "streams open", "close one first.")
                        await _too_many(message, quotas.session_retry, scope, receive, send)
                        return
                    lease = taken
                await self.app(scope, receive, send)
            finally:
                entry.streams -= 1
                if shared is not None and lease is not None:
                    shared.release(lease)
            return
        if path == "/mcp" and not self.stateless:
            if method == "POST" and _header(scope, b"mcp-session-id") is None and _has_sessions(scope):
                await self._open_session(entry, scope, receive, send, caller)
                return
            if method == "DELETE":
                await self._end_session(entry, scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _open_session(
        self, entry: _Caller, scope: Scope, receive: Receive, send: Send, caller: str
    ) -> None:
        quotas, shared = self.book.quotas, self.book.shared
        advice = "end sessions it no longer uses (DELETE), or retry once idle ones have expired."
        if entry.sessions >= quotas.sessions:
            message = _at_most(entry.sessions, "sessions open", advice)
            await _too_many(message, quotas.session_retry, scope, receive, send)
            return
        entry.sessions += 1  # before the shared check's wait, as for requests
        lease = None
        if shared is not None:
            try:
                taken = await shared.take("sessions", caller, quotas.sessions)
            except BaseException:
                entry.sessions -= 1
                raise
            if isinstance(taken, int):
                entry.sessions -= 1
                await _too_many(
                    _at_most(taken, "sessions open", advice), quotas.session_retry, scope, receive, send
                )
                return
            lease = taken
        slot = _SessionSlot(entry, self._sessions, shared, lease)
        scope[_SLOT_KEY] = slot

        def note_the_id(start: Message) -> None:
            slot.session_id = _header(start, b"mcp-session-id")

        try:
            await self.app(scope, receive, _watching(send, note_the_id))
        finally:
            if not slot.kept:
                slot.release()
            elif slot.session_id is not None and not slot.released:
                self._sessions[slot.session_id] = slot

    async def _end_session(self, entry: _Caller, scope: Scope, receive: Receive, send: Send) -> None:
        statuses: list[int] = []
        await self.app(scope, receive, _watching(send, lambda start: statuses.append(start["status"])))
        session_id = _header(scope, b"mcp-session-id")
        ended = bool(statuses) and statuses[0] < 300
        slot = self._sessions.get(session_id) if ended and session_id is not None else None
        if slot is not None and slot.entry is entry:  # only its own caller ends a session
            slot.release()


def _at_most(held: int, what: str, advice: str) -> str:
    return f"This caller already has {held} {what}, the most it may have at once; {advice}"


def _watching(send: Send, on_start: Callable[[Message], None]) -> Send:
    """`send`, telling `on_start` about the response's start (its status and headers) on the way."""

    async def watched(message: Message) -> None:
        if message["type"] == "http.response.start":
            on_start(message)
        await send(message)

    return watched


def _header(carrier: Any, name: bytes) -> bytes | None:
    return next((value for key, value in carrier.get("headers") or () if key == name), None)


def _has_sessions(scope: Scope) -> bool:
    """Whether the request's protocol era has sessions (2026-07-28 requests stand alone)."""
    version = _header(scope, b"mcp-protocol-version")
    return version is None or version in _HANDSHAKE_VERSIONS


async def _too_many(message: str, retry_after: int, scope: Scope, receive: Receive, send: Send) -> None:
    logger.warning("answered 429 to a caller: %s", message.split(" (", 1)[0].split(";", 1)[0])
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": _SERVER_ERROR, "message": message}}
    refusal = JSONResponse(body, 429, headers={"Retry-After": str(max(1, retry_after))})
    await refusal(scope, receive, send)


_COUNTED = frozenset({"tools/call", "resources/read"})


def _too_many_calls(method: str, held: int) -> CallToolResult:
    """A call refused for the calls the caller has in progress: a tool error, or for a template read
    (which has no tool result) a JSON-RPC error."""
    text = _at_most(
        held, "calls in progress", "nothing was sent to JobMojito. Retry when one of them has finished."
    )
    logger.warning("refused a call: the caller has %d calls in progress", held)
    if method == "tools/call":
        return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
    raise MCPError(code=_SERVER_ERROR, message=text)


class CallsInFlight:
    """Server middleware: a caller's calls in progress (each may hold an upstream connection), and the
    hand-over of a session's count to the session's lifetime at `initialize`."""

    def __init__(self, book: CallerBook) -> None:
        self.book = book

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        method = ctx.method
        if method == "initialize":
            return await self._initialize(ctx, call_next)
        if method not in _COUNTED:
            return await call_next(ctx)
        caller = caller_of(getattr(ctx.request, "scope", None))
        if caller is None:
            return await call_next(ctx)
        entry = self.book.entry(caller)
        # Locally, the caller's fair share of this process's upstream pool; across replicas (Redis),
        # the configured per-caller limit.
        limit, shared = self.book.call_share(entry), self.book.shared
        if entry.calls >= limit:
            return _too_many_calls(method, entry.calls)
        self.book.call_started(entry)  # before the shared check's wait, as for requests
        lease = None
        try:
            if shared is not None:
                taken = await shared.take("calls", caller, self.book.quotas.calls)
                if isinstance(taken, int):
                    return _too_many_calls(method, taken)
                lease = taken
            return await call_next(ctx)
        finally:
            self.book.call_ended(entry)
            if shared is not None and lease is not None:
                shared.release(lease)

    async def _initialize(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        scope = getattr(ctx.request, "scope", None)
        slot = scope.get(_SLOT_KEY) if isinstance(scope, dict) else None
        # The connection's exit stack is the SDK's seam for "this session has ended" (the session
        # exposes it only privately); without it the count ends with the opening request.
        exit_stack = getattr(getattr(ctx.session, "_connection", None), "exit_stack", None)
        if isinstance(slot, _SessionSlot) and exit_stack is not None and not slot.kept:
            slot.kept = True
            exit_stack.callback(slot.release)
        return result
