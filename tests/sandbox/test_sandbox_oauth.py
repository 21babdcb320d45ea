"""The sandbox as Supabase Auth's OAuth 2.1 server: discovery, registration, the code flow with
PKCE, refresh rotation and reuse detection, revocation, sign-out, and what the functions make of it.

Driven with plain HTTP and a PKCE pair computed here, so these tests share no code with either
OAuth client the project uses (ours, the MCP SDK's).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import jwt
import pytest

from jobmojito_mcp.sandbox import RunningSandbox

REDIRECT = "http://127.0.0.1:53682/callback"
SCOPE = "openid email offline_access"


@pytest.fixture(autouse=True)
def fresh_auth(sandbox: RunningSandbox) -> None:
    sandbox.auth.reset(knobs=True)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def register(http: httpx2.Client, sandbox: RunningSandbox, **extra: Any) -> dict[str, Any]:
    body = {
        "client_name": "test client",
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "none",
        "scope": SCOPE,
    } | extra
    answer = http.post(f"{sandbox.jwt_issuer}/oauth/clients/register", json=body)
    assert answer.status_code == 201, answer.text
    registered: dict[str, Any] = answer.json()
    return registered


def authorize(
    http: httpx2.Client, sandbox: RunningSandbox, client_id: str, challenge: str, **extra: str
) -> httpx2.Response:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | extra
    return http.get(f"{sandbox.jwt_issuer}/oauth/authorize", params=params)


def sign_in(http: httpx2.Client, sandbox: RunningSandbox, scope: str = SCOPE) -> tuple[str, dict[str, Any]]:
    """Register, authorize and exchange: (client_id, token answer)."""
    client_id = register(http, sandbox)["client_id"]
    verifier, challenge = pkce()
    code = query_of(authorize(http, sandbox, client_id, challenge, scope=scope).headers["location"])["code"]
    answer = token(
        http,
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=client_id,
        code_verifier=verifier,
    )
    assert answer.status_code == 200, answer.text
    return client_id, answer.json()


def token(http: httpx2.Client, sandbox: RunningSandbox, **form: str) -> httpx2.Response:
    return http.post(f"{sandbox.jwt_issuer}/oauth/token", data=form)


def functions_status(http: httpx2.Client, sandbox: RunningSandbox, access_token: str) -> int:
    answer = http.get(
        f"{sandbox.base_url}/merchant-avatar-list", headers={"Authorization": f"Bearer {access_token}"}
    )
    return answer.status_code


@pytest.fixture
def http() -> Any:
    with httpx2.Client(timeout=10) as client:
        yield client


def test_rfc8414_and_openid_metadata_name_every_endpoint(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    root, issuer = sandbox.root_url, sandbox.jwt_issuer
    rfc8414 = http.get(f"{root}/.well-known/oauth-authorization-server/auth/v1").json()
    openid = http.get(f"{issuer}/.well-known/openid-configuration").json()
    for document in (rfc8414, openid):
        assert document["issuer"] == issuer
        assert document["authorization_endpoint"] == f"{issuer}/oauth/authorize"
        assert document["token_endpoint"] == f"{issuer}/oauth/token"
        assert document["registration_endpoint"] == f"{issuer}/oauth/clients/register"
        assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
        assert document["code_challenge_methods_supported"] == ["S256"]
        assert "offline_access" in document["scopes_supported"]
        assert "none" in document["token_endpoint_auth_methods_supported"]
    assert openid["id_token_signing_alg_values_supported"] == ["ES256"]
    sandbox.auth.metadata_patch = {"code_challenge_methods_supported": ["plain"]}
    assert http.get(f"{root}/.well-known/oauth-authorization-server/auth/v1").json()[
        "code_challenge_methods_supported"
    ] == ["plain"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        (
            {"redirect_uris": ["http://evil.example/callback"]},
            "invalid_redirect_uri",
        ),  # http only on loopback
        ({"redirect_uris": ["https://app.example/cb#frag"]}, "invalid_redirect_uri"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"),
        ({"grant_types": ["password"]}, "invalid_client_metadata"),
        ({"scope": "openid admin"}, "invalid_client_metadata"),
    ],
)
def test_registration_refuses_bad_metadata(
    http: httpx2.Client, sandbox: RunningSandbox, change: dict[str, Any], error: str
) -> None:
    body = {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"} | change
    answer = http.post(f"{sandbox.jwt_issuer}/oauth/clients/register", json=body)
    assert answer.status_code == 400 and answer.json()["error"] == error
    assert sandbox.auth.count("register") == 0


def test_registration_of_public_and_confidential_clients(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    public = register(http, sandbox)
    assert "client_secret" not in public and public["token_endpoint_auth_method"] == "none"
    assert public["redirect_uris"] == [REDIRECT]
    confidential = register(
        http,
        sandbox,
        token_endpoint_auth_method="client_secret_post",
        redirect_uris=["https://claude.ai/api/mcp/auth_callback"],
    )
    assert len(confidential["client_secret"]) > 30


def test_the_code_flow_signs_in_the_demo_user(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    client_id, answer = sign_in(http, sandbox)
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    assert answer["scope"] == SCOPE and answer["refresh_token"]
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "authenticated" and claims["iss"] == sandbox.jwt_issuer
    assert claims["email"] == "demo@sandbox.jobmojito.invalid" and claims["client_id"] == client_id
    assert claims["session_id"] in sandbox.auth.live_session_ids()
    assert functions_status(http, sandbox, answer["access_token"]) == 200


def test_no_refresh_token_without_offline_access(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    _, answer = sign_in(http, sandbox, scope="openid email")
    assert "refresh_token" not in answer


def test_authorize_errors_redirect_or_refuse(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    client_id = register(http, sandbox)["client_id"]
    _, challenge = pkce()
    # Untrusted client or redirect: never redirected to, the person sees the error.
    assert authorize(http, sandbox, "no-such-client", challenge).status_code == 400
    assert (
        authorize(http, sandbox, client_id, challenge, redirect_uri="http://127.0.0.1:1/other").status_code
        == 400
    )
    # A trusted redirect hears about the rest (RFC 6749 §4.1.2.1), with the state.
    for extra, error in [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid admin"}, "invalid_scope"),
    ]:
        answer = authorize(http, sandbox, client_id, challenge, **extra)
        assert answer.status_code == 302
        assert query_of(answer.headers["location"]) | {"error_description": ""} == {
            "error": error,
            "error_description": "",
            "state": "state-123",
        }
    assert sandbox.auth.count("authorize") == 0


def test_the_code_exchange_checks_pkce_redirect_and_single_use(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    client_id = register(http, sandbox)["client_id"]
    verifier, challenge = pkce()
    code = query_of(authorize(http, sandbox, client_id, challenge).headers["location"])["code"]
    base = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
    wrong_verifier = token(http, sandbox, **base, redirect_uri=REDIRECT, code_verifier=pkce()[0])
    assert wrong_verifier.status_code == 400 and "PKCE" in wrong_verifier.json()["error_description"]
    wrong_redirect = token(http, sandbox, **base, redirect_uri="http://127.0.0.1:1/x", code_verifier=verifier)
    assert wrong_redirect.json()["error"] == "invalid_grant"
    first = token(http, sandbox, **base, redirect_uri=REDIRECT, code_verifier=verifier)
    assert first.status_code == 200
    again = token(http, sandbox, **base, redirect_uri=REDIRECT, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error_description"] == "authorization code already used"
    # A code presented twice was stolen or replayed: the tokens it produced stop working too.
    assert functions_status(http, sandbox, first.json()["access_token"]) == 401
    assert sandbox.auth.count("code-reuse") == 1


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    client_id, first = sign_in(http, sandbox)
    second = token(
        http, sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id=client_id
    )
    assert second.status_code == 200
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["access_token"] != first["access_token"]
    assert functions_status(http, sandbox, renewed["access_token"]) == 200
    # The spent token again: theft, as Supabase sees it. The whole session ends, new tokens too.
    replay = token(
        http, sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id=client_id
    )
    assert replay.status_code == 400 and "Already Used" in replay.json()["error_description"]
    assert functions_status(http, sandbox, renewed["access_token"]) == 401
    later = token(
        http, sandbox, grant_type="refresh_token", refresh_token=renewed["refresh_token"], client_id=client_id
    )
    assert later.status_code == 400
    assert (sandbox.auth.count("refresh"), sandbox.auth.count("reuse")) == (1, 1)


def test_a_reuse_interval_forgives_a_quick_second_refresh(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    sandbox.auth.reuse_interval = 10.0  # Supabase's default
    client_id, first = sign_in(http, sandbox)
    for _ in range(2):
        answer = token(
            http,
            sandbox,
            grant_type="refresh_token",
            refresh_token=first["refresh_token"],
            client_id=client_id,
        )
        assert answer.status_code == 200
    assert sandbox.auth.count("reuse") == 0


def test_refresh_needs_the_client_it_was_issued_to(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    _, first = sign_in(http, sandbox)
    other = register(http, sandbox)["client_id"]
    answer = token(
        http, sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id=other
    )
    assert answer.json()["error"] == "invalid_grant"
    unknown = token(
        http, sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id="nobody"
    )
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"


def test_confidential_clients_must_authenticate(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    client = register(http, sandbox, token_endpoint_auth_method="client_secret_basic")
    verifier, challenge = pkce()
    code = query_of(authorize(http, sandbox, client["client_id"], challenge).headers["location"])["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    assert token(http, sandbox, **form, client_id=client["client_id"]).status_code == 401
    answer = http.post(
        f"{sandbox.jwt_issuer}/oauth/token", data=form, auth=(client["client_id"], client["client_secret"])
    )
    assert answer.status_code == 200


def test_sign_out_and_revocation_make_unexpired_tokens_fail_at_the_functions(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    _, signed_out = sign_in(http, sandbox)
    logout = http.post(
        f"{sandbox.jwt_issuer}/logout", headers={"Authorization": f"Bearer {signed_out['access_token']}"}
    )
    assert logout.status_code == 204
    assert functions_status(http, sandbox, signed_out["access_token"]) == 401

    client_id, revoked = sign_in(http, sandbox)
    answer = http.post(
        f"{sandbox.jwt_issuer}/oauth/revoke", data={"token": revoked["refresh_token"], "client_id": client_id}
    )
    assert answer.status_code == 200
    assert functions_status(http, sandbox, revoked["access_token"]) == 401
    refreshed = token(
        http, sandbox, grant_type="refresh_token", refresh_token=revoked["refresh_token"], client_id=client_id
    )
    assert refreshed.status_code == 400

    _, by_admin = sign_in(http, sandbox)
    assert http.post(f"{sandbox.root_url}/_sandbox/auth/sign-out", json={}).json() == {"signed_out": 1}
    assert functions_status(http, sandbox, by_admin["access_token"]) == 401
    assert sandbox.auth.count("sign-out") == 2 and sandbox.auth.count("revoke") == 1


def test_the_functions_refuse_expired_and_foreign_jwts_but_take_opaque_test_tokens(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    expired = sandbox.issue_token("user-1", expires_in=-5)
    foreign = sandbox.forge_token("user-1")
    for refused in (expired, foreign):
        answer = http.get(
            f"{sandbox.base_url}/merchant-avatar-list", headers={"Authorization": f"Bearer {refused}"}
        )
        assert answer.status_code == 401 and answer.json()["name"] == "authorization"
    assert (
        "JWT expired"
        in http.get(
            f"{sandbox.base_url}/merchant-avatar-list", headers={"Authorization": f"Bearer {expired}"}
        ).json()["error"]
    )
    assert functions_status(http, sandbox, "an-opaque-test-token") == 200


def test_token_lifetime_and_clock_skew_knobs(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    knobs = http.post(f"{sandbox.root_url}/_sandbox/auth", json={"token_ttl": 2, "clock_skew": -7200})
    assert knobs.status_code == 200 and knobs.json()["token_ttl"] == 2
    _, answer = sign_in(http, sandbox)
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert answer["expires_in"] == 2 and claims["exp"] - claims["iat"] == 2
    assert claims["exp"] < __import__("time").time() - 7000  # minted by a clock two hours behind
    refused = http.post(f"{sandbox.root_url}/_sandbox/auth", json={"token_ttl": "2"})
    assert refused.status_code == 422
    assert http.post(f"{sandbox.root_url}/_sandbox/auth", json={"ttl": 2}).status_code == 422


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_consent_page_asks_a_person(http: httpx2.Client, sandbox: RunningSandbox, decision: str) -> None:
    sandbox.auth.consent = True
    client_id = register(http, sandbox, client_name="<script>alert(1)</script>")["client_id"]
    _, challenge = pkce()
    to_consent = authorize(http, sandbox, client_id, challenge)
    assert to_consent.status_code == 302
    page = http.get(sandbox.root_url + to_consent.headers["location"])
    assert page.status_code == 200 and "Approve" in page.text and "Deny" in page.text
    assert "<script>" not in page.text  # the client's name is escaped
    authorization_id = query_of(to_consent.headers["location"])["authorization_id"]
    answer = http.post(
        f"{sandbox.jwt_issuer}/oauth/consent",
        data={"authorization_id": authorization_id, "decision": decision},
    )
    assert answer.status_code == 302
    redirected = query_of(answer.headers["location"])
    assert redirected["state"] == "state-123"
    if decision == "approve":
        assert "code" in redirected
    else:
        assert redirected["error"] == "access_denied" and sandbox.auth.count("denied") == 1
    # The decision is final: the same consent cannot be answered twice.
    assert (
        http.post(
            f"{sandbox.jwt_issuer}/oauth/consent",
            data={"authorization_id": authorization_id, "decision": "approve"},
        ).status_code
        == 404
    )
