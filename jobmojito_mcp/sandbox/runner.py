"""Running the sandbox: ``serve`` for a terminal, ``run_sandbox`` for tests and benchmarks.

Both serve over uvicorn's h11 protocol, subclassed only to hand each request's transport to the
app (see :mod:`.wire`): that is how a fault can drop a connection without any response.
``run_sandbox`` runs the server in a daemon thread with its own event loop, so it works the same
from sync tests and async ones, and stops within a bounded time even while a "hang" fault holds a
request open (the state's ``stopping`` event ends hangs and drips at once; uvicorn's graceful
shutdown timeout is the backstop).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Set
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from jobmojito_mcp.sandbox import takes
from jobmojito_mcp.sandbox.admin import taken
from jobmojito_mcp.sandbox.app import BASE_PATH, create_app
from jobmojito_mcp.sandbox.faults import FaultKind, make_fault
from jobmojito_mcp.sandbox.journal import RecordedRequest
from jobmojito_mcp.sandbox.oauth import AuthServer
from jobmojito_mcp.sandbox.records import Email
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.tokens import AUTH_PATH, DEFAULT_LIFETIME
from jobmojito_mcp.sandbox.wire import TRANSPORT_STATE_KEY

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 5.0
GRACEFUL_SHUTDOWN = 2  # seconds uvicorn waits for open requests before cancelling them


class _TransportExposingProtocol(H11Protocol):
    """uvicorn's h11 protocol, with the connection's transport in every request's scope state."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.app_state = {**self.app_state, TRANSPORT_STATE_KEY: transport}
        # asyncio only disables Nagle for sockets created with proto=IPPROTO_TCP, and ours (from
        # socket.create_server) have proto 0: without this, every response body waits ~40 ms for
        # the client's delayed ACK.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


class _Server(uvicorn.Server):
    """A uvicorn server that tells the app it is stopping before waiting for open requests."""

    def __init__(self, config: uvicorn.Config, state: SandboxState) -> None:
        super().__init__(config)
        self._state = state

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.stopping.set()
        await super().shutdown(sockets)


def _server(state: SandboxState, *, log_config: dict[str, Any] | None, host: str = "127.0.0.1") -> _Server:
    # Its admin API answers to the address it serves on, too (a wildcard bind names none).
    named = frozenset() if host in ("0.0.0.0", "::", "") else frozenset({host})  # noqa: S104
    config = uvicorn.Config(
        create_app(state, admin_hosts=named),
        http=_TransportExposingProtocol,
        ws="none",
        lifespan="off",
        loop="asyncio",
        log_config=log_config,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    return _Server(config, state)


def _root_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    tokens: frozenset[str] | None = None,
    db_path: str | None = None,
    latency: float = 0.0,
    token_ttl: int | None = None,
    consent: bool = False,
    auto_take: float | None = None,
) -> None:
    """Serve the sandbox until interrupted; prints its base URL on one stderr line.

    Ctrl+C (SIGINT) shuts down gracefully and returns normally. ``port=0`` lets the OS choose;
    the printed URL has the real port.
    """
    state = SandboxState(
        tokens=tokens,
        db_path=db_path,
        latency=latency,
        token_ttl=token_ttl,
        consent=consent,
        auto_take=auto_take,
    )
    sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        server = _server(state, log_config=uvicorn.config.LOGGING_CONFIG, host=host)
        # The sign-in server is beside it, at <root>/auth/v1; tests read this line's last word.
        print(f"JobMojito sandbox serving {_root_url(sock)}{BASE_PATH}", file=sys.stderr, flush=True)
        # uvicorn re-raises a captured SIGINT once it has shut down; that is the normal way out here.
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        sock.close()
        state.close()


