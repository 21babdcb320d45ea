"""What the security suite attacks with: a hosted server on loopback, raw sockets, raw JSON-RPC over HTTP.

The attacks are the ones of issue 11, scaled to what a CI machine holds; every one runs against a
real server process (`tests.support.http_server`) in front of the sandbox.
"""

from __future__ import annotations

import json
import os
import resource
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import INITIALIZE, MCP_HEADERS, TOKEN, HttpServer, http_server, server_env

KEY_A = "caller-a-key-5e0c9d1b7a2f"
KEY_B = "caller-b-key-3f8a6c2e9d41"


def hosted_env(sandbox: RunningSandbox, auth: str = "api-key", **settings: str) -> dict[str, str]:
    env = server_env(sandbox.base_url, token=TOKEN if auth != "jobmojito-jwt" else None, LOG_LEVEL="INFO")
    if auth == "api-key":
        env["JOBMOJITO_MCP_API_KEYS"] = f"{KEY_A},{KEY_B}"
    elif auth == "jobmojito-jwt":
        env["JOBMOJITO_JWKS_URL"] = sandbox.jwks_url
        env["JOBMOJITO_JWT_ISSUER"] = sandbox.jwt_issuer
    env.update({f"JOBMOJITO_{key.upper()}": value for key, value in settings.items()})
    return env


@asynccontextmanager
async def hosted(
    sandbox: RunningSandbox, *args: str, auth: str = "api-key", transport: str = "http", **settings: str
) -> AsyncIterator[HttpServer]:
    async with http_server(
        hosted_env(sandbox, auth, **settings), ["--transport", transport, "--auth", auth, *args]
    ) as server:
        yield server


def port_of(server: HttpServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def open_fds(server: HttpServer) -> int:
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


def rss_mib(server: HttpServer) -> float:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def allow_files(wanted: int) -> int:
    """Raise this process's soft file limit toward `wanted` (as far as the hard limit lets); the new soft."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def open_silent(port: int, count: int) -> list[socket.socket]:
    """`count` TCP connections to the server that never send a byte (the connection flood)."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (EOF or reset; anything it said first is read)."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def bearer(key: str) -> dict[str, str]:
    return MCP_HEADERS | {"Authorization": f"Bearer {key}"}


def rpc_body(response: httpx2.Response) -> Any:
    """The JSON-RPC message of a Streamable HTTP answer, sent as JSON or as one SSE event."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        for line in response.text.splitlines():
            if line.startswith("data:"):
                return json.loads(line[5:])
        raise AssertionError(f"no data in {response.text!r}")
    return response.json()


class RawSession:
    """A handshake-era Streamable HTTP session in raw HTTP, headers exactly as given (repeats included)."""

    def __init__(self, http: httpx2.AsyncClient, url: str, headers: Sequence[tuple[str, str]]) -> None:
        self.http = http
        self.url = f"{url}/mcp"
        self.headers = list(headers)
        self.session: str | None = None
        self._id = 1

    async def open(self) -> httpx2.Response:
        response = await self.http.post(self.url, json=INITIALIZE, headers=self.headers)
        if response.status_code == 200:
            self.session = response.headers["mcp-session-id"]
            self.headers += [("mcp-session-id", self.session), ("mcp-protocol-version", "2025-06-18")]
            await self.http.post(
                self.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=self.headers
            )
        return response

    async def request(self, method: str, params: dict[str, Any] | None = None) -> httpx2.Response:
        self._id += 1
        message = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        return await self.http.post(self.url, json=message, headers=self.headers)

    async def result(self, method: str, params: dict[str, Any] | None = None) -> Any:
        response = await self.request(method, params)
        assert response.status_code == 200, (response.status_code, response.text)
        return rpc_body(response)

    async def close(self) -> httpx2.Response:
        return await self.http.delete(self.url, headers=self.headers)


def headers_of(key: str, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [*bearer(key).items(), *extra]


def get_on(sock: socket.socket, path: str = "/healthz") -> bytes:
    """Send one GET on a raw keep-alive connection and read the whole response (head and body)."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
