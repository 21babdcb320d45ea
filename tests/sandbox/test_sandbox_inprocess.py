"""create_app under httpx2.ASGITransport: the in-process mode, without sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from sandbox_support import AUTH

from jobmojito_mcp.sandbox import ConnectionDropped, SandboxState, create_app
from jobmojito_mcp.sandbox.faults import make_fault

pytestmark = pytest.mark.anyio


@pytest.fixture
def state() -> SandboxState:
    return SandboxState()


@pytest.fixture
async def http(state: SandboxState) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://sandbox/functions/v1", headers=AUTH
    ) as client:
        yield client


async def test_a_whole_flow(
    http: httpx2.AsyncClient, state: SandboxState, interview_body: dict[str, Any]
) -> None:
    assert (await http.get("merchant-avatar-list")).json()["data"]
    created = (await http.post("job-interview-create", json=interview_body)).json()
    position_id = created["interview_def_set_id"]
    assert (
        await http.post("job-interview-set-state", json={"position_id": position_id, "status": "draft"})
    ).json() == {"success": True}
    definition = (await http.get("job-interview-get", params={"position_id": position_id})).json()
    assert definition["status"] == "draft"
    [recorded] = state.journal.snapshot("job-interview-create")
    assert recorded.path == "/functions/v1/job-interview-create"


async def test_401_in_process(state: SandboxState) -> None:
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox/functions/v1") as client:
        assert (await client.get("merchant-avatar-list")).status_code == 401


async def test_response_faults_work_in_process(http: httpx2.AsyncClient, state: SandboxState) -> None:
    state.faults.add("*", make_fault("status", status=429, headers={"Retry-After": "2"}))
    state.faults.add("*", make_fault("truncated_json"))
    first = await http.get("merchant-avatar-list")
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    with pytest.raises(ValueError, match=r"."):
        (await http.get("merchant-avatar-list")).json()


@pytest.mark.parametrize("kind", ["close", "reset"])
async def test_socket_faults_raise_connection_dropped(
    http: httpx2.AsyncClient, state: SandboxState, kind: str
) -> None:
    state.faults.add("merchant-avatar-list", make_fault(kind))
    with pytest.raises(ConnectionDropped):
        await http.get("merchant-avatar-list")
