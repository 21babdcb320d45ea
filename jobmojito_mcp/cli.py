"""Command line: flags and subcommands, and nothing else.

jobmojito-mcp [flags]                 serve MCP over stdio (what MCP clients launch)
jobmojito-mcp --sandbox               the same, against the built-in simulator (no token, no network)
jobmojito-mcp --transport http        serve over HTTP (see --help for hosting flags)
jobmojito-mcp login                   sign in to JobMojito in the browser, once; the server keeps it fresh
jobmojito-mcp logout                  revoke and forget that sign-in
jobmojito-mcp check                   who is signed in, until when, and whether everything works
jobmojito-mcp call TOOL [k=v ...]     run one tool from the shell and print its result
jobmojito-mcp tools                   list the tools
jobmojito-mcp sandbox --port N        serve the simulator alone over HTTP
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jobmojito_mcp import __version__

if TYPE_CHECKING:
    from jobmojito_mcp.config import Settings

_ENV_NOTE = (
    "Every flag has an environment variable (in brackets). No .env file is read unless named with --env-file."
)

# (flag, settings field, argparse options): one list, shared by the main command and its subcommands.
_CONFIG_FLAGS: list[tuple[str, str, dict[str, Any]]] = [
    ("--token", "token", {"help": "a fixed JobMojito access token instead of a sign-in; it expires within the hour [JOBMOJITO_TOKEN]"}),
    ("--base-url", "base_url", {"help": "JobMojito functions API URL [JOBMOJITO_BASE_URL]"}),
    ("--auth-url", "auth_url", {"metavar": "URL", "help": "JobMojito's authorization server (default: JobMojito's for the production API, else <API origin>/auth/v1) [JOBMOJITO_AUTH_URL]"}),
    ("--credentials-file", "credentials_file", {"metavar": "PATH", "help": "where `login` keeps the sign-in (default: the user's config directory) [JOBMOJITO_CREDENTIALS_FILE]"}),
    ("--timeout", "timeout", {"type": float, "help": "read timeout, seconds (default 120) [JOBMOJITO_TIMEOUT]"}),
    ("--connect-timeout", "connect_timeout", {"type": float, "help": "connect timeout, seconds (default 10) [JOBMOJITO_CONNECT_TIMEOUT]"}),
    ("--log-level", "log_level", {"type": str.upper, "choices": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], "help": "log level; logs go to stderr (default INFO) [JOBMOJITO_LOG_LEVEL]"}),
    ("--log-format", "log_format", {"choices": ["text", "json"], "help": "log line format [JOBMOJITO_LOG_FORMAT]"}),
    ("--log-payloads", "log_payloads", {"action": "store_const", "const": True, "help": "also log tool arguments and results, which hold personal data (off: tool names, ids, sizes and timings only) [JOBMOJITO_LOG_PAYLOADS]"}),
    ("--sandbox", "sandbox", {"action": "store_const", "const": True, "help": "use the built-in JobMojito simulator: no token, no network [JOBMOJITO_SANDBOX]"}),
    ("--sandbox-db", "sandbox_db", {"metavar": "PATH", "help": "SQLite file keeping sandbox state [JOBMOJITO_SANDBOX_DB]"}),
    ("--read-only", "read_only", {"action": "store_const", "const": True, "help": "expose only the read tools [JOBMOJITO_READ_ONLY]"}),
    ("--tools", "tools", {"metavar": "LIST", "help": "expose only these tools, comma-separated [JOBMOJITO_TOOLS]"}),
    ("--toolsets", "toolsets", {"metavar": "LIST", "help": "expose only these toolsets, comma-separated: interviews, candidates, results, account, screening, knowledge [JOBMOJITO_TOOLSETS]"}),
    ("--files-root", "files_roots", {"action": "append", "metavar": "DIR", "help": "let tools send local files from inside DIR (repeatable; stdio only; none by default; the variable takes several, os.pathsep-separated) [JOBMOJITO_FILES_ROOTS]"}),
    ("--max-file-bytes", "max_file_bytes", {"type": int, "metavar": "N", "help": "largest file a tool sends, in bytes (default 10485760, 10 MB) [JOBMOJITO_MAX_FILE_BYTES]"}),
    ("--confirm-without-asking", "confirm_without_asking", {"action": "store_const", "const": True, "help": "where the client cannot ask its user (no elicitation), let calls that delete, e-mail people, erase a decision, grant access or spend credits go ahead unasked instead of refusing them [JOBMOJITO_CONFIRM_WITHOUT_ASKING]"}),
    ("--sandbox-auto-take", "sandbox_auto_take", {"type": float, "metavar": "SECONDS", "help": "with --sandbox: registered candidates take the interview this long after registering [JOBMOJITO_SANDBOX_AUTO_TAKE]"}),
]  # fmt: skip
_HOSTING_FLAGS: list[tuple[str, str, dict[str, Any]]] = [
    ("--transport", "mcp_transport", {"choices": ["stdio", "streamable-http", "sse", "http"], "help": "stdio (default); streamable-http at /mcp; sse at /sse; http serves both [JOBMOJITO_MCP_TRANSPORT]"}),
    ("--host", "mcp_host", {"help": "bind address (default 127.0.0.1) [JOBMOJITO_MCP_HOST]"}),
    ("--port", "mcp_port", {"type": int, "help": "port (default 8000; 0: any free port, printed on stderr) [JOBMOJITO_MCP_PORT]"}),
    ("--auth", "mcp_auth", {"choices": ["none", "api-key", "jobmojito-jwt"], "help": "inbound auth: none (loopback only), api-key, jobmojito-jwt (callers' own tokens) [JOBMOJITO_MCP_AUTH]"}),
    ("--api-keys-file", "mcp_api_keys_file", {"metavar": "PATH", "help": "inbound API keys, one per line [JOBMOJITO_MCP_API_KEYS_FILE]"}),
    ("--allowed-hosts", "mcp_allowed_hosts", {"metavar": "LIST", "help": "accepted Host values, comma-separated [JOBMOJITO_MCP_ALLOWED_HOSTS]"}),
    ("--allowed-origins", "mcp_allowed_origins", {"metavar": "LIST", "help": "accepted browser Origins, comma-separated [JOBMOJITO_MCP_ALLOWED_ORIGINS]"}),
    ("--public-url", "mcp_public_url", {"metavar": "URL", "help": "this server's URL as clients reach it [JOBMOJITO_MCP_PUBLIC_URL]"}),
    ("--stateless", "mcp_stateless", {"action": "store_const", "const": True, "help": "no server-side sessions: any replica answers any request [JOBMOJITO_MCP_STATELESS]"}),
    ("--workers", "mcp_workers", {"type": int, "metavar": "N", "help": "N server processes on one port, e.g. one per core (needs --transport streamable-http --stateless) [JOBMOJITO_MCP_WORKERS]"}),
    ("--state-url", "mcp_state_url", {"metavar": "URL", "help": "redis://... : per-caller quotas and refused tokens shared by all replicas, needs the redis extra (unset: kept in this process) [JOBMOJITO_MCP_STATE_URL]"}),
    ("--state-lease", "mcp_state_lease", {"type": float, "metavar": "SECONDS", "help": "with --state-url: a replica that dies has its counts expire after this long (default 30) [JOBMOJITO_MCP_STATE_LEASE]"}),
    ("--state-timeout", "mcp_state_timeout", {"type": float, "metavar": "SECONDS", "help": "with --state-url: wait at most this long for Redis, then decide with this replica's own limits (default 0.25) [JOBMOJITO_MCP_STATE_TIMEOUT]"}),
    ("--replica-name", "mcp_replica_name", {"metavar": "NAME", "help": "session ids issued here start with NAME. so a balancer can route a session to its replica; a session of another replica gets 404 saying so [JOBMOJITO_MCP_REPLICA_NAME]"}),
    ("--shutdown-grace", "mcp_shutdown_grace", {"type": float, "metavar": "SECONDS", "help": "in-flight calls get this long on SIGTERM (default 20) [JOBMOJITO_MCP_SHUTDOWN_GRACE]"}),
    ("--metrics", "mcp_metrics", {"nargs": "?", "const": "/metrics", "metavar": "WHERE", "help": "serve Prometheus metrics at a path on the MCP port (default /metrics) or on [HOST:]PORT of their own; off loopback they need JOBMOJITO_MCP_METRICS_TOKEN; needs the otel extra [JOBMOJITO_MCP_METRICS]"}),
    ("--allow-public-without-auth", "mcp_allow_public_without_auth", {"action": "store_const", "const": True, "help": "permit --auth none off loopback (only behind an authenticating proxy) [JOBMOJITO_MCP_ALLOW_PUBLIC_WITHOUT_AUTH]"}),
    ("--connection-limit", "mcp_connection_limit", {"type": int, "metavar": "N", "help": "open connections at most; at the limit the one idle longest makes room (default 4096, and below the file limit) [JOBMOJITO_MCP_CONNECTION_LIMIT]"}),
    ("--header-timeout", "mcp_header_timeout", {"type": float, "metavar": "SECONDS", "help": "a connection sends its request head within this long or is closed (default 10) [JOBMOJITO_MCP_HEADER_TIMEOUT]"}),
    ("--body-timeout", "mcp_body_timeout", {"type": float, "metavar": "SECONDS", "help": "a request's body arrives within this long of its head or the connection is closed (default 60) [JOBMOJITO_MCP_BODY_TIMEOUT]"}),
    ("--session-idle-timeout", "mcp_session_idle_timeout", {"type": float, "metavar": "SECONDS", "help": "close Streamable HTTP sessions unused for this long (default 300) [JOBMOJITO_MCP_SESSION_IDLE_TIMEOUT]"}),
    ("--caller-sessions", "mcp_caller_sessions", {"type": int, "metavar": "N", "help": "open sessions per caller (API key or signed-in user; default 100) [JOBMOJITO_MCP_CALLER_SESSIONS]"}),
    ("--caller-streams", "mcp_caller_streams", {"type": int, "metavar": "N", "help": "open SSE streams per caller (default 100) [JOBMOJITO_MCP_CALLER_STREAMS]"}),
    ("--caller-calls", "mcp_caller_calls", {"type": int, "metavar": "N", "help": "tool calls in progress per caller, at most half the upstream pool (default 10) [JOBMOJITO_MCP_CALLER_CALLS]"}),
    ("--caller-rate", "mcp_caller_rate", {"type": float, "metavar": "PER_SECOND", "help": "HTTP requests per second per caller, bursts of 5 s worth (default 20) [JOBMOJITO_MCP_CALLER_RATE]"}),
    ("--jwks-url", "jwks_url", {"help": "JWKS for callers' tokens (default: from the auth server's metadata, else <auth server>/.well-known/jwks.json) [JOBMOJITO_JWKS_URL]"}),
    ("--jwt-issuer", "jwt_issuer", {"help": "expected token issuer (default: from the auth server's metadata) [JOBMOJITO_JWT_ISSUER]"}),
    ("--jwt-client-ids", "jwt_client_ids", {"metavar": "LIST", "help": "accept only tokens issued to these OAuth clients (client_id or azp claim), comma-separated (default: any client's) [JOBMOJITO_JWT_CLIENT_IDS]"}),
    ("--jwt-audience", "jwt_audience", {"help": "expected token audience (default authenticated) [JOBMOJITO_JWT_AUDIENCE]"}),
]  # fmt: skip


def _add_flags(
    parser: argparse.ArgumentParser, flags: list[tuple[str, str, dict[str, Any]]], nested: bool
) -> None:
    for flag, field, options in flags:
        # In a subcommand an absent flag must not overwrite the same flag given before it.
        parser.add_argument(flag, dest=field, default=argparse.SUPPRESS if nested else None, **options)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobmojito-mcp",
        description="MCP server for JobMojito AI job interviews. With no subcommand, serves MCP (stdio by default).",
        epilog=_ENV_NOTE,
    )
    parser.add_argument("--version", action="version", version=f"jobmojito-mcp {__version__}")
    # Before any subcommand (`jobmojito-mcp --env-file F check`): it applies to them all.
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        help="also read settings from this dotenv file (the environment and flags win); none is read otherwise, not even ./.env",
    )
    _add_flags(parser, _CONFIG_FLAGS, nested=False)
    _add_flags(parser.add_argument_group("hosting (HTTP transports)"), _HOSTING_FLAGS, nested=False)  # type: ignore[arg-type]

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser("check", help="verify configuration and credentials")
    call = commands.add_parser(
        "call", help="run one tool and print its result", epilog="e.g. call list_avatars limit=5"
    )
    call.add_argument("tool", help="tool name (see `tools`)")
    call.add_argument(
        "pairs", nargs="*", metavar="KEY=VALUE", help="arguments; values are parsed as JSON when they can be"
    )
    call.add_argument("--args", dest="json_args", metavar="JSON", help="arguments as one JSON object")
    call.add_argument(
        "--json", action="store_true", help="print the whole result as JSON (MCP's CallToolResult)"
    )
    call.add_argument(
        "--yes",
        action="store_true",
        help="answer yes to the question a harmful call asks first (delete, e-mail people, ...): needed "
        "outside a terminal, where nobody can be asked; in a terminal the question is put to you (y/N)",
    )
    call.add_argument(
        "--out",
        metavar="FILE",
        help="save the document a call returns (a report's PDF, HTML or JSON) here; default: under its "
        "own name in the current directory",
    )
    call.add_argument(
        "--reset-sandbox",
        action="store_true",
        help="with --sandbox: start from an empty sandbox (calls keep its state between runs otherwise)",
    )
    tools = commands.add_parser("tools", help="list the tools")
    for sub in (check, call, tools):
        _add_flags(sub, _CONFIG_FLAGS, nested=True)

    login = commands.add_parser(
        "login",
        help="sign in to JobMojito in the browser (once; the server renews the sign-in itself)",
        description="Opens your browser on JobMojito's sign-in page and keeps the resulting sign-in in the "
        "credentials file, where every jobmojito-mcp on this machine finds it.",
    )
    login.add_argument(
        "--no-browser",
        dest="browser",
        action="store_false",
        help="print the address instead of opening a browser, and accept the redirected address pasted back (SSH, containers)",
    )
    login.add_argument(
        "--callback-port",
        type=int,
        metavar="PORT",
        help="loopback port the browser returns to (default: the one used last time, else any free one)",
    )
    login.add_argument(
        "--timeout",
        dest="login_wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="give up when the sign-in is not completed within this long (default 300)",
    )
    login.add_argument(
        "--export",
        action="store_true",
        help="print JOBMOJITO_CLIENT_ID and JOBMOJITO_REFRESH_TOKEN for a headless machine instead of saving the sign-in here",
    )
    logout = commands.add_parser("logout", help="revoke and forget this machine's JobMojito sign-in")
    sign_in_flags = [
        flag for flag in _CONFIG_FLAGS if flag[1] in ("base_url", "auth_url", "credentials_file", "log_level")
    ]
    for sub in (login, logout):
        _add_flags(sub, sign_in_flags, nested=True)

    sandbox = commands.add_parser("sandbox", help="serve the JobMojito simulator alone over HTTP")
    sandbox.add_argument(
        "--host", dest="sandbox_host", default="127.0.0.1", help="bind address (default 127.0.0.1)"
    )
    sandbox.add_argument(
        "--port",
        dest="sandbox_port",
        type=int,
        default=8765,
        help="port (default 8765; 0: any free port, printed)",
    )
    sandbox.add_argument(
        "--sandbox-db",
        dest="sandbox_db",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="SQLite file keeping state",
    )
    sandbox.add_argument(
        "--accept-token",
        action="append",
        metavar="TOKEN",
        help="accept only these bearer tokens (repeatable); default: any non-empty token",
    )
    sandbox.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer (default 0)"
    )
    sandbox.add_argument(
        "--auto-take",
        type=float,
        default=None,
        metavar="SECONDS",
        help="registered candidates take the interview this long after registering (default: only when told)",
    )
    sandbox.add_argument(
        "--token-ttl",
        type=int,
        default=None,
        metavar="SECONDS",
        help="lifetime of the access tokens its sign-in issues (default 3600)",
    )
    sandbox.add_argument(
        "--consent",
        action="store_true",
        help="show an approve/deny page at sign-in instead of approving the demo user at once",
    )
    return parser  # fmt: skip


def _settings(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    from jobmojito_mcp.config import load_settings

    fields = {field for _, field, _ in _CONFIG_FLAGS + _HOSTING_FLAGS}
    try:
        return load_settings(
            env_file=args.env_file, **{field: getattr(args, field, None) for field in fields}
        )
    except FileNotFoundError as exc:
        sys.exit(f"jobmojito-mcp: --env-file: no such file: {exc}")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        sys.exit(f"jobmojito-mcp: invalid configuration: {problems}")


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from jobmojito_mcp.sandbox import serve

        tokens = frozenset(args.accept_token) if args.accept_token else None
        serve(
            args.sandbox_host,
            args.sandbox_port,
            tokens=tokens,
            db_path=args.sandbox_db,
            latency=args.latency,
            token_ttl=args.token_ttl,
            consent=args.consent,
            auto_take=args.auto_take,
        )
        return

    import anyio

    from jobmojito_mcp.logs import configure_logging

    settings = _settings(args)
    if args.command in ("login", "logout"):
        configure_logging("DEBUG" if settings.log_level == "DEBUG" else "ERROR", settings.log_format)
        from jobmojito_mcp.signin import login

        if args.command == "logout":
            sys.exit(anyio.run(login.logout, settings))
        options = login.LoginOptions(
            browser=args.browser, callback_port=args.callback_port, wait=args.login_wait, export=args.export
        )
        try:
            sys.exit(anyio.run(login.login, settings, options))
        except KeyboardInterrupt:
            sys.exit("jobmojito-mcp login: cancelled; nothing was saved")
    if args.command in ("check", "call", "tools"):
        # A person is reading stdout: only errors (or everything, when debugging) on stderr.
        configure_logging(
            settings.log_level if settings.log_level == "DEBUG" else "ERROR",
            settings.log_format,
            payloads=settings.log_payloads,
        )
        from jobmojito_mcp import commands

        run = {"check": commands.check, "call": commands.call, "tools": commands.list_tools}[args.command]
        sys.exit(anyio.run(run, settings, args))
    configure_logging(settings.log_level, settings.log_format, payloads=settings.log_payloads)
    from jobmojito_mcp import telemetry

    try:
        telemetry.start_for(settings)  # off (and free) unless OTEL_* or --metrics ask
    except telemetry.TelemetryError as refusal:
        sys.exit(f"jobmojito-mcp: {refusal}")
    if settings.mcp_transport == "stdio":
        from jobmojito_mcp.server import serve_stdio

        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(serve_stdio, settings)
        return
    # Only the hosted path pays for importing uvicorn and the auth stack.
    from jobmojito_mcp.hosting.app import ConfigurationRefused, serve_http
    from jobmojito_mcp.hosting.workers import serve_workers

    try:
        if settings.mcp_workers > 1:
            serve_workers(settings)
        else:
            anyio.run(serve_http, settings)
    except ConfigurationRefused as refusal:
        sys.exit(f"jobmojito-mcp: {refusal}")
    except OSError as exc:  # e.g. the port is taken
        sys.exit(
            f"jobmojito-mcp: cannot serve on {settings.mcp_host}:{settings.mcp_port}: {exc.strerror or exc}"
        )
