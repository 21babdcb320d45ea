"""Inbound authentication for the hosted endpoint, and which JobMojito token each call uses.

Three modes (`--auth`):

    none            loopback only; every call uses the server's own credential (its sign-in)
    api-key         callers send `Authorization: Bearer <key>`; calls use the server's own credential
    jobmojito-jwt   callers send their own JobMojito (Supabase) access token, verified here against
                    the auth server's JWKS; each call uses that caller's token, and only that one

The verifiers plug into the SDK's bearer middleware (401 + WWW-Authenticate, RFC 9728 metadata).
A caller's token lives only in its own request: nothing here caches it across callers, except as
a digest in `RefusedTokens` once JobMojito has refused it, so that the caller's next request gets
the transport-level 401 that makes MCP clients sign in again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jwt
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import Context

from jobmojito_mcp.config import Settings, split_list
from jobmojito_mcp.logs import secrets
from jobmojito_mcp.server import Credentials
from jobmojito_mcp.signin.credentials import CallerToken, RefusedTokens
from jobmojito_mcp.signin.oauth import OAuthProblem, discover
from jobmojito_mcp.tooling.errors import NotConfigured
from jobmojito_mcp.tooling.upstream import Credential

logger = logging.getLogger(__name__)

# Asymmetric only: an "HS256" header must never let a public JWKS key act as an HMAC secret.
_ALGORITHMS = ("ES256", "RS256", "EdDSA")
_JWKS_TTL = 600.0  # keys rotate rarely; an unknown kid triggers an earlier refresh
_JWKS_MIN_REFRESH = 30.0  # at most one refetch per this many seconds, however many bad kids arrive
# A fetch (with discovery) that takes longer has failed: the auth server answers in milliseconds.
_JWKS_FETCH_DEADLINE = 5.0
_CLOCK_SKEW = 30  # seconds of leeway on exp/nbf/iat


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


# A key is a bearer password that anyone on the network may guess at: 16 characters of a random
# alphabet are beyond guessing, and long enough to be redacted from every log line (logs.secrets).
MIN_API_KEY_LENGTH = 16


def load_api_keys(settings: Settings) -> list[str]:
    """Inbound API keys from JOBMOJITO_MCP_API_KEYS and/or the key file (one per line, # comments).

    Raises ValueError naming (never showing) a key shorter than MIN_API_KEY_LENGTH; warns when the
    key file is readable by other users of the machine.
    """
    named: list[tuple[str, str]] = []
    if settings.mcp_api_keys:
        values = split_list(settings.mcp_api_keys.get_secret_value())
        named += [(f"key {n} of JOBMOJITO_MCP_API_KEYS", key) for n, key in enumerate(values, 1)]
    if settings.mcp_api_keys_file:
        path = Path(settings.mcp_api_keys_file)
        lines = path.read_text("utf-8").splitlines()
        named += [
            (f"line {n} of {path}", line.strip())
            for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        mode = path.stat().st_mode & 0o777
        if mode & 0o044:
            logger.warning(
                "the API key file %s is readable by other users (mode %03o); make it private: chmod 600 %s",
                path,
                mode,
                path,
            )
    for where, key in named:
        secrets.add(key)
        if len(key) < MIN_API_KEY_LENGTH:
            raise ValueError(
                f"the API key at {where} has {len(key)} characters; keys need at least {MIN_API_KEY_LENGTH} "
                "(make one: python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
    return [key for _, key in named]


class ApiKeyVerifier:
    """Accepts a bearer equal to one of the configured keys, compared in constant time."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("--auth api-key needs at least one key (JOBMOJITO_MCP_API_KEYS or the key file)")
        self._keys = [key.encode() for key in keys]

    async def verify_token(self, token: str) -> AccessToken | None:
        presented = token.encode()
        # Compare against every key, so the time taken does not tell which (or whether one) matched early.
        matches = [hmac.compare_digest(presented, key) for key in self._keys]
        if not any(matches):
            return None
        # The key itself is never kept on the request: the principal is its fingerprint.
        return AccessToken(token=_fingerprint(token), client_id=f"api-key:{_fingerprint(token)}", scopes=[])


class JwksTokenVerifier:
    """Verifies JobMojito (Supabase) access tokens: signature against the JWKS, exp, issuer, audience,
    and not refused by JobMojito since (signed out).

    The issuer and JWKS come from the authorization server's discovered metadata unless configured
    (`--jwt-issuer`, `--jwks-url`).
    """

    def __init__(
        self,
        auth_url: str,
        audience: str,
        client: httpx2.AsyncClient,
        refused: RefusedTokens,
        *,
        issuer: str | None = None,
        jwks_url: str | None = None,
        client_ids: frozenset[str] | None = None,
    ) -> None:
        self._auth_url = auth_url
        self._client_ids = client_ids
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._client = client
        self._refused = refused
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -math.inf  # the last successful fetch
        self._tried_at = -math.inf  # the last attempt, whatever its outcome
        self._refreshing: anyio.Event | None = None
        self._unexpected: set[type[Exception]] = set()

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            return await self._verify(token)
        except Exception as exc:
            # Whatever a crafted token makes a library raise is a 401, never a 500. The type is
            # logged, once per type (a flood must not become a log flood); the token never is.
            if type(exc) not in self._unexpected:
                self._unexpected.add(type(exc))
                logger.error(
                    "unexpected %s while verifying a caller token; answered 401 (further %s are not logged)",
                    type(exc).__name__,
                    type(exc).__name__,
                )
            return None

    async def _verify(self, token: str) -> AccessToken | None:
        if await self._refused.holds(token):
            logger.info("rejected a caller token JobMojito has refused (session signed out or revoked)")
            return None
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if not isinstance(algorithm, str) or algorithm not in _ALGORITHMS:
            return None
        key = await self._key(kid if isinstance(kid, str) else None if kid is None else str(kid))
        if key is None or self._issuer is None:
            return None
        if key.algorithm_name != algorithm:
            # An RS256 header naming an EC key: the library would try RSA verification with an EC key.
            logger.info("rejected a caller token: alg %s does not match its key", algorithm)
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=_CLOCK_SKEW,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            logger.info("rejected a caller token: %s", type(exc).__name__)
            return None
        # The OAuth client it was issued to (Supabase: `client_id`; OpenID: `azp`). Two that disagree
        # are a token nobody should have; with --jwt-client-ids, another client's token is refused.
        issued_to, authorized_party = claims.get("client_id"), claims.get("azp")
        if not all(claim is None or isinstance(claim, str) for claim in (issued_to, authorized_party)):
            logger.info("rejected a caller token: client_id or azp is not a string")
            return None
        if issued_to is not None and authorized_party is not None and issued_to != authorized_party:
            logger.info("rejected a caller token: client_id and azp disagree")
            return None
        if self._client_ids is not None and (issued_to or authorized_party) not in self._client_ids:
            logger.info("rejected a caller token issued to another OAuth client")
            return None
        return AccessToken(
            token=token,
            client_id=str(claims["sub"]),
            scopes=[],
            expires_at=int(claims["exp"]),
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )

    async def _key(self, kid: str | None) -> jwt.PyJWK | None:
        if self._wants_refresh(kid):
            await self._refresh_once()
        elif self._refreshing is not None and not self._keys:
            # Starting up: the first fetch is under way. Wait for it (not for a queue of them).
            with anyio.move_on_after(_JWKS_FETCH_DEADLINE):
                await self._refreshing.wait()
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _wants_refresh(self, kid: str | None) -> bool:
        now = time.monotonic()
        # The floor holds whatever happened last time: a failed or hanging fetch counts as a fetch, so
        # tokens with made-up kids (or an auth server answering 503) cause one fetch per floor, not one each.
        if now - self._tried_at < _JWKS_MIN_REFRESH:
            return False
        if now - self._fetched_at > _JWKS_TTL:
            return True
        # An unknown kid may mean the keys rotated; refetch, but never more often than the floor.
        return kid is not None and kid not in self._keys

    async def _refresh_once(self) -> None:
        """One fetch at a time, bounded: callers arriving meanwhile use the keys there are, none queue."""
        self._tried_at = time.monotonic()
        self._refreshing = done = anyio.Event()
        try:
            with anyio.move_on_after(_JWKS_FETCH_DEADLINE) as deadline:
                await self._refresh()
            if deadline.cancelled_caught:
                logger.warning(
                    "could not refresh the JWKS from %s: no answer within %g s",
                    self._jwks_url or self._auth_url,
                    _JWKS_FETCH_DEADLINE,
                )
        finally:
            self._refreshing = None
            done.set()

    async def _refresh(self) -> None:
        try:
            if self._jwks_url is None or self._issuer is None:
                await self._discover()
            assert self._jwks_url is not None
            response = await self._client.get(self._jwks_url)
            response.raise_for_status()
            keys: dict[str, jwt.PyJWK] = {}
            for index, entry in enumerate(response.json().get("keys", [])):
                try:
                    keys[str(entry.get("kid", index))] = jwt.PyJWK(entry)
                except jwt.PyJWTError:
                    continue  # a key type we cannot use; the others still serve
            self._keys = keys
            self._fetched_at = time.monotonic()
        except (httpx2.HTTPError, ValueError, AttributeError, OAuthProblem) as exc:
            # Keep serving with the keys we had; an outage of the auth server must not lock everyone out.
            where = self._jwks_url or self._auth_url
            logger.warning(
                "could not refresh the JWKS from %s: %s",
                where,
                exc if isinstance(exc, OAuthProblem) else type(exc).__name__,
            )

    async def _discover(self) -> None:
        """Issuer and JWKS location from the authorization server's metadata (RFC 8414 / OpenID)."""
        metadata = await discover(self._client, self._auth_url)
        self._issuer = self._issuer or str(metadata.issuer)
        jwks_uri = metadata.jwks_uri or f"{self._auth_url}/.well-known/jwks.json"  # Supabase's fixed place
        self._jwks_url = self._jwks_url or str(jwks_uri)


def caller_token(ctx: Context[Any, Any]) -> str | None:
    """The verified bearer of the HTTP request that carried this call, if any."""
    request = getattr(ctx.request_context, "request", None)
    user = request.scope.get("user") if request is not None and hasattr(request, "scope") else None
    access = getattr(user, "access_token", None)
    if isinstance(access, AccessToken):
        return access.token
    fallback = get_access_token()
    return fallback.token if fallback else None


def credentials_for(settings: Settings, server: Credential, refused: RefusedTokens) -> Credentials:
    """Which credential a call uses: the caller's own token (jobmojito-jwt) or the server's sign-in."""
    if settings.mcp_auth != "jobmojito-jwt":
        return lambda _ctx: server

    def callers_own(ctx: Context[Any, Any]) -> Credential:
        token = caller_token(ctx)
        if token is None:  # the bearer middleware lets no request through without one
            raise NotConfigured()
        return CallerToken(token, refused)

    return callers_own
