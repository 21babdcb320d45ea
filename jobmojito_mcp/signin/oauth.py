"""JobMojito's authorization server from the client's side: discovery, registration, code exchange,
refresh and revocation (OAuth 2.1 with PKCE, RFC 8414 / 7591 / 7009).

The protocol pieces are the MCP SDK's own client-side auth (metadata and token models, the
discovery order, the registration request, PKCE generation, issuer checks): maintained code that
real MCP clients run. The SDK's `OAuthClientProvider` itself does not fit: it starts from an MCP
server's 401, and it neither coordinates a rotating refresh token between processes nor tells a
person at a terminal what to do. This module adds exactly that wording and nothing stateful.

Not here: where credentials are kept (`store.py`), when to refresh (`credentials.py`), the
browser and the loopback redirect (`login.py`).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx2
import jwt
from mcp.client.auth.exceptions import OAuthFlowError, OAuthRegistrationError
from mcp.client.auth.oauth2 import PKCEParameters
from mcp.client.auth.utils import (
    build_oauth_authorization_server_metadata_discovery_urls,
    create_client_registration_request,
    handle_registration_response,
    validate_metadata_issuer,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthMetadata, OAuthToken
from pydantic import AnyHttpUrl, ValidationError

from jobmojito_mcp.logs import secrets
from jobmojito_mcp.tooling.errors import excerpt

# `offline_access`: Supabase issues a refresh token only when it is asked for.
SCOPES = "openid email offline_access"
CLIENT_NAME = "jobmojito-mcp"


class OAuthProblem(Exception):
    """A sign-in step failed; the message is one line a person can act on."""


class AuthServerUnreachable(OAuthProblem):
    """The authorization server could not be reached or failed (5xx): try again later."""


class GrantRefused(OAuthProblem):
    """The authorization server refused a code or refresh token for good (`error` is its code)."""

    def __init__(self, message: str, error: str) -> None:
        super().__init__(message)
        self.error = error


class AuthServerMetadata(OAuthMetadata):
    """RFC 8414 metadata, plus the `jwks_uri` the SDK's model leaves out (we verify tokens with it)."""

    jwks_uri: AnyHttpUrl | None = None


@dataclass(frozen=True)
class Issued:
    """A token answer, with its expiry as an absolute time, checked against this machine's clock."""

    access_token: str
    refresh_token: str | None
    expires_at: float  # epoch seconds
    scope: str | None

    def claims(self) -> dict[str, Any]:
        """The access token's claims, unverified: for showing who is signed in, never for trusting."""
        return unverified_claims(self.access_token)


def unverified_claims(token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims


async def discover(http: httpx2.AsyncClient, auth_url: str) -> AuthServerMetadata:
    """The authorization server's metadata, found the way MCP clients look (RFC 8414, then OpenID)."""
    tried: list[str] = []
    for url in build_oauth_authorization_server_metadata_discovery_urls(auth_url, auth_url):
        response = await _send(http, "GET", url, "reading the authorization server's metadata")
        if response.status_code >= 500:
            raise AuthServerUnreachable(f"{url} answered HTTP {response.status_code}; try again later")
        if response.status_code != 200:
            tried.append(f"{url} ({response.status_code})")
            continue
        try:
            metadata = AuthServerMetadata.model_validate_json(response.content)
        except ValidationError as exc:
            fields = ", ".join(sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]}))
            raise OAuthProblem(
                f"{url} is not usable authorization-server metadata (problem in: {fields})"
            ) from None
        try:
            validate_metadata_issuer(metadata, auth_url.rstrip("/"))
        except OAuthFlowError:
            raise OAuthProblem(
                f"the metadata at {url} names issuer {metadata.issuer}, not {auth_url}: refusing it "
                "(check JOBMOJITO_AUTH_URL / --auth-url)"
            ) from None
        return metadata
    raise OAuthProblem(
        f"no authorization-server metadata at {auth_url}: tried {', '.join(tried)} (check --auth-url)"
    )


def require_pkce(metadata: OAuthMetadata) -> None:
    """Refuse a server that does not offer PKCE S256: without it a stolen code is a stolen account."""
    if "S256" not in (metadata.code_challenge_methods_supported or []):
        offered = ", ".join(metadata.code_challenge_methods_supported or []) or "none"
        raise OAuthProblem(
            f"the authorization server {metadata.issuer} does not offer PKCE with S256 (offers: {offered}); "
            "refusing to sign in"
        )


async def register(
    http: httpx2.AsyncClient, metadata: OAuthMetadata, redirect_uri: str
) -> OAuthClientInformationFull:
    """Register this program once as a public native client (RFC 7591) with a loopback redirect."""
    if metadata.registration_endpoint is None:
        raise OAuthProblem(
            f"the authorization server {metadata.issuer} offers no dynamic client registration; "
            "pass the client id JobMojito gave you with --client-id"
        )
    request = create_client_registration_request(
        metadata,
        OAuthClientMetadata.model_validate(
            {
                "client_name": CLIENT_NAME,
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",  # a public client: a CLI cannot keep a secret
                "scope": SCOPES,
            }
        ),
        str(metadata.issuer),
    )
    response = await _send(
        http,
        request.method,
        str(request.url),
        "registering with the authorization server",
        content=request.content,
        headers=dict(request.headers),
    )
    try:
        return await handle_registration_response(response)
    except OAuthRegistrationError:
        raise OAuthProblem(f"client registration was refused: {_why(response)}") from None


