"""The sandbox auth server's signing key: JobMojito-style access tokens and the JWKS that verifies them.

Tokens carry what Supabase's do: `sub`, `aud` "authenticated", `role`, `exp`, `iat`, `iss`
(`<sandbox root>/auth/v1`), `email`, `session_id`, and the merchant in `app_metadata.merchant_id`;
a token issued to an OAuth client adds `client_id` and `user_id`, as Supabase's OAuth server does.
Supabase puts no `azp` in access tokens; a test may add one (as a custom access-token hook, or
another authorization server, could) to see what the hosted endpoint makes of it.
Signed ES256 under one `kid`, like a Supabase project with asymmetric keys.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID

AUTH_PATH = "/auth/v1"
KEY_ID = "sandbox-es256"
DEFAULT_LIFETIME = 3600  # Supabase's default access-token lifetime


class TokenIssuer:
    """One signing key per sandbox: tokens from another sandbox (or a forger) do not verify."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [public | {"kid": KEY_ID, "alg": "ES256", "use": "sig"}]}

    def issue(
        self,
        issuer: str,
        subject: str,
        *,
        expires_in: int = DEFAULT_LIFETIME,
        audience: str = "authenticated",
        email: str | None = None,
        merchant_id: str = SANDBOX_MERCHANT_ID,
        session_id: str | None = None,
        client_id: str | None = None,
        azp: str | None = None,
        clock_skew: int = 0,
        forged: bool = False,
    ) -> str:
        """A signed access token; `forged` signs with a throwaway key under the same `kid`.

        `clock_skew` shifts `iat` and `exp` as an auth server whose clock is off would; `azp` adds
        that claim, which Supabase's own tokens never carry.
        """
        now = int(time.time()) + clock_skew
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": subject,
            "aud": audience,
            "role": "authenticated",
            "iat": now,
            "exp": now + expires_in,
            "email": email or f"{subject}@sandbox.invalid",
            "app_metadata": {"merchant_id": merchant_id},
            "aal": "aal1",
        }
        if session_id is not None:
            claims["session_id"] = session_id
        if client_id is not None:
            claims["client_id"] = client_id
            claims["user_id"] = subject
        if azp is not None:
            claims["azp"] = azp
        key = ec.generate_private_key(ec.SECP256R1()) if forged else self._key
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": KEY_ID})

    def verify(self, token: str, *, check_expiry: bool = True) -> dict[str, Any]:
        """The claims of a token this key signed; raises `jwt.PyJWTError` otherwise (or when expired)."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self._key.public_key(),
            algorithms=["ES256"],
            audience="authenticated",
            options={"verify_exp": check_expiry, "require": ["exp", "sub"]},
        )
        return claims


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer is meant as a JWT (so it must verify), as opposed to an opaque test token."""
    return token.startswith("eyJ") and token.count(".") == 2
