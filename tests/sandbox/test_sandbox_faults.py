"""Fault injection: each kind shows up in a real httpx2 client as the real failure would."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx2
import pytest
from sandbox_support import AUTH, check, error

from jobmojito_mcp.sandbox import FaultKind, RunningSandbox, run_sandbox

CREATE = "job-interview-create"
LIST = "merchant-avatar-list"


def timed(fn: Any) -> tuple[Any, float]:
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def drain(response: httpx2.Response, into: bytearray) -> None:
    for chunk in response.iter_raw():
        into += chunk


def test_status_with_headers_and_body(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(
        LIST, FaultKind.STATUS, status=429, headers={"Retry-After": "7"}, body={"error": "Slow down"}
    )
    response = client.get(LIST)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {"error": "Slow down"}
    assert client.get(LIST).status_code == 200  # times=1: used up


def test_status_default_is_a_documented_500(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(CREATE, "status")
    error(check("create_interview", client.post(CREATE, json={})), 500)


def test_status_with_a_raw_body(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(
        LIST, "status", status=503, body="upstream unavailable", headers={"Content-Type": "text/plain"}
    )
    response = client.get(LIST)
    assert (response.status_code, response.text) == (503, "upstream unavailable")
    assert response.headers["content-type"] == "text/plain"


def test_close_without_response(
    sandbox: RunningSandbox, client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    sandbox.inject(CREATE, "close")
    with pytest.raises(httpx2.RemoteProtocolError, match="without sending a response"):
        client.post(CREATE, json=interview_body)
    assert sandbox.state.interviews.all() == []  # dropped before handling
    assert len(sandbox.requests(CREATE)) == 1
    assert client.post(CREATE, json=interview_body).status_code == 200  # the client recovers


def test_reset_mid_body(
    sandbox: RunningSandbox, client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    sandbox.inject(CREATE, "reset")
    with pytest.raises(httpx2.RemoteProtocolError, match="complete message body"):
        client.post(CREATE, json=interview_body)
    # The request was handled before the answer was cut: the interview exists.
    assert len(sandbox.state.interviews.all()) == 1


def test_reset_after_size_bytes(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "reset", size=10)
    received = bytearray()
    with client.stream("GET", LIST) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 10
        with pytest.raises(httpx2.RemoteProtocolError):
            drain(response, received)
    assert len(received) == 10


def test_hang_then_normal_answer(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "hang", delay=0.3)
    response, elapsed = timed(lambda: client.get(LIST))
    assert response.status_code == 200
    assert 0.3 <= elapsed < 2


def test_hang_outlasts_the_client_timeout(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "hang")  # default: an hour
    start = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout):
        client.get(LIST, timeout=0.2)
    assert 0.2 <= time.monotonic() - start < 2
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("status", [None, 502])
def test_non_json(sandbox: RunningSandbox, client: httpx2.Client, status: int | None) -> None:
    sandbox.inject(LIST, "non_json", status=status)
    response = client.get(LIST)
    assert response.status_code == (status or 200)
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncated_json(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(CREATE, "truncated_json")
    response = client.post(CREATE, json={})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('{"')
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("size", [None, 1000])
def test_huge_body(sandbox: RunningSandbox, client: httpx2.Client, size: int | None) -> None:
    sandbox.inject(LIST, "huge", size=size)
    response = client.get(LIST)
    expected = size or 10 * 1024 * 1024
    assert response.status_code == 200
    assert len(response.content) == int(response.headers["content-length"]) == expected
    assert set(response.json()) == {"data", "padding"}  # valid JSON, just big


def test_huge_body_can_be_refused_while_streaming(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "huge")
    with client.stream("GET", LIST) as response:
        assert int(response.headers["content-length"]) == 10 * 1024 * 1024
        first = next(response.iter_raw())
        assert first.startswith(b'{"data"')


def test_slow_drip(sandbox: RunningSandbox, client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    created = client.post(CREATE, json=interview_body).json()["interview_def_set_id"]
    sandbox.inject("job-interview-set-state", "slow_drip", size=4, delay=0.05)
    payload = {"position_id": created, "status": "archived"}
    response, elapsed = timed(lambda: client.post("job-interview-set-state", json=payload))
    assert response.json() == {"success": True}  # 16 bytes: 4 chunks, 3 pauses
    assert 0.15 <= elapsed < 2


def test_slow_drip_trips_a_read_timeout(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "slow_drip", delay=0.5)
    with pytest.raises(httpx2.ReadTimeout):
        client.get(LIST, timeout=httpx2.Timeout(5, read=0.2))


def test_times_and_wildcard(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject("*", "status", status=503, times=2)
    assert client.get(LIST).status_code == 503
    assert client.post(CREATE, json={}).status_code == 503
    assert client.get(LIST).status_code == 200


def test_until_cleared(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "status", status=502, times=None)
    assert [client.get(LIST).status_code for _ in range(3)] == [502, 502, 502]
    sandbox.clear_faults()
    assert client.get(LIST).status_code == 200


def test_faults_are_per_endpoint_and_in_order(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.inject(LIST, "status", status=501)
    sandbox.inject(LIST, "status", status=502)
    assert client.post(CREATE, json={}).status_code == 422  # another endpoint: untouched
    assert [client.get(LIST).status_code for _ in range(3)] == [501, 502, 200]


def test_faults_come_before_auth(sandbox: RunningSandbox, bare_client: httpx2.Client) -> None:
    sandbox.inject(LIST, "status", status=503)
    assert bare_client.get(f"/functions/v1/{LIST}").status_code == 503


@pytest.mark.parametrize(
    ("endpoint", "kind", "kwargs"),
    [
        ("job-interview-nope", "status", {}),
        (LIST, "explode", {}),
        (LIST, "status", {"times": 0}),
        (LIST, "status", {"status": 700}),
        (LIST, "hang", {"delay": -1}),
        (LIST, "huge", {"size": -5}),
    ],
)
def test_invalid_injections(
    sandbox: RunningSandbox, endpoint: str, kind: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"."):
        sandbox.inject(endpoint, kind, **kwargs)


def test_latency(sandbox: RunningSandbox, client: httpx2.Client) -> None:
    sandbox.state.latency = 0.2
    response, elapsed = timed(lambda: client.get(LIST))
    assert response.status_code == 200
    assert 0.2 <= elapsed < 2


def test_latency_from_run_sandbox() -> None:
    with run_sandbox(latency=0.15) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        response, elapsed = timed(lambda: http.get(LIST))
        assert response.status_code == 200 and elapsed >= 0.15


def test_admin_fault_api(sandbox: RunningSandbox, client: httpx2.Client, bare_client: httpx2.Client) -> None:
    spec = {"endpoint": LIST, "kind": "status", "status": 503, "headers": {"Retry-After": "1"}, "times": 2}
    assert bare_client.post("/_sandbox/faults", json=spec).status_code == 201
    [pending] = bare_client.get("/_sandbox/faults").json()["faults"]
    assert (pending["endpoint"], pending["kind"], pending["times"], pending["status"]) == (
        LIST,
        "status",
        2,
        503,
    )
    first = client.get(LIST)
    assert (first.status_code, first.headers["retry-after"]) == (503, "1")
    assert bare_client.get("/_sandbox/faults").json()["faults"][0]["times"] == 1
    assert bare_client.delete("/_sandbox/faults").json() == {"success": True}
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": LIST},
        {"endpoint": LIST, "kind": "explode"},
        {"endpoint": "nope", "kind": "close"},
        {"endpoint": LIST, "kind": "close", "times": 0},
        {"endpoint": LIST, "kind": "close", "colour": "red"},
        {"endpoint": LIST, "kind": "status", "headers": ["Retry-After: 1"]},
        ["not", "an", "object"],
    ],
)
def test_admin_fault_api_refuses_nonsense(bare_client: httpx2.Client, spec: Any) -> None:
    response = bare_client.post("/_sandbox/faults", json=spec)
    assert response.status_code == 422
    assert response.json()["error"]


def test_admin_fault_api_refuses_malformed_json(bare_client: httpx2.Client) -> None:
    malformed = bare_client.post(
        "/_sandbox/faults", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 422


@pytest.mark.parametrize("kind", ["hang", "slow_drip"])
def test_shutdown_is_bounded_during_a_long_fault(kind: str) -> None:
    outcome: list[BaseException | int] = []
    with run_sandbox() as sandbox:
        sandbox.inject(LIST, kind, delay=3600)

        def call() -> None:
            with httpx2.Client(base_url=sandbox.base_url, headers=AUTH, timeout=30) as http:
                try:
                    outcome.append(http.get(LIST).status_code)
                except httpx2.HTTPError as exc:
                    outcome.append(exc)

        thread = threading.Thread(target=call)
        thread.start()
        while not sandbox.requests():
            time.sleep(0.01)
        time.sleep(0.1)
        start = time.monotonic()
    assert time.monotonic() - start < 1.5
    thread.join(5)
    [result] = outcome
    assert isinstance(result, httpx2.RemoteProtocolError)


@pytest.mark.anyio
async def test_faults_from_an_async_client(sandbox: RunningSandbox) -> None:
    sandbox.inject(LIST, "close")
    sandbox.inject(LIST, "hang", delay=0.2)
    async with httpx2.AsyncClient(base_url=sandbox.base_url, headers=AUTH) as http:
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(LIST)
        start = time.monotonic()
        assert (await http.get(LIST)).status_code == 200
        assert time.monotonic() - start >= 0.2
