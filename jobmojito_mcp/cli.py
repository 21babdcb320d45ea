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
    from jobmojito_mcp.server import serve_stdio

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
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        sys.exit(f"jobmojito-mcp: invalid configuration: {problems}")
    configure_logging(settings.log_level, settings.log_format)
    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(serve_stdio, settings)
