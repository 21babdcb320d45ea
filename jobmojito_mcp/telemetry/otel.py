"""The OpenTelemetry side of `telemetry`: providers and exporters from the `OTEL_*` environment, the
instruments, and the bodies of the hooks. Imported only once telemetry is turned on.

Names follow the OpenTelemetry semantic conventions where they exist: MCP (`mcp.method.name`,
`gen_ai.tool.name`, `mcp.server.operation.duration`, `mcp.server.session.duration`) and HTTP
client (`http.client.request.duration`, `http.request.resend_count`, `error.type`). Ours are
under `jobmojito.`.

Metrics (Prometheus names in brackets):

    mcp.server.operation.duration   histogram, s   [mcp_server_operation_duration_seconds]
        every MCP request, by mcp.method.name, gen_ai.tool.name, jobmojito.tool.outcome, error.type
    mcp.server.session.duration     histogram, s   sessions that ended
    jobmojito.mcp.sessions          up-down        sessions open (handshake sessions, all transports)
    jobmojito.tool.calls_active     up-down        tool calls in flight, by gen_ai.tool.name
    jobmojito.tool.refusals         counter        invalid arguments refused before sending, by tool
    http.client.request.duration    histogram, s   each JobMojito request attempt, by function
        (url.template), http.response.status_code, error.type
    jobmojito.upstream.retries      counter        attempts that were retries, by function
    jobmojito.auth.failures         counter        401/403: inbound (hosted callers) or upstream
        (JobMojito rejecting the token), by jobmojito.auth.side and mode
    jobmojito.state.fallbacks       counter        quota decisions taken without the shared store
        (--state-url: Redis down or slow), so by this replica's own limits
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx2
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult
from mcp_types.version import SUPPORTED_PROTOCOL_VERSIONS
from opentelemetry import propagate, trace
from opentelemetry.metrics import Histogram
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobmojito_mcp import __version__
from jobmojito_mcp.telemetry.errors import TelemetryError

# The MCP conventions' advisory buckets: 10 ms to 5 minutes (AI generation takes tens of seconds).
DURATION_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
SCOPE = "jobmojito-mcp"

# A tool call's outcome, written by the tool_call hook, read by the request middleware around it.
_outcome: ContextVar[list[str] | None] = ContextVar("jobmojito_tool_outcome", default=None)


class ConfigurationError(TelemetryError):
    """An OTEL_* setting this server cannot honour; the message says which and what to use."""


# The requests an MCP client may send (mcp_types.ClientRequest, every protocol version): the only
# values `mcp.method.name` takes. The method is the caller's to choose; any other is `_OTHER`, so
# a client sending random names cannot grow the series (before: 300 names, 300 series; long names
# made one scrape 713 MB).
KNOWN_METHODS = frozenset(
    {"ping", "initialize", "completion/complete", "logging/setLevel", "prompts/get", "prompts/list",
     "resources/list", "resources/templates/list", "resources/read", "resources/subscribe",
     "resources/unsubscribe", "tools/call", "tools/list", "server/discover", "subscriptions/listen"}
)  # fmt: skip
# Likewise the protocol version: the SDK's own list, anything else `_OTHER`.
KNOWN_VERSIONS = frozenset(SUPPORTED_PROTOCOL_VERSIONS)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Telemetry:
    """The process-wide providers, and the instruments every hook records into."""

    def __init__(
        self, tracer_provider: TracerProvider, meter_provider: MeterProvider, prometheus_registry: Any = None
    ) -> None:
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.prometheus_registry = prometheus_registry
        self.exporters: list[str] = []
        # Process-wide, as OpenTelemetry expects: the SDK's own MCP spans find the provider this way.
        trace.set_tracer_provider(tracer_provider)
        self.tracer = tracer_provider.get_tracer(SCOPE, __version__)
        meter = meter_provider.get_meter(SCOPE, __version__)

        def seconds(name: str, description: str) -> Histogram:
            return meter.create_histogram(
                name, unit="s", description=description, explicit_bucket_boundaries_advisory=DURATION_BUCKETS
            )

        self.operation_duration = seconds(
            "mcp.server.operation.duration", "MCP request duration on the server."
        )
        self.session_duration = seconds("mcp.server.session.duration", "Duration of MCP sessions that ended.")
        self.sessions = meter.create_up_down_counter(
            "jobmojito.mcp.sessions", unit="{session}", description="MCP sessions open."
        )
        self.calls_active = meter.create_up_down_counter(
            "jobmojito.tool.calls_active", unit="{call}", description="Tool calls in flight."
        )
        self.refusals = meter.create_counter(
            "jobmojito.tool.refusals",
            unit="{call}",
            description="Tool calls refused for invalid arguments before anything was sent.",
        )
        self.upstream_duration = seconds("http.client.request.duration", "JobMojito request attempts.")
        self.retries = meter.create_counter(
            "jobmojito.upstream.retries",
            unit="{attempt}",
            description="JobMojito attempts that were retries.",
        )
        self.state_fallbacks = meter.create_counter(
            "jobmojito.state.fallbacks",
            unit="{decision}",
            description="Quota decisions taken by one replica alone: the shared store (Redis) did not answer.",
        )
        self.auth_failures = meter.create_counter(
            "jobmojito.auth.failures",
            unit="{request}",
            description="Authentication failures: inbound callers (hosted) or JobMojito rejecting the token.",
        )

    @classmethod
    def from_environment(
        cls, *, prometheus: bool = False, span_exporter: Any = None, metric_reader: Any = None
    ) -> Telemetry:
        """Providers with the exporters the OTEL_* variables name (OTLP over HTTP, console, none), or the
        given ones; a Prometheus reader too when asked. Sampling, batching, export intervals, headers
        and resource attributes are read from the standard variables by the OpenTelemetry SDK itself."""
        environ = os.environ
        resource = Resource.create(
            {"service.name": environ.get("OTEL_SERVICE_NAME") or SCOPE, "service.version": __version__}
        )
        names: list[str] = []
        tracer_provider = TracerProvider(resource=resource)
        if span_exporter is not None:
            tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
            names.append(f"traces: {type(span_exporter).__name__}")
        else:
            kind = _exporter_choice(environ, "TRACES")
            if kind != "none":
                tracer_provider.add_span_processor(BatchSpanProcessor(_span_exporter(kind)))
                names.append(f"traces: {kind}")
        readers: list[MetricReader] = []
        if metric_reader is not None:
            readers.append(metric_reader)
            names.append(f"metrics: {type(metric_reader).__name__}")
        else:
            kind = _exporter_choice(environ, "METRICS")
            if kind != "none":
                readers.append(PeriodicExportingMetricReader(_metric_exporter(kind)))
                names.append(f"metrics: {kind}")
        registry = None
        if prometheus:
            from jobmojito_mcp.telemetry.prometheus import prometheus_reader

            reader, registry = prometheus_reader()
            readers.append(reader)
            names.append("metrics: prometheus endpoint")
        telemetry = cls(tracer_provider, MeterProvider(resource=resource, metric_readers=readers), registry)
        telemetry.exporters = names
        return telemetry

    def describe(self) -> str:
        return ", ".join(self.exporters) or "no exporter"

    # -----------------------------------------------------------------------------------------
    # Hooks

    @contextmanager
    def tool_call(self, tool: str) -> Iterator[object]:
        attributes = {"gen_ai.tool.name": tool}
        self.calls_active.add(1, attributes)
        outcome = "ok"
        try:
            yield None
        except Exception as failure:
            outcome = _snake(str(getattr(failure, "kind", "") or type(failure).__name__))
            raise
        except BaseException:
            outcome = "cancelled"
            raise
        finally:
            self.calls_active.add(-1, attributes)
            if outcome == "invalid_arguments":
                self.refusals.add(1, attributes)
            trace.get_current_span().set_attribute("jobmojito.tool.outcome", outcome)
            slot = _outcome.get()
            if slot is not None:
                slot.append(outcome)

    @contextmanager
    def upstream_attempt(self, method: str, path: str, base_url: str, retry: int) -> Iterator[_Attempt]:
        url = httpx2.URL(base_url)
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "server.address": url.host,
            "server.port": url.port or (443 if url.scheme == "https" else 80),
            "url.template": path,
        }
        if retry:
            self.retries.add(1, {"url.template": path})
        started = time.perf_counter()
        with self.tracer.start_as_current_span(
            f"{method} {path}",
            kind=SpanKind.CLIENT,
            attributes=attributes | ({"http.request.resend_count": retry} if retry else {}),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            headers: dict[str, str] = {}
            propagate.inject(headers)  # traceparent (and tracestate, baggage) of this attempt's span
            attempt = _Attempt(headers)
            error_type: str | None = None
            try:
                yield attempt
            except Exception as failure:
                status = getattr(failure, "status", None)
                error_type = str(status) if isinstance(status, int) else type(failure).__name__
                raise
            except BaseException:
                error_type = "cancelled"
                raise
            finally:
                if attempt.status is not None:
                    attributes["http.response.status_code"] = attempt.status
                    span.set_attribute("http.response.status_code", attempt.status)
                    if attempt.status in (401, 403):
                        self.auth_failures.add(1, {"jobmojito.auth.side": "upstream"})
                if error_type is not None:
                    attributes["error.type"] = error_type
                    span.set_attribute("error.type", error_type)
                    span.set_status(Status(StatusCode.ERROR))
                self.upstream_duration.record(time.perf_counter() - started, attributes)

    def server_middleware(self, tool_names: Iterable[str], prompt_names: Iterable[str]) -> OperationMetrics:
        return OperationMetrics(self, frozenset(tool_names), frozenset(prompt_names))

    def count_auth_failures(self, app: ASGIApp, mode: str) -> ASGIApp:
        return AuthFailureCounter(app, self, mode)


class _Attempt:
    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = headers
        self.status: int | None = None

    def answered(self, status: int) -> None:
        self.status = status


class OperationMetrics:
    """Server middleware: `mcp.server.operation.duration` for every MCP request, and the sessions count.

    The request's span is the SDK's (outermost middleware); this adds the transport to it and
    records the duration with the tool's outcome, which the tool_call hook leaves in a context slot.
    Tool and prompt names come from the caller: only known ones are recorded, others as `_OTHER`.
    """

    def __init__(
        self, telemetry: Telemetry, tool_names: frozenset[str], prompt_names: frozenset[str]
    ) -> None:
        self._telemetry = telemetry
        self._tools = tool_names
        self._prompts = prompt_names

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        transport = "pipe" if ctx.request is None else "tcp"
        trace.get_current_span().set_attribute("network.transport", transport)
        attributes: dict[str, Any] = {
            "mcp.method.name": ctx.method if ctx.method in KNOWN_METHODS else "_OTHER",
            "mcp.protocol.version": ctx.protocol_version
            if ctx.protocol_version in KNOWN_VERSIONS
            else "_OTHER",
            "network.transport": transport,
        }
        name = (ctx.params or {}).get("name")
        if ctx.method == "tools/call":
            attributes["gen_ai.tool.name"] = name if name in self._tools else "_OTHER"
        elif ctx.method == "prompts/get":
            attributes["gen_ai.prompt.name"] = name if name in self._prompts else "_OTHER"
        slot: list[str] = []
        reset = _outcome.set(slot)
        started = time.perf_counter()
        try:
            result = await call_next(ctx)
        except MCPError as error:
            attributes["error.type"] = str(error.error.code)
            raise
        except Exception as error:
            attributes["error.type"] = type(error).__qualname__
            raise
        else:
            # The result may still be a model or already its wire form, depending on the handler.
            if (isinstance(result, CallToolResult) and result.is_error) or (
                isinstance(result, dict) and result.get("isError") is True
            ):
                attributes["error.type"] = "tool_error"
            if ctx.method == "initialize":
                self._session_opened(ctx, transport)
            return result
        finally:
            _outcome.reset(reset)
            if slot:
                attributes["jobmojito.tool.outcome"] = slot[-1]
            self._telemetry.operation_duration.record(time.perf_counter() - started, attributes)

    def _session_opened(self, ctx: ServerRequestContext[Any, Any], transport: str) -> None:
        # The connection's exit stack is the SDK's seam for "when this session ends" (stdio, SSE and
        # Streamable HTTP alike); the session object exposes it only privately, so absent it, skip.
        connection = getattr(ctx.session, "_connection", None)
        exit_stack = getattr(connection, "exit_stack", None)
        if exit_stack is None:
            return
        attributes = {"network.transport": transport, "mcp.protocol.version": ctx.protocol_version}
        opened = time.perf_counter()
        self._telemetry.sessions.add(1, attributes)

        def closed() -> None:
            self._telemetry.sessions.add(-1, attributes)
            self._telemetry.session_duration.record(time.perf_counter() - opened, attributes)

        exit_stack.callback(closed)


class AuthFailureCounter:
    """ASGI middleware inside the Host/Origin guard: counts the 401/403 answers of inbound auth (MCP
    endpoints and the metrics endpoint alike; the guard's own 421/403 are not auth and not counted)."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry, mode: str) -> None:
        self.app = app
        self._telemetry = telemetry
        self._mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (401, 403):
                self._telemetry.auth_failures.add(
                    1,
                    {
                        "jobmojito.auth.side": "inbound",
                        "jobmojito.auth.mode": self._mode,
                        "http.response.status_code": message["status"],
                    },
                )
            await send(message)

        await self.app(scope, receive, observed)


# ---------------------------------------------------------------------------------------------
# Exporters named by the environment


def _exporter_choice(environ: Mapping[str, str], signal: str) -> str:
    """`otlp`, `console` or `none` for TRACES or METRICS: OTEL_{signal}_EXPORTER, else otlp when an
    OTLP endpoint is set (for all signals or this one), else none."""
    named = environ.get(f"OTEL_{signal}_EXPORTER", "").strip().lower()
    if named:
        choice = named.split(",")[0].strip()
        if choice not in ("otlp", "console", "none"):
            raise ConfigurationError(
                f"OTEL_{signal}_EXPORTER={named}: this server exports otlp (over HTTP), console or none"
            )
        return choice
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    return "otlp" if any(environ.get(name, "").strip() for name in endpoints) else "none"


def _check_protocol(signal: str) -> None:
    for name in ("OTEL_EXPORTER_OTLP_PROTOCOL", f"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL"):
        value = os.environ.get(name, "").strip()
        if value and value != "http/protobuf":
            raise ConfigurationError(
                f"{name}={value}: this server exports OTLP over HTTP (http/protobuf, usually port 4318)"
            )


def _span_exporter(kind: str) -> SpanExporter:
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(out=sys.stderr)  # stdout is the MCP channel on stdio
    _check_protocol("TRACES")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _metric_exporter(kind: str) -> Any:
    if kind == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter(out=sys.stderr)
    _check_protocol("METRICS")
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()
