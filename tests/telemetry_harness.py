"""The server with the OpenTelemetry SDK's in-memory exporters, for tests that drive it over stdio or HTTP.

    python tests/telemetry_harness.py OUT.json [server flags...]

Installs an InMemorySpanExporter and an InMemoryMetricReader through `telemetry.start` (the way
an embedding program brings its own exporters), runs the real command line, and when the server
stops (stdin closed, or SIGTERM drained) writes every finished span and the metrics as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from jobmojito_mcp import cli, telemetry


def main() -> None:
    out, argv = Path(sys.argv[1]), sys.argv[2:]
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    telemetry.start(span_exporter=spans, metric_reader=reader)
    try:
        cli.main(argv)
    finally:
        metrics = reader.get_metrics_data()
        captured = {
            "spans": [json.loads(span.to_json()) for span in spans.get_finished_spans()],
            "metrics": json.loads(metrics.to_json()) if metrics is not None else {},
        }
        out.write_text(json.dumps(captured), encoding="utf-8")


if __name__ == "__main__":
    main()
