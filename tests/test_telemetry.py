"""Traces and metrics (the `otel` extra), captured as operators get them.

Spans and metrics come from the OpenTelemetry SDK's in-memory exporters inside a real server
subprocess (tests/telemetry_harness.py) driven over stdio and Streamable HTTP; the OTLP export is
received over HTTP from the standard OTEL_* variables; the Prometheus endpoint is parsed by
prometheus_client's own parser. The sandbox journal shows the trace context JobMojito received.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import (
    COOKBOOK,
    TOKEN,
    http_mcp_client,
    http_server,
    server_env,
    stdio_server,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

HARNESS = [str(Path(__file__).parent / "telemetry_harness.py")]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"
UNKNOWN_ID = "5d0c9f3e-8a1b-4c2d-9e7f-0a1b2c3d4e5f"
CREATE_ARGS = COOKBOOK["create_interview"] | {"interview_template_id": DEFAULT_TEMPLATE_ID}
API_KEY = "telemetry-key-8c1d4e7a2b"


def traced(**extra: Any) -> dict[str, Any]:
    """Request `_meta` carrying the caller's W3C trace context (SEP-414: unprefixed keys)."""
    return {"traceparent": TRACEPARENT, **extra}


def by_name(spans: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [span for span in spans if span["name"] == name]


def children(spans: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [span for span in spans if span["parent_id"] == parent["context"]["span_id"]]


def points(captured: dict[str, Any], metric: str) -> list[dict[str, Any]]:
    """Every data point of `metric` in the in-memory reader's dump."""
    return [
        point
        for resource in captured["metrics"].get("resource_metrics", [])
        for scope in resource["scope_metrics"]
        for entry in scope["metrics"]
        if entry["name"] == metric
        for point in entry["data"]["data_points"]
    ]


def point(captured: dict[str, Any], metric: str, **attributes: Any) -> dict[str, Any]:
    """The one data point of `metric` whose attributes include these."""
    matching = [p for p in points(captured, metric) if attributes.items() <= p["attributes"].items()]
    assert len(matching) == 1, (metric, attributes, points(captured, metric))
    return matching[0]


def no_payload_anywhere(spans: list[dict[str, Any]], *secrets: str) -> None:
    """No attribute of any span carries an argument, a result or the token."""
    for span in spans:
        values = json.dumps([span["attributes"], span["status"], span["events"]])
        for secret in secrets:
            assert secret not in values, (span["name"], secret)


# ---------------------------------------------------------------------------------------------
# stdio


async def test_stdio_spans_follow_the_callers_trace_and_reach_jobmojito(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.clear_requests()
    out = tmp_path / "telemetry.json"
    sandbox.inject("merchant-avatar-list", "status", status=503, times=1)  # one retry, then 200
    launcher = [*HARNESS, str(out)]
    # The handshake era (initialize): a session to count. (2026-07-28 requests stand alone: no session.)
    async with stdio_server(server_env(sandbox.base_url), [], launcher=launcher, mode="legacy") as server:
        listed = await server.client.call_tool("list_avatars", {"limit": 1}, meta=traced())
        refused = await server.client.call_tool(
            "create_interview", CREATE_ARGS | {"status": "live"}, meta=traced()
        )
        missing = await server.client.call_tool(
            "get_interview_definition", {"position_id": UNKNOWN_ID}, meta=traced()
        )
    assert not listed.is_error and refused.is_error and missing.is_error, text_of(listed)
    captured = json.loads(out.read_text("utf-8"))
    spans = captured["spans"]

    # One SERVER span per MCP request, in the caller's trace, parented on the caller's span.
    (call,) = by_name(spans, "tools/call list_avatars")
    assert call["kind"] == "SpanKind.SERVER"
    assert call["context"]["trace_id"] == f"0x{TRACE_ID}" and call["parent_id"] == f"0x{CALLER_SPAN}"
    assert (
        call["attributes"].items()
        >= {
            "mcp.method.name": "tools/call",
            "gen_ai.tool.name": "list_avatars",
            "gen_ai.operation.name": "execute_tool",
            "network.transport": "pipe",
            "jobmojito.tool.outcome": "ok",
        }.items()
    )
    assert by_name(spans, "initialize")

    # A CLIENT child per upstream attempt: the 503, then the retry.
    attempts = sorted(children(spans, call), key=lambda span: span["start_time"])
    assert [a["name"] for a in attempts] == ["GET /merchant-avatar-list"] * 2
    assert all(a["kind"] == "SpanKind.CLIENT" for a in attempts)
    first, retry = (a["attributes"] for a in attempts)
    assert first["http.response.status_code"] == 503 and first["error.type"] == "503"
    assert "http.request.resend_count" not in first
    assert retry["http.response.status_code"] == 200 and retry["http.request.resend_count"] == 1
    assert retry["url.template"] == "/merchant-avatar-list" and retry["http.request.method"] == "GET"

    # JobMojito (the sandbox) received each attempt's own span as its parent (W3C traceparent).
    received = [r.headers.get("traceparent") for r in sandbox.requests("merchant-avatar-list")]
    sent = [f"00-{TRACE_ID}-{a['context']['span_id'][2:]}-01" for a in attempts]
    assert received == sent

    # A refusal is a tool error with its own outcome, and nothing went upstream.
    (refusal,) = by_name(spans, "tools/call create_interview")
    assert refusal["attributes"]["error.type"] == "tool_error"
    assert refusal["attributes"]["jobmojito.tool.outcome"] == "invalid_arguments"
    assert refusal["status"]["status_code"] == "ERROR" and children(spans, refusal) == []
    (lookup,) = by_name(spans, "tools/call get_interview_definition")
    assert lookup["attributes"]["jobmojito.tool.outcome"] == "not_found"
    (get,) = children(spans, lookup)
    assert get["attributes"]["http.response.status_code"] == 404 and get["attributes"]["error.type"] == "404"
    no_payload_anywhere(spans, TOKEN, UNKNOWN_ID, CREATE_ARGS["name"], CREATE_ARGS["description"])

    # Metrics: by method, tool and outcome; refusals; upstream status and retries; nothing left open.
    ok = point(captured, "mcp.server.operation.duration", **{"gen_ai.tool.name": "list_avatars"})
    assert ok["count"] == 1 and ok["attributes"]["jobmojito.tool.outcome"] == "ok"
    assert ok["attributes"]["mcp.method.name"] == "tools/call" and "error.type" not in ok["attributes"]
    bad = point(captured, "mcp.server.operation.duration", **{"gen_ai.tool.name": "create_interview"})
    assert bad["attributes"]["error.type"] == "tool_error"
    assert point(captured, "mcp.server.operation.duration", **{"mcp.method.name": "initialize"})["count"] == 1
    assert (
        point(captured, "jobmojito.tool.refusals", **{"gen_ai.tool.name": "create_interview"})["value"] == 1
    )
    assert (
        point(captured, "jobmojito.upstream.retries", **{"url.template": "/merchant-avatar-list"})["value"]
        == 1
    )
    statuses = {
        p["attributes"].get("http.response.status_code"): p["count"]
        for p in points(captured, "http.client.request.duration")
    }
    assert statuses == {503: 1, 200: 1, 404: 1}
    assert {p["value"] for p in points(captured, "jobmojito.tool.calls_active")} == {0}
    assert point(captured, "jobmojito.mcp.sessions", **{"network.transport": "pipe"})["value"] == 0
    assert point(captured, "mcp.server.session.duration", **{"network.transport": "pipe"})["count"] == 1


# ---------------------------------------------------------------------------------------------
# Streamable HTTP


async def test_http_spans_metrics_and_inbound_auth_failures(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sandbox.clear_requests()
    out = tmp_path / "telemetry.json"
    env = server_env(sandbox.base_url, LOG_LEVEL="INFO") | {"JOBMOJITO_MCP_API_KEYS": API_KEY}
    args = ["--transport", "streamable-http", "--auth", "api-key"]
    async with http_server(env, args, launcher=[*HARNESS, str(out)]) as server:
        async with httpx2.AsyncClient() as http:
            denied = await http.post(f"{server.url}/mcp", headers={"Authorization": "Bearer wrong"}, json={})
        assert denied.status_code == 401
        bearer = {"Authorization": f"Bearer {API_KEY}"}
        async with http_mcp_client(server.url, "streamable-http", bearer) as client:
            created = await client.call_tool("create_interview", CREATE_ARGS, meta=traced())
            assert not created.is_error, text_of(created)
        async with http_mcp_client(server.url, "streamable-http", bearer, mode="legacy") as client:
            await client.list_tools()  # a handshake session, opened and closed (DELETE)
    captured = json.loads(out.read_text("utf-8"))  # written when SIGTERM drained the server
    spans = captured["spans"]

    (call,) = by_name(spans, "tools/call create_interview")
    assert call["context"]["trace_id"] == f"0x{TRACE_ID}" and call["parent_id"] == f"0x{CALLER_SPAN}"
    assert call["attributes"]["network.transport"] == "tcp"
    (attempt,) = children(spans, call)
    assert attempt["name"] == "POST /job-interview-create"
    (request,) = sandbox.requests("job-interview-create")
    assert request.headers["traceparent"] == f"00-{TRACE_ID}-{attempt['context']['span_id'][2:]}-01"
    assert request.json() == CREATE_ARGS  # the trace context travels in a header, never in the body
    no_payload_anywhere(spans, TOKEN, API_KEY, CREATE_ARGS["name"], CREATE_ARGS["location"])

    created_point = point(
        captured, "mcp.server.operation.duration", **{"gen_ai.tool.name": "create_interview"}
    )
    assert created_point["attributes"]["network.transport"] == "tcp"
    failure = point(captured, "jobmojito.auth.failures", **{"jobmojito.auth.side": "inbound"})
    assert failure["value"] == 1 and failure["attributes"]["jobmojito.auth.mode"] == "api-key"
    # The client closed its session (DELETE): the gauge is back to zero and the session was timed.
    assert point(captured, "jobmojito.mcp.sessions", **{"network.transport": "tcp"})["value"] == 0
    assert point(captured, "mcp.server.session.duration", **{"network.transport": "tcp"})["count"] == 1


# ---------------------------------------------------------------------------------------------
# OTLP export, configured by the standard environment variables


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, dict[str, list[bytes]]]]:
    """A collector stand-in: accepts OTLP/HTTP posts on a port it binds itself, keeps the bodies."""
    received: dict[str, list[bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.setdefault(self.path, []).append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_otlp_export_from_the_standard_environment(sandbox: RunningSandbox) -> None:
    with otlp_receiver() as (endpoint, received):
        env = server_env(sandbox.base_url) | {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_SERVICE_NAME": "mcp-under-test",
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test",
        }
        async with stdio_server(env) as server:
            result = await server.client.call_tool("list_avatars", {"limit": 1}, meta=traced())
            assert not result.is_error
        # The batch exporters flush when the server exits (stdin closed).
    assert set(received) == {"/v1/traces", "/v1/metrics"}, list(received)
    spans, resources = [], []
    for body in received["/v1/traces"]:
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            resources.append({kv.key: kv.value.string_value for kv in resource_spans.resource.attributes})
            spans += [span for scope in resource_spans.scope_spans for span in scope.spans]
    names = {span.name for span in spans}
    assert {"tools/call list_avatars", "GET /merchant-avatar-list"} <= names
    assert {span.trace_id.hex() for span in spans if span.name == "tools/call list_avatars"} == {TRACE_ID}
    assert all(
        r["service.name"] == "mcp-under-test" and r["deployment.environment"] == "test" for r in resources
    )
    metric_names = {
        metric.name
        for body in received["/v1/metrics"]
        for resource_metrics in ExportMetricsServiceRequest.FromString(body).resource_metrics
        for scope in resource_metrics.scope_metrics
        for metric in scope.metrics
    }
    assert {"mcp.server.operation.duration", "http.client.request.duration"} <= metric_names


# ---------------------------------------------------------------------------------------------
# Prometheus scrape endpoint (--metrics)


def scrape(text: str) -> dict[str, Any]:
    """prometheus_client's own parser: family name -> family (raises on anything malformed)."""
    return {family.name: family for family in text_string_to_metric_families(text)}


def samples(family: Any, suffix: str = "", **labels: str) -> list[Any]:
    return [
        s for s in family.samples if s.name == family.name + suffix and labels.items() <= s.labels.items()
    ]


async def test_prometheus_endpoint_on_the_mcp_port(sandbox: RunningSandbox) -> None:
    async with http_server(server_env(sandbox.base_url), ["--transport", "http", "--metrics"]) as server:
        async with http_mcp_client(server.url, "streamable-http") as client:
            assert not (await client.call_tool("list_avatars", {"limit": 1})).is_error
            assert (await client.call_tool("list_avatars", {"limit": "many"})).is_error
        async with httpx2.AsyncClient() as http:
            answer = await http.get(f"{server.url}/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    families = scrape(answer.text)
    operations = families["mcp_server_operation_duration_seconds"]
    assert operations.type == "histogram"
    (ok,) = samples(operations, "_count", gen_ai_tool_name="list_avatars", jobmojito_tool_outcome="ok")
    assert ok.value == 1 and ok.labels["mcp_method_name"] == "tools/call"
    (refused,) = samples(operations, "_count", jobmojito_tool_outcome="invalid_arguments")
    assert refused.labels["error_type"] == "tool_error"
    (refusals,) = samples(families["jobmojito_tool_refusals"], "_total", gen_ai_tool_name="list_avatars")
    assert refusals.value == 1
    upstream = families["http_client_request_duration_seconds"]
    (sent,) = samples(upstream, "_count", url_template="/merchant-avatar-list")
    assert sent.value == 1 and sent.labels["http_response_status_code"] == "200"
    assert "process_resident_memory_bytes" in families


async def test_prometheus_endpoint_on_its_own_listener(sandbox: RunningSandbox) -> None:
    args = ["--transport", "streamable-http", "--metrics", "127.0.0.1:0"]
    async with http_server(server_env(sandbox.base_url), args) as server:
        async with http_mcp_client(server.url, "streamable-http") as client:
            assert not (await client.call_tool("list_avatars", {"limit": 1})).is_error
        printed = [
            line for line in server.stderr().splitlines() if line.startswith("jobmojito-mcp metrics on ")
        ]
        assert len(printed) == 1, server.stderr()[-2000:]
        url = printed[0].rsplit(" ", 1)[1]
        async with httpx2.AsyncClient() as http:
            answer = await http.get(url)
            elsewhere = await http.get(url.replace("/metrics", "/mcp"))
            not_on_mcp_port = await http.get(f"{server.url}/metrics")
    assert answer.status_code == 200
    assert samples(
        scrape(answer.text)["mcp_server_operation_duration_seconds"],
        "_count",
        gen_ai_tool_name="list_avatars",
    )
    assert elsewhere.status_code == 404 and not_on_mcp_port.status_code == 404


def test_metrics_are_never_public_without_a_token(sandbox: RunningSandbox) -> None:
    env = server_env(sandbox.base_url) | {"JOBMOJITO_MCP_API_KEYS": API_KEY}
    for where in ("/metrics", "0.0.0.0:0"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "jobmojito_mcp",
                "--transport",
                "http",
                "--auth",
                "api-key",
                "--metrics",
                where,
            ]
            + (["--host", "0.0.0.0"] if where.startswith("/") else []),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0, done.stderr
        assert "refusing to serve metrics without authentication" in done.stderr, done.stderr
        assert "JOBMOJITO_MCP_METRICS_TOKEN" in done.stderr and "Traceback" not in done.stderr


async def test_public_metrics_need_the_token(sandbox: RunningSandbox) -> None:
    metrics_token = "scrape-token-2f7c9a1e4d"
    env = server_env(sandbox.base_url) | {
        "JOBMOJITO_MCP_API_KEYS": API_KEY,
        "JOBMOJITO_MCP_METRICS_TOKEN": metrics_token,
    }
    args = ["--transport", "http", "--auth", "api-key", "--host", "0.0.0.0", "--metrics"]
    async with http_server(env, args) as server, httpx2.AsyncClient() as http:
        url = server.url.replace("0.0.0.0", "127.0.0.1")
        anonymous = await http.get(f"{url}/metrics")
        with_api_key = await http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {API_KEY}"})
        scraper = await http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
        logged = server.stderr()
    assert metrics_token not in logged
    assert anonymous.status_code == 401 and with_api_key.status_code == 401
    assert scraper.status_code == 200
    # The two refused scrapes are themselves counted as inbound authentication failures.
    (failures,) = samples(
        scrape(scraper.text)["jobmojito_auth_failures"], "_total", jobmojito_auth_side="inbound"
    )
    assert failures.value == 2 and failures.labels["http_response_status_code"] == "401"


# ---------------------------------------------------------------------------------------------
# Off by default, and then free


def test_off_by_default_nothing_more_is_imported() -> None:
    """Without OTEL_* or --metrics, the server loads no OpenTelemetry module the bare SDK does not."""
    probe = (
        "import sys, anyio\n"
        "import mcp.server.mcpserver\n"
        "bare = {m for m in sys.modules if m.startswith(('opentelemetry', 'prometheus'))}\n"
        "from jobmojito_mcp import cli, telemetry\n"
        "from jobmojito_mcp.config import Settings\n"
        "from jobmojito_mcp.server import build_server, open_upstream\n"
        "telemetry.start_for(Settings())\n"
        "async def run():\n"
        "    async with open_upstream(Settings(sandbox=True)) as (upstream, token):\n"
        "        build_server(upstream, lambda ctx: token)\n"
        "anyio.run(run)\n"
        "ours = {m for m in sys.modules if m.startswith(('opentelemetry', 'prometheus'))}\n"
        "print(sorted(ours - bare), telemetry.active())\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] None"


async def test_off_by_default_nothing_is_added_upstream(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    async with stdio_server(server_env(sandbox.base_url)) as server:
        assert not (await server.client.call_tool("list_avatars", {"limit": 1}, meta=traced())).is_error
    (request,) = sandbox.requests()
    assert "traceparent" not in request.headers


async def test_an_unusable_otel_export_leaves_it_off_with_a_warning(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """An OTEL_* export set machine-wide does not stop a server that cannot honour it."""
    env = server_env(sandbox.base_url) | {"OTEL_TRACES_EXPORTER": "zipkin"}
    async with stdio_server(env) as server:
        assert not (await server.client.call_tool("list_avatars", {"limit": 1})).is_error
        assert (
            "telemetry, but it stays off" in server.stderr()
            and "OTEL_TRACES_EXPORTER=zipkin" in server.stderr()
        )
