"""The sign-in pieces on their own: where the auth server is, when a token is renewed, the
credentials file's guarantees, refused callers' tokens, and the OAuth client's refusals."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.shared.auth import OAuthToken
from pydantic import ValidationError

from jobmojito_mcp.config import DEFAULT_AUTH_URL, Settings
from jobmojito_mcp.sandbox import RunningSandbox
from jobmojito_mcp.signin import oauth
from jobmojito_mcp.signin.credentials import RefusedTokens, renewal_due
from jobmojito_mcp.signin.store import Account, CorruptCredentials, CredentialStore, RegisteredClient

pytestmark = pytest.mark.anyio


def settings(**values: Any) -> Settings:
    return Settings(**values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, DEFAULT_AUTH_URL),  # production API: JobMojito's own Supabase project
        ({"base_url": "http://127.0.0.1:8765/functions/v1"}, "http://127.0.0.1:8765/auth/v1"),
        (
            {
                "base_url": "https://api.example.com/functions/v1",
                "auth_url": "https://id.example.com/auth/v1/",
            },
            "https://id.example.com/auth/v1",
        ),
    ],
)
def test_the_authorization_server_follows_the_api(values: dict[str, str], expected: str) -> None:
    assert settings(**values).resolved_auth_url == expected


def test_a_headless_refresh_token_needs_its_client() -> None:
    with pytest.raises(ValidationError, match="JOBMOJITO_CLIENT_ID"):
        settings(refresh_token="r-123")
    assert settings(refresh_token="r-123", client_id="c-1").client_id == "c-1"
    assert settings(refresh_token="  ").refresh_token is None  # a blank line in .env means unset


def account(**values: Any) -> Account:
    now = time.time()
    base: dict[str, Any] = {
        "auth_url": "https://id.example/auth/v1",
        "issuer": "https://id.example/auth/v1",
        "client_id": "client-1",
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "expires_at": now + 3600,
        "signed_in_at": now,
    }
    return Account(**(base | values))


@pytest.mark.parametrize(
    ("lifetime", "age", "due"),
    [
        (3600, 0, False),
        (3600, 3600 - 61, False),  # an hour-long token: renewed in its last minute
        (3600, 3600 - 59, True),
        (2, 1.4, False),  # a two-second token: in its last quarter
        (2, 1.6, True),
        (2, 5, True),  # long expired
    ],
)
def test_renewal_is_due_in_the_last_quarter_or_minute(lifetime: float, age: float, due: bool) -> None:
    now = time.time()
    token = account(signed_in_at=now - age, expires_at=now - age + lifetime)
    assert renewal_due(token, now) is due


def test_refused_tokens_are_remembered_until_they_would_have_expired() -> None:
    import jwt

    refused = RefusedTokens(limit=3)
    alive = jwt.encode({"exp": int(time.time()) + 60}, "k" * 32)
    dead = jwt.encode({"exp": int(time.time()) - 1}, "k" * 32)
    refused.add(alive)
    refused.add(dead)
    assert alive in refused and dead not in refused and "never-refused" not in refused
    for index in range(3):  # bounded: the oldest entries go first
        refused.add(jwt.encode({"exp": int(time.time()) + 60, "n": index}, "k" * 32))
    assert alive not in refused


def test_the_store_is_private_atomic_and_keeps_every_server_apart(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "deep" / "credentials.json")
    assert store.account("https://id.example/auth/v1") is None  # no file yet: not signed in
    original = account()
    store.save("https://id.example/auth/v1", original)
    store.save("http://127.0.0.1:8765/auth/v1", account(access_token="sandbox-access"))
    store.save_client(
        "https://id.example/auth/v1", RegisteredClient(issuer="i", client_id="c", redirect_uri="r")
    )
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert [name for name in os.listdir(store.path.parent) if name.startswith(".")] == []  # no temporary left
    assert store.account("https://id.example/auth/v1") == original
    removed = store.remove("https://id.example/auth/v1")
    assert removed is not None and store.account("https://id.example/auth/v1") is None
    assert store.account("http://127.0.0.1:8765/auth/v1") is not None
    assert store.client("https://id.example/auth/v1") is not None  # the registration outlives the sign-in


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.save("a", account())
    before = store.path.read_bytes()

    def full_disk(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        store.save("a", account(access_token="new"))
    assert store.path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["credentials.json"]


@pytest.mark.parametrize(
    "content", ["not json", '{"version": 2}', '{"accounts": {"a": {"client_id": 1}}}', "[]"]
)
def test_an_unreadable_store_says_how_to_recover(tmp_path: Path, content: str) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.path.write_text(content, "utf-8")
    with pytest.raises(CorruptCredentials, match="run `jobmojito-mcp login` to replace it"):
        store.account("a")
    aside = store.set_aside()
    assert aside is not None and aside.read_text("utf-8") == content and not store.path.exists()


def test_a_token_already_expired_on_arrival_is_refused() -> None:
    import jwt

    received = time.time()
    skewed = jwt.encode({"exp": int(received) - 3600}, "k" * 32)
    with pytest.raises(oauth.OAuthProblem, match=r"had already expired when it arrived.*clock"):
        oauth._checked(OAuthToken(access_token=skewed, expires_in=3600), received)
    with pytest.raises(oauth.OAuthProblem, match="already expired"):
        oauth._checked(OAuthToken(access_token="opaque", expires_in=0), received)
    # The earlier of `expires_in` and the JWT's `exp` wins: never trusted longer than the API accepts.
    short = jwt.encode({"exp": int(received) + 100}, "k" * 32)
    assert (
        oauth._checked(OAuthToken(access_token=short, expires_in=3600), received).expires_at
        == int(received) + 100
    )


async def test_discovery_refuses_what_it_cannot_trust(sandbox: RunningSandbox) -> None:
    async with httpx2.AsyncClient(timeout=5) as http:
        found = await oauth.discover(http, sandbox.jwt_issuer)
        assert str(found.jwks_uri) == f"{sandbox.jwt_issuer}/.well-known/jwks.json"
        sandbox.auth.metadata_patch = {"issuer": "https://impostor.example/auth/v1"}
        try:
            with pytest.raises(oauth.OAuthProblem, match=r"names issuer https://impostor\.example/auth/v1"):
                await oauth.discover(http, sandbox.jwt_issuer)
        finally:
            sandbox.auth.metadata_patch = {}
        with pytest.raises(oauth.OAuthProblem, match="no authorization-server metadata"):
            await oauth.discover(http, f"{sandbox.root_url}/nowhere")
        with pytest.raises(oauth.AuthServerUnreachable, match="could not reach the authorization server"):
            await oauth.discover(http, "http://127.0.0.1:9/auth/v1")


def test_the_credentials_file_never_holds_more_than_it_should(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.save("a", account(seed="abcd", ended=None))
    saved = json.loads(store.path.read_text("utf-8"))
    assert set(saved) == {"version", "accounts", "clients"}
    assert "ended" not in saved["accounts"]["a"]  # unset fields are left out, not written as null
