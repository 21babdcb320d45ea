"""`jobmojito-mcp login` and `logout`: a person signing in to JobMojito from a terminal (RFC 8252).

login:  discover the authorization server -> reuse or register (RFC 7591) a public client whose
        redirect is a loopback port -> open the browser on the authorize URL (PKCE S256, `state`,
        `offline_access`) -> receive the redirect on 127.0.0.1, or with --no-browser a pasted copy
        of it -> check `state` -> exchange the code -> save the sign-in.
logout: revoke the refresh token where the server offers revocation, then forget the sign-in.

Every failure is one line and exit status 1, and nothing is written before the new sign-in is
complete, so a failed login leaves the old one usable. Messages go to stderr; stdout carries only
what `--export` prints.
"""

from __future__ import annotations

import contextlib
import secrets as random_tokens
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from queue import Empty, Queue
from typing import TextIO
from urllib.parse import parse_qs, urlsplit

import anyio
import uvicorn
from mcp.client.auth.oauth2 import PKCEParameters
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from jobmojito_mcp.config import Settings, url_origin
from jobmojito_mcp.signin import oauth
from jobmojito_mcp.signin.credentials import auth_http_client
from jobmojito_mcp.signin.store import (
    Account,
    CorruptCredentials,
    CredentialStore,
    LockTimeout,
    RegisteredClient,
)

CALLBACK_PATH = "/callback"
DEFAULT_WAIT = 300.0  # seconds for the person to finish in the browser


class LoginFailed(Exception):
    """One line saying what went wrong and what to do; nothing was saved."""


@dataclass(frozen=True)
class LoginOptions:
    browser: bool = True  # False: print the URL and read the redirected URL pasted back
    callback_port: int | None = None  # None: the port registered before, else any free one
    wait: float = DEFAULT_WAIT
    export: bool = False  # print JOBMOJITO_REFRESH_TOKEN/CLIENT_ID for a headless machine instead of saving


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def login(settings: Settings, options: LoginOptions, stdin: TextIO | None = None) -> int:
    try:
        return await _login(settings, options, stdin or sys.stdin)
    except (LoginFailed, oauth.OAuthProblem, LockTimeout) as failure:
        _say(f"jobmojito-mcp login: {failure}")
        return 1


async def _login(settings: Settings, options: LoginOptions, stdin: TextIO) -> int:
    auth_url = settings.resolved_auth_url
    store = CredentialStore(settings.credentials_file)
    try:
        registered = store.client(auth_url)
    except CorruptCredentials:
        registered = None  # the unreadable file is set aside once the new sign-in is complete
    async with auth_http_client() as http:
        metadata = await oauth.discover(http, auth_url)
        oauth.require_pkce(metadata)
        with _callback_socket(options.callback_port, registered) as sock:
            redirect_uri = f"http://127.0.0.1:{sock.getsockname()[1]}{CALLBACK_PATH}"
            issuer = str(metadata.issuer)
            if registered is not None and (registered.redirect_uri, registered.issuer) == (
                redirect_uri,
                issuer,
            ):
                client_id = registered.client_id
            else:
                client_id = (await oauth.register(http, metadata, redirect_uri)).client_id
                await _remember_client(
                    store,
                    auth_url,
                    RegisteredClient(issuer=issuer, client_id=client_id, redirect_uri=redirect_uri),
                )
            pkce = PKCEParameters.generate()
            state = random_tokens.token_urlsafe(32)
            url = oauth.authorization_url(metadata, client_id, redirect_uri, pkce, state)
            code = await _wait_for_code(sock, url, state, options, stdin)
        issued = await oauth.exchange_code(http, metadata, client_id, redirect_uri, code, pkce.code_verifier)
    claims = issued.claims()
    who = str(claims.get("email") or claims.get("sub") or "unknown user")
    if issued.refresh_token is None:
        _say(
            "warning: the authorization server issued no refresh token; this sign-in ends when the access token expires"
        )
    if options.export:
        if issued.refresh_token is None:
            raise LoginFailed("no refresh token to export; nothing was saved")
        print(f"JOBMOJITO_CLIENT_ID={client_id}")
        print(f"JOBMOJITO_REFRESH_TOKEN={issued.refresh_token}")
        if settings.auth_url:
            print(f"JOBMOJITO_AUTH_URL={auth_url}")
        _say(
            f"Signed in as {who}. Put these lines in the headless machine's secret store; they were NOT saved "
            "here (a refresh token rotates on use and must serve one place only)."
        )
        return 0
    account = Account(
        auth_url=auth_url,
        issuer=str(metadata.issuer),
        client_id=client_id,
        redirect_uri=redirect_uri,
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_at=issued.expires_at,
        scope=issued.scope,
        email=claims.get("email") if isinstance(claims.get("email"), str) else None,
        subject=claims.get("sub") if isinstance(claims.get("sub"), str) else None,
        session_id=claims.get("session_id") if isinstance(claims.get("session_id"), str) else None,
        signed_in_at=time.time(),
        api_origin=url_origin(settings.base_url),  # its tokens go to this API and nowhere else
    )
    async with store.locked():
        try:
            store.account(auth_url)
        except CorruptCredentials:
            aside = store.set_aside()
            _say(f"the unreadable credentials file was moved to {aside}")
        store.save(auth_url, account)
    until = time.strftime("%H:%M", time.localtime(issued.expires_at))
    _say(
        f"Signed in to JobMojito as {who}. Credentials saved in {store.path} (readable by you only); the access "
        f"token (valid until {until}) is renewed automatically. Running servers pick this up at their next call."
    )
    return 0


