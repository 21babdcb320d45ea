"""Rows 5-6 of issue 11: the verifier of callers' JobMojito tokens, attacked.

Before: with the JWKS answering 503, 200 tokens with made-up `kid`s caused 200 JWKS fetches and 200
warnings, and a hanging JWKS queued requests 10 s each; a token with `alg` RS256 naming the real EC
key got HTTP 500 and a 40-line traceback, with no credentials at all. Now: one fetch per floor
whatever happens, none queue, and every malformed token is a 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import Any

import anyio
import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jobmojito_mcp.hosting.auth import JwksTokenVerifier
from jobmojito_mcp.sandbox import RunningSandbox
from jobmojito_mcp.signin.credentials import RefusedTokens
from tests.security.attack import INITIALIZE, MCP_HEADERS, hosted
from tests.security.jwks_stub import jwks_stub
from tests.support import http_mcp_client, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


def sandbox_keys(sandbox: RunningSandbox) -> dict[str, Any]:
    keys: dict[str, Any] = httpx2.get(sandbox.jwks_url).json()
    return keys


def claims(sandbox: RunningSandbox) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": "attacker",
        "aud": "authenticated",
        "iss": sandbox.jwt_issuer,
        "exp": now + 600,
        "iat": now,
    }


def random_kid_token(sandbox: RunningSandbox) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(claims(sandbox), key, algorithm="ES256", headers={"kid": uuid.uuid4().hex})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: Any, payload: Any = None, signature: bytes = b"sig") -> str:
    encode = lambda part: b64(part if isinstance(part, bytes) else json.dumps(part).encode())  # noqa: E731
    return f"{encode(header)}.{encode(payload if payload is not None else {'sub': 'x'})}.{b64(signature)}"


def hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    """The key-confusion attack: an HMAC "signed" with the server's public key material."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


async def status_for(http: httpx2.AsyncClient, url: str, token: str | bytes) -> int:
    headers: dict[str, str | bytes] = dict(MCP_HEADERS)
    headers["Authorization"] = token if isinstance(token, bytes) else f"Bearer {token}"
    return (await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)).status_code


async def statuses(url: str, tokens: list[str], concurrency: int = 20) -> list[int]:
    found: list[int] = []
    limiter = anyio.Semaphore(concurrency)
    async with httpx2.AsyncClient(timeout=30) as http, anyio.create_task_group() as group:

        async def one(token: str) -> None:
            async with limiter:
                found.append(await status_for(http, url, token))

        for token in tokens:
            group.start_soon(one, token)
    return found


async def test_a_failing_jwks_is_fetched_once_per_floor_not_once_per_bad_token(
    sandbox: RunningSandbox,
) -> None:
    with jwks_stub(sandbox_keys(sandbox), mode="503") as stub:
        async with hosted(sandbox, auth="jobmojito-jwt", JWKS_URL=stub.url) as server:
            answers = await statuses(server.url, [random_kid_token(sandbox) for _ in range(200)])
            assert answers == [401] * 200
            assert stub.fetches == 1
            assert server.stderr().count("could not refresh the JWKS") == 1


async def test_made_up_kids_do_not_refetch_a_working_jwks(sandbox: RunningSandbox) -> None:
    with jwks_stub(sandbox_keys(sandbox)) as stub:
        async with hosted(sandbox, auth="jobmojito-jwt", JWKS_URL=stub.url) as server:
            valid = sandbox.issue_token("merchant-user-1")
            assert await statuses(server.url, [valid]) == [200]
            answers = await statuses(server.url, [random_kid_token(sandbox) for _ in range(200)])
            assert answers == [401] * 200
            assert stub.fetches == 1
            assert await statuses(server.url, [valid]) == [200]


async def test_a_hanging_jwks_queues_nobody(sandbox: RunningSandbox) -> None:
    with jwks_stub(sandbox_keys(sandbox), mode="hang") as stub:
        async with hosted(sandbox, auth="jobmojito-jwt", JWKS_URL=stub.url) as server:
            started = time.monotonic()
            first = await statuses(server.url, [random_kid_token(sandbox) for _ in range(50)], concurrency=50)
            first_took = time.monotonic() - started
            assert first == [401] * 50
            # The first fetch's deadline (5 s) bounds them all: they waited together, not in a queue.
            assert first_took < 9, f"50 requests took {first_took:.1f} s"
            started = time.monotonic()
            later = await statuses(server.url, [random_kid_token(sandbox) for _ in range(50)])
            assert later == [401] * 50
            assert time.monotonic() - started < 3, "within the floor nothing waits for the JWKS"
            assert stub.fetches == 1
            async with httpx2.AsyncClient() as http:
                assert (await http.get(f"{server.url}/healthz")).status_code == 200


