"""One frozen Settings object, read from flags, then the environment, then the file `--env-file`
names (if any), then defaults (`load_settings`).

No `.env` in the working directory is read: an MCP client starts servers in whatever directory it
likes, and a `.env` found there (a cloned repository's) could re-point JOBMOJITO_BASE_URL and
collect the user's stored sign-in. Only a file the user names is read.

Every knob has a named default here, so the numbers that shape behaviour (timeouts, retry
bounds, size limits) live in one place and are documented once.

Read by a few lines here rather than pydantic-settings: every setting is a plain value (a string,
number, flag or choice), so reading JOBMOJITO_<FIELD> and handing the strings to the model's own
validation is all its environment source did for these fields, and importing pydantic-settings
(its AWS, Azure, GCP, CLI, YAML and TOML sources included) cost every stdio start ~11 ms, a fifth
of what the server adds to a bare SDK server's start. A named dotenv file is parsed by python-dotenv,
as pydantic-settings did.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_BASE_URL = "https://cool.jobmojito.com/functions/v1"
# The Supabase project JobMojito's own hosted MCP server signs users in with (its Auth under /auth/v1).
DEFAULT_AUTH_URL = "https://momsbvnltsydezmoesqt.supabase.co/auth/v1"
# AI question generation takes tens of seconds; a read timeout below a minute cuts real calls short.
DEFAULT_READ_TIMEOUT = 120.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_BACKOFF = 0.5
# Beyond this a Retry-After is reported to the agent instead of being slept through.
DEFAULT_RETRY_AFTER_CAP = 10.0
# The largest legitimate answer (1000 templates) is well under 1 MiB; bigger is a fault, not data.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# Also the cap on concurrent upstream requests: beyond it, calls queue for a connection.
DEFAULT_MAX_CONNECTIONS = 100

# Résumés and handbooks are a few MB; ten leave room for scanned PDFs (JobMojito documents no limit).
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]
Transport = Literal["stdio", "streamable-http", "sse", "http"]
AuthMode = Literal["none", "api-key", "jobmojito-jwt"]

DEFAULT_HTTP_PORT = 8000
# SIGTERM lets in-flight tool calls finish for this long before connections are cut.
DEFAULT_SHUTDOWN_GRACE = 20.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Hosted limits (hosting/limits.py: connections; hosting/quotas.py: per caller). Each value says why it is that.
# Open connections, all callers together; kept below the process's file limit whatever is asked.
# About 10 KiB each when idle: 4,096 is 40 MiB, and far more than one process serves usefully.
DEFAULT_CONNECTION_LIMIT = 4096
# A new connection must send its request head within this long, and so must a head that has
# started: slow-header connections (slowloris) are closed, real clients send theirs in milliseconds.
DEFAULT_HEADER_TIMEOUT = 10.0
# A request body (an MCP message: at most 4 MiB, the SDK's limit, usually a few KiB) arrives whole
# within this long of its head: a slow body holds a busy connection that cannot be closed for room.
DEFAULT_BODY_TIMEOUT = 60.0
# A Streamable HTTP session nobody has used for this long is closed (the SDK's default is 30 min):
# about 40 KiB each, and a client that comes back after it simply initializes again (404, per spec).
# Clients that keep the GET stream open never idle.
DEFAULT_SESSION_IDLE_TIMEOUT = 300.0
# Per caller (an API key, or a JWT's subject). A person's client keeps one session and one stream;
# an agent platform fanning out under one key, dozens.
DEFAULT_CALLER_SESSIONS = 100
DEFAULT_CALLER_STREAMS = 100  # SSE streams (GET /sse) and Streamable HTTP GET streams: ~75 KiB each
# Tool calls (and template reads) in progress: also the caller's share of the upstream pool, so it
# is never more than half of it (DEFAULT_MAX_CONNECTIONS): one caller's slow calls cannot starve another's.
DEFAULT_CALLER_CALLS = 10
# HTTP requests per second, sustained; bursts of five seconds' worth (a client opening its sessions).
DEFAULT_CALLER_RATE = 20.0

SANDBOX_TOKEN = "sandbox-token"  # noqa: S105  # what --sandbox mode sends: the in-process simulator accepts any token


ENV_PREFIX = "JOBMOJITO_"


class Settings(BaseModel):
    """Server configuration. Environment names are JOBMOJITO_<FIELD>; each has a matching CLI flag.
    `load_settings` reads them; constructing one directly takes only the values given, and defaults."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    token: SecretStr | None = Field(
        None, description="A fixed JobMojito access token (expires within the hour)."
    )
    # Signing in (`jobmojito-mcp login`); see signin/credentials.py for the order these are used in.
    auth_url: str | None = Field(None, description="JobMojito's authorization server (Supabase Auth).")
    refresh_token: SecretStr | None = Field(None, description="Headless sign-in: a refresh token.")
    client_id: str | None = Field(None, description="The OAuth client the refresh token was issued to.")
    credentials_file: str | None = Field(None, description="Where sign-ins are kept.")
    base_url: str = Field(DEFAULT_BASE_URL, description="JobMojito functions API base URL.")
    timeout: float = Field(DEFAULT_READ_TIMEOUT, gt=0, description="Read timeout, seconds.")
    connect_timeout: float = Field(DEFAULT_CONNECT_TIMEOUT, gt=0, description="Connect timeout, seconds.")
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    max_retries: int = Field(DEFAULT_MAX_RETRIES, ge=0, le=10, description="Retries of safe requests.")
    retry_backoff: float = Field(DEFAULT_RETRY_BACKOFF, ge=0, description="First backoff delay, seconds.")
    retry_after_cap: float = Field(DEFAULT_RETRY_AFTER_CAP, ge=0, description="Longest Retry-After honoured.")
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    max_connections: int = Field(DEFAULT_MAX_CONNECTIONS, ge=1, description="Upstream connection pool size.")
    sandbox: bool = Field(False, description="Serve against the built-in in-process sandbox.")
    sandbox_db: str | None = Field(None, description="SQLite file keeping sandbox state across restarts.")
    sandbox_auto_take: float | None = Field(
        None, ge=0, description="Sandbox: registered candidates take the interview this many seconds later."
    )
    # Directories tools may send local files from (stdio only; tooling/files.py). None by default:
    # a prompt-injected agent must not be able to upload whatever the user can read.
    files_roots: str | None = Field(None, description="Allowed file directories, os.pathsep-separated.")
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, ge=1, description="Largest file a tool sends.")
    read_only: bool = Field(False, description="Expose only the read tools.")
    # Off: a call that deletes, e-mails people, erases a decision, grants access or spends credits is
    # asked first, and refused when the client cannot ask (declared no elicitation). On: such calls go
    # ahead unasked on those clients; the operator confirms for everyone (docs/security.md).
    confirm_without_asking: bool = Field(
        False, description="Let calls that need a confirmation through when the client cannot ask."
    )
    tools: str | None = Field(None, description="Expose only these tools (comma-separated names).")
    toolsets: str | None = Field(
        None,
        description="Expose only these toolsets (comma-separated names; all: every one). Unset: the defaults.",
    )
    dynamic_toolsets: bool = Field(
        False, description="Start with the default toolsets and the discovery tools; agents enable more."
    )

    # Hosting (HTTP transports): JOBMOJITO_MCP_*
    mcp_transport: Transport = "stdio"
    mcp_host: str = "127.0.0.1"
    mcp_port: int = Field(DEFAULT_HTTP_PORT, ge=0, le=65535)
    mcp_auth: AuthMode = "none"
    mcp_api_keys: SecretStr | None = Field(None, description="Comma-separated inbound API keys.")
    mcp_api_keys_file: str | None = Field(None, description="File with one inbound API key per line.")
    mcp_allowed_hosts: str = Field("", description="Comma-separated Host values accepted; * accepts any.")
    mcp_allowed_origins: str = Field("", description="Comma-separated Origin values accepted; * accepts any.")
    mcp_public_url: str | None = Field(None, description="The server's URL as clients reach it.")
    mcp_stateless: bool = False
    # Processes serving one port (stateless Streamable HTTP only: workers.check_workers says why).
    mcp_workers: int = Field(1, ge=1, le=64)
    mcp_state_keys: SecretStr | None = Field(None, description="Comma-separated keys shared by replicas.")
    mcp_shutdown_grace: float = Field(DEFAULT_SHUTDOWN_GRACE, ge=0)
    # Quotas and refused tokens shared by replicas (hosting/state.py): redis:// or rediss:// (Valkey too).
    mcp_state_url: SecretStr | None = Field(None, description="Redis URL for state shared by replicas.")
    mcp_state_lease: float = Field(30.0, ge=1, description="Seconds a dead replica's counts outlive it.")
    mcp_state_timeout: float = Field(0.25, gt=0, le=5, description="Seconds to wait for Redis per operation.")
    # Session affinity (hosting/affinity.py): session ids issued here start with this name and a dot.
    mcp_replica_name: str | None = Field(
        None, description="This replica's name, prefixed to its session ids."
    )
    mcp_allow_public_without_auth: bool = False
    # Abuse limits; see the DEFAULT_* above for why each value.
    mcp_connection_limit: int = Field(
        DEFAULT_CONNECTION_LIMIT, ge=16, description="Open connections at most."
    )
    mcp_header_timeout: float = Field(
        DEFAULT_HEADER_TIMEOUT, gt=0, description="Seconds to send a request head."
    )
    mcp_body_timeout: float = Field(DEFAULT_BODY_TIMEOUT, gt=0, description="Seconds to send a request body.")
    mcp_session_idle_timeout: float = Field(
        DEFAULT_SESSION_IDLE_TIMEOUT, gt=0, description="Idle session expiry, s."
    )
    mcp_caller_sessions: int = Field(DEFAULT_CALLER_SESSIONS, ge=1, description="Open sessions per caller.")
    mcp_caller_streams: int = Field(DEFAULT_CALLER_STREAMS, ge=1, description="Open SSE streams per caller.")
    mcp_caller_calls: int = Field(DEFAULT_CALLER_CALLS, ge=1, description="Calls in progress per caller.")
    mcp_caller_rate: float = Field(DEFAULT_CALLER_RATE, gt=0, description="Requests per second per caller.")
    # Off: DEBUG logs name tools, ids, sizes and timings, never arguments or results (personal data).
    log_payloads: bool = Field(False, description="Also log tool arguments and results (personal data).")
    # The Prometheus scrape endpoint (telemetry/prometheus.py): a path on the MCP port or [HOST:]PORT.
    mcp_metrics: str | None = Field(None, description="Serve Prometheus metrics: /path, or [HOST:]PORT.")
    mcp_metrics_token: SecretStr | None = Field(None, description="Bearer token the scraper must send.")
    # Verifying callers' own JobMojito tokens (--auth jobmojito-jwt); unset: read from the authorization
    # server's metadata (RFC 8414), the JWKS falling back to <auth server>/.well-known/jwks.json.
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str = "authenticated"
    # The OAuth clients whose tokens are accepted (their `client_id`, or `azp`). Unset: any client's.
    # Supabase Auth has no resource indicators (RFC 8707): its tokens name no resource, so this is the
    # one binding the endpoint can add, for deployments whose clients are registered ahead.
    jwt_client_ids: str | None = Field(None, description="Accept only tokens issued to these OAuth clients.")

    @field_validator("files_roots", mode="before")
    @classmethod
    def _joined_roots(cls, value: Any) -> Any:
        # --files-root is repeatable (a list); the environment variable is one os.pathsep-separated string.
        if isinstance(value, list | tuple):
            return os.pathsep.join(str(item) for item in value)
        return value

    @property
    def file_roots(self) -> list[str]:
        return [root for root in (self.files_roots or "").split(os.pathsep) if root.strip()]

    @field_validator("base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("token", "refresh_token", "client_id", "auth_url", "credentials_file", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # An empty JOBMOJITO_TOKEN= line in .env means "not configured", not "send an empty bearer".
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refresh_token_needs_its_client(self) -> Settings:
        if self.refresh_token is not None and self.client_id is None:
            raise ValueError(
                "JOBMOJITO_REFRESH_TOKEN needs JOBMOJITO_CLIENT_ID, the client it was issued to "
                "(`jobmojito-mcp login --export` prints both)"
            )
        return self

    @property
    def resolved_auth_url(self) -> str:
        """The authorization server: configured; JobMojito's Supabase project for the production API;
        else `/auth/v1` beside the API (Supabase's layout), so a sandbox base URL brings its own sign-in."""
        if self.auth_url:
            return self.auth_url.rstrip("/")
        if self.base_url == DEFAULT_BASE_URL:
            return DEFAULT_AUTH_URL
        return f"{url_origin(self.base_url)}/auth/v1"

    @property
    def is_loopback_bind(self) -> bool:
        return resolves_to_loopback(self.mcp_host)


def resolves_to_loopback(host: str) -> bool:
    """Whether every address `host` resolves to is a loopback one; a name is judged by what it resolves
    to, never by how it is spelt (`127.x.example` may well resolve to 0.0.0.0). Unresolvable: no."""
    import ipaddress
    import socket

    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = set()
    for entry in found:
        address = ipaddress.ip_address(str(entry[4][0]).split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        addresses.add(mapped or address)
    return bool(addresses) and all(address.is_loopback for address in addresses)


def url_origin(url: str) -> str:
    """`scheme://host[:port]` of a URL."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def split_list(value: str) -> list[str]:
    """A comma-separated setting as a list, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def environment_values(environ: Mapping[str, str | None], fields: Collection[str]) -> dict[str, str]:
    """The settings an environment (or a dotenv file's entries) gives: JOBMOJITO_<FIELD>=value for the
    fields named, the variable's name in any case; as strings, which the model's validation converts
    (`1`/`true`/`yes`/`on` for a flag, numbers, choices). Other variables are ignored."""
    found: dict[str, str] = {}
    for name, value in environ.items():
        upper = name.upper()
        if value is not None and upper.startswith(ENV_PREFIX):  # dotenv: a bare `NAME` line has no value
            field = upper.removeprefix(ENV_PREFIX).lower()
            if field in fields:
                found[field] = value
    return found


def load_settings(
    env_file: str | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Settings with CLI flag values winning over the environment (`environ`, by default the
    process's), which wins over `env_file` (a dotenv file the user named; none is read otherwise); a
    flag left unset (None) does not."""
    fields = Settings.model_fields.keys()
    values: dict[str, Any] = {}
    if env_file is not None:
        from pathlib import Path

        if not Path(env_file).is_file():
            raise FileNotFoundError(env_file)
        from dotenv import dotenv_values

        values |= environment_values(dotenv_values(env_file), fields)
    values |= environment_values(os.environ if environ is None else environ, fields)
    values |= {key: value for key, value in overrides.items() if value is not None}
    return Settings(**values)