async def _remember_client(store: CredentialStore, key: str, client: RegisteredClient) -> None:
    """Keep the registration for next time; a file we cannot read or write only costs a re-registration."""
    with contextlib.suppress(CorruptCredentials, OSError):
        async with store.locked():
            store.save_client(key, client)


@contextlib.contextmanager
def _callback_socket(port: int | None, previous: RegisteredClient | None) -> Iterator[socket.socket]:
    """The loopback socket the browser is sent back to: the port asked for, else the one registered
    last time (so that client registration can be reused), else any free one."""
    sock = None
    if port is None and previous is not None:
        remembered = urlsplit(previous.redirect_uri).port
        if remembered:
            with contextlib.suppress(OSError):  # taken now: register anew on another port
                sock = socket.create_server(("127.0.0.1", remembered))
    if sock is None:
        try:
            sock = socket.create_server(("127.0.0.1", port or 0))
        except OSError as exc:
            raise LoginFailed(
                f"cannot receive the sign-in on 127.0.0.1:{port}: {exc.strerror or exc}; "
                "choose another --callback-port, or leave it out to use any free port"
            ) from None
    with sock:
        yield sock


class _CallbackServer(uvicorn.Server):
    """uvicorn serving the loopback redirect; signals stay with the command (Ctrl+C cancels the login)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _wait_for_code(
    sock: socket.socket, url: str, state: str, options: LoginOptions, stdin: TextIO
) -> str:
    """Open the browser (or ask for the pasted redirect) and wait for the authorization response."""
    answers: Queue[str] = Queue()
    port = sock.getsockname()[1]
    own_host = f"127.0.0.1:{port}"

    async def callback(request: Request) -> Response:
        # Only this login's answer ends it: the Host it was sent to (not a name a web page rebound
        # to 127.0.0.1) and the state it was sent with. Anything else is turned away, and the login
        # keeps waiting for the real one.
        query = request.query_params
        if request.headers.get("host") != own_host:
            return HTMLResponse(_page("Not here", "This address is not for this page."), status_code=421)
        if query.get("state") != state:
            return HTMLResponse(
                _page(
                    "Not this sign-in", "This answer belongs to another sign-in; the terminal still waits."
                ),
                status_code=400,
            )
        answers.put(str(request.url))
        if "code" in query:
            return HTMLResponse(_page("Signed in", "You are signed in to JobMojito. You can close this tab."))
        reason = query.get("error_description") or query.get("error") or "the sign-in did not complete"
        return HTMLResponse(_page("Not signed in", f"{reason}. Return to the terminal."), status_code=400)

    app = Starlette(routes=[Route(CALLBACK_PATH, callback, methods=["GET"])])
    server = _CallbackServer(
        uvicorn.Config(app, log_config=None, lifespan="off", access_log=False, timeout_graceful_shutdown=2)
    )
    if options.browser:
        _say(f"Opening your browser to sign in to JobMojito. If it does not open, visit:\n\n    {url}\n")
        threading.Thread(target=_open_browser, args=(url, port), daemon=True).start()
    else:
        _say(
            f"Open this address in a browser on any machine and sign in:\n\n    {url}\n\n"
            f"Your browser is then sent to an address starting with http://127.0.0.1:{port}{CALLBACK_PATH}. "
            "If that page loads, you are done here; if it cannot load (another machine), copy the address "
            "from the address bar and paste it here:"
        )
    # Either way a pasted address is accepted too: the browser may be on another machine after all.
    threading.Thread(target=_read_pasted, args=(stdin, answers), daemon=True).start()
    failure: LoginFailed | None = None
    answer = ""
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        try:
            answer = await _next_answer(answers, options.wait)
        except LoginFailed as problem:
            failure = problem
        finally:
            server.should_exit = True
    if failure is not None:
        raise failure
    return _code_from(answer, state)


def _open_browser(url: str, port: int) -> None:
    if not webbrowser.open(url):
        _say(
            "No browser could be opened here. Open the address above on any machine; if the page it ends on "
            f"(http://127.0.0.1:{port}{CALLBACK_PATH}...) cannot load there, paste its address here:"
        )


def _read_pasted(stdin: TextIO, answers: Queue[str]) -> None:
    for line in stdin:
        if line.strip():
            answers.put(line.strip())
            return


async def _next_answer(answers: Queue[str], wait: float) -> str:
    deadline = anyio.current_time() + wait
    while True:
        with contextlib.suppress(Empty):
            return answers.get_nowait()
        if anyio.current_time() > deadline:
            raise LoginFailed(f"no sign-in completed within {wait:g} s; run `jobmojito-mcp login` again")
        await anyio.sleep(0.05)


def _code_from(redirected: str, state: str) -> str:
    """The code of an authorization response (RFC 6749 §4.1.2), after checking its `state`."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(redirected).query).items()}
    if query.get("state") != state:
        raise LoginFailed(
            "the sign-in response does not belong to this login (state mismatch); nothing was saved. "
            "Run `jobmojito-mcp login` again and use the newest address"
        )
    if "error" in query:
        if query["error"] == "access_denied":
            raise LoginFailed("access was denied in the browser; nothing changed")
        detail = query.get("error_description", "")
        raise LoginFailed(f"the authorization server refused the sign-in: {query['error']} {detail}".strip())
    if not query.get("code"):
        raise LoginFailed("the sign-in response carries no authorization code")
    return query["code"]


