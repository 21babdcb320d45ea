"""Issue 21: attacks on the sign-in and the credentials file.

Finding 2. Before: a `.env` in the working directory (an MCP client starts servers anywhere, e.g. in a
cloned repository) setting JOBMOJITO_BASE_URL to another host, JOBMOJITO_AUTH_URL left pointing at
the real authorization server, made the server send the user's stored access token to that host.
Now no `.env` is read unless named with `--env-file`, and a stored sign-in is bound to the API
origin it was made for: even from a named file, it is never sent anywhere else.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shlex
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from jobmojito_mcp.config import Settings, url_origin
from jobmojito_mcp.sandbox import RunningSandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import SignIn
from jobmojito_mcp.signin.store import CredentialStore, LockUnavailable
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import run_cli, signin_env, stdio_server, text_of, whole_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


class Collector:
    """An attacker's HTTP server: records every request's Authorization header, answers 500 with text."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                seen.append(self.headers.get("Authorization") or "")
                body = b"attacker says: give me more"
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Collector:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker() -> Iterator[Collector]:
    with Collector() as collector:
        yield collector


@pytest.fixture
def credentials(tmp_path: Path, sandbox: RunningSandbox) -> Path:
    sandbox.auth.reset(knobs=True)
    path = tmp_path / "config" / "credentials.json"
    done = run_cli("login", env=whole_env(signin_env(sandbox.base_url, path)))
    assert done.returncode == 0, done.stderr
    return path


async def test_a_dotenv_cannot_redirect_the_stored_sign_in(
    sandbox: RunningSandbox, credentials: Path, attacker: Collector, tmp_path: Path
) -> None:
    repository = tmp_path / "cloned-repository"
    repository.mkdir()
    dotenv = repository / ".env"
    dotenv.write_text(
        f"JOBMOJITO_BASE_URL={attacker.url}/functions/v1\nJOBMOJITO_AUTH_URL={sandbox.jwt_issuer}\n"
    )
    env = signin_env(sandbox.base_url, credentials)
    del env["JOBMOJITO_BASE_URL"]  # the client configured nothing else: the .env would decide
    # Started in that directory: its .env is not read at all.
    async with stdio_server(env, cwd=repository) as server:
        result = await server.call("list_avatars", {"limit": 1})
        assert result.is_error and "attacker" not in text_of(result)
    assert attacker.seen == []
    # Named explicitly, it is read, yet the sign-in made for the sandbox's API is not sent elsewhere.
    async with stdio_server(env, ["--env-file", str(dotenv)], cwd=repository) as server:
        result = await server.call("list_avatars", {"limit": 1})
        text = text_of(result)
        assert result.is_error and "made for" in text and "nothing was sent" in text, text
    assert attacker.seen == []
    # The same sign-in still works where it was made for.
    async with stdio_server(signin_env(sandbox.base_url, credentials), cwd=repository) as server:
        result = await server.call("list_avatars", {"limit": 1})
        assert not result.is_error, text_of(result)


def test_check_says_when_the_sign_in_was_made_for_another_api(
    sandbox: RunningSandbox, credentials: Path, attacker: Collector
) -> None:
    """`check` fails the sign-in line itself (not a later call), says where the sign-in belongs, and
    gives the `login` command that signs in for the configured API; nothing carries the token away."""
    moved = signin_env(sandbox.base_url, credentials) | {
        "JOBMOJITO_BASE_URL": f"{attacker.url}/functions/v1",
        "JOBMOJITO_AUTH_URL": sandbox.jwt_issuer,  # the same sign-in, re-pointed at another API
    }
    checked = run_cli("check", env=whole_env(moved))
    said = checked.stdout + checked.stderr
    assert checked.returncode == 1 and "Traceback" not in said, said
    first = next(line for line in checked.stdout.splitlines() if line.startswith("["))
    assert first.startswith("[ok  ] configuration read"), checked.stdout
    status = checked.stdout.splitlines()[2]
    assert status.startswith("[FAIL] the stored sign-in was made for"), checked.stdout
    assert url_origin(sandbox.base_url) in status and attacker.url in status
    assert "jobmojito-mcp login --base-url" in checked.stdout
    assert not any(seen for seen in attacker.seen), attacker.seen  # the probe only, with no token

    # A person whose API is reached by another name (here the same sandbox as localhost) runs the
    # command `check` printed, as printed, and `check` then passes.
    elsewhere = f"{sandbox.base_url.replace('127.0.0.1', 'localhost')}"
    renamed = signin_env(sandbox.base_url, credentials) | {
        "JOBMOJITO_BASE_URL": elsewhere,
        "JOBMOJITO_AUTH_URL": sandbox.jwt_issuer,
    }
    checked = run_cli("check", env=whole_env(renamed))
    assert checked.returncode == 1 and "Traceback" not in checked.stdout + checked.stderr
    fix = next(line for line in checked.stdout.splitlines() if "fix:" in line)
    command = shlex.split(fix.split("`")[1])
    assert command[:4] == ["jobmojito-mcp", "login", "--base-url", elsewhere], fix
    assert "--auth-url" in command and "--credentials-file" in command
    done = run_cli(*command[1:], env=whole_env(renamed))
    assert done.returncode == 0, done.stderr
    checked = run_cli("check", env=whole_env(renamed))
    assert checked.returncode == 0 and "all good" in checked.stdout, checked.stdout


