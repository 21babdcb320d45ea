"""What the hosted server says to a person rather than to an MCP client.

`GET /`: what this server is and where its MCP endpoints are, instead of a bare 404. With
`--auth api-key`, a refused request is told whether its key was missing or not accepted (the SDK
says "Authentication required" to both, which sends people looking for a sign-in).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp import __version__
from jobmojito_mcp.config import Settings


class ExplainKeyRefusal:
    """With --auth api-key, a refused request learns why: no key sent, or a key this server does
    not accept. The SDK says "Authentication required" to both, which sends a person looking for a
    sign-in that does not exist. Only the description changes; status and error code stay."""

    _SDK_SAYS = b"Authentication required"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = any(name.lower() == b"authorization" for name, _ in scope.get("headers", ()))
        said = (
            b"This API key is not accepted here: check it against the server's keys "
            b"(JOBMOJITO_MCP_API_KEYS or --api-keys-file)"
            if presented
            else b"This server needs an API key: send it as Authorization: Bearer <key>"
        )
        replacing = False

        async def explained(message: Any) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 401:
                headers = message.get("headers", [])
                replacing = any(
                    self._SDK_SAYS in value for name, value in headers if name.lower() == b"www-authenticate"
                )
                if replacing:
                    body = json.dumps({"error": "invalid_token", "error_description": said.decode()}).encode()
                    message = {
                        **message,
                        "headers": [
                            (
                                name,
                                str(len(body)).encode()
                                if name.lower() == b"content-length"
                                else value.replace(self._SDK_SAYS, said),
                            )
                            for name, value in headers
                        ],
                    }
                    await send(message)
                    await send({"type": "http.response.body", "body": body, "more_body": False})
                    return
            if replacing and message["type"] == "http.response.body":
                return  # the SDK's own body, replaced above
            await send(message)

        await self.app(scope, receive, explained)


def index_for(settings: Settings) -> Any:
    """`GET /`: a person who opens the server's address learns what it is and where MCP is served,
    rather than a bare 404."""
    paths = []
    if settings.mcp_transport in ("streamable-http", "http"):
        paths.append(("/mcp", "Streamable HTTP"))
    if settings.mcp_transport in ("sse", "http"):
        paths.append(("/sse", "SSE, older clients"))

    async def index(request: Request) -> Response:
        # The address the person used (the Host was checked), unless the public one is configured.
        base = (settings.mcp_public_url or str(request.base_url)).rstrip("/")
        endpoints = " or ".join(f"{base}{path} ({kind})" for path, kind in paths)
        text = (
            f"jobmojito-mcp {__version__}: an MCP server for JobMojito AI job interviews.\n"
            f"Connect an MCP client to {endpoints}; this page is not an MCP endpoint.\n"
            f"Health: {base}/healthz, readiness: {base}/readyz.\n"
        )
        return PlainTextResponse(text)

    return index
