"""The sandbox authorization server's HTTP face, at Supabase Auth's paths (the issuer is `<root>/auth/v1`).

====================================================  =================================================
GET  /.well-known/oauth-authorization-server/auth/v1  RFC 8414 metadata (where MCP clients look first)
GET  /auth/v1/.well-known/openid-configuration         OpenID discovery (the same, plus OIDC fields)
GET  /auth/v1/.well-known/jwks.json                    the ES256 public key
POST /auth/v1/oauth/clients/register                   RFC 7591 dynamic client registration
GET  /auth/v1/oauth/authorize                          approves at once as the demo user, or shows consent
GET  /auth/v1/oauth/consent                            the approve/deny page (`consent` on)
POST /auth/v1/oauth/consent                            the person's decision
POST /auth/v1/oauth/token                              authorization_code (PKCE S256) and refresh_token
POST /auth/v1/oauth/revoke                             RFC 7009 revocation: the token's session ends
POST /auth/v1/logout                                   Supabase's sign-out of the bearer's session
POST /auth/v1/token?grant_type=password                GoTrue's password grant (tests, load scripts)
====================================================  =================================================

The decisions are :class:`.oauth.AuthServer`'s; this module only reads requests and writes answers.
"""

from __future__ import annotations

import base64
import binascii
import html
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from jobmojito_mcp.sandbox.auth import bearer_token
from jobmojito_mcp.sandbox.oauth import DEMO_EMAIL, SCOPES, AuthServer, OAuthError, RedirectError
from jobmojito_mcp.sandbox.tokens import AUTH_PATH

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _issuer(request: Request) -> str:
    return str(request.base_url).rstrip("/") + AUTH_PATH


def metadata(issuer: str, patch: dict[str, Any], *, openid: bool = False) -> dict[str, Any]:
    """Supabase's authorization-server metadata for this issuer (with any test patch applied)."""
    document: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "registration_endpoint": f"{issuer}/oauth/clients/register",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }
    if openid:
        document |= {
            "userinfo_endpoint": f"{issuer}/oauth/userinfo",
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "claims_supported": ["sub", "email", "session_id"],
        }
    document.update(patch)
    return {key: value for key, value in document.items() if value is not None}


def _oauth_error(error: OAuthError) -> Response:
    headers = dict(_NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _basic(request: Request) -> tuple[str, str] | None:
    """client_secret_basic credentials (RFC 6749 §2.3.1), or None when the header is absent."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    return (unquote(user), unquote(password)) if sep else ("", "")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def oauth_routes(auth: AuthServer) -> list[Route]:
    async def rfc8414(request: Request) -> Response:
        return JSONResponse(metadata(_issuer(request), auth.metadata_patch))

    async def openid(request: Request) -> Response:
        return JSONResponse(metadata(_issuer(request), auth.metadata_patch, openid=True))

    async def jwks(request: Request) -> Response:
        return JSONResponse(auth.issuer_key.jwks())

    async def register(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        try:
            return JSONResponse(auth.register(body), status_code=201, headers=_NO_STORE)
        except OAuthError as error:
            return _oauth_error(error)

    async def authorize(request: Request) -> Response:
        query = dict(request.query_params) if request.method == "GET" else await _form(request)
        try:
            location = auth.authorize(query)
        except RedirectError as error:
            location = error.location
        except OAuthError as error:
            # Never redirect to an untrusted URI: the person sees the problem instead.
            return HTMLResponse(
                _page("Sign-in request refused", f"<p>{html.escape(error.description)}</p>"), 400
            )
        return RedirectResponse(location, status_code=302, headers=_NO_STORE)

    async def consent(request: Request) -> Response:
        if request.method == "GET":
            authorization_id = request.query_params.get("authorization_id", "")
            waiting = auth.pending(authorization_id)
            if waiting is None:
                return HTMLResponse(
                    _page("Unknown or finished request", "<p>Start the sign-in again.</p>"), 404
                )
            return HTMLResponse(_consent_page(authorization_id, waiting.client.client_name, waiting.scopes))
        form = await _form(request)
        redirect = auth.decide(form.get("authorization_id", ""), form.get("decision") == "approve")
        if redirect is None:
            return HTMLResponse(_page("Unknown or finished request", "<p>Start the sign-in again.</p>"), 404)
        return RedirectResponse(redirect, status_code=302, headers=_NO_STORE)

    async def token(request: Request) -> Response:
        try:
            answer = auth.token(_issuer(request), await _form(request), _basic(request))
        except OAuthError as error:
            return _oauth_error(error)
        return JSONResponse(answer, headers=_NO_STORE)

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        client = auth.clients.get((_basic(request) or (form.get("client_id", ""), ""))[0])
        if client is None:
            return _oauth_error(OAuthError(401, "invalid_client", "unknown client_id"))
        if not form.get("token"):
            return _oauth_error(OAuthError(400, "invalid_request", "token is required"))
        auth.revoke(form["token"])
        return Response(status_code=200)  # RFC 7009: 200 whether or not the token was known

    async def logout(request: Request) -> Response:
        try:
            claims = auth.check_access_token(bearer_token(request.headers.get("authorization")) or "")
        except PermissionError as refusal:
            return JSONResponse({"code": 401, "error_code": "bad_jwt", "msg": str(refusal)}, 401)
        if request.query_params.get("scope") == "global":
            auth.sign_out(subject=claims["sub"])
        else:
            auth.sign_out(session_id=claims.get("session_id"))
        return Response(status_code=204)

    async def password_grant(request: Request) -> Response:
        if request.query_params.get("grant_type") != "password":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        try:
            body = await request.json()
        except ValueError:
            body = None
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email or not body.get("password"):
            return JSONResponse({"error": "invalid_grant", "error_description": "email and password"}, 400)
        access, session = auth.issue(_issuer(request), email)
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": auth.token_ttl,
                "user": {"id": session.subject, "email": email},
            }
        )

    return [
        Route(f"/.well-known/oauth-authorization-server{AUTH_PATH}", rfc8414, methods=["GET"]),
        Route(f"{AUTH_PATH}/.well-known/openid-configuration", openid, methods=["GET"]),
        Route(f"{AUTH_PATH}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route(f"{AUTH_PATH}/oauth/clients/register", register, methods=["POST"]),
        Route(f"{AUTH_PATH}/oauth/authorize", authorize, methods=["GET", "POST"]),
        Route(f"{AUTH_PATH}/oauth/consent", consent, methods=["GET", "POST"]),
        Route(f"{AUTH_PATH}/oauth/token", token, methods=["POST"]),
        Route(f"{AUTH_PATH}/oauth/revoke", revoke, methods=["POST"]),
        Route(f"{AUTH_PATH}/logout", logout, methods=["POST"]),
        Route(f"{AUTH_PATH}/token", password_grant, methods=["POST"]),
    ]


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title></head><body style='font-family:sans-serif;max-width:32em;margin:3em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _consent_page(authorization_id: str, client_name: str | None, scopes: list[str] | None) -> str:
    items = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes or [])
    form = (
        f"<form method='post'><input type='hidden' name='authorization_id' value='{html.escape(authorization_id)}'>"
        "<button name='decision' value='approve'>Approve</button> "
        "<button name='decision' value='deny'>Deny</button></form>"
    )
    return _page(
        "JobMojito sandbox: allow access?",
        f"<p><b>{html.escape(client_name or 'An application')}</b> asks to act as "
        f"<b>{html.escape(DEMO_EMAIL)}</b> with:</p><ul>{items}</ul>{form}",
    )