def malformed_tokens(sandbox: RunningSandbox) -> dict[str, str | bytes]:
    real_kid = sandbox_keys(sandbox)["keys"][0]["kid"]
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwks = httpx2.get(sandbox.jwks_url).text.encode()
    body = claims(sandbox)
    return {
        "RS256 naming the real EC kid": jwt.encode(
            body, rsa_key, algorithm="RS256", headers={"kid": real_kid}
        ),
        "EdDSA naming the real EC kid": hand_made({"alg": "EdDSA", "kid": real_kid}, body),
        "PS256 naming the real EC kid": jwt.encode(
            body, rsa_key, algorithm="PS256", headers={"kid": real_kid}
        ),
        "HS256 keyed with the public JWKS": hs256({"alg": "HS256", "kid": real_kid}, body, public_jwks),
        "alg none": hand_made({"alg": "none", "kid": real_kid}, body, b""),
        "ES256, real kid, garbage signature": hand_made({"alg": "ES256", "kid": real_kid}, body, b"x" * 64),
        "ES256, real kid, empty signature": hand_made({"alg": "ES256", "kid": real_kid}, body, b""),
        "kid a list": hand_made({"alg": "ES256", "kid": [real_kid]}, body),
        "kid an object": hand_made({"alg": "ES256", "kid": {"$ne": ""}}, body),
        "kid a number": hand_made({"alg": "ES256", "kid": 7}, body),
        "alg a list": hand_made({"alg": ["ES256"], "kid": real_kid}, body),
        "header a list": hand_made(["ES256"], body),
        "header not JSON": hand_made(b"{not json", body),
        "payload not JSON": hand_made({"alg": "ES256", "kid": real_kid}, b"\xff\xfe not json"),
        "payload a list": hand_made({"alg": "ES256", "kid": real_kid}, ["sub"]),
        "crit header": hand_made({"alg": "ES256", "kid": real_kid, "crit": ["exp"]}, body),
        "jku elsewhere": hand_made({"alg": "ES256", "jku": "http://127.0.0.1:9/keys"}, body),
        "two segments": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0",
        "four segments": hand_made({"alg": "ES256", "kid": real_kid}, body) + ".extra",
        "not base64": "%%%.%%%.%%%",
        "64 KiB": "a" * 65536,
        "latin-1 bytes": b"Bearer \xe9\xff.\xfe.\x80",
        "scheme only": b"Bearer",
        "basic scheme": b"Basic dXNlcjpwYXNz",
    }


async def test_any_malformed_token_is_a_401_never_a_500(sandbox: RunningSandbox) -> None:
    tokens = malformed_tokens(sandbox)
    async with hosted(sandbox, auth="jobmojito-jwt") as server, httpx2.AsyncClient(timeout=10) as http:
        sandbox.clear_requests()
        for name, token in tokens.items():
            try:
                answered = await status_for(http, server.url, token)
            except httpx2.TransportError:
                answered = 0  # the connection closed on a head larger than the server reads
            # A head over h11's 16 KiB is refused before auth (400, or closed while it is being sent).
            assert answered == 401 or (name == "64 KiB" and answered in (0, 400)), (name, answered)
        assert sandbox.requests() == []
        log = server.stderr()
    assert "Traceback" not in log
    assert " 500" not in log


async def test_an_unexpected_failure_in_verification_is_a_401_logged_once_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Exploding(RefusedTokens):
        def __contains__(self, token: object) -> bool:
            raise RuntimeError(f"cannot look up {token}")

    token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtY2FsbGVyIn0.c2lnbmF0dXJl"
    async with httpx2.AsyncClient() as client:
        verifier = JwksTokenVerifier("http://127.0.0.1:9/auth/v1", "authenticated", client, Exploding())
        with caplog.at_level(logging.INFO, logger="jobmojito_mcp.hosting.auth"):
            for _ in range(100):
                assert await verifier.verify_token(token) is None
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and "RuntimeError" in errors[0].getMessage()
    assert token not in caplog.text and "secret-caller" not in caplog.text


# Issue 21, finding 14: tokens issued to another OAuth client. Supabase Auth has no resource
# indicators (RFC 8707), so its tokens do not name this endpoint; what it can check is the client
# they were issued to, when the deployment names its clients.


