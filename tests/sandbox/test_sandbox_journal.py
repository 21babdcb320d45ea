"""The request journal: recorded before handling, thread-safe, and readable over the admin API."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx2
import pytest
from sandbox_support import AUTH, TOKEN

from jobmojito_mcp.sandbox import RecordedRequest, RunningSandbox


def test_a_request_is_recorded_as_sent(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    client.post("job-interview-create", params={"x": "1"}, json={"name": "A"}, headers={"X-Trace-Id": "t-9"})
    [recorded] = sandbox.requests()
    assert recorded.method == "POST"
    assert recorded.path == "/functions/v1/job-interview-create"
    assert recorded.endpoint == "job-interview-create"
    assert recorded.query == {"x": "1"}
    assert recorded.headers["x-trace-id"] == "t-9"
    assert recorded.headers["authorization"] == AUTH["Authorization"]
    assert all(name == name.lower() for name in recorded.headers)
    assert recorded.json() == {"name": "A"}
    assert recorded.token == TOKEN
    with pytest.raises(AttributeError):
        recorded.method = "GET"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"{not json"}, 400),  # malformed
        ({"json": {}}, 422),  # invalid
        ({"json": {}, "headers": {"Authorization": ""}}, 401),  # refused
    ],
)
def test_failed_calls_are_recorded_too(
    sandbox: RunningSandbox, client: httpx2.Client, kwargs: dict[str, Any], status: int
) -> None:
    assert client.post("job-interview-set-state", **kwargs).status_code == status
    assert len(sandbox.requests("job-interview-set-state")) == 1


def test_faulted_calls_are_recorded(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject("job-interview-get", "close")
    with pytest.raises(httpx2.RemoteProtocolError):
        client.get("job-interview-get", params={"position_id": "p"})
    [recorded] = sandbox.requests()
    assert recorded.query == {"position_id": "p"}


def test_filter_clear_and_snapshot(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    client.get("merchant-avatar-list")
    client.get("job-interview-get")
    snapshot = sandbox.requests()
    assert [r.endpoint for r in snapshot] == ["merchant-avatar-list", "job-interview-get"]
    assert [r.endpoint for r in sandbox.requests("job-interview-get")] == ["job-interview-get"]
    sandbox.clear_requests()
    assert sandbox.requests() == []
    assert len(snapshot) == 2  # a snapshot is a copy


def test_unknown_endpoints_are_recorded(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    assert client.get("no-such-function").status_code == 404
    assert [r.endpoint for r in sandbox.requests()] == ["no-such-function"]


def test_admin_calls_are_not_recorded(sandbox: RunningSandbox, bare_client: httpx2.Client) -> None:
    bare_client.get("/_sandbox/health")
    assert sandbox.requests() == []


def test_concurrent_calls_are_all_recorded(sandbox: RunningSandbox) -> None:
    def hammer(index: int) -> None:
        with httpx2.Client(base_url=sandbox.base_url, headers={"Authorization": f"Bearer t{index}"}) as http:
            for _ in range(10):
                http.get("merchant-avatar-list")

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        sandbox.requests()  # reading while the server writes is safe
        time.sleep(0.005)
    for thread in threads:
        thread.join()
    recorded = sandbox.requests()
    assert len(recorded) == 80
    assert {r.token for r in recorded} == {f"t{i}" for i in range(8)}


def test_admin_journal_api(client: httpx2.Client, bare_client: httpx2.Client) -> None:
    client.post("job-interview-create", json={"name": "A"})
    client.get("merchant-avatar-list", params={"limit": "5"})
    admin = "/_sandbox/requests"
    entries = bare_client.get(admin).json()["requests"]
    assert [e["endpoint"] for e in entries] == ["job-interview-create", "merchant-avatar-list"]
    assert entries[0]["body"] == '{"name":"A"}'
    assert entries[0]["token"] == TOKEN
    assert entries[1]["query"] == {"limit": "5"}
    only = bare_client.get(admin, params={"endpoint": "merchant-avatar-list"}).json()["requests"]
    assert len(only) == 1
    assert bare_client.delete(admin).json() == {"success": True}
    assert bare_client.get(admin).json() == {"requests": []}


def test_recorded_request_json_helper() -> None:
    recorded = RecordedRequest("POST", "/functions/v1/x", "x", {}, {}, b'{"a": [1, 2]}')
    assert recorded.json() == {"a": [1, 2]}
    assert recorded.token is None
