"""Command line: flags and subcommands, and nothing else.

jobmojito-mcp [flags]            serve MCP over stdio (what MCP clients launch)
jobmojito-mcp --sandbox          the same, against the built-in simulator (no token, no network)
jobmojito-mcp sandbox --port N   serve the simulator alone over HTTP, for other clients and tests
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from jobmojito_mcp import __version__

_ENV_NOTE = "Every flag has an environment variable (shown in brackets); a .env file in the working directory is read too."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobmojito-mcp",
        description="MCP server for JobMojito AI job interviews. With no subcommand, serves MCP over stdio.",
        epilog=_ENV_NOTE,
    )
    parser.add_argument("--version", action="version", version=f"jobmojito-mcp {__version__}")
    parser.add_argument(
        "--token", help="JobMojito access token [JOBMOJITO_TOKEN]; prefer the variable: flags show in `ps`"
    )
    parser.add_argument("--base-url", help="JobMojito functions API URL [JOBMOJITO_BASE_URL]")
    parser.add_argument(
        "--timeout", type=float, help="read timeout, seconds (default 120) [JOBMOJITO_TIMEOUT]"
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        help="connect timeout, seconds (default 10) [JOBMOJITO_CONNECT_TIMEOUT]",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        help="log level, logs go to stderr (default INFO) [JOBMOJITO_LOG_LEVEL]",
    )
    parser.add_argument(
        "--log-format", choices=["text", "json"], help="log line format [JOBMOJITO_LOG_FORMAT]"
    )
    parser.add_argument(
        "--sandbox",
        action="store_const",
        const=True,
        help="serve against the built-in JobMojito simulator: no token, no network [JOBMOJITO_SANDBOX]",
    )
    parser.add_argument(
        "--sandbox-db", metavar="PATH", help="SQLite file keeping sandbox state [JOBMOJITO_SANDBOX_DB]"
    )

    hosting = parser.add_argument_group("hosting (HTTP transports)")
    hosting.add_argument(
        "--transport",
        choices=["stdio", "streamable-http", "sse", "http"],
        help="stdio (default); streamable-http at /mcp; sse at /sse; http serves both [JOBMOJITO_MCP_TRANSPORT]",
    )
    hosting.add_argument("--host", help="bind address (default 127.0.0.1) [JOBMOJITO_MCP_HOST]")
    hosting.add_argument("--port", type=int, help="port (default 8000) [JOBMOJITO_MCP_PORT]")
    hosting.add_argument(
        "--auth",
        choices=["none", "api-key", "jobmojito-jwt"],
        help="inbound auth: none (loopback only), api-key, jobmojito-jwt (callers' own tokens) [JOBMOJITO_MCP_AUTH]",
    )
    hosting.add_argument(
        "--api-keys-file", metavar="PATH", help="inbound API keys, one per line [JOBMOJITO_MCP_API_KEYS_FILE]"
    )
    hosting.add_argument(
        "--allowed-hosts",
        metavar="LIST",
        help="comma-separated Host values, e.g. mcp.example.com [JOBMOJITO_MCP_ALLOWED_HOSTS]",
    )
    hosting.add_argument(
        "--allowed-origins",
        metavar="LIST",
        help="comma-separated browser Origins [JOBMOJITO_MCP_ALLOWED_ORIGINS]",
    )
    hosting.add_argument(
        "--public-url", metavar="URL", help="this server's URL as clients reach it [JOBMOJITO_MCP_PUBLIC_URL]"
    )
    hosting.add_argument(
        "--stateless",
        action="store_const",
        const=True,
        help="no server-side sessions: any replica answers any request [JOBMOJITO_MCP_STATELESS]",
    )
    hosting.add_argument(
        "--shutdown-grace",
        type=float,
        metavar="SECONDS",
        help="in-flight calls get this long on SIGTERM (default 20) [JOBMOJITO_MCP_SHUTDOWN_GRACE]",
    )
    hosting.add_argument(
        "--allow-public-without-auth",
        action="store_const",
        const=True,
        help="serve a non-loopback address with --auth none (only behind a proxy that authenticates) [JOBMOJITO_MCP_ALLOW_PUBLIC_WITHOUT_AUTH]",
    )
    hosting.add_argument(
        "--jwks-url",
        help="JWKS for verifying callers' tokens (default: <auth server>/.well-known/jwks.json) [JOBMOJITO_JWKS_URL]",
    )
    hosting.add_argument(
        "--jwt-issuer", help="expected token issuer (default: <base URL host>/auth/v1) [JOBMOJITO_JWT_ISSUER]"
    )
    hosting.add_argument(
        "--jwt-audience", help="expected token audience (default authenticated) [JOBMOJITO_JWT_AUDIENCE]"
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the JobMojito simulator alone over HTTP",
        description="Serve the JobMojito simulator.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    sandbox.add_argument(
        "--sandbox-db", dest="sandbox_db_sub", metavar="PATH", help="SQLite file keeping state"
    )
    sandbox.add_argument(
        "--accept-token",
        action="append",
        metavar="TOKEN",
        help="accept only these bearer tokens (repeatable); default: any non-empty token",
    )
    sandbox.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from jobmojito_mcp.sandbox import serve

        tokens = frozenset(args.accept_token) if args.accept_token else None
        serve(
            args.host,
            args.port,
            tokens=tokens,
            db_path=args.sandbox_db_sub or args.sandbox_db,
            latency=args.latency,
        )
        return

    import anyio

    from jobmojito_mcp.config import load_settings
    from jobmojito_mcp.logs import configure_logging

    try:
        settings = load_settings(
            token=args.token,
            base_url=args.base_url,
            timeout=args.timeout,
            connect_timeout=args.connect_timeout,
            log_level=args.log_level,
            log_format=args.log_format,
            sandbox=args.sandbox,
            sandbox_db=args.sandbox_db,
            mcp_transport=args.transport,
            mcp_host=args.host,
            mcp_port=args.port,
            mcp_auth=args.auth,
            mcp_api_keys_file=args.api_keys_file,
            mcp_allowed_hosts=args.allowed_hosts,
            mcp_allowed_origins=args.allowed_origins,
            mcp_public_url=args.public_url,
            mcp_stateless=args.stateless,
            mcp_shutdown_grace=args.shutdown_grace,
            mcp_allow_public_without_auth=args.allow_public_without_auth,
            jwks_url=args.jwks_url,
            jwt_issuer=args.jwt_issuer,
            jwt_audience=args.jwt_audience,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        sys.exit(f"jobmojito-mcp: invalid configuration: {problems}")
    configure_logging(settings.log_level, settings.log_format)
    if settings.mcp_transport == "stdio":
        from jobmojito_mcp.server import serve_stdio

        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(serve_stdio, settings)
        return
    # Only the hosted path pays for importing uvicorn and the auth stack.
    from jobmojito_mcp.hosting import ConfigurationRefused, serve_http

    try:
        anyio.run(serve_http, settings)
    except ConfigurationRefused as refusal:
        sys.exit(f"jobmojito-mcp: {refusal}")
    except OSError as exc:  # e.g. the port is taken
        sys.exit(
            f"jobmojito-mcp: cannot serve on {settings.mcp_host}:{settings.mcp_port}: {exc.strerror or exc}"
        )
