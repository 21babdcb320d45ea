"""Signing in as a user does: `jobmojito-mcp login` in a terminal (a browser follows the redirects),
then servers that use and renew that sign-in, and every way a sign-in can go wrong.

Nothing of the flow is mocked: the CLI and the servers are subprocesses talking real HTTP to the
sandbox's authorization server and functions; the assertions read the credentials file and the
sandbox's own records (its auth event counts and the requests the functions received).
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import run_cli, signin_env, stdio_server, text_of, whole_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]
LOGIN_ERROR = re.compile(r"^jobmojito-mcp login: .+$")


@pytest.fixture(autouse=True)
def fresh_auth(sandbox: RunningSandbox) -> None:
    sandbox.auth.reset(knobs=True)
    sandbox.clear_requests()
    sandbox.clear_faults()


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    return tmp_path / "config" / "credentials.json"


def login(
    sandbox: RunningSandbox, credentials: Path, *args: str, decision: str = "approve", **settings: str
) -> subprocess.CompletedProcess[str]:
    env = whole_env(signin_env(sandbox.base_url, credentials, decision=decision, **settings))
    done: subprocess.CompletedProcess[str] = run_cli("login", *args, env=env)
    return done


def stored(credentials: Path) -> dict[str, Any]:
    contents: dict[str, Any] = json.loads(credentials.read_text("utf-8"))
    return contents


def account(credentials: Path, sandbox: RunningSandbox) -> dict[str, Any]:
    entry: dict[str, Any] = stored(credentials)["accounts"][sandbox.jwt_issuer]
    return entry


def cli(
    sandbox: RunningSandbox, credentials: Path, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    done: subprocess.CompletedProcess[str] = run_cli(
        *args, env=whole_env(signin_env(sandbox.base_url, credentials, **settings))
    )
    return done


@dataclass
class PastingLogin:
    """`login --no-browser` running, with the address it printed; `paste()` answers it, `finish()` waits."""

    process: subprocess.Popen[str]
    url: str

    def paste(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def finish(self) -> tuple[int, str]:
        """(exit status, what it printed on stderr after the address)."""
        assert self.process.stderr is not None
        status = self.process.wait(timeout=30)
        return status, self.process.stderr.read()


@contextmanager
def pasting_login(sandbox: RunningSandbox, credentials: Path) -> Iterator[PastingLogin]:
    process = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp", "login", "--no-browser"],
        env=whole_env(signin_env(sandbox.base_url, credentials)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines = iter(process.stderr.readline, "")
        url = next((line.strip() for line in lines if line.strip().startswith("http")), "")
        assert url, "login ended before printing the address"
        yield PastingLogin(process, url)
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def bearers(sandbox: RunningSandbox) -> list[str | None]:
    return [request.token for request in sandbox.requests()]


def assert_one_line_refusal(done: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert LOGIN_ERROR.match(last), done.stderr
    assert "Traceback" not in done.stderr
    for phrase in phrases:
        assert phrase in last, last


def test_login_end_to_end_then_calls_need_no_token(sandbox: RunningSandbox, credentials: Path) -> None:
    done = login(sandbox, credentials)
    assert done.returncode == 0, done.stderr
    assert "Signed in to JobMojito as demo@sandbox.jobmojito.invalid" in done.stderr
    assert done.stdout == ""
    # Private from the start: 0600 in a 0700 directory.
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.parent.stat().st_mode) == 0o700
    saved = account(credentials, sandbox)
    assert saved["email"] == "demo@sandbox.jobmojito.invalid" and saved["refresh_token"]
    assert saved["issuer"] == sandbox.jwt_issuer and saved["scope"] == "openid email offline_access"
    for secret in (saved["access_token"], saved["refresh_token"]):
        assert secret not in done.stdout + done.stderr
    assert (sandbox.auth.count("register"), sandbox.auth.count("code")) == (1, 1)

    called = cli(sandbox, credentials, "call", "list_avatars", "limit=1")
    assert called.returncode == 0, called.stdout + called.stderr
    assert bearers(sandbox) == [saved["access_token"]]

    # A second login reuses this program's registration (same loopback port, same client id).
    again = login(sandbox, credentials)
    assert again.returncode == 0, again.stderr
    assert sandbox.auth.count("register") == 1 and sandbox.auth.count("code") == 2
    assert account(credentials, sandbox)["client_id"] == saved["client_id"]


async def test_a_stdio_server_uses_the_stored_sign_in(sandbox: RunningSandbox, credentials: Path) -> None:
    assert login(sandbox, credentials).returncode == 0
    async with stdio_server(signin_env(sandbox.base_url, credentials)) as server:
        result = await server.call("list_avatars", {"limit": 1})
        assert not result.is_error, text_of(result)
        assert "signed in as demo@sandbox.jobmojito.invalid" in server.stderr()
    assert bearers(sandbox) == [account(credentials, sandbox)["access_token"]]


def test_login_without_a_browser_takes_the_pasted_address(sandbox: RunningSandbox, credentials: Path) -> None:
    with pasting_login(sandbox, credentials) as login_run:
        # The person signs in elsewhere; their browser lands on the loopback address, which cannot load there.
        with httpx2.Client(timeout=10) as http:
            location = login_run.url
            while "/callback?" not in location:
                answer = http.get(location)
                assert answer.status_code == 302, answer.text
                location = answer.headers["location"]
        login_run.paste(location)
        status, said = login_run.finish()
    assert status == 0, said
    assert account(credentials, sandbox)["email"] == "demo@sandbox.jobmojito.invalid"


async def test_export_serves_a_headless_machine_whose_rotated_token_survives_restarts(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    done = login(sandbox, credentials, "--export")
    assert done.returncode == 0, done.stderr
    exported = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert set(exported) == {"JOBMOJITO_CLIENT_ID", "JOBMOJITO_REFRESH_TOKEN"}
    assert not stored(credentials)["accounts"]  # not saved here: a refresh token serves one place
    sandbox.auth.token_ttl = 2
    headless = signin_env(sandbox.base_url, credentials) | exported
    for run in range(2):  # the second run starts after the first one's token expired
        async with stdio_server(headless) as server:
            result = await server.call("list_avatars", {"limit": 1})
            assert not result.is_error, text_of(result)
        assert sandbox.auth.count("refresh") == run + 1
        await anyio.sleep(2.2)
    # The seed was spent once; the restart continued from what it rotated into (no reuse detected).
    assert sandbox.auth.count("reuse") == 0
    (entry,) = stored(credentials)["accounts"].values()
    assert entry["seed"] and entry["refresh_token"] != exported["JOBMOJITO_REFRESH_TOKEN"]


def test_logout_revokes_and_forgets(sandbox: RunningSandbox, credentials: Path) -> None:
    assert login(sandbox, credentials).returncode == 0
    access = account(credentials, sandbox)["access_token"]
    done = cli(sandbox, credentials, "logout")
    assert done.returncode == 0, done.stderr
    assert "the session was revoked" in done.stderr
    assert sandbox.auth.count("revoke") == 1 and sandbox.auth.live_session_ids() == []
    assert sandbox.jwt_issuer not in stored(credentials)["accounts"]
    # The token the server still had in memory no longer works at JobMojito either.
    answer = httpx2.get(
        f"{sandbox.base_url}/merchant-avatar-list", headers={"Authorization": f"Bearer {access}"}
    )
    assert answer.status_code == 401
    after = cli(sandbox, credentials, "call", "list_avatars")
    assert after.returncode == 1 and "not signed in" in after.stdout
    assert (
        f"Not signed in to {sandbox.jwt_issuer}; nothing to do." in cli(sandbox, credentials, "logout").stderr
    )


def test_logout_without_a_sign_in_creates_nothing(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Signing out where nobody signed in says so, and leaves the disk as it was (no directory
    made for a lock file, for a credentials path that does not exist)."""
    credentials = tmp_path / "no" / "such" / "dir" / "credentials.json"
    done = cli(sandbox, credentials, "logout")
    assert done.returncode == 0, done.stderr
    assert f"Not signed in to {sandbox.jwt_issuer}; nothing to do." in done.stderr
    assert list(tmp_path.iterdir()) == []