@dataclass(frozen=True)
class RunningSandbox:
    """A sandbox serving on loopback, as yielded by :func:`run_sandbox`."""

    base_url: str  # e.g. "http://127.0.0.1:PORT/functions/v1"
    root_url: str  # e.g. "http://127.0.0.1:PORT" (the admin API is at root_url + "/_sandbox")
    state: SandboxState

    def requests(self, endpoint: str | None = None) -> list[RecordedRequest]:
        """A snapshot of the journal, oldest first, optionally for one endpoint."""
        return self.state.journal.snapshot(endpoint)

    def clear_requests(self) -> None:
        self.state.journal.clear()

    def inject(
        self,
        endpoint: str,
        kind: FaultKind | str,
        *,
        times: int | None = 1,
        status: int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        delay: float | None = None,
        size: int | None = None,
    ) -> None:
        """Make the next ``times`` calls (None: all) to ``endpoint`` (or ``"*"``) misbehave.

        See :mod:`jobmojito_mcp.sandbox.faults` for the kinds and what each knob means there.
        """
        fault = make_fault(kind, status=status, body=body, headers=headers, delay=delay, size=size)
        self.state.faults.add(endpoint, fault, times=times)

    def clear_faults(self) -> None:
        self.state.faults.clear()

    @property
    def jwt_issuer(self) -> str:
        """The simulated auth server, as the `iss` of the tokens it signs."""
        return f"{self.root_url}{AUTH_PATH}"

    @property
    def jwks_url(self) -> str:
        return f"{self.jwt_issuer}/.well-known/jwks.json"

    @property
    def auth(self) -> AuthServer:
        """The simulated Supabase Auth server: sessions, sign-out, counts of refreshes and the knobs."""
        return self.state.auth

    def issue_token(
        self,
        subject: str,
        *,
        expires_in: int = DEFAULT_LIFETIME,
        audience: str = "authenticated",
        client_id: str | None = None,
        azp: str | None = None,
    ) -> str:
        """A JobMojito-style access token for `subject` in a new session, signed by this sandbox's auth
        server (issued to OAuth client `client_id`, if given). `azp` adds the OpenID "authorized party"
        claim, which Supabase Auth does not issue: for tests of a token that names its client twice."""
        token, _ = self.state.auth.issue(
            self.jwt_issuer,
            f"{subject}@sandbox.invalid",
            subject=subject,
            expires_in=expires_in,
            audience=audience,
            client_id=client_id,
            azp=azp,
        )
        return token

    def forge_token(self, subject: str) -> str:
        """Looks like `issue_token`'s, but signed with another key: must fail verification."""
        return self.state.auth.issuer_key.issue(self.jwt_issuer, subject, forged=True)

    def take_interview(
        self, link: str, *, score: float | None = None, finish: bool = True, delay: float = 0.0
    ) -> dict[str, Any]:
        """The candidate with this link (an ``interview_url``, or its token) takes the interview: see
        :mod:`.takes` (``score`` pins the overall score, ``delay`` keeps it in progress that long,
        ``finish=False`` leaves half-way). Returns the new result's ids; raises ``TakeRefused``."""
        takes.catch_up(self.state)
        return taken(takes.take(self.state, link, score=score, finish=finish, delay=delay))

    def decide(self, interview_result_id: str, **changes: Any) -> None:
        """What a recruiter does in the web app: ``decision_status=``, ``recruiter_shortlist=``."""
        takes.decide(self.state, interview_result_id, changes)

    def outbox(self) -> list[Email]:
        """The invitation e-mails the sandbox "sent", oldest first."""
        return self.state.outbox.all()

    def reset(self) -> None:
        """Forget interviews, candidates, results, e-mails, spending, journal and faults (between tests)."""
        self.state.reset()


@contextmanager
def run_sandbox(
    *,
    tokens: Set[str] | None = None,
    db_path: str | None = None,
    latency: float = 0.0,
    token_ttl: int | None = None,
    consent: bool = False,
    auto_take: float | None = None,
) -> Iterator[RunningSandbox]:
    """Serve a fresh sandbox on ``127.0.0.1`` (OS-chosen port) in a background thread.

    >>> with run_sandbox() as sandbox:
    ...     httpx2.get(sandbox.base_url + "/merchant-avatar-list", headers={"Authorization": "Bearer t"})
    """
    state = SandboxState(
        tokens=tokens,
        db_path=db_path,
        latency=latency,
        token_ttl=token_ttl,
        consent=consent,
        auto_take=auto_take,
    )
    sock = socket.create_server(("127.0.0.1", 0))
    server = _server(state, log_config=None)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="jobmojito-sandbox", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the JobMojito sandbox did not start")
            time.sleep(0.01)
        root = _root_url(sock)
        yield RunningSandbox(base_url=root + BASE_PATH, root_url=root, state=state)
    finally:
        state.stopping.set()
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
        state.close()
