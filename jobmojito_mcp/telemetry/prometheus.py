"""The Prometheus scrape endpoint of the hosted mode (`--metrics`): where it is served, and who may read it.

`--metrics /metrics` serves it on the MCP port at that path; `--metrics [HOST:]PORT` on a listener
of its own (HOST defaults to 127.0.0.1; port 0 picks a free one, printed on stderr). It is never
unauthenticated on a public bind: off loopback it needs JOBMOJITO_MCP_METRICS_TOKEN, which
Prometheus sends as `Authorization: Bearer` (`authorization: {credentials: ...}` in a scrape
config), or `--allow-public-without-auth` saying a proxy in front authenticates. The text is
prometheus_client's own rendering of the OpenTelemetry metrics (its exporter's reader), plus the
process collector (CPU, memory, open files).
"""

from __future__ import annotations

import hmac
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import anyio
import uvicorn
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from prometheus_client import CollectorRegistry, ProcessCollector, make_asgi_app
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp.config import Settings, resolves_to_loopback, split_list


def prometheus_reader() -> tuple[PrometheusMetricReader, CollectorRegistry]:
    """A metric reader rendering into a registry of our own (not the process-global default)."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    return PrometheusMetricReader(registry=registry), registry


@dataclass(frozen=True)
class Placement:
    """Where the endpoint is served: a path on the MCP listener, or a listener of its own."""

    path: str = "/metrics"
    host: str | None = None  # None: on the MCP listener
    port: int = 0

    @property
    def own_listener(self) -> bool:
        return self.host is not None


def placement(value: str) -> Placement:
    """`/metrics` (a path on the MCP port), `9464`, `:9464` or `0.0.0.0:9464` (a listener of its own)."""
    text = value.strip()
    if text.startswith("/"):
        return Placement(path=text)
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"--metrics {value!r}: give a path such as /metrics, or [HOST:]PORT such as 9464")
    return Placement(host=host.strip("[]") or "127.0.0.1", port=int(port))


def _is_loopback(host: str) -> bool:
    return resolves_to_loopback(host)


def refusal(settings: Settings) -> str | None:
    """Why this --metrics configuration must not start (None when it may): public and unauthenticated."""
    if settings.mcp_metrics is None:
        return None
    if settings.mcp_transport == "stdio":
        return "--metrics serves over HTTP: use it with --transport streamable-http, sse or http"
    where = placement(settings.mcp_metrics)
    host = where.host if where.own_listener else settings.mcp_host
    assert host is not None
    if _is_loopback(host) or settings.mcp_metrics_token is not None or settings.mcp_allow_public_without_auth:
        return None
    return (
        f"refusing to serve metrics without authentication on {host} (not a loopback address). "
        "Set JOBMOJITO_MCP_METRICS_TOKEN (Prometheus sends it as a bearer token), serve them on a loopback "
        "listener (--metrics 127.0.0.1:9464), or say a proxy authenticates (--allow-public-without-auth)."
    )


class MetricsEndpoint:
    """The scrape endpoint: prometheus_client's ASGI app, behind a bearer token when one is set."""

    def __init__(self, registry: CollectorRegistry, token: str | None) -> None:
        self._serve: ASGIApp = make_asgi_app(registry)
        self._expected = f"Bearer {token}".encode() if token is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._expected is not None:
            presented = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(presented, self._expected):
                denied = PlainTextResponse(
                    "metrics need the bearer token", 401, {"WWW-Authenticate": "Bearer"}
                )
                await denied(scope, receive, send)
                return
        await self._serve(scope, receive, send)


def metrics_app(registry: CollectorRegistry, token: str | None) -> MetricsEndpoint:
    return MetricsEndpoint(registry, token)


class _MetricsServer(uvicorn.Server):
    """uvicorn for the metrics listener: signals belong to the MCP server, which stops this one."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def own_listener(settings: Settings, registry: CollectorRegistry) -> AsyncIterator[None]:
    """Serve the endpoint on its own listener while the block runs (nothing when on the MCP port)."""
    where = placement(settings.mcp_metrics or "/metrics")
    if not where.own_listener:
        yield
        return
    assert where.host is not None
    family = socket.AF_INET6 if ":" in where.host else socket.AF_INET
    sock = socket.create_server((where.host, where.port), family=family)
    token = settings.mcp_metrics_token.get_secret_value() if settings.mcp_metrics_token else None
    app = _only(where.path, metrics_app(registry, token))
    if token is None:  # unauthenticated (so on loopback): only a Host naming it, never a rebound name
        app = _host_checked(app, [where.host, *split_list(settings.mcp_allowed_hosts)])
    server = _MetricsServer(uvicorn.Config(app, log_config=None, lifespan="off", server_header=False))
    host = f"[{where.host}]" if ":" in where.host else where.host
    print(
        f"jobmojito-mcp metrics on http://{host}:{sock.getsockname()[1]}{where.path}",
        file=sys.stderr,
        flush=True,
    )
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: server.serve(sockets=[sock]))
        try:
            yield
        finally:
            server.should_exit = True


def _host_checked(app: ASGIApp, allowed: list[str]) -> ASGIApp:
    """421 for a Host other than a loopback name, the listener's address or an allowed host (any port):
    DNS rebinding sends the attacker's name."""
    names = {"127.0.0.1", "localhost", "[::1]", "::1", *(name.strip("[]") for name in allowed)}

    async def check(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in names:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.strip("[]") not in names and name not in names:
                await PlainTextResponse("Invalid Host header", 421)(scope, receive, send)
                return
        await app(scope, receive, send)

    return check


def _only(path: str, app: ASGIApp) -> ASGIApp:
    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != path:
            await PlainTextResponse("Not Found", 404)(scope, receive, send)
            return
        await app(scope, receive, send)

    return route
