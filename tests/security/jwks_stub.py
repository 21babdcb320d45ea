"""A JWKS endpoint that fails on demand: the sandbox's real keys, a 503, or no answer at all.

Served over real loopback HTTP (uvicorn in a thread), counting every fetch, so a test sees how
often the server under attack went to its authorization server.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Mode = Literal["serve", "503", "hang"]


@dataclass
class JwksStub:
    keys: dict[str, Any]
    url: str = ""
    mode: Mode = "serve"
    fetches: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    async def jwks(self, request: Request) -> Response:
        self.fetches += 1
        if self.mode == "503":
            return JSONResponse({"error": "unavailable"}, status_code=503)
        if self.mode == "hang":
            while not self._stop.is_set():  # noqa: ASYNC110  # a threading.Event, set from the test's thread
                await anyio.sleep(0.1)
            return Response(status_code=503)
        return JSONResponse(self.keys)


@contextmanager
def jwks_stub(keys: dict[str, Any], mode: Mode = "serve") -> Iterator[JwksStub]:
    stub = JwksStub(keys, mode=mode)
    app = Starlette(routes=[Route("/jwks.json", stub.jwks)])
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    stub.url = f"http://127.0.0.1:{sock.getsockname()[1]}/jwks.json"
    try:
        yield stub
    finally:
        stub._stop.set()
        server.should_exit = True
        thread.join(10)
        sock.close()
