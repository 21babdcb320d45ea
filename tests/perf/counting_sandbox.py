"""The JobMojito sandbox in its own process, counting the TCP connections its clients open.

    python tests/perf/counting_sandbox.py      # prints the port on stdout once it is listening

The sandbox journal records headers only, so this wrapper counts connections itself, two ways:
at the socket (uvicorn's h11 protocol, subclassed: opened, open now, peak open) and per client
(each request's client address under the product of its User-Agent, `jobmojito-mcp` or
`python-httpx2`: one distinct address is one TCP connection). `GET /_perf/connections` answers
`{"opened": n, "open": n, "peak": n, "by_agent": {"jobmojito-mcp": n, ...}}`;
`DELETE /_perf/connections` starts counting afresh (and empties the sandbox journal, so a long
benchmark does not grow it without bound).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import defaultdict
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from jobmojito_mcp.sandbox import SandboxState, create_app

COUNTER_PATH = "/_perf/connections"


class Sockets:
    opened = 0
    open = 0
    peak = 0


class CountingProtocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        Sockets.opened += 1
        Sockets.open += 1
        Sockets.peak = max(Sockets.peak, Sockets.open)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        Sockets.open -= 1
        super().connection_lost(exc)


class ConnectionCounter:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self.clients: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == COUNTER_PATH:
            await self.answer(scope, send)
            return
        agent = dict(scope["headers"]).get(b"user-agent", b"?").split(b"/")[0].decode("latin-1")
        self.clients[agent].add(tuple(scope["client"] or ("?", 0)))
        await self.app(scope, receive, send)

    async def answer(self, scope: Scope, send: Send) -> None:
        if scope["method"] == "DELETE":
            self.clients.clear()
            self.state.journal.clear()
            Sockets.opened, Sockets.peak = 0, Sockets.open
        counts: dict[str, Any] = {"opened": Sockets.opened, "open": Sockets.open, "peak": Sockets.peak}
        counts["by_agent"] = {agent: len(seen) for agent, seen in self.clients.items()}
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(counts).encode()})


def main() -> None:
    state = SandboxState()
    # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted sockets (no 40 ms delayed-ACK stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    app = ConnectionCounter(create_app(state), state)
    # Keep-alive well past the clients' own pool expiry (httpx2's default 5 s, the floor's): with
    # uvicorn's 5 s, a connection idle between two benchmark rounds could be closed just as a
    # client reuses it, and the floor's fetch (no retry) would fail the run.
    config = uvicorn.Config(
        app,
        http=CountingProtocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=1024,
        timeout_keep_alive=75,
    )
    print(sock.getsockname()[1], flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        state.close()


if __name__ == "__main__":
    main()
