"""Telemetry: OpenTelemetry traces and metrics, off unless an operator asks; the only code that knows them.

Off by default, and then free: nothing is imported from OpenTelemetry (beyond the API the MCP
SDK itself loads) and every hook is one shared no-op, so the stdio cold start does not pay. On
when the standard `OTEL_*` variables ask for an export (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT`, `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`)
or `--metrics` asks for a Prometheus endpoint; that needs `pip install 'jobmojito-mcp[otel]'`.

The hooks, each wired in at one place:

    tool_call(tool)               tooling.run.run_tool   outcome, refusals, calls in flight
    upstream_attempt(...)         tooling.upstream       a CLIENT span per attempt, W3C trace context
                                                         sent to JobMojito, duration, status, retries
    server_middleware(tools)      server.build_server    mcp.server.operation.duration, sessions open
    http_middleware(mode)         hosting.app            inbound 401/403s
    metrics_routes(settings),     hosting.app            the Prometheus endpoint (--metrics), on the
    metrics_listener(settings)                           MCP port or on a listener of its own

The span of each MCP request is the SDK's own (`mcp.server._otel`, MCP semantic conventions,
parented on the caller's `params._meta.traceparent`); the hooks add to it and nest under it.
What is recorded: method, tool and prompt names (known ones only), outcome, error type,
upstream function, status, retry number, durations. Never an argument, a result or a token.

It owns: setting up the providers and exporters (`otel.py`, `errors.py`), the instruments and spans, and the
Prometheus scrape endpoint (`prometheus.py`). It does not own logging (`logs.py`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from jobmojito_mcp.telemetry.errors import TelemetryError

if TYPE_CHECKING:
    from jobmojito_mcp.config import Settings
    from jobmojito_mcp.telemetry.otel import Telemetry

logger = logging.getLogger(__name__)

EXTRA_HINT = "pip install 'jobmojito-mcp[otel]'"
_EXPORT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
)

_active: Telemetry | None = None


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for an OpenTelemetry export (OTEL_SDK_DISABLED=true says no)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name, "").strip() not in ("", "none") for name in _EXPORT_VARIABLES)


def start(*, prometheus: bool = False, span_exporter: Any = None, metric_reader: Any = None) -> None:
    """Turn telemetry on: exporters from the `OTEL_*` environment, plus a Prometheus reader when asked.

    An embedding program (or a test) may pass its own span exporter and metric reader instead.
    Calling it again changes nothing: providers are process-wide and set once.
    """
    global _active
    if _active is not None:
        return
    try:
        from jobmojito_mcp.telemetry.otel import Telemetry
    except ImportError as exc:
        raise TelemetryError(
            f"telemetry needs the OpenTelemetry SDK, which is not installed ({exc.name}): {EXTRA_HINT}"
        ) from None
    _active = Telemetry.from_environment(
        prometheus=prometheus, span_exporter=span_exporter, metric_reader=metric_reader
    )
    logger.info("telemetry on: %s", _active.describe())


def start_for(settings: Settings) -> None:
    """Turn telemetry on if the environment or --metrics asks for it. A --metrics that cannot work
    raises TelemetryError; an OTEL_* export that cannot is logged and left off."""
    if settings.mcp_metrics is not None:
        if settings.mcp_metrics_token is not None:
            from jobmojito_mcp.logs import secrets

            secrets.add(settings.mcp_metrics_token.get_secret_value())
        try:
            from jobmojito_mcp.telemetry.prometheus import refusal
        except ImportError as exc:
            raise TelemetryError(f"--metrics needs the {exc.name} package: {EXTRA_HINT}") from None
        try:
            problem = refusal(settings)
        except ValueError as exc:
            raise TelemetryError(str(exc)) from None
        if problem:
            raise TelemetryError(problem)
        start(prometheus=True)  # asked for by flag: a failure stops the start
    elif requested():
        try:
            start()
        except TelemetryError as exc:
            # OTEL_* may be set machine-wide for other programs: not a reason to refuse to serve.
            logger.warning("OTEL_* variables ask for telemetry, but it stays off: %s", exc)


def active() -> Telemetry | None:
    return _active


# ---------------------------------------------------------------------------------------------
# The hooks: each is a shared no-op while telemetry is off.


class _Nothing:
    """Every hook's answer while telemetry is off: a context manager and attempt that record nothing."""

    headers: Mapping[str, str] = MappingProxyType({})

    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def answered(self, status: int) -> None:
        return None


NOTHING = _Nothing()


class Attempt(Protocol):
    """What `upstream_attempt` hands the upstream layer: headers to send, and where to say the status."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    def answered(self, status: int) -> None: ...


def tool_call(tool: str) -> AbstractContextManager[object]:
    """Around a whole tool call in `tooling.run.run_tool`: its outcome, refusals, calls in flight.

    A failure's outcome is the `kind` attribute of the exception that ends the call, if it has one.
    """
    return _active.tool_call(tool) if _active is not None else NOTHING


def upstream_attempt(method: str, path: str, base_url: str, retry: int) -> AbstractContextManager[Attempt]:
    """Around one HTTP attempt in `upstream.Upstream._attempt`: a CLIENT span (child of the MCP
    request's), the W3C trace context to send with it, its duration, status and retry number."""
    return _active.upstream_attempt(method, path, base_url, retry) if _active is not None else NOTHING


def state_fallback() -> None:
    """A quota decision (or a refused-token write) taken without the shared store (hosting/state.py)."""
    if _active is not None:
        _active.state_fallbacks.add(1)


def server_middleware(tool_names: Iterable[str], prompt_names: Iterable[str] = ()) -> list[Any]:
    """MCP server middleware for `server.build_server` (none while off): per-request duration by method,
    tool and outcome; sessions open. Only these names are recorded as tool/prompt names."""
    return [_active.server_middleware(tool_names, prompt_names)] if _active is not None else []


def http_middleware(mode: str) -> list[Any]:
    """Starlette middleware for the hosted app (none while off): counts inbound auth failures (401/403)."""
    if _active is None:
        return []
    from starlette.middleware import Middleware

    from jobmojito_mcp.telemetry.otel import AuthFailureCounter

    return [Middleware(AuthFailureCounter, telemetry=_active, mode=mode)]


def metrics_routes(settings: Settings) -> list[Any]:
    """The scrape endpoint's route when `--metrics` names a path on the MCP port (else none)."""
    if _active is None or _active.prometheus_registry is None or settings.mcp_metrics is None:
        return []
    from starlette.routing import Route

    from jobmojito_mcp.telemetry.prometheus import metrics_app, placement

    where = placement(settings.mcp_metrics)
    if where.own_listener:
        return []
    token = settings.mcp_metrics_token.get_secret_value() if settings.mcp_metrics_token else None
    return [Route(where.path, metrics_app(_active.prometheus_registry, token))]


def metrics_listener(settings: Settings) -> AbstractAsyncContextManager[None]:
    """While open, serves the scrape endpoint on a listener of its own when `--metrics` names one."""
    if _active is None or _active.prometheus_registry is None or settings.mcp_metrics is None:
        return nullcontext()
    from jobmojito_mcp.telemetry.prometheus import own_listener

    return own_listener(settings, _active.prometheus_registry)


__all__ = [
    "EXTRA_HINT",
    "NOTHING",
    "Attempt",
    "TelemetryError",
    "active",
    "http_middleware",
    "metrics_listener",
    "metrics_routes",
    "requested",
    "server_middleware",
    "start",
    "start_for",
    "tool_call",
    "upstream_attempt",
]
