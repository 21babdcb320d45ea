"""The hosted endpoint: Streamable HTTP at /mcp and SSE at /sse, inbound auth, health, shutdown.

One process, one upstream pool, many callers. Everything an operator must not get wrong is
decided here, at start-up, with a clear refusal: no unauthenticated public bind, Host and Origin
checked on every MCP request (421 / 403), per-caller JobMojito tokens kept per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import FrameType
from typing import Any

import anyio
import httpx2
import uvicorn
from mcp.server.auth.routes import create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.request_state import RequestStateSecurity
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp import __version__, telemetry
from jobmojito_mcp.config import Settings, split_list
from jobmojito_mcp.exposure import NarrowingCheck
from jobmojito_mcp.hosting.affinity import NAME_PATTERN, SessionRouting
from jobmojito_mcp.hosting.auth import ApiKeyVerifier, JwksTokenVerifier, credentials_for, load_api_keys
from jobmojito_mcp.hosting.explain import ExplainKeyRefusal, index_for
from jobmojito_mcp.hosting.limits import BACKLOG, guarded_protocol, usable_connection_limit
from jobmojito_mcp.hosting.quotas import CallerBook, CallerQuotas, CallsInFlight, Quotas, caller_of
from jobmojito_mcp.hosting.state import SharedRefusedTokens, SharedState
from jobmojito_mcp.logs import secrets
from jobmojito_mcp.server import InFlight, build_server, exposed_tools, open_upstream, starting_toolsets
from jobmojito_mcp.signin.credentials import RefusedTokens, describe_credential
from jobmojito_mcp.signin.oauth import SCOPES
from jobmojito_mcp.tooling.files import FileAccess
from jobmojito_mcp.tooling.upstream import USER_AGENT, Credential, Upstream

logger = logging.getLogger(__name__)

UNGUARDED_PATHS = frozenset({"/healthz", "/readyz"})  # probes come from anywhere, with any Host
_READY_CACHE_SECONDS = 5.0
_CONNECTIONS_GRACE = 3  # seconds for idle connections to close once tool calls are drained
_KEEP_ALIVE = 75  # seconds an idle client connection stays open


class ConfigurationRefused(Exception):
    """A hosting configuration that must not start; the message says how to fix it."""


def public_url(settings: Settings) -> str:
    if settings.mcp_public_url:
        return settings.mcp_public_url.rstrip("/")
    return f"http://{_host_in_url(settings.mcp_host)}:{settings.mcp_port}"


def _host_in_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; port 0 lets the OS choose (read it back with getsockname)."""
    return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)


def check_exposure(settings: Settings) -> None:
    """Refuse an unauthenticated server on a non-loopback interface, unless explicitly told."""
    if settings.mcp_auth != "none" or settings.is_loopback_bind:
        return
    if settings.mcp_allow_public_without_auth:
        logger.warning(
            "serving WITHOUT authentication on %s: anyone who reaches it acts with this server's JobMojito token",
            settings.mcp_host,
        )
        return
    raise ConfigurationRefused(
        f"refusing to serve without authentication on {settings.mcp_host} (not a loopback address). "
        "Use --auth api-key (with JOBMOJITO_MCP_API_KEYS) or --auth jobmojito-jwt, or bind --host 127.0.0.1. "
        "Behind a proxy that authenticates for you, --allow-public-without-auth says so explicitly."
    )