async def test_tokens_of_other_oauth_clients_are_refused_when_clients_are_named(
    sandbox: RunningSandbox,
) -> None:
    ours = sandbox.issue_token("merchant-user-1", client_id="our-mcp-client")
    theirs = sandbox.issue_token("merchant-user-1", client_id="some-other-app")
    unnamed = sandbox.issue_token("merchant-user-1")  # a web-app session: no OAuth client at all
    async with hosted(
        sandbox, auth="jobmojito-jwt", JWT_CLIENT_IDS="our-mcp-client,another-of-ours"
    ) as server:
        assert await statuses(server.url, [ours]) == [200]
        assert await statuses(server.url, [theirs]) == [401]
        assert await statuses(server.url, [unnamed]) == [401]
    async with hosted(sandbox, auth="jobmojito-jwt") as server:  # unset: any client's, as documented
        assert await statuses(server.url, [theirs]) == [200]


# The OpenID `azp` claim names the client too. Supabase Auth's access tokens carry only `client_id`,
# but a custom access-token hook (or another authorization server behind --auth-url) may add `azp`:
# a token whose two names for its client disagree is refused whether or not clients are named, and
# with clients named, a token naming another client in either claim is refused.


async def refused_at_the_transport(url: str, token: str) -> None:
    """HTTP 401 with a bearer challenge on both endpoints: what makes an MCP client sign in again."""
    headers = MCP_HEADERS | {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(timeout=30) as http:
        posted = await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)
        # Streamed: were the token taken, the event stream would stay open and the test time out.
        async with http.stream("GET", f"{url}/sse", headers=headers) as streamed:
            for answer in (posted, streamed):
                assert answer.status_code == 401, answer.status_code
                assert answer.headers["www-authenticate"].startswith("Bearer ")


async def served(sandbox: RunningSandbox, url: str, token: str) -> None:
    """A real MCP client with this token lists avatars, and JobMojito saw that token and no other."""
    sandbox.clear_requests()
    async with http_mcp_client(url, "streamable-http", {"Authorization": f"Bearer {token}"}) as client:
        result = await client.call_tool("list_avatars", {"limit": 1})
        assert not result.is_error, text_of(result)
    assert {request.token for request in sandbox.requests()} == {token}


async def test_a_token_whose_client_id_and_azp_disagree_is_refused(sandbox: RunningSandbox) -> None:
    agreeing = sandbox.issue_token("merchant-user-1", client_id="our-mcp-client", azp="our-mcp-client")
    disagreeing = sandbox.issue_token("merchant-user-1", client_id="our-mcp-client", azp="some-other-app")
    ours_by_azp = sandbox.issue_token("merchant-user-1", azp="our-mcp-client")
    theirs_by_azp = sandbox.issue_token("merchant-user-1", azp="some-other-app")
    issued = jwt.decode(disagreeing, options={"verify_signature": False})
    assert (issued["client_id"], issued["azp"]) == ("our-mcp-client", "some-other-app")
    assert issued["user_id"] == issued["sub"] == "merchant-user-1"  # as Supabase's OAuth tokens
    assert "azp" not in jwt.decode(
        sandbox.issue_token("merchant-user-1"), options={"verify_signature": False}
    )

    async with hosted(sandbox, auth="jobmojito-jwt") as server:  # no clients named
        sandbox.clear_requests()
        await refused_at_the_transport(server.url, disagreeing)
        assert sandbox.requests() == []
        await served(sandbox, server.url, agreeing)
        await served(sandbox, server.url, theirs_by_azp)  # unnamed clients: any client's, as documented
        assert "client_id and azp disagree" in server.stderr()

    async with hosted(sandbox, auth="jobmojito-jwt", JWT_CLIENT_IDS="our-mcp-client") as server:
        sandbox.clear_requests()
        # Named in `client_id`, so a check of `client_id` alone would let it through.
        await refused_at_the_transport(server.url, disagreeing)
        await refused_at_the_transport(server.url, theirs_by_azp)
        # A claim that is not a string (a list naming our client) is a plain refusal, not a crash.
        listed = sandbox.issue_token("merchant-user-1", azp=["our-mcp-client"])  # type: ignore[arg-type]
        await refused_at_the_transport(server.url, listed)
        assert sandbox.requests() == []
        await served(sandbox, server.url, agreeing)
        await served(sandbox, server.url, ours_by_azp)
        log = server.stderr()
        assert "client_id or azp is not a string" in log and "Traceback" not in log
        for token in (agreeing, disagreeing, ours_by_azp, theirs_by_azp):
            assert token not in log
