"""Malformed requests get a 4xx with the error body, never a crash; routing errors; the admin API."""

from __future__ import annotations

import json

import httpx2
import pytest
from sandbox_support import AUTH, error

from jobmojito_mcp.sandbox import RunningSandbox

POST_ENDPOINTS = [
    "job-interview-create",
    "job-interview-create-from-array",
    "job-interview-create-for-candidate-with-token",
    "job-interview-set-state",
]


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{", 400),
        (b'{"name": "A",}', 400),
        (b"\xff\xfe{}", 400),
        (b"NaN", 400),
        (b'{"max_followups": Infinity}', 400),
        (b"null", 422),
        (b"[1, 2]", 422),
        (b'"text"', 422),
        (b"42", 422),
    ],
)
def test_malformed_bodies(client: httpx2.Client, endpoint: str, body: bytes, status: int) -> None:
    error(client.post(endpoint, content=body, headers={"Content-Type": "application/json"}), status)


def test_unknown_function_is_404(client: httpx2.Client) -> None:
    error(client.get("job-interview-list"), 404)


@pytest.mark.parametrize(
    ("method", "endpoint", "allow"),
    [
        ("POST", "merchant-avatar-list", "GET"),
        ("GET", "job-interview-create", "POST"),
        ("DELETE", "job-interview-get", "GET, POST"),
        ("PUT", "job-interview-set-state", "POST"),
    ],
)
def test_wrong_method_is_405(client: httpx2.Client, method: str, endpoint: str, allow: str) -> None:
    response = client.request(method, endpoint)
    error(response, 405)
    assert response.headers["allow"] == allow


def test_outside_the_api_is_plain_404(bare_client: httpx2.Client) -> None:
    assert bare_client.get("/functions/v2/merchant-avatar-list", headers=AUTH).status_code == 404


def test_health(client: httpx2.Client, bare_client: httpx2.Client, interview_body: dict[str, object]) -> None:
    client.post("job-interview-create", json=interview_body)
    assert bare_client.get("/_sandbox/health").json() == {"status": "ok", "interviews": 1}


def test_admin_reset(
    sandbox: RunningSandbox,
    client: httpx2.Client,
    bare_client: httpx2.Client,
    interview_body: dict[str, object],
) -> None:
    created = client.post("job-interview-create", json=interview_body).json()["interview_def_set_id"]
    sandbox.inject("*", "status", times=None, status=503)
    assert bare_client.post("/_sandbox/reset").json() == {"success": True}
    assert sandbox.requests() == []
    assert sandbox.state.faults.pending() == []
    error(client.get("job-interview-get", params={"position_id": created}), 404, "position_id")


# Issue 21, finding 10: a web page could drive the admin API (no Host/Origin check, JSON taken as
# text/plain) and re-point the token endpoint, collecting the next refresh token.


def test_the_admin_api_keeps_web_pages_out(bare_client: httpx2.Client, sandbox: RunningSandbox) -> None:
    patch = {"metadata_patch": {"token_endpoint": "http://attacker.example/steal"}}
    before = bare_client.get("/_sandbox/auth").json()
    cross_site = bare_client.post(
        "/_sandbox/auth",
        content=json.dumps(patch).encode(),
        headers={"Content-Type": "text/plain", "Origin": "http://attacker.example"},
    )
    assert cross_site.status_code == 403
    as_text = bare_client.post(
        "/_sandbox/auth", content=json.dumps(patch).encode(), headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    rebound = bare_client.post("/_sandbox/auth", json=patch, headers={"Host": "attacker.example"})
    assert rebound.status_code == 421
    assert bare_client.get("/_sandbox/auth", headers={"Host": "attacker.example:80"}).status_code == 421
    assert bare_client.get("/_sandbox/auth").json() == before, "nothing changed"
    # The sandbox's own clients (loopback Host, JSON, no Origin or a loopback one) still drive it.
    loopback = {"Origin": sandbox.root_url}
    assert bare_client.post("/_sandbox/account", json={}, headers=loopback).status_code == 200