# ---------------------------------------------------------------------------------------------
# Finding 11: a hostile credentials file is a corrupt one; one others can read is warned about


HOSTILE = {
    "deep": '{"version": 1, "accounts": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "nan-expiry": "NaN",
    "infinite-expiry": "Infinity",
}


def hostile_file(path: Path, sandbox: RunningSandbox, kind: str) -> None:
    if kind == "deep":
        path.write_text(HOSTILE[kind])
        return
    import json

    contents = json.loads(path.read_text())
    contents["accounts"][sandbox.jwt_issuer]["expires_at"] = "__EXPIRY__"
    path.write_text(json.dumps(contents).replace('"__EXPIRY__"', HOSTILE[kind]))


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_a_hostile_credentials_file_is_treated_as_corrupt(
    sandbox: RunningSandbox, credentials: Path, kind: str
) -> None:
    hostile_file(credentials, sandbox, kind)
    env = signin_env(sandbox.base_url, credentials)
    checked = run_cli("check", env=whole_env(env))
    assert checked.returncode == 1 and "Traceback" not in checked.stdout + checked.stderr
    assert "not a readable credentials file" in checked.stdout, checked.stdout
    sandbox.clear_requests()
    async with stdio_server(env) as server:
        result = await server.call("list_avatars", {"limit": 1})
        assert result.is_error and "not a readable credentials file" in text_of(result), text_of(result)
        assert "Traceback" not in server.stderr()
    assert sandbox.requests() == []
    # The documented recovery works: login sets the file aside and signs in afresh.
    again = run_cli("login", env=whole_env(env))
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert list(credentials.parent.glob("credentials.json.corrupt-*"))


