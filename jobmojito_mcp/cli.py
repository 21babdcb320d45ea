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
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from jobmojito_mcp import __version__

if TYPE_CHECKING:
    from jobmojito_mcp.config import Settings

_ENV_NOTE = (
    "Every flag has an environment variable (in brackets). No .env file is read unless named with --env-file."
)


class _Parser(argparse.ArgumentParser):
    """argparse, minus the wall: a mistake gets one line saying what is wrong (and what was probably
    meant) and where the help is, not the whole usage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: dict[str, _Parser] = {}  # the subcommands' parsers, by name

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\nSee `{self.prog} --help`.\n")

    def suggest_flag(self, flag: str) -> str:
        """ " Did you mean --sandbox?" for --sandbx, or ""."""
        name = flag.split("=", 1)[0]
        close = difflib.get_close_matches(
            name, [o for o in self._option_string_actions if o.startswith("--")], n=1
        )
        return f" Did you mean {close[0]}?" if close else ""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535, or 0 for any free one")
    return port


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
    ("--toolsets", "toolsets", {"metavar": "LIST", "help": "expose only these toolsets, comma-separated: interviews, candidates, results, account, screening, knowledge, coaching; all: every one (default: all but screening, knowledge and coaching) [JOBMOJITO_TOOLSETS]"}),
    ("--dynamic-toolsets", "dynamic_toolsets", {"action": "store_const", "const": True, "help": "start with the toolsets on by default, or --toolsets, plus three discovery tools; agents enable other toolsets as they need them [JOBMOJITO_DYNAMIC_TOOLSETS]"}),
    ("--files-root", "files_roots", {"action": "append", "metavar": "DIR", "help": "let tools send local files from inside DIR (repeatable; stdio only; none by default; the variable takes several, os.pathsep-separated) [JOBMOJITO_FILES_ROOTS]"}),
    ("--max-file-bytes", "max_file_bytes", {"type": int, "metavar": "N", "help": "largest file a tool sends, in bytes (default 10485760, 10 MB) [JOBMOJITO_MAX_FILE_BYTES]"}),
    ("--confirm-without-asking", "confirm_without_asking", {"action": "store_const", "const": True, "help": "where the client cannot ask its user (no elicitation), let calls that delete, e-mail people, erase a decision, grant access or spend credits go ahead unasked instead of refusing them [JOBMOJITO_CONFIRM_WITHOUT_ASKING]"}),
    ("--sandbox-auto-take", "sandbox_auto_take", {"type": float, "metavar": "SECONDS", "help": "with --sandbox: registered candidates take the interview this long after registering [JOBMOJITO_SANDBOX_AUTO_TAKE]"}),
]  # fmt: skip
_HOSTING_FLAGS: list[tuple[str, str, dict[str, Any]]] = [
    ("--transport", "mcp_transport", {"choices": ["stdio", "streamable-http", "sse", "http"], "help": "stdio (default); streamable-http at /mcp; sse at /sse; http serves both [JOBMOJITO_MCP_TRANSPORT]"}),
    ("--host", "mcp_host", {"help": "bind address (default 127.0.0.1) [JOBMOJITO_MCP_HOST]"}),
    ("--port", "mcp_port", {"type": _port, "help": "port (default 8000; 0: any free port, printed on stderr) [JOBMOJITO_MCP_PORT]"}),
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


def _parser() -> _Parser:
    parser = _Parser(
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
    parser.add_argument(
        "--reset-sandbox",
        action="store_true",
        help="with --sandbox and call: start from an empty sandbox (calls keep its state between runs otherwise)",
    )
    check = commands.add_parser(
        "check",
        help="verify configuration and credentials",
        description="Checks, step by step, the configuration, the sign-in (who, until when), that JobMojito "
        "answers, and that it accepts the sign-in; a failed step says how to fix it.",
    )
    call = commands.add_parser(
        "call",
        help="run one tool and print its result",
        description="Runs one tool through the whole server, as an agent would, and prints what it answers. "
        "A call that deletes, e-mails people or spends credits asks first: in a terminal you answer y/N "
        "(default no); elsewhere it is refused unless --yes. A report's document is saved to a file.",
        epilog="e.g. call list_avatars limit=5; call get_interview_definition position_id=ID --json; "
        "call generate_interview_report interview_result_id=ID export_type=pdf --out report.pdf",
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
        default=argparse.SUPPRESS,
        help="with --sandbox: start from an empty sandbox (calls keep its state between runs otherwise)",
    )
    tools = commands.add_parser(
        "tools",
        help="list the tools, or one tool's arguments",
        description="Lists the tools this configuration exposes (--read-only, --tools and --toolsets narrow "
        "it); with a NAME, that tool's arguments: name, type, required, what it means, allowed values.",
    )
    tools.add_argument("name", nargs="?", metavar="NAME", help="a tool whose arguments to show")
    tools.add_argument(
        "--json", action="store_true", help="print the listing (or the tool) as agents get it from tools/list"
    )
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
    logout = commands.add_parser(
        "logout",
        help="revoke and forget this machine's JobMojito sign-in",
        description="Revokes the sign-in that `login` saved (at JobMojito) and deletes it from the credentials file.",
    )
    sign_in_flags = [
        flag for flag in _CONFIG_FLAGS if flag[1] in ("base_url", "auth_url", "credentials_file", "log_level")
    ]
    for sub in (login, logout):
        _add_flags(sub, sign_in_flags, nested=True)

    sandbox = commands.add_parser(
        "sandbox",
        help="serve the JobMojito simulator alone over HTTP, or act in it (sandbox take)",
        description="Serves the built-in JobMojito simulator over HTTP (the API at /functions/v1, its admin "
        "API at /_sandbox). `sandbox take LINK` makes a registered candidate take their interview, in the "
        "sandbox `call --sandbox` uses (or --sandbox-db).",
    )
    sandbox.add_argument(
        "--host", dest="sandbox_host", default="127.0.0.1", help="bind address (default 127.0.0.1)"
    )
    sandbox.add_argument(
        "--port",
        dest="sandbox_port",
        type=_port,
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
        "--sandbox-auto-take",
        dest="auto_take",
        type=float,
        default=None,
        metavar="SECONDS",
        help="registered candidates take the interview this long after registering, without waiting for "
        "`sandbox take` (default: only when told)",
    )
    # Its earlier name, still accepted, no longer shown: one name for it everywhere.
    sandbox.add_argument("--auto-take", dest="auto_take", type=float, help=argparse.SUPPRESS)
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
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION")
    take = actions.add_parser(
        "take",
        help="a registered candidate takes the interview",
        description="The candidate with this link takes the interview now, in the sandbox that "
        "`call --sandbox` uses (or the file of --sandbox-db); their result is then listed by "
        "list_interview_results. For a sandbox served over HTTP, POST /_sandbox/take does the same.",
        epilog="e.g. sandbox take https://sandbox.jobmojito.invalid/interview/TOKEN --score 91",
    )
    take.add_argument(
        "link",
        metavar="LINK",
        help="the candidate's interview_url (or its token), from register_users_for_interview",
    )
    take.add_argument(
        "--score", type=float, metavar="N", help="their overall score, 0-100 (default: one the sandbox picks)"
    )
    take.add_argument("--unfinished", dest="finish", action="store_false", help="they leave half-way")
    take.add_argument(
        "--sandbox-db",
        dest="sandbox_db",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="SQLite file keeping sandbox state (default: the one `call --sandbox` keeps)",
    )
    parser.commands = dict(commands.choices)
    return parser  # fmt: skip


def _settings(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    from jobmojito_mcp.config import load_settings

    flags = {field: flag for flag, field, _ in _CONFIG_FLAGS + _HOSTING_FLAGS}
    try:
        return load_settings(
            env_file=getattr(args, "env_file", None), **{field: getattr(args, field, None) for field in flags}
        )
    except FileNotFoundError as exc:
        sys.exit(f"jobmojito-mcp: --env-file: no such file: {exc}")
    except ValidationError as exc:
        problems = "; ".join(f"{_named(e['loc'], flags)}: {e['msg']}" for e in exc.errors(include_url=False))
        sys.exit(f"jobmojito-mcp: invalid configuration: {problems}")


def _named(location: tuple[Any, ...], flags: dict[str, str]) -> str:
    """A setting as a person gives it: `--port (JOBMOJITO_MCP_PORT)`, not the field `mcp_port`."""
    field = str(location[0]) if location else ""
    if field in flags:
        return f"{flags[field]} (JOBMOJITO_{field.upper()})"
    return ".".join(map(str, location))


def _refuse_unknown(parser: _Parser, args: argparse.Namespace, extras: list[str]) -> NoReturn:
    """Arguments argparse did not know, with what was probably meant: `limit=3` for a tool's
    argument given as a flag, the nearest flag for a misspelt one."""
    prog = f"jobmojito-mcp {args.command}" if args.command else "jobmojito-mcp"
    first = next((extra for extra in extras if extra.startswith("-")), extras[0])
    hint = ""
    if args.command == "call" and first.startswith("-"):
        from jobmojito_mcp.toolsets import TOOLS_BY_NAME

        spec = TOOLS_BY_NAME.get(args.tool)
        name, _, value = first.lstrip("-").partition("=")
        following = extras[extras.index(first) + 1 :]
        if not value and following and not following[0].startswith("-"):
            value = following[0]
        field = name.replace("-", "_")
        if spec is not None and field in spec.arguments.model_fields:
            hint = f" Did you mean {field}={value or '...'}? Tool arguments are KEY=VALUE, not flags."
    if not hint and first.startswith("-"):
        command = parser.commands.get(args.command) if args.command else None
        hint = (command or parser).suggest_flag(first)
        if not hint and command is not None:
            hint = parser.suggest_flag(first)
    parser.exit(2, f"{prog}: unrecognized arguments: {' '.join(extras)}.{hint}\nSee `{prog} --help`.\n")


def _check_sandbox_db(path: str | None) -> None:
    """A sandbox file in a folder that does not exist is refused here, in one line, not by SQLite."""
    if path is None:
        return
    target = Path(path).expanduser()
    if target.is_dir():
        sys.exit(f"jobmojito-mcp: --sandbox-db {path}: is a directory; give a file name in it")
    if not target.parent.is_dir():
        sys.exit(
            f"jobmojito-mcp: --sandbox-db {path}: the folder {target.parent} does not exist; create it first"
        )


def _sandbox_take(args: argparse.Namespace) -> str | int:
    """`sandbox take LINK`: the candidate takes the interview in the sandbox `call --sandbox` keeps."""
    from jobmojito_mcp.commands import cached_sandbox_db
    from jobmojito_mcp.sandbox import SandboxState, TakeRefused
    from jobmojito_mcp.sandbox.admin import taken
    from jobmojito_mcp.sandbox.takes import catch_up, take

    settings = _settings(args)
    path = settings.sandbox_db or cached_sandbox_db()
    _check_sandbox_db(path)
    state = SandboxState(db_path=path)
    try:
        catch_up(state)
        row = taken(take(state, args.link, score=args.score, finish=args.finish))
    except TakeRefused as refused:
        return f"jobmojito-mcp sandbox take: {refused.message}"
    finally:
        state.close()
    score = row.get("score")
    shown = f", score {score:g}" if isinstance(score, int | float) else ""
    print(
        f"The candidate took interview {row['interview_id']}: result {row['interview_result_id']} "
        f"({row['status']}{shown}), in {path}.\nNext: call list_interview_results "
        f"interview_id={row['interview_id']} (with --sandbox)."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        _refuse_unknown(parser, args, extras)
    try:
        _run(args)
    except Exception as exc:
        # The sandbox's file: unreadable, not SQLite, locked. sqlite3 is looked up, not imported: a
        # run that never loaded it (a stdio start) cannot have raised its error, and keeps its start lean.
        sqlite3 = sys.modules.get("sqlite3")
        if sqlite3 is not None and isinstance(exc, sqlite3.Error):
            sys.exit(f"jobmojito-mcp: the sandbox file (--sandbox-db) cannot be used: {exc}")
        raise


def _run(args: argparse.Namespace) -> None:
    if args.command == "sandbox":
        _check_sandbox_db(getattr(args, "sandbox_db", None))
        if args.sandbox_command == "take":
            sys.exit(_sandbox_take(args))
        from jobmojito_mcp.sandbox import serve

        tokens = frozenset(args.accept_token) if args.accept_token else None
        try:
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
        except OSError as exc:  # e.g. the port is taken
            sys.exit(
                f"jobmojito-mcp sandbox: cannot serve on {args.sandbox_host}:{args.sandbox_port}: "
                f"{exc.strerror or exc}; choose another --port (0: any free one)"
            )
        return

    import anyio

    from jobmojito_mcp.logs import configure_logging

    settings = _settings(args)
    if settings.sandbox:
        _check_sandbox_db(settings.sandbox_db)
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
            if sys.stdin.isatty():  # a person started it: say what it is waiting for (on stderr)
                print(
                    "jobmojito-mcp: serving MCP on stdin/stdout, waiting for an MCP client (this is what Claude "
                    "Desktop launches). To try a tool yourself: jobmojito-mcp --sandbox call list_avatars; "
                    "all commands: jobmojito-mcp --help. Ctrl+C stops it.",
                    file=sys.stderr,
                    flush=True,
                )
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
