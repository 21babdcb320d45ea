"""Acting out faults on the wire: real HTTP misbehaviour, so client error handling can be proven.

Dropping a connection cannot be expressed in ASGI (an app that fails before responding gets a
tidy 500 from the server), so the runner's protocol puts the socket's transport into the ASGI
scope state under :data:`TRANSPORT_STATE_KEY` and :meth:`Connection.drop` closes it directly.
Without a socket (in-process, under ``httpx2.ASGITransport``) a drop raises
:class:`ConnectionDropped` from the app instead, which the transport re-raises to the caller.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable

import anyio
from starlette.types import Message, Receive, Scope, Send

from jobmojito_mcp.sandbox.faults import Fault, FaultKind

TRANSPORT_STATE_KEY = "jobmojito_sandbox.transport"

DEFAULT_HANG = 3600.0
DEFAULT_HUGE_SIZE = 10 * 1024 * 1024
DEFAULT_DRIP_CHUNK = 16
DEFAULT_DRIP_DELAY = 0.2
_POLL = 0.05  # how often a sleeping fault looks for a departed client or a stopping sandbox
_CHUNK = 1024 * 1024

Respond = Callable[[Send], Awaitable[None]]


class ConnectionDropped(ConnectionError):
    """Raised in-process where there is no socket to drop (close and reset faults)."""


class Connection:
    """The socket side of one request: send messages, sleep interruptibly, drop."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, stopping: threading.Event) -> None:
        self.send = send
        self._receive = receive
        self._stopping = stopping
        transport = scope.get("state", {}).get(TRANSPORT_STATE_KEY)
        self._transport: asyncio.Transport | None = transport

    def gone(self) -> bool:
        """True once the client has left or the sandbox is stopping: long faults end early."""
        closing = self._transport is not None and self._transport.is_closing()
        return closing or self._stopping.is_set()

    async def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when cut short because :meth:`gone`."""
        deadline = time.monotonic() + seconds
        while not self.gone():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            await anyio.sleep(min(remaining, _POLL))
        return False

    async def drop(self) -> None:
        """Close the connection now, whatever has been sent so far."""
        if self._transport is None:
            raise ConnectionDropped("sandbox fault: connection dropped (no socket in-process)")
        # abort() never waits for a stuck write buffer; anything already written still goes out.
        self._transport.abort()
        # Wait until the server has seen the loss, so it neither logs nor answers in our place.
        while (await self._receive())["type"] != "http.disconnect":
            pass


async def play(fault: Fault, conn: Connection, respond: Respond) -> None:
    """Answer one request according to ``fault``; ``respond(send)`` produces the normal answer."""
    kind = fault.kind
    if kind is FaultKind.CLOSE:
        await conn.drop()
    elif kind is FaultKind.HANG:
        if await conn.sleep(DEFAULT_HANG if fault.delay is None else fault.delay):
            await respond(conn.send)
        else:
            await conn.drop()
    elif kind is FaultKind.RESET:
        await respond(_cut_short(conn, fault.size))
    elif kind is FaultKind.SLOW_DRIP:
        chunk = fault.size or DEFAULT_DRIP_CHUNK
        await respond(_drip(conn, chunk, DEFAULT_DRIP_DELAY if fault.delay is None else fault.delay))
    else:
        status, content_type, body = _synthetic(fault)
        await _send_body(conn, status, content_type, fault.headers, body)


def _synthetic(fault: Fault) -> tuple[int, str, bytes]:
    """Status, content type and body of the faults that replace the response entirely."""
    kind = fault.kind
    if kind is FaultKind.STATUS:
        status = fault.status or 500
        default: object = {"error": f"Injected fault: HTTP {status}."}
        return status, "application/json", _encode(default if fault.body is None else fault.body)
    if kind is FaultKind.NON_JSON:
        page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        return (
            fault.status or 200,
            "text/html; charset=utf-8",
            _encode(page if fault.body is None else fault.body),
        )
    if kind is FaultKind.TRUNCATED_JSON:
        cut = '{"interview_def_set_id": "3f0c9a52-41d7-4b7e-9e0a-'
        return fault.status or 200, "application/json", _encode(cut if fault.body is None else fault.body)
    # HUGE: valid JSON of exactly the requested size (as near as the wrapper allows).
    head, tail = b'{"data": [], "padding": "', b'"}'
    size = DEFAULT_HUGE_SIZE if fault.size is None else fault.size
    return fault.status or 200, "application/json", head + b"x" * max(0, size - len(head) - len(tail)) + tail


def _encode(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


async def _send_body(
    conn: Connection, status: int, content_type: str, extra: tuple[tuple[str, str], ...], body: bytes
) -> None:
    headers = {"content-type": content_type, "content-length": str(len(body))}
    headers.update((name.lower(), value) for name, value in extra)
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await conn.send({"type": "http.response.start", "status": status, "headers": raw})
    for start in range(0, max(len(body), 1), _CHUNK):
        if conn.gone():
            await conn.drop()
            return
        more = start + _CHUNK < len(body)
        await conn.send(
            {"type": "http.response.body", "body": body[start : start + _CHUNK], "more_body": more}
        )


def _cut_short(conn: Connection, size: int | None) -> Send:
    """A ``send`` that forwards the headers and the start of the body, then drops the connection."""
    dropped = False

    async def send(message: Message) -> None:
        nonlocal dropped
        if dropped:
            return
        if message["type"] != "http.response.body":
            await conn.send(message)
            return
        body: bytes = message.get("body", b"")
        keep = len(body) // 2 if size is None else size
        keep = min(keep, max(len(body) - 1, 0))  # never the whole body: the cut must show
        await conn.send({"type": "http.response.body", "body": body[:keep], "more_body": True})
        dropped = True
        await conn.drop()

    return send


def _drip(conn: Connection, chunk: int, delay: float) -> Send:
    """A ``send`` that trickles each body out ``chunk`` bytes at a time, ``delay`` seconds apart."""
    stopped = False

    async def send(message: Message) -> None:
        nonlocal stopped
        if stopped:
            return
        if message["type"] != "http.response.body":
            await conn.send(message)
            return
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        for index, piece in enumerate(pieces):
            if index and not await conn.sleep(delay):
                stopped = True
                await conn.drop()
                return
            last = index == len(pieces) - 1
            await conn.send({"type": "http.response.body", "body": piece, "more_body": more_body or not last})

    return send
