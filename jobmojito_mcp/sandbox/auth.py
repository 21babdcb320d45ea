"""Bearer-token checks, shaped like Supabase's gateway in front of the functions API.

The sandbox cannot verify real JWTs (it has no JobMojito keys), so a token is any non-empty
string; a configured set narrows that to known tokens, which lets tests prove that a client
sends the token it was given.
"""

from __future__ import annotations

from collections.abc import Set

from jobmojito_mcp.sandbox.errors import ApiError


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None when absent or malformed."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def authenticate(header: str | None, tokens: Set[str] | None) -> str:
    """Return the caller's token or raise the documented 401.

    ``tokens=None`` accepts any non-empty token; a set accepts only its members.
    """
    token = bearer_token(header)
    if token is None:
        raise ApiError(401, "Missing or malformed authorization header.", "authorization")
    if tokens is not None and token not in tokens:
        raise ApiError(401, "Invalid JWT: token not accepted.", "authorization")
    return token