class HostOriginGuard:
    """DNS-rebinding and cross-site protection: unknown Host -> 421, unknown browser Origin -> 403.

    The SDK's own check couples the two and cannot exempt health probes; this one applies the
    configured lists (with `*` and `host:*` port wildcards) to every path but the probes.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: list[str],
        allowed_origins: list[str],
        unguarded: frozenset[str] = UNGUARDED_PATHS,
    ) -> None:
        self.app = app
        self.hosts = allowed_hosts
        self.origins = allowed_origins
        self.unguarded = unguarded
        # It runs on every request, and a server sees few distinct values: remember the verdicts.
        self._host_ok = functools.lru_cache(maxsize=256)(lambda value: _matches(value, allowed_hosts))
        self._origin_ok = functools.lru_cache(maxsize=256)(lambda value: _matches(value, allowed_origins))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.unguarded:
            host, origin = b"", None
            for key, value in scope["headers"]:  # ASGI names are lower-case; the last one counts
                if key == b"host":
                    host = value
                elif key == b"origin":
                    origin = value
            if not self._host_ok(host.decode("latin-1")):
                await PlainTextResponse("Invalid Host header", status_code=421)(scope, receive, send)
                return
            # No Origin: not a browser cross-site request (MCP clients and curl send none).
            if origin is not None and not self._origin_ok(origin.decode("latin-1")):
                await PlainTextResponse("Invalid Origin header", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _matches(value: str, allowed: list[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or value == pattern:
            return True
        if pattern.endswith(":*") and value.startswith(pattern[:-1]) and value[len(pattern) - 1 :].isdigit():
            return True
    return False


def default_allowed(settings: Settings) -> tuple[list[str], list[str]]:
    """Host and Origin allow-lists: configured ones, else loopback names plus the bound address."""
    hosts = split_list(settings.mcp_allowed_hosts)
    origins = split_list(settings.mcp_allowed_origins)
    loopback = ["127.0.0.1", "localhost", "[::1]"]
    if not hosts:
        hosts = [f"{name}:*" for name in loopback] + loopback
        if not settings.is_loopback_bind and settings.mcp_host not in ("0.0.0.0", "::"):  # noqa: S104
            hosts += [settings.mcp_host, f"{settings.mcp_host}:*"]
        if settings.mcp_public_url:
            hosts.append(httpx2.URL(settings.mcp_public_url).netloc.decode())
    if not origins:
        origins = [f"http://{name}:*" for name in loopback] + [f"http://{name}" for name in loopback]
        if settings.mcp_public_url:
            url = httpx2.URL(settings.mcp_public_url)
            origins.append(f"{url.scheme}://{url.netloc.decode()}")
    return hosts, origins


def _auth_options(
    settings: Settings, jwks_client: httpx2.AsyncClient, refused: RefusedTokens
) -> dict[str, Any]:
    """MCPServer keyword arguments for the chosen inbound auth mode."""
    if settings.mcp_auth == "api-key":
        try:
            keys = ApiKeyVerifier(load_api_keys(settings))
        except (ValueError, OSError) as problem:  # no keys, a short one, an unreadable key file
            said = str(problem)  # said once: the verifier's own messages already start with the flag
            raise ConfigurationRefused(
                said if said.startswith("--auth") else f"--auth api-key: {said}"
            ) from None
        return {
            "token_verifier": keys,
            "auth": AuthSettings(issuer_url=public_url(settings), resource_server_url=None),
        }
    if settings.mcp_auth == "jobmojito-jwt":
        verifier = JwksTokenVerifier(
            settings.resolved_auth_url,
            settings.jwt_audience,
            jwks_client,
            refused,
            issuer=settings.jwt_issuer,
            jwks_url=settings.jwks_url,
            client_ids=frozenset(split_list(settings.jwt_client_ids)) if settings.jwt_client_ids else None,
        )
        return {
            "token_verifier": verifier,
            # RFC 9728: 401s point clients at /.well-known/oauth-protected-resource/<endpoint>, which
            # names JobMojito's authorization server as where to sign in (ChallengeWithScope picks
            # each endpoint's own; this is the SDK's default for the first).
            "auth": AuthSettings(
                issuer_url=settings.resolved_auth_url,
                resource_server_url=f"{public_url(settings)}{next(iter(protected_endpoints(settings).values()))}",
                validate_token_resource=False,  # Supabase ignores `resource`: the verifier checks `aud`
            ),
        }
    return {}


class ChallengeWithScope:
    """Completes the bearer challenge of every 401: adds `scope` (RFC 6750 §3), so an MCP client asks
    for `offline_access` (a refresh token) when it signs in, and points `resource_metadata` at the
    metadata of the endpoint that was called (RFC 9728 §5.1). The SDK's challenge carries no scope and
    names one resource for every endpoint, and clients refuse metadata whose `resource` is not the
    URL they connect to: /sse must not be sent to /mcp's."""

    def __init__(self, app: ASGIApp, scope: str, metadata_urls: Mapping[str, str]) -> None:
        self.app = app
        self.parameter = f', scope="{scope}"'.encode()
        self.metadata_urls = {prefix: url.encode() for prefix, url in metadata_urls.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        metadata = next((url for prefix, url in self.metadata_urls.items() if path.startswith(prefix)), None)

        def completed(value: bytes) -> bytes:
            if metadata is not None:
                value = _RESOURCE_METADATA.sub(b'resource_metadata="' + metadata + b'"', value)
            return value if b"scope=" in value else value + self.parameter

        async def send_completed(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                message["headers"] = [
                    (
                        name,
                        completed(value)
                        if name.lower() == b"www-authenticate" and value.startswith(b"Bearer")
                        else value,
                    )
                    for name, value in message["headers"]
                ]
            await send(message)

        await self.app(scope, receive, send_completed)


_RESOURCE_METADATA = re.compile(rb'resource_metadata="[^"]*"')


def protected_endpoints(settings: Settings) -> dict[str, str]:
    """Each MCP endpoint this server serves, by the path prefixes its requests use: /mcp (Streamable
    HTTP), /sse (SSE, whose messages are posted under /messages/)."""
    endpoints: dict[str, str] = {}
    if settings.mcp_transport in ("streamable-http", "http"):
        endpoints["/mcp"] = "/mcp"
    if settings.mcp_transport in ("sse", "http"):
        endpoints["/sse"] = "/sse"
        endpoints["/messages"] = "/sse"
    return endpoints


def _metadata_url(settings: Settings, endpoint: str) -> str:
    """RFC 9728 §3.1: the well-known name with the resource's path appended."""
    return f"{public_url(settings)}/.well-known/oauth-protected-resource{endpoint}"


def _resource_metadata_routes(settings: Settings) -> list[BaseRoute]:
    """RFC 9728 metadata for each endpoint, naming it as the resource, the authorization server and
    the scopes to ask it for."""
    return [
        create_protected_resource_routes(
            resource_url=AnyHttpUrl(f"{public_url(settings)}{endpoint}"),
            authorization_servers=[AnyHttpUrl(settings.resolved_auth_url)],
            scopes_supported=SCOPES.split(),
            resource_name="JobMojito interviews (MCP)",
        )[0]
        for endpoint in sorted(set(protected_endpoints(settings).values()))
    ]


def _state_security(settings: Settings) -> dict[str, Any]:
    # Replicas must seal and open each other's request state: they share keys from configuration.
    if settings.mcp_state_keys is None:
        return {}
    keys = split_list(settings.mcp_state_keys.get_secret_value())
    for key in keys:
        secrets.add(key)
    return {"request_state_security": RequestStateSecurity(keys=keys, audience="jobmojito-mcp")}


def build_http_app(
    settings: Settings,
    upstream: Upstream,
    server_credential: Credential,
    jwks_client: httpx2.AsyncClient,
    in_flight: InFlight | None = None,
    shared: SharedState | None = None,
) -> Starlette:
    """The ASGI app: the chosen MCP transports, health probes, and the Host/Origin guard around them.

    `shared`: the replicas' common state (--state-url), started by the caller; None keeps it all here.
    """
    check_exposure(settings)
    name = settings.mcp_replica_name
    if name is not None and not NAME_PATTERN.fullmatch(name):
        raise ConfigurationRefused(f"--replica-name {name!r}: use letters, digits and '-' (at most 63)")
    refused = RefusedTokens() if shared is None else SharedRefusedTokens(shared)
    # Per-caller quotas need callers: with --auth none there is one user, and none apply.
    book = CallerBook(Quotas.from_settings(settings), shared) if settings.mcp_auth != "none" else None
    server: MCPServer = build_server(
        upstream,
        credentials_for(settings, server_credential, refused),
        tools=exposed_tools(settings),
        sandbox=settings.sandbox,
        dynamic_toolsets=starting_toolsets(settings),
        per_session=not settings.mcp_stateless,
        caller=caller_of,
        log_level=settings.log_level,
        in_flight=in_flight,
        extra_middleware=[CallsInFlight(book)] if book else [],
        files=FileAccess(max_bytes=settings.max_file_bytes),  # inline content only: never this disk
        confirm_without_asking=settings.confirm_without_asking,
        toolset_store=shared,  # --dynamic-toolsets: what a caller enabled, shown by every replica
        **_auth_options(settings, jwks_client, refused),
        **_state_security(settings),
    )
    # Host/Origin are checked by HostOriginGuard below, uniformly for both transports.
    unchecked = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz),
        Route("/readyz", _readyz_for(upstream, settings, shared)),
        Route("/", index_for(settings), methods=["GET"]),
    ]
    middleware: list[Any] = []
    lifespan = None
    if settings.mcp_transport in ("streamable-http", "http"):
        streamable = server.streamable_http_app(
            stateless_http=settings.mcp_stateless,
            transport_security=unchecked,
            host=settings.mcp_host,
            session_idle_timeout=settings.mcp_session_idle_timeout,
        )
        routes += streamable.routes
        middleware = streamable.user_middleware
        lifespan = streamable.router.lifespan_context
    if settings.mcp_transport in ("sse", "http"):
        sse = server.sse_app(transport_security=unchecked, host=settings.mcp_host)
        known = {getattr(route, "path", None) for route in routes}
        routes += [route for route in sse.routes if getattr(route, "path", None) not in known]
        middleware = middleware or sse.user_middleware
    if settings.mcp_auth == "jobmojito-jwt":
        metadata_routes = _resource_metadata_routes(settings)
        served = {getattr(route, "path", None) for route in metadata_routes}
        routes = [route for route in routes if getattr(route, "path", None) not in served]
        routes += metadata_routes
    # The scrape endpoint (--metrics on this port) stays behind the Host check like /mcp: a page
    # re-pointing its name at 127.0.0.1 (DNS rebinding) must not read it. With a metrics token the
    # token guards it (no page can send it), so Prometheus may address the pod by its IP as Host.
    metrics = telemetry.metrics_routes(settings)
    routes += metrics
    # Inside the bearer middleware (which names the caller): quotas, then the narrowing headers' check.
    quota_layer = [Middleware(CallerQuotas, book=book, stateless=settings.mcp_stateless)] if book else []
    # Outermost of all: everything inside sees the session ids the SDK issued.
    routing = [Middleware(SessionRouting, name=name)] if name is not None else []
    middleware = [
        *routing,
        *telemetry.http_middleware(settings.mcp_auth),
        *middleware,
        *quota_layer,
        Middleware(NarrowingCheck),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    if settings.mcp_auth == "jobmojito-jwt":
        metadata_urls = {
            prefix: _metadata_url(settings, endpoint)
            for prefix, endpoint in protected_endpoints(settings).items()
        }
        app.add_middleware(ChallengeWithScope, scope=SCOPES, metadata_urls=metadata_urls)
    if settings.mcp_auth == "api-key":
        app.add_middleware(ExplainKeyRefusal)
    hosts, origins = default_allowed(settings)
    unguarded = UNGUARDED_PATHS | (
        {route.path for route in metrics} if settings.mcp_metrics_token is not None else set()
    )
    app.add_middleware(HostOriginGuard, allowed_hosts=hosts, allowed_origins=origins, unguarded=unguarded)
    return app


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__})


