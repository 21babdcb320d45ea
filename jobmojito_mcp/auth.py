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
from jobmojito_mcp.credentials import CallerToken, Credential, RefusedTokens
from jobmojito_mcp.errors import NotConfigured
from jobmojito_mcp.logs import secrets
from jobmojito_mcp.oauth import OAuthProblem, discover
from jobmojito_mcp.server import Credentials

logger = logging.getLogger(__name__)

# Asymmetric only: an "HS256" header must never let a public JWKS key act as an HMAC secret.
_ALGORITHMS = ("ES256", "RS256", "EdDSA")
_JWKS_TTL = 600.0  # keys rotate rarely; an unknown kid triggers an earlier refresh
_JWKS_MIN_REFRESH = 30.0  # at most one refetch per this many seconds, however many bad kids arrive
_CLOCK_SKEW = 30  # seconds of leeway on exp/nbf/iat


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def load_api_keys(settings: Settings) -> list[str]:
    """Inbound API keys from JOBMOJITO_MCP_API_KEYS and/or the key file (one per line, # comments)."""
    keys = split_list(settings.mcp_api_keys.get_secret_value()) if settings.mcp_api_keys else []
    if settings.mcp_api_keys_file:
        lines = Path(settings.mcp_api_keys_file).read_text("utf-8").splitlines()
        keys += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    for key in keys:
        secrets.add(key)
    return keys


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
    ) -> None:
        self._auth_url = auth_url
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._client = client
        self._refused = refused
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -_JWKS_TTL
        self._lock = anyio.Lock()

    async def verify_token(self, token: str) -> AccessToken | None:
        if token in self._refused:
            logger.info("rejected a caller token JobMojito has refused (session signed out or revoked)")
            return None
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in _ALGORITHMS:
            return None
        key = await self._key(str(kid) if kid is not None else None)
        if key is None or self._issuer is None:
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
            async with self._lock:
                if self._wants_refresh(kid):  # another caller may have refreshed while we waited
                    await self._refresh()
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _wants_refresh(self, kid: str | None) -> bool:
        age = time.monotonic() - self._fetched_at
        if age > _JWKS_TTL:
            return True
        # An unknown kid may mean the keys rotated; refetch, but never more often than the floor.
        return kid is not None and kid not in self._keys and age > _JWKS_MIN_REFRESH

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
            self._fetched_at = time.monotonic() - _JWKS_TTL + _JWKS_MIN_REFRESH

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