async def test_a_credentials_file_others_can_read_is_warned_about(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    os.chmod(credentials, 0o644)
    env = signin_env(sandbox.base_url, credentials)
    checked = run_cli("check", env=whole_env(env))
    assert "[warn] the sign-in may be read by others" in checked.stdout and "chmod 600" in checked.stdout
    async with stdio_server(env) as server:
        assert not (await server.call("list_avatars", {"limit": 1})).is_error
        assert "may be read by others" in server.stderr() and "chmod 600" in server.stderr()
    os.chmod(credentials, 0o600)
    os.chmod(credentials.parent, 0o755)  # noqa: S103  # the attack: a directory others can list
    checked = run_cli("check", env=whole_env(env))
    assert "chmod 700" in checked.stdout


# ---------------------------------------------------------------------------------------------
# Finding 7: a refresh token loaded from the file is redacted before its first use


class EchoingTokenEndpoint(Collector):
    """An authorization server's token endpoint that refuses, quoting the refresh token it was sent."""

    def __init__(self) -> None:
        super().__init__()
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                token = form.get("refresh_token", [""])[0]
                seen.append(token)
                body = json.dumps(
                    {"error": "invalid_grant", "error_description": f"refresh token {token} already used"}
                ).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server.RequestHandlerClass = Handler


def expire_stored(credentials: Path, key: str) -> str:
    """Mark the stored access token expired (the next call refreshes); the stored refresh token."""
    stored = json.loads(credentials.read_text())
    account = stored["accounts"][key]
    account["expires_at"] = 1.0
    credentials.write_text(json.dumps(stored))
    return str(account["refresh_token"])


def stored_account(credentials: Path, key: str) -> dict[str, Any]:
    account: dict[str, Any] = json.loads(credentials.read_text())["accounts"][key]
    return account


async def test_an_echoed_refresh_token_is_redacted_everywhere(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    refresh_token = expire_stored(credentials, sandbox.jwt_issuer)
    with EchoingTokenEndpoint() as echo:
        sandbox.auth.metadata_patch = {"token_endpoint": f"{echo.url}/token"}
        try:
            async with stdio_server(signin_env(sandbox.base_url, credentials)) as server:
                result = await server.call("list_avatars", {"limit": 1})
                stderr = server.stderr()
        finally:
            sandbox.auth.metadata_patch = {}
    assert echo.seen == [refresh_token], "the attack ran: the token was sent and echoed"
    assert result.is_error and "sign-in has ended" in text_of(result)
    assert refresh_token not in text_of(result)
    assert refresh_token not in stderr and "already used" in stderr
    ended = stored_account(credentials, sandbox.jwt_issuer)["ended"]
    assert "already used" in ended and refresh_token not in ended


# ---------------------------------------------------------------------------------------------
# Finding 4: a read-only credentials directory (a mounted secret) keeps the rotated token in memory


class ReadOnlyStore(CredentialStore):
    """The credentials file on a read-only mount: readable, never lockable or writable (as root in CI,
    permission bits would not stop a write, so the mount's refusals are what this stands in for)."""

    def save(self, key: str, account: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        raise LockUnavailable(f"{self.path.parent}: Read-only file system")
        yield  # pragma: no cover


async def test_a_read_only_credentials_directory_renews_from_memory(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    """Before: the second renewal presented the file's spent refresh token instead of the rotated one
    in memory; the authorization server saw reuse and revoked the sign-in."""
    expire_stored(credentials, sandbox.jwt_issuer)  # the first call renews
    sandbox.auth.token_ttl = 2  # and each renewed token is due again 1.5 s later
    settings = Settings(base_url=sandbox.base_url)
    credential = SignIn(
        ReadOnlyStore(credentials), sandbox.jwt_issuer, api_origin=url_origin(sandbox.base_url)
    )
    async with (
        Upstream(settings) as upstream,
        Client(build_server(upstream, lambda _ctx: credential)) as client,
    ):
        for _ in range(4):
            result = await client.call_tool("list_avatars", {"limit": 1})
            assert not result.is_error, text_of(result)
            await anyio.sleep(1.6)
    await credential.aclose()
    assert sandbox.auth.count("refresh") >= 3 and sandbox.auth.count("reuse") == 0


# ---------------------------------------------------------------------------------------------
# Finding 6: requests to the authorization server have a deadline, a size cap and a number guard


class HostileTokenEndpoint(Collector):
    """A token endpoint answering 200 in one of the hostile ways `mode` names."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import time

                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append(mode)
                token = "a" * (8 * 1024 * 1024) if mode == "huge" else "header.payload.signature"
                expires = "9" * 400 if mode == "overflow" else "3600"
                body = (
                    f'{{"access_token": "{token}", "token_type": "bearer", "expires_in": {expires}, '
                    '"refresh_token": "rotated-refresh-token-0123456789"}'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if mode == "drip":
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.3)
                    else:
                        self.wfile.write(body)
                except OSError:
                    pass  # the client gave up: the point

            def log_message(self, *args: object) -> None:
                pass

        self.server.RequestHandlerClass = Handler


@pytest.mark.parametrize("mode", ["drip", "huge", "overflow"])
async def test_a_hostile_token_answer_is_refused_in_time(
    sandbox: RunningSandbox, credentials: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobmojito_mcp.signin import oauth

    monkeypatch.setattr(oauth, "AUTH_DEADLINE", 2.0)  # 20 s in use; the point is that there is one
    before = expire_stored(credentials, sandbox.jwt_issuer)
    settings = Settings(base_url=sandbox.base_url)
    credential = SignIn(
        CredentialStore(credentials), sandbox.jwt_issuer, api_origin=url_origin(sandbox.base_url)
    )
    with HostileTokenEndpoint(mode) as hostile:
        sandbox.auth.metadata_patch = {"token_endpoint": f"{hostile.url}/token"}
        try:
            async with (
                Upstream(settings) as upstream,
                Client(build_server(upstream, lambda _ctx: credential)) as client,
            ):
                started = anyio.current_time()
                result = await client.call_tool("list_avatars", {"limit": 1})
                elapsed = anyio.current_time() - started
        finally:
            sandbox.auth.metadata_patch = {}
            await credential.aclose()
    assert hostile.seen == [mode]
    text = text_of(result)
    assert result.is_error and "Could not renew" in text and "Traceback" not in text, text
    expected = {"drip": "within 2 s", "huge": "over 64 KiB", "overflow": "unusable expires_in"}[mode]
    assert expected in text, text
    assert elapsed < 6
    assert stored_account(credentials, sandbox.jwt_issuer)["refresh_token"] == before, "nothing saved"