def _page(title: str, text: str) -> str:
    import html

    return (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<body style='font-family:sans-serif;max-width:32em;margin:3em auto'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
    )


async def logout(settings: Settings) -> int:
    """Revoke (where offered) and forget this machine's sign-in to the configured authorization server."""
    auth_url = settings.resolved_auth_url
    store = CredentialStore(settings.credentials_file)
    if not store.path.exists():  # nothing to forget: no lock taken, so no directory made for one
        _say(f"Not signed in to {auth_url}; nothing to do.")
        return 0
    try:
        async with store.locked():
            try:
                account = store.account(auth_url)
            except CorruptCredentials:
                aside = store.set_aside()
                _say(
                    f"jobmojito-mcp logout: the unreadable credentials file was moved to {aside}; signed out"
                )
                return 0
            if account is None:
                _say(f"Not signed in to {auth_url}; nothing to do.")
                return 0
            revoked = await _revoke(account)
            store.remove(auth_url)
    except LockTimeout as timeout:
        _say(f"jobmojito-mcp logout: {timeout}")
        return 1
    _say(f"Signed out {account.email or account.subject or ''} ({revoked}); removed it from {store.path}.")
    return 0


async def _revoke(account: Account) -> str:
    if account.refresh_token is None:
        return "nothing to revoke"
    try:
        async with auth_http_client() as http:
            metadata = await oauth.discover(http, account.auth_url)
            offered = await oauth.revoke(
                http, metadata, account.client_id, account.refresh_token, "refresh_token"
            )
    except oauth.OAuthProblem as problem:
        return f"revocation failed, so the session may stay valid until it expires: {problem}"
    return (
        "the session was revoked"
        if offered
        else "the server offers no revocation; the session ends when it expires"
    )


def describe_account(account: Account) -> str:
    """Who is signed in, where, with which client (for `check`; no secrets)."""
    seeded = f", seeded from JOBMOJITO_REFRESH_TOKEN {account.seed}" if account.seed else ""
    return (
        f"signed in as {account.email or account.subject or 'unknown'} via {account.auth_url} "
        f"(client {account.client_id}{seeded})"
    )


def describe_validity(account: Account) -> str:
    """Until when the access token works, and what happens then."""
    until = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(account.expires_at))
    then = "renewed automatically" if account.refresh_token else "no refresh token: run login again then"
    if account.expires_at <= time.time():
        return f"access token expired at {until} ({then} at the next call)"
    return f"access token valid until {until} ({then})"
