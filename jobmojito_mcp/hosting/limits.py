"""Connection-level limits of the hosted endpoint: how many sockets it holds, how long a request head may take.

What uvicorn offers does not hold a flood off: `limit_concurrency` answers 503 once that many
connections are open, idle or not (so a flood of silent sockets turns /healthz into 503 too);
`timeout_keep_alive` starts after a response, never before the first request; nothing bounds the
sockets it accepts (20,000 silent ones reach the file limit, and asyncio then logs a traceback per
refused accept, 150 MB in 40 s) or how slowly a request head may arrive. Its protocol class is
pluggable, so the server runs uvicorn's own h11 protocol with these additions:

    connection limit    at the limit, a new connection takes the place of the one idle longest
                        (no request in progress: silent, dripping a head, or kept alive); when every
                        one is busy, the newcomer gets 503 and is closed. Silent floods never keep
                        probes or callers out, and the process never runs out of file descriptors.
    head deadline       a connection sends a complete request head within `header_timeout` of
                        connecting, or of its first byte after a keep-alive pause, or is closed (408).
    body deadline       a request's body arrives whole within `body_timeout` of its head, or the
                        connection is closed (a slow body would hold a busy, unevictable connection).
    idle close          kept-alive connections close after uvicorn's `timeout_keep_alive`.

Every closure is a warning, which logs.py condenses to one line per kind per minute with a count.
It owns the socket-level bounds; per-caller quotas are quotas.py's.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger(__name__)

_FULL = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nretry-after: 1\r\n"
    b"connection: close\r\ncontent-length: 29\r\n\r\nToo many open connections.\r\n\r\n"
)
_TOO_SLOW = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
# File descriptors kept for what is not a client connection: listeners, logs, the sandbox's SQLite,
# the JWKS client, telemetry exporters (the upstream pool is added to this).
_RESERVED_FILES = 64
# The listen backlog, which is also how many connections asyncio accepts per loop iteration. Room
# is made in `connection_made`, two iterations after the accept, and an evicted socket is closed
# one iteration later: during a flood, up to about three batches are open beyond the limit for a
# moment, so four are reserved (run out, and asyncio stops accepting for a whole second).
BACKLOG = 256
_IN_TRANSIT = 4 * BACKLOG


@dataclass
class ConnectionGuard:
    """The shared state of one server's connections: the limit, and who has been idle longest."""

    limit: int
    header_timeout: float
    body_timeout: float
    # Connections with no request in progress, oldest idle first: whom to close to make room.
    idle: OrderedDict[GuardedH11Protocol, None] = field(default_factory=OrderedDict)
    evicted: int = 0
    refused: int = 0
    timed_out: int = 0

    def make_room(self, connections: set[Any]) -> bool:
        """Close the connection idle longest; False when every connection is busy."""
        while self.idle:
            victim, _ = self.idle.popitem(last=False)
            if victim.transport is None or victim.transport.is_closing():
                continue
            victim.close_now()
            connections.discard(victim)  # counted out now, not when the loop gets to its close
            self.evicted += 1
            logger.warning(
                "connection limit (%d) reached: closed the connection idle longest to make room", self.limit
            )
            return True
        return False


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol under a `ConnectionGuard` (see the module docstring)."""

    guard: ClassVar[ConnectionGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "head" or "body", while a deadline is armed
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        guard = self.guard
        if len(self.connections) >= guard.limit and not guard.make_room(self.connections):
            self._refused = True
            guard.refused += 1
            logger.warning(
                "connection limit (%d) reached with every connection busy: refused a new one (503)",
                guard.limit,
            )
            transport.write(_FULL)
            transport.close()
            return
        # asyncio disables Nagle only on sockets made with proto=IPPROTO_TCP; the listeners here
        # (socket.create_server, workers.py) have proto 0, so without this every answer written in
        # parts (an SSE-framed result: head, chunk, end) waited ~40 ms for the client's delayed ACK.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        guard.idle[self] = None
        self._arm("head", guard.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refused:
            return
        self._disarm()
        self.guard.idle.pop(self, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track()

    def close_now(self) -> None:
        self._disarm()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _track(self) -> None:
        """After every read and response: busy (a request in progress) or idle; waiting for a head or a body."""
        guard = self.guard
        if self.conn.their_state is h11.SEND_BODY:
            # The head is in; the body is on its way, however the request is being answered meanwhile.
            if self._waiting_for != "body":
                self._arm("body", guard.body_timeout)
        elif self._waiting_for == "body":
            self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            if self._waiting_for == "head":
                self._disarm()
            guard.idle.pop(self, None)
            return
        if self not in guard.idle:
            guard.idle[self] = None  # idle since now: a dripping head does not make it any younger
        head_started = self.conn.their_state is h11.IDLE and bool(self.conn.trailing_data[0])
        if head_started and self._waiting_for is None:
            self._arm("head", guard.header_timeout)

    def _arm(self, waiting_for: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = waiting_for
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._waiting_for = None

    def _too_slow(self) -> None:
        waiting_for, self._deadline, self._waiting_for = self._waiting_for, None, None
        if self.transport.is_closing():
            return
        self.guard.timed_out += 1
        if waiting_for == "head":
            logger.warning(
                "closed a connection that sent no complete request head within %g s",
                self.guard.header_timeout,
            )
            self.transport.write(_TOO_SLOW)
        else:  # the app sees the client leave, as if it had
            logger.warning(
                "closed a connection whose request body did not arrive within %g s", self.guard.body_timeout
            )
        self.transport.close()


def guarded_protocol(limit: int, header_timeout: float, body_timeout: float) -> type[GuardedH11Protocol]:
    """The protocol class for `uvicorn.Config(http=...)`, with its own guard (one per server)."""
    guard = ConnectionGuard(limit, header_timeout, body_timeout)
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"guard": guard})


def usable_connection_limit(asked: int, other_files: int) -> int:
    """`asked`, or less if the process may not open that many files besides `other_files`.

    The soft file limit is raised toward the hard one first (as Go's runtime does at start): the
    common soft default of 1,024 would otherwise make the limit, not the configuration.
    """
    try:
        import resource
    except ImportError:  # not on POSIX: no file limit to read
        return asked
    reserved = other_files + _RESERVED_FILES + _IN_TRANSIT
    needed = asked + reserved
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return asked
    usable = max(16, soft - reserved)
    if usable < asked:
        logger.warning(
            "this process may open %d files: serving at most %d connections instead of %d (raise `ulimit -n`)",
            soft,
            usable,
            asked,
        )
    return min(asked, usable)
