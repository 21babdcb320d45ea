"""The hosted endpoint: MCP over Streamable HTTP and SSE, for many callers.

    app      the HTTP app and server: transports, Host/Origin guard, probes, draining shutdown
    auth     inbound authentication: API keys, JobMojito JWTs, per-caller credentials
    quotas   per-caller sessions, streams, rate and calls in progress
    limits   the connection limit and the request-head and body deadlines
    workers  `--workers N`: several server processes on one port, supervised

Never imported on the stdio path. Import from the modules; this package loads none of them by itself.
"""