async def test_a_revoked_sign_in_names_login_and_a_new_login_fixes_it_without_restart(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    assert login(sandbox, credentials).returncode == 0
    async with stdio_server(signin_env(sandbox.base_url, credentials)) as server:
        assert not (await server.call("list_avatars", {"limit": 1})).is_error
        sandbox.auth.sign_out()  # e.g. "sign out everywhere" in JobMojito's web app
        ended = await server.call("list_avatars", {"limit": 1})
        assert ended.is_error
        assert "sign-in has ended" in text_of(ended) and "`jobmojito-mcp login`" in text_of(ended)
        assert sandbox.auth.count("refresh-refused") == 1
        again = await server.call(
            "list_avatars", {"limit": 1}
        )  # still ended: told again, the server not asked twice
        assert again.is_error and sandbox.auth.count("refresh-refused") == 1
        assert login(sandbox, credentials).returncode == 0
        fixed = await server.call("list_avatars", {"limit": 1})
        assert not fixed.is_error, text_of(fixed)
    assert bearers(sandbox)[-1] == account(credentials, sandbox)["access_token"]


# -- what goes wrong: one line, exit 1, nothing written, the old sign-in still usable ---------------


@pytest.fixture
def signed_in(sandbox: RunningSandbox, credentials: Path) -> dict[str, Any]:
    assert login(sandbox, credentials).returncode == 0
    return account(credentials, sandbox)


def still_usable(sandbox: RunningSandbox, credentials: Path, before: dict[str, Any]) -> None:
    assert account(credentials, sandbox) == before
    called = cli(sandbox, credentials, "call", "list_avatars", "limit=1")
    assert called.returncode == 0, called.stdout


def test_unreachable_authorization_server(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    done = login(sandbox, credentials, "--auth-url", "http://127.0.0.1:9/auth/v1")
    assert_one_line_refusal(done, "could not reach the authorization server")
    still_usable(sandbox, credentials, signed_in)


def test_metadata_without_s256(sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]) -> None:
    sandbox.auth.metadata_patch = {"code_challenge_methods_supported": ["plain"]}
    assert_one_line_refusal(
        login(sandbox, credentials), "does not offer PKCE with S256", "refusing to sign in"
    )
    sandbox.auth.metadata_patch = {}
    still_usable(sandbox, credentials, signed_in)


def test_denied_consent(sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]) -> None:
    sandbox.auth.consent = True
    assert_one_line_refusal(login(sandbox, credentials, decision="deny"), "access was denied in the browser")
    assert sandbox.auth.count("denied") == 1
    still_usable(sandbox, credentials, signed_in)


