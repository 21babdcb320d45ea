"""The sandbox in a process of its own, counting the requests it is handling at once.

    python -m tests.reliability.sandbox_process --latency 0.02    # prints "PORT <n>" once listening

The load test runs the sandbox here so that its event loop does not compete with two hundred MCP
clients for one interpreter: the latencies measured are then the server's, not the harness's.
`GET /_inflight` answers `{"now": n, "peak": n, "handled": n}`; `DELETE /_inflight` restarts the
count. Everything else is the sandbox as `create_app` serves it (tokens from
`POST /auth/v1/token?grant_type=password`, the journal at `/_sandbox/requests`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from jobmojito_mcp.sandbox import SandboxState, create_app

COUNTER_PATH = "/_inflight"


class InFlightCounter:
    """ASGI wrapper: how many /functions/v1 requests are being handled now, and at most."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0
        self.handled = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == COUNTER_PATH:
            if scope["method"] == "DELETE":
                self.peak, self.handled = self.now, 0
            body = json.dumps({"now": self.now, "peak": self.peak, "handled": self.handled}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        counted = scope["type"] == "http" and scope["path"].startswith("/functions/v1")
        if counted:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            if counted:
                self.now -= 1
                self.handled += 1


class NoDelayProtocol(H11Protocol):
    """uvicorn's h11 protocol with Nagle off, as the sandbox's own runner does (no 40 ms ACK waits)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    sock = socket.create_server(("127.0.0.1", 0))
    app = InFlightCounter(create_app(SandboxState(latency=args.latency)))
    config = uvicorn.Config(
        app, http=NoDelayProtocol, lifespan="off", log_config=None, access_log=False, backlog=2048
    )
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
