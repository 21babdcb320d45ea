"""A simulated Supabase auth server: signs JobMojito-style access tokens and publishes their JWKS.

The hosted endpoint's `--auth jobmojito-jwt` mode verifies callers' tokens against the auth
server's JWKS. To test that end to end offline, the sandbox plays the auth server too:

    GET  /auth/v1/.well-known/jwks.json     the public signing key (ES256, like Supabase)
    POST /auth/v1/token?grant_type=password {"email", "password"} -> {"access_token", ...}

Tokens carry what Supabase's do: `sub`, `aud` "authenticated", `role`, `exp`, `iat`, `iss`
(`<sandbox root>/auth/v1`), `email`, and the merchant in `app_metadata.merchant_id`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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
        forged: bool = False,
    ) -> str:
        """A signed access token; `forged` signs with a throwaway key under the same `kid`."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": subject,
            "aud": audience,
            "role": "authenticated",
            "iat": now,
            "exp": now + expires_in,
            "email": email or f"{subject}@sandbox.invalid",
            "app_metadata": {"merchant_id": merchant_id},
        }
        key = ec.generate_private_key(ec.SECP256R1()) if forged else self._key
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": KEY_ID})


def auth_routes(issuer: TokenIssuer) -> list[Route]:
    async def jwks(request: Request) -> Response:
        return JSONResponse(issuer.jwks())

    async def token(request: Request) -> Response:
        if request.query_params.get("grant_type") != "password":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        try:
            body = await request.json()
        except ValueError:
            body = None
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email or not body.get("password"):
            return JSONResponse({"error": "invalid_grant", "error_description": "email and password"}, 400)
        subject = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{email.lower()}"))
        base = str(request.base_url).rstrip("/")
        access = issuer.issue(f"{base}{AUTH_PATH}", subject, email=email)
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": DEFAULT_LIFETIME,
                "user": {"id": subject},
            }
        )

    return [
        Route(f"{AUTH_PATH}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route(f"{AUTH_PATH}/token", token, methods=["POST"]),
    ]
