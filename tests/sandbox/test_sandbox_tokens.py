"""The simulated auth server: JWKS, password grant, and tokens that verify (or, forged, do not)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import jwt
import pytest

from jobmojito_mcp.sandbox import SANDBOX_MERCHANT_ID, RunningSandbox, run_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


def verify(sandbox: RunningSandbox, token: str) -> dict[str, object]:
    keys = httpx2.get(sandbox.jwks_url).json()["keys"]
    assert [key["kid"] for key in keys] == ["sandbox-es256"]
    key = jwt.PyJWK(keys[0])
    claims: dict[str, object] = jwt.decode(
        token, key.key, algorithms=["ES256"], audience="authenticated", issuer=sandbox.jwt_issuer
    )
    return claims


def test_issued_token_verifies_against_the_jwks(sandbox: RunningSandbox) -> None:
    claims = verify(sandbox, sandbox.issue_token("user-1"))
    assert claims["sub"] == "user-1"
    assert claims["app_metadata"] == {"merchant_id": SANDBOX_MERCHANT_ID}


def test_forged_and_expired_tokens_do_not_verify(sandbox: RunningSandbox) -> None:
    with pytest.raises(jwt.InvalidSignatureError):
        verify(sandbox, sandbox.forge_token("user-1"))
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(sandbox, sandbox.issue_token("user-1", expires_in=-60))


def test_password_grant(sandbox: RunningSandbox) -> None:
    url = f"{sandbox.jwt_issuer}/token?grant_type=password"
    answer = httpx2.post(url, json={"email": "Ada@Example.com", "password": "x"})
    assert answer.status_code == 200
    body = answer.json()
    assert verify(sandbox, body["access_token"])["sub"] == body["user"]["id"]
    assert httpx2.post(url, json={"email": "a@b.c"}).status_code == 400
    assert httpx2.post(f"{sandbox.jwt_issuer}/token?grant_type=refresh_token", json={}).status_code == 400
