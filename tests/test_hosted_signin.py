"""The hosted endpoint in per-caller mode (`--auth jobmojito-jwt`) as OAuth-capable MCP clients meet it.

The MCP SDK's own OAuth client starts with no token: it gets the 401, reads the protected-resource
metadata, discovers the sandbox's authorization server, registers, signs in (a browser stand-in
follows the redirects) and calls all six tools. When the sandbox then signs that session out, the
next request bearing the dead token is answered HTTP 401 and the client signs in again by itself.
The TypeScript SDK's OAuth client (what `mcp-remote` builds on) does the same sign-in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import DEFAULT_TOOL_NAMES, call_every_tool, http_server, server_env, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

REDIRECT = (
    "http://127.0.0.1:53682/oauth/callback"  # the client's own page: never loaded, read from the redirect
)
SCOPE = 'scope="openid email offline_access"'


class MemoryStorage:
    """The SDK client's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Browser:
    """Follows the authorize redirects as a person's browser would, up to the client's redirect URI."""

    def __init__(self) -> None:
        self.landed = ""
        self.sign_ins = 0

    async def open(self, url: str) -> None:
        async with httpx2.AsyncClient(timeout=10) as http:
            while not url.startswith(REDIRECT):
                answer = await http.get(url)
                assert answer.status_code == 302, answer.text
                url = urljoin(url, answer.headers["location"])
        self.landed = url
        self.sign_ins += 1

    async def callback(self) -> AuthorizationCodeResult:
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.landed).query).items()}
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"))


def jwt_server(sandbox: RunningSandbox) -> Any:
    # Nothing about the auth server is configured: its URL, issuer and JWKS follow from the base URL.
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="INFO")
    return http_server(env, ["--transport", "streamable-http", "--auth", "jobmojito-jwt"])


async def test_resource_metadata_and_challenge_send_clients_to_the_authorization_server(
    sandbox: RunningSandbox,
) -> None:
    async with jwt_server(sandbox) as server, httpx2.AsyncClient() as http:
        challenge = await http.post(f"{server.url}/mcp", json={})
        assert challenge.status_code == 401
        www_authenticate = challenge.headers["www-authenticate"]
        assert www_authenticate.startswith("Bearer ") and SCOPE in www_authenticate
        assert (
            f'resource_metadata="{server.url}/.well-known/oauth-protected-resource/mcp"' in www_authenticate
        )
        metadata = (await http.get(f"{server.url}/.well-known/oauth-protected-resource/mcp")).json()
        assert metadata["resource"] == f"{server.url}/mcp"
        assert metadata["authorization_servers"] == [sandbox.jwt_issuer]
        assert metadata["scopes_supported"] == ["openid", "email", "offline_access"]
        discovered = await http.get(f"{sandbox.root_url}/.well-known/oauth-authorization-server/auth/v1")
        assert discovered.json()["issuer"] == sandbox.jwt_issuer


async def test_the_sdk_oauth_client_signs_in_calls_every_tool_and_recovers_from_a_sign_out(
    sandbox: RunningSandbox,
) -> None:
    sandbox.clear_requests()
    sandbox.auth.reset()
    browser, storage = Browser(), MemoryStorage()
    async with jwt_server(sandbox) as server:
        provider = OAuthClientProvider(
            server_url=f"{server.url}/mcp",
            client_metadata=OAuthClientMetadata(
                client_name="MCP SDK test client",
                redirect_uris=[REDIRECT],  # type: ignore[list-item]
                grant_types=["authorization_code", "refresh_token"],
                response_types=["code"],
                token_endpoint_auth_method="none",
            ),
            storage=storage,
            redirect_handler=browser.open,
            callback_handler=browser.callback,
        )
        http = httpx2.AsyncClient(auth=provider, timeout=30)
        async with http, Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
            await call_every_tool(client)
            first = storage.tokens
            assert (
                first is not None and first.refresh_token
            )  # offline_access was asked for, from the challenge
            assert browser.sign_ins == 1 and sandbox.auth.count("register") == 1
            bearers = {request.token for request in sandbox.requests() if request.endpoint}
            assert bearers == {first.access_token}

            sandbox.auth.sign_out()  # e.g. "sign out everywhere" in JobMojito's web app
            refused = await client.call_tool("list_avatars", {"limit": 1})
            assert isinstance(refused, CallToolResult) and refused.is_error
            assert "sign in again" in text_of(refused)

            # The next request carries the dead token: HTTP 401, and the client signs in again itself.
            recovered = await client.call_tool("list_avatars", {"limit": 1})
            assert isinstance(recovered, CallToolResult) and not recovered.is_error, text_of(recovered)
            assert browser.sign_ins == 2 and sandbox.auth.count("code") == 2
            assert storage.tokens is not None and storage.tokens.access_token != first.access_token
            assert sandbox.requests()[-1].token == storage.tokens.access_token
        log = server.stderr()
    assert first.access_token not in log and storage.tokens.access_token not in log
    assert "refused" in log  # the verifier said why the dead token got a 401


