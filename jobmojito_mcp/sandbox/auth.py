"""Bearer-token checks, shaped like Supabase's gateway in front of the functions API.

A JWT (what the sandbox's own auth server issues) must verify as JobMojito's would: signed by
this sandbox, unexpired, and its session still signed in. Anything else is an opaque test token:
any non-empty string, or with a configured set only its members, which lets tests prove that a
client sends the token it was given without signing in first.
"""

from __future__ import annotations

from collections.abc import Set

from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.oauth import AuthServer
from jobmojito_mcp.sandbox.tokens import looks_like_jwt


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None when absent or malformed."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def authenticate(header: str | None, tokens: Set[str] | None, auth: AuthServer) -> str:
    """Return the caller's token or raise the documented 401.

    A JWT must be live at `auth`; other tokens: ``tokens=None`` accepts any non-empty one, a set
    only its members.
    """
    token = bearer_token(header)
    if token is None:
        raise ApiError(401, "Missing or malformed authorization header.", "authorization")
    if looks_like_jwt(token):
        try:
            auth.check_access_token(token)
        except PermissionError as refusal:
            raise ApiError(401, f"Invalid JWT: {refusal}.", "authorization") from None
        return token
    if tokens is not None and token not in tokens:
        raise ApiError(401, "Invalid JWT: token not accepted.", "authorization")
    return token