def test_consent_approved_by_a_person(sandbox: RunningSandbox, credentials: Path) -> None:
    sandbox.auth.consent = True
    assert login(sandbox, credentials).returncode == 0
    assert account(credentials, sandbox)["email"] == "demo@sandbox.jobmojito.invalid"


def test_callback_port_taken(sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = login(sandbox, credentials, "--callback-port", str(port))
    assert_one_line_refusal(done, f"cannot receive the sign-in on 127.0.0.1:{port}", "--callback-port")
    still_usable(sandbox, credentials, signed_in)


def test_token_already_expired_on_arrival(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    sandbox.auth.clock_skew = -7200  # the server's clock (or this machine's) is two hours off
    assert_one_line_refusal(login(sandbox, credentials), "had already expired when it arrived", "clock")
    sandbox.auth.clock_skew = 0
    still_usable(sandbox, credentials, signed_in)


def test_nobody_completes_the_sign_in(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    env = whole_env(signin_env(sandbox.base_url, credentials)) | {"BROWSER": "true %s"}  # opens nothing
    done = run_cli("login", "--timeout", "1", env=env)
    assert_one_line_refusal(done, "no sign-in completed within 1 s")
    still_usable(sandbox, credentials, signed_in)


def test_state_mismatch(sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]) -> None:
    with pasting_login(sandbox, credentials) as login_run:
        port = re.search(r"127\.0\.0\.1%3A(\d+)", login_run.url)
        assert port is not None
        # A redirect from another attempt (or an attacker's) carries another state: refused.
        login_run.paste(f"http://127.0.0.1:{port.group(1)}/callback?code=stolen&state=not-yours")
        status, said = login_run.finish()
    assert status == 1
    assert "state mismatch" in said.strip().splitlines()[-1] and "Traceback" not in said
    assert sandbox.auth.count("code") == 1  # only the fixture's sign-in: the stolen code was never sent
    still_usable(sandbox, credentials, signed_in)


def test_stray_requests_to_the_callback_do_not_end_the_login(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    """Issue 21, finding 9. Before: any request to the callback ended the login, whatever its state or
    Host (a web page could cut a sign-in short). Now those are turned away and the login waits on."""
    with pasting_login(sandbox, credentials) as login_run:
        port = re.search(r"127\.0\.0\.1%3A(\d+)", login_run.url)
        assert port is not None
        callback = f"http://127.0.0.1:{port.group(1)}/callback"
        state = re.search(r"[?&]state=([^&]+)", login_run.url)
        assert state is not None
        with httpx2.Client(timeout=10) as http:
            assert http.get(f"{callback}?code=stolen&state=not-yours").status_code == 400
            assert http.get(f"{callback}?error=access_denied").status_code == 400
            rebound = http.get(
                f"{callback}?code=x&state={state.group(1)}", headers={"Host": "attacker.example"}
            )
            assert rebound.status_code == 421
            assert login_run.process.poll() is None, "the login is still waiting"
            # The real sign-in, as the browser completes it, still works.
            http.get(login_run.url, follow_redirects=True)
        status, said = login_run.finish()
    assert status == 0, said
    assert sandbox.auth.count("code") == 2  # the fixture's sign-in and this one: nothing stolen was sent


def test_corrupt_credentials_file(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    credentials.write_text('{"version": 1, "accounts": {"x": ', "utf-8")
    called = cli(sandbox, credentials, "call", "list_avatars")
    assert called.returncode == 1
    assert (
        f"{credentials} is not a readable credentials file" in called.stdout
        and "jobmojito-mcp login" in called.stdout
    )
    checked = cli(sandbox, credentials, "check")
    assert (
        checked.returncode == 1
        and "[FAIL]" in checked.stdout
        and "not a readable credentials file" in checked.stdout
    )
    assert [request.endpoint for request in sandbox.requests()] == [""]  # check's reachability probe only
    # login replaces it, keeping the unreadable one aside for inspection.
    done = login(sandbox, credentials)
    assert done.returncode == 0 and "moved to" in done.stderr
    assert [path.name.startswith("credentials.json.corrupt-") for path in credentials.parent.iterdir()].count(
        True
    ) == 1
    assert cli(sandbox, credentials, "call", "list_avatars").returncode == 0


async def test_a_code_used_twice_is_refused_in_one_line(sandbox: RunningSandbox) -> None:
    from mcp.client.auth.oauth2 import PKCEParameters

    from jobmojito_mcp.signin import oauth

    async with httpx2.AsyncClient(timeout=10) as http:
        metadata = await oauth.discover(http, sandbox.jwt_issuer)
        redirect = "http://127.0.0.1:53700/callback"
        client = await oauth.register(http, metadata, redirect)
        pkce = PKCEParameters.generate()
        location = (
            await http.get(oauth.authorization_url(metadata, client.client_id, redirect, pkce, "s"))
        ).headers["location"]
        code = re.search(r"code=([^&]+)", location)
        assert code is not None
        first = await oauth.exchange_code(
            http, metadata, client.client_id, redirect, code.group(1), pkce.code_verifier
        )
        with pytest.raises(oauth.GrantRefused) as refused:
            await oauth.exchange_code(
                http, metadata, client.client_id, redirect, code.group(1), pkce.code_verifier
            )
    assert str(refused.value) == (
        "the authorization server refused the authorization code: HTTP 400: invalid_grant (authorization code already used)"
    )
    assert refused.value.error == "invalid_grant"
    # Whoever replayed it, the tokens of the first exchange no longer work either.
    answer = httpx2.get(
        f"{sandbox.base_url}/merchant-avatar-list", headers={"Authorization": f"Bearer {first.access_token}"}
    )
    assert answer.status_code == 401


def test_check_shows_who_until_when_and_where(
    sandbox: RunningSandbox, credentials: Path, signed_in: dict[str, Any]
) -> None:
    done = cli(sandbox, credentials, "check")
    assert done.returncode == 0, done.stdout
    assert f"signed in as demo@sandbox.jobmojito.invalid via {sandbox.jwt_issuer}" in done.stdout
    assert f"credentials in {credentials}" in done.stdout
    assert re.search(
        r"access token valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(renewed automatically\)", done.stdout
    )
    for secret in (signed_in["access_token"], signed_in["refresh_token"], signed_in["client_id"] + "x"):
        assert secret not in done.stdout + done.stderr


def test_credentials_file_location_follows_the_platform(sandbox: RunningSandbox, tmp_path: Path) -> None:
    env = whole_env(signin_env(sandbox.base_url, tmp_path / "unused")) | {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg")
    }
    del env["JOBMOJITO_CREDENTIALS_FILE"]
    assert run_cli("login", env=env).returncode == 0
    assert (tmp_path / "xdg" / "jobmojito-mcp" / "credentials.json").exists()
    assert time.time() - os.stat(tmp_path / "xdg" / "jobmojito-mcp" / "credentials.json").st_mtime < 60


async def test_a_read_only_home_keeps_the_headless_sign_in_in_memory(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    done = login(sandbox, credentials, "--export")
    exported = dict(line.split("=", 1) for line in done.stdout.splitlines())
    sandbox.auth.token_ttl = 2
    unwritable = Path("/dev/null/jobmojito/credentials.json")  # no directory can be made there
    async with stdio_server(signin_env(sandbox.base_url, unwritable) | exported) as server:
        for _ in range(3):  # across a renewal: the rotated refresh token lives in memory
            result = await server.call("list_avatars", {"limit": 1})
            assert not result.is_error, text_of(result)
            await anyio.sleep(1.6)
        assert "keeping the sign-in in memory only" in server.stderr()
    assert sandbox.auth.count("refresh") >= 2 and sandbox.auth.count("reuse") == 0


async def test_an_unreachable_authorization_server_is_ridden_out(
    sandbox: RunningSandbox, credentials: Path
) -> None:
    sandbox.auth.token_ttl = 8  # renewed in its last quarter: its last two seconds or so
    assert login(sandbox, credentials).returncode == 0
    expires_at = account(credentials, sandbox)["expires_at"]
    async with stdio_server(signin_env(sandbox.base_url, credentials)) as server:
        assert not (await server.call("list_avatars", {"limit": 1})).is_error
        sandbox.auth.metadata_patch = {"token_endpoint": "http://127.0.0.1:9/auth/v1/oauth/token"}
        await anyio.sleep(expires_at - 1 - time.time())  # due for renewal, not yet expired
        assert not (await server.call("list_avatars", {"limit": 1})).is_error  # the old token still serves
        await anyio.sleep(expires_at + 0.5 - time.time())  # expired now, and still no way to renew it
        down = await server.call("list_avatars", {"limit": 1})
        assert down.is_error and "Could not renew" in text_of(down) and "safe to try again" in text_of(down)
        assert "could not reach the authorization server" in text_of(down)
        sandbox.auth.metadata_patch = {}  # back: the next call discovers it afresh and renews
        back = await server.call("list_avatars", {"limit": 1})
        assert not back.is_error, text_of(back)
    assert sandbox.auth.count("refresh") == 1
    assert [request.token for request in sandbox.requests() if request.endpoint][-1] == account(
        credentials, sandbox
    )["access_token"]