NODE_MODULES = Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules"
TS_CLIENT = Path(__file__).resolve().parent / "clients" / "ts_oauth_client.cjs"


async def test_the_typescript_sdk_oauth_client_signs_in_too(sandbox: RunningSandbox) -> None:
    node = NODE_MODULES / ".bin" / "node"
    if not (node.exists() and (NODE_MODULES / "@modelcontextprotocol" / "client").is_dir()):
        if os.environ.get("CI"):
            pytest.fail("the TypeScript SDK is required in CI (.ci/run installs it into .ci/node)")
        pytest.skip("TypeScript SDK not installed: bash .ci/run installs it into .ci/node")
    sandbox.clear_requests()
    async with jwt_server(sandbox) as server:
        env = {"PATH": os.environ.get("PATH", ""), "NODE_MODULES_DIR": str(NODE_MODULES)}
        done = await anyio.run_process([str(node), str(TS_CLIENT), f"{server.url}/mcp"], env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    outcome = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert outcome["tools"] == list(DEFAULT_TOOL_NAMES)
    assert outcome["isError"] is False and outcome["structured"]["data"]
    assert outcome["signIns"] == 1 and outcome["gotRefreshToken"] is True
    assert [request.token for request in sandbox.requests() if request.endpoint] == [outcome["accessToken"]]


# ---------------------------------------------------------------------------------------------
# Issue 21, finding 5: each endpoint its own protected-resource metadata (RFC 9728 §3.1, §5.1)


@pytest.mark.parametrize("transport", ["http", "sse"])
async def test_each_endpoint_names_its_own_metadata(sandbox: RunningSandbox, transport: str) -> None:
    """Before: a 401 on /sse pointed at metadata whose `resource` was .../mcp, which every SDK client
    refuses; with --transport sse alone that metadata named an endpoint that did not exist."""
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="INFO")
    args = ["--transport", transport, "--auth", "jobmojito-jwt"]
    async with http_server(env, args) as server, httpx2.AsyncClient() as http:
        endpoints = {"/sse": "GET", "/messages/?session_id=x": "POST"}
        if transport == "http":
            endpoints["/mcp"] = "POST"
        for path, method in endpoints.items():
            resource = "/mcp" if path == "/mcp" else "/sse"
            challenge = await http.request(method, f"{server.url}{path}")
            assert challenge.status_code == 401, path
            expected = f"{server.url}/.well-known/oauth-protected-resource{resource}"
            www_authenticate = challenge.headers["www-authenticate"]
            assert f'resource_metadata="{expected}"' in www_authenticate and SCOPE in www_authenticate, path
            metadata = (await http.get(expected)).json()
            assert metadata["resource"] == f"{server.url}{resource}"
            assert metadata["authorization_servers"] == [sandbox.jwt_issuer]
        if transport == "sse":
            assert (
                await http.get(f"{server.url}/.well-known/oauth-protected-resource/mcp")
            ).status_code == 404


async def test_the_sdk_oauth_client_signs_in_over_sse(sandbox: RunningSandbox) -> None:
    from mcp.client.sse import sse_client

    sandbox.clear_requests()
    sandbox.auth.reset()
    browser, storage = Browser(), MemoryStorage()
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="INFO")
    async with http_server(env, ["--transport", "sse", "--auth", "jobmojito-jwt"]) as server:
        provider = OAuthClientProvider(
            server_url=f"{server.url}/sse",
            client_metadata=OAuthClientMetadata(
                client_name="MCP SDK test client",
                redirect_uris=[REDIRECT],  # type: ignore[list-item]
                grant_types=["authorization_code", "refresh_token"],
                response_types=["code"],
                token_endpoint_auth_method="none",
            ),
            storage=storage,
            redirect_handler=browser.open,
            callback_handler=browser.callback,
        )
        async with Client(sse_client(f"{server.url}/sse", auth=provider, timeout=30)) as client:
            result = await client.call_tool("list_avatars", {"limit": 1})
            assert not result.is_error, text_of(result)
        assert browser.sign_ins == 1 and storage.tokens is not None
        assert {request.token for request in sandbox.requests() if request.endpoint} == {
            storage.tokens.access_token
        }
