"""Session affinity for replicas: a handshake-era session names the replica that holds it.

A Streamable HTTP session (protocol versions up to 2025-11-25) lives in the memory of the replica
that answered its `initialize`: the SDK keeps its streams, tasks and pending requests there, none of
which can be moved to another process. Rather than share them (which the SDK cannot do), each
replica started with `--replica-name NAME` prefixes the session ids it issues with `NAME.`, strips
the prefix from requests it receives, and answers a session id that is not its own with a 404 that
says what is wrong (the spec's "session not found": the client opens a new session, on whichever
replica the balancer picks). The balancer routes on the prefix (docs/hosting.md shows nginx's
`map`), so requests without a session (the `initialize`, and every 2026-07-28 request, which has no
sessions) are balanced freely.

The older SSE transport has sessions too (the GET /sse stream, and the messages posted to
/messages/?session_id=...): the id in the stream's `endpoint` event is named the same way, the
`session_id` of a posted message is stripped (or answered 404 when it is another replica's), and the
balancer routes on that query parameter.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"[A-Za-z0-9-]{1,63}")  # a DNS label: it may name an nginx upstream or a pod
_SESSION = b"mcp-session-id"
_SESSION_NOT_FOUND = -32001  # as the SDK answers an unknown session
# The first event of an SSE stream: where to post messages, with the session's id (the SDK's hex uuid).
_ENDPOINT_EVENT = re.compile(rb"(event: endpoint\r?\ndata: [^\r\n?]*\?session_id=)([0-9a-f]{32})")


class SessionRouting:
    """ASGI: session ids carry this replica's name (see the module docstring)."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        if not NAME_PATTERN.fullmatch(name):
            raise ValueError(f"replica name {name!r}: use letters, digits and '-' (at most 63)")
        self.app = app
        self.name = name
        self._prefix = f"{name}.".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if path.rstrip("/").endswith("/messages"):
            await self._sse_message(scope, receive, send)
            return
        if path.rstrip("/").endswith("/sse"):
            await self.app(scope, receive, self._endpoint_named(send))
            return
        headers = scope.get("headers") or []
        presented = next((value for key, value in headers if key == _SESSION), None)
        if presented is not None:
            if not presented.startswith(self._prefix):
                await self._elsewhere(presented, scope, receive, send)
                return
            local = presented[len(self._prefix) :]
            scope = dict(scope)
            scope["headers"] = [(key, local if key == _SESSION else value) for key, value in headers]

        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (key, self._prefix + value if key.lower() == _SESSION else value)
                    for key, value in message.get("headers") or []
                ]
            await send(message)

        await self.app(scope, receive, send_named)

    def _endpoint_named(self, send: Send) -> Send:
        """The SSE stream with its session's id named in the `endpoint` event (its first event: once
        named, the rest of the stream, tool results included, passes untouched)."""
        named = False

        async def send_named(message: Message) -> None:
            nonlocal named
            if not named and message["type"] == "http.response.body":
                body = message.get("body", b"")
                renamed, count = _ENDPOINT_EVENT.subn(lambda m: m[1] + self._prefix + m[2], body, count=1)
                if count:
                    named = True
                    message = {**message, "body": renamed}
            await send(message)

        return send_named

    async def _sse_message(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A message posted to an SSE session: its `session_id` without this replica's name, or the
        404 that says whose it is."""
        query = parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True)
        presented = next((value for key, value in query if key == "session_id"), None)
        if presented is not None and "." in presented:
            if not presented.startswith(self._prefix.decode()):
                await self._elsewhere(presented.encode("latin-1"), scope, receive, send, "its session_id")
                return
            local = presented[len(self._prefix) :]
            query = [(key, local if key == "session_id" else value) for key, value in query]
            scope = {**scope, "query_string": urlencode(query).encode("latin-1")}
        await self.app(scope, receive, send)

    async def _elsewhere(
        self,
        presented: bytes,
        scope: Scope,
        receive: Receive,
        send: Send,
        carried: str = "its Mcp-Session-Id",
    ) -> None:
        owner = presented.split(b".", 1)[0].decode("latin-1") if b"." in presented else None
        owner = owner if owner is not None and NAME_PATTERN.fullmatch(owner) else None
        where = f"replica {owner!r}" if owner else "no replica known here"
        logger.warning(
            "a session of %s reached replica %r: the balancer does not route on the session id",
            where,
            self.name,
        )
        message = (
            f"This session belongs to {where}, but reached replica {self.name!r}: the load balancer must "
            f"send a session's requests to the replica named before the first '.' of {carried} "
            "(see 'Sessions and replicas' in docs/hosting.md). Start a new session to continue."
        )
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": _SESSION_NOT_FOUND, "message": message}}
        await JSONResponse(body, status_code=404)(scope, receive, send)