def _readyz_for(upstream: Upstream, settings: Settings, shared: SharedState | None) -> Any:
    checked: dict[str, float | bool] = {"at": -_READY_CACHE_SECONDS, "ok": False}

    async def readyz(request: Request) -> Response:
        # Cached briefly: a probe every second must not become a request to JobMojito every second.
        if time.monotonic() - float(checked["at"]) > _READY_CACHE_SECONDS:
            checked["ok"] = await upstream.reachable()
            checked["at"] = time.monotonic()
        upstream_name = "sandbox" if settings.sandbox else "jobmojito"
        body: dict[str, Any] = {
            "status": "ready" if checked["ok"] else "upstream unreachable",
            "upstream": upstream_name,
        }
        # Redis away does not make a replica unready: it serves on with its own limits, and says so.
        if shared is not None:
            body |= shared.status()
        return JSONResponse(body, status_code=200 if checked["ok"] else 503)

    return readyz


class DrainingServer(uvicorn.Server):
    """uvicorn, with a shutdown that waits for in-flight tool calls and exits 0.

    On SIGTERM/SIGINT: close the listening sockets (no new connections), wait until no tool call
    is in flight (at most the grace period), then let uvicorn shut down. Plain uvicorn would close
    streamed responses at once (a call in progress would lose its answer) and re-raise the signal
    afterwards (exit status -15, read by orchestrators as a crash). A second signal stops at once.
    """

    def __init__(self, config: uvicorn.Config, in_flight: InFlight, grace: float) -> None:
        super().__init__(config)
        self._in_flight = in_flight
        self._grace = grace
        self._drain: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        originals = {
            sig: signal.signal(sig, self._on_signal(loop)) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    def _on_signal(self, loop: asyncio.AbstractEventLoop) -> Callable[[int, FrameType | None], None]:
        def handle(sig: int, frame: FrameType | None) -> None:
            if self._drain is not None:
                self.force_exit = self.should_exit = True
                return
            loop.call_soon_threadsafe(self._start_drain)

        return handle

    def _start_drain(self) -> None:
        self._drain = asyncio.get_running_loop().create_task(self._drain_then_exit())

    async def _drain_then_exit(self) -> None:
        for listener in self.servers:
            listener.close()
        waiting = self._in_flight.count
        logger.info("shutting down: %d tool call(s) in flight, waiting up to %g s", waiting, self._grace)
        with anyio.move_on_after(self._grace) as scope:
            await self._in_flight.wait_idle()
        if scope.cancelled_caught:
            logger.warning("grace period over with %d tool call(s) still in flight", self._in_flight.count)
        self.should_exit = True


@contextlib.asynccontextmanager
async def shared_state(settings: Settings) -> AsyncIterator[SharedState | None]:
    """The replicas' common state when --state-url is given (else None), for the server's lifetime."""
    if settings.mcp_state_url is None:
        yield None
        return
    url = settings.mcp_state_url.get_secret_value()
    secrets.add(url)  # it may carry Redis's password
    try:
        state = SharedState(url, lease=settings.mcp_state_lease, timeout=settings.mcp_state_timeout)
    except ImportError:
        raise ConfigurationRefused(
            "--state-url needs the Redis client: pip install 'jobmojito-mcp[redis]'"
        ) from None
    except ValueError as problem:  # not a redis://, rediss:// or unix:// URL
        raise ConfigurationRefused(f"--state-url: {problem}") from None
    await state.start()
    try:
        yield state
    finally:
        await state.aclose()


async def serve_http(settings: Settings, listener: socket.socket | None = None) -> None:
    """Serve until SIGTERM/SIGINT; then stop accepting, let in-flight calls finish, close the pool.

    `listener`: an already listening socket to serve on (a `--workers` worker's share of the port).
    """
    check_exposure(settings)
    exposed_tools(settings)  # a bad --tools list fails before anything starts
    # Bound here rather than by uvicorn, so `--port 0` (the OS picks) is known before the app is built:
    # the public URL and the allowed Host values name the real port.
    if listener is None:
        listener = bind(settings.mcp_host, settings.mcp_port)
    settings = settings.model_copy(update={"mcp_port": listener.getsockname()[1]})
    in_flight = InFlight()
    async with (
        open_upstream(settings) as (upstream, credential),
        httpx2.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=10.0) as jwks_client,
        shared_state(settings) as shared,
    ):
        app = build_http_app(settings, upstream, credential, jwks_client, in_flight, shared)
        connections = usable_connection_limit(settings.mcp_connection_limit, settings.max_connections)
        config = uvicorn.Config(
            app,
            host=settings.mcp_host,
            port=settings.mcp_port,
            log_config=None,  # keep our stderr-only, redacting logging
            # Tool calls were drained already; what is left (idle streams) gets a short bound.
            timeout_graceful_shutdown=_CONNECTIONS_GRACE,
            server_header=False,
            lifespan="on",
            # Longer than the idle timeouts of pooling proxies and clients (nginx-ingress, ALB: 60 s),
            # so the server is never the side that closes a connection a request is being sent on.
            timeout_keep_alive=_KEEP_ALIVE,
            # uvicorn's h11 protocol plus a connection limit and request deadlines (limits.py).
            http=guarded_protocol(connections, settings.mcp_header_timeout, settings.mcp_body_timeout),
            backlog=BACKLOG,
        )
        if settings.sandbox:
            calls_as = ""
        elif settings.mcp_auth == "jobmojito-jwt":
            calls_as = f"; callers sign in at {settings.resolved_auth_url}"
        else:
            calls_as = f"; {describe_credential(settings)}"
        url = f"http://{_host_in_url(settings.mcp_host)}:{settings.mcp_port}"
        # One plain line at any log level: how scripts and tests learn the port `--port 0` got.
        print(f"jobmojito-mcp listening on {url}", file=sys.stderr, flush=True)
        logger.info(
            "jobmojito-mcp %s serving %s on %s (auth %s%s) against %s%s",
            __version__,
            settings.mcp_transport,
            url,
            settings.mcp_auth,
            ", stateless" if settings.mcp_stateless else "",
            "the built-in sandbox" if settings.sandbox else settings.base_url,
            calls_as,
        )
        async with telemetry.metrics_listener(settings):  # --metrics [HOST:]PORT: a listener of its own
            await DrainingServer(config, in_flight, settings.mcp_shutdown_grace).serve(sockets=[listener])
    logger.info("stopped")