def authorization_url(
    metadata: OAuthMetadata, client_id: str, redirect_uri: str, pkce: PKCEParameters, state: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "code_challenge": pkce.code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{metadata.authorization_endpoint}?{urlencode(query)}"


async def exchange_code(
    http: httpx2.AsyncClient,
    metadata: OAuthMetadata,
    client_id: str,
    redirect_uri: str,
    code: str,
    verifier: str,
) -> Issued:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    return await _token_request(
        http, metadata, form, "exchanging the authorization code", "the authorization code"
    )


async def refresh(
    http: httpx2.AsyncClient, metadata: OAuthMetadata, client_id: str, refresh_token: str
) -> Issued:
    """A new access token (and, rotated, a new refresh token); `GrantRefused` when the old one is dead."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    issued = await _token_request(http, metadata, form, "refreshing the access token", "the refresh token")
    if issued.refresh_token is None:  # RFC 6749 §6: no new one means the old one stays valid
        issued = Issued(issued.access_token, refresh_token, issued.expires_at, issued.scope)
    return issued


async def revoke(
    http: httpx2.AsyncClient, metadata: OAuthMetadata, client_id: str, token: str, hint: str
) -> bool:
    """RFC 7009 revocation where the server offers it; False when it does not."""
    if metadata.revocation_endpoint is None:
        return False
    form = {"token": token, "token_type_hint": hint, "client_id": client_id}
    response = await _send(http, "POST", str(metadata.revocation_endpoint), "revoking the sign-in", data=form)
    if response.status_code != 200:
        raise OAuthProblem(f"revocation failed: {_why(response)}")
    return True


async def _token_request(
    http: httpx2.AsyncClient, metadata: OAuthMetadata, form: dict[str, str], doing: str, grant: str
) -> Issued:
    response = await _send(http, "POST", str(metadata.token_endpoint), doing, data=form)
    if response.status_code >= 500:
        raise AuthServerUnreachable(
            f"the authorization server failed while {doing} (HTTP {response.status_code})"
        )
    if response.status_code != 200:
        error = _error_code(response)
        raise GrantRefused(f"the authorization server refused {grant}: {_why(response)}", error)
    received = time.time()
    try:
        token = OAuthToken.model_validate_json(response.content)
    except ValidationError:
        raise OAuthProblem(f"the authorization server sent an unusable token answer while {doing}") from None
    return _checked(token, received)


def _checked(token: OAuthToken, received: float) -> Issued:
    """When the token stops working, by this machine's clock; refuse one that arrives already dead.

    `expires_in` is relative, so immune to clock differences; the JWT's own `exp` is absolute. The
    earlier of the two is used, so a token is never trusted longer than the API will accept it.
    """
    candidates = []
    if token.expires_in is not None:
        if not 0 <= token.expires_in <= MAX_LIFETIME:
            raise OAuthProblem("the authorization server sent an unusable expires_in: refusing the token")
        candidates.append(received + token.expires_in)
    exp = unverified_claims(token.access_token).get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        if not math.isfinite(exp) or not 0 <= exp <= received + MAX_LIFETIME:
            raise OAuthProblem("the access token carries an unusable expiry (exp): refusing it")
        candidates.append(float(exp))
    if not candidates:
        candidates.append(received + 3600)  # Supabase's lifetime, when a server says nothing at all
    expires_at = min(candidates)
    if expires_at <= received:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires_at))
        raise OAuthProblem(
            f"the access token had already expired when it arrived (expires {stamp}, this machine says "
            f"{time.strftime('%H:%M:%S UTC', time.gmtime(received))}): check this machine's clock and time zone"
        )
    return Issued(token.access_token, token.refresh_token, expires_at, token.scope)


# A whole exchange with the authorization server, connect to last byte: a renewal holds the
# credentials file's lock meanwhile, and other processes wait for that lock for store.LOCK_TIMEOUT
# (30 s), so it must end well before. A body dripped a byte every few seconds (each read within the
# read timeout) is cut off here.
AUTH_DEADLINE = 20.0
# Its answers are metadata and tokens: a few KiB (a Supabase access token is about 1 KiB). Larger is
# not an answer, and a 300 MB "access token" is never read into memory, let alone saved.
AUTH_MAX_BYTES = 64 * 1024
# The longest token lifetime believed: a year. Beyond is not a lifetime (a 400-digit `expires_in`).
MAX_LIFETIME = 365 * 24 * 3600.0


async def _send(
    http: httpx2.AsyncClient, method: str, url: str, doing: str, **kwargs: Any
) -> httpx2.Response:
    """One request, read whole within AUTH_DEADLINE and AUTH_MAX_BYTES."""
    try:
        with anyio.fail_after(AUTH_DEADLINE):
            async with http.stream(method, url, **kwargs) as streamed:
                body = bytearray()
                async for chunk in streamed.aiter_bytes():
                    body += chunk
                    if len(body) > AUTH_MAX_BYTES:
                        raise OAuthProblem(
                            f"the authorization server's answer while {doing} is over "
                            f"{AUTH_MAX_BYTES // 1024} KiB: refusing it"
                        )
                return httpx2.Response(
                    streamed.status_code,
                    headers=streamed.headers,
                    content=bytes(body),
                    request=streamed.request,
                )
    except TimeoutError:
        raise AuthServerUnreachable(
            f"the authorization server gave no complete answer within {AUTH_DEADLINE:g} s while {doing}"
        ) from None
    except httpx2.HTTPError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise AuthServerUnreachable(
            f"could not reach the authorization server while {doing}: {excerpt(reason, 160)}"
        ) from None


def _error_code(response: httpx2.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _why(response: httpx2.Response) -> str:
    """The server's own reason (RFC 6749 §5.2), bounded and cleaned: it is untrusted text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and body.get("error"):
        description = body.get("error_description")
        text = f"{body['error']}" + (f" ({description})" if description else "")
        return excerpt(secrets.scrub(f"HTTP {response.status_code}: {text}"), 200)
    return f"HTTP {response.status_code}"
