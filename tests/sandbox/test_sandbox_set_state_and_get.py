"""job-interview-set-state and job-interview-get: state changes show in get; deleted is gone."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx2
import pytest
from sandbox_support import CONTRACT, call, check, error, ok

SET = "set_interview_state"
GET = "get_interview_definition"


@pytest.fixture
def interview_id(client: httpx2.Client, interview_body: dict[str, Any]) -> str:
    answer: dict[str, Any] = ok(call(client, "create_interview", interview_body))
    return str(answer["interview_def_set_id"])


def get(client: httpx2.Client, position_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(call(client, GET, {"position_id": position_id}))
    return found


@pytest.mark.parametrize("status", ["draft", "active", "archived", "preparing", "completed"])
def test_status_changes_what_get_returns(client: httpx2.Client, interview_id: str, status: str) -> None:
    before = get(client, interview_id)
    time.sleep(0.001)
    assert ok(call(client, SET, {"position_id": interview_id, "status": status})) == {"success": True}
    after = get(client, interview_id)
    assert after["status"] == status
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_deleted_is_gone(client: httpx2.Client, interview_id: str) -> None:
    assert ok(call(client, SET, {"position_id": interview_id, "status": "deleted"})) == {"success": True}
    error(call(client, GET, {"position_id": interview_id}), 404, "position_id")
    error(call(client, SET, {"position_id": interview_id, "status": "active"}), 500, "position_id")


def test_embedding_on_and_off(client: httpx2.Client, interview_id: str) -> None:
    pair = ok(call(client, SET, {"position_id": interview_id, "is_embedded": True}))
    assert set(pair) == {"embed_id", "embed_signing_key"}
    assert (
        ok(call(client, SET, {"position_id": interview_id, "is_embedded": True})) == pair
    )  # returns the same key
    assert ok(call(client, SET, {"position_id": interview_id, "is_embedded": False})) == {"success": True}
    assert ok(call(client, SET, {"position_id": interview_id, "is_embedded": True})) != pair  # a new key


def test_embed_key_from_create_is_returned_by_set_state(
    client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    created = ok(call(client, "create_interview", {**interview_body, "is_embedded": True}))
    pair = ok(call(client, SET, {"position_id": created["interview_def_set_id"], "is_embedded": True}))
    assert pair == {"embed_id": created["embed_id"], "embed_signing_key": created["embed_signing_key"]}


def test_status_and_embedding_together(client: httpx2.Client, interview_id: str) -> None:
    pair = ok(call(client, SET, {"position_id": interview_id, "status": "archived", "is_embedded": True}))
    assert "embed_id" in pair
    assert get(client, interview_id)["status"] == "archived"


@pytest.mark.parametrize(
    "body", [{}, {"status": None}, {"is_embedded": None}, {"status": None, "is_embedded": None}]
)
def test_needs_status_or_is_embedded(client: httpx2.Client, interview_id: str, body: dict[str, Any]) -> None:
    error(call(client, SET, {"position_id": interview_id, **body}), 422, "status")


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        ({"status": "active"}, 422, "position_id"),
        ({"position_id": "", "status": "active"}, 422, "position_id"),
        ({"position_id": "abc", "status": "active"}, 422, "position_id"),
        ({"position_id": str(uuid.uuid4()), "status": "active"}, 500, "position_id"),
        ({"position_id": str(uuid.uuid4()), "status": "paused"}, 422, "status"),
        ({"position_id": str(uuid.uuid4()), "is_embedded": "true"}, 422, "is_embedded"),
    ],
)
def test_set_state_errors(client: httpx2.Client, body: dict[str, Any], status: int, name: str) -> None:
    error(call(client, SET, body), status, name)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"position_id": ""}, 422),
        ({"position_id": "abc"}, 422),
        ({"position_id": str(uuid.uuid4())}, 404),
    ],
)
def test_get_errors(client: httpx2.Client, params: dict[str, str], status: int) -> None:
    error(call(client, GET, params), status, "position_id")


def test_get_also_accepts_post_with_a_json_body(client: httpx2.Client, interview_id: str) -> None:
    assert ok(call(client, GET, {"position_id": interview_id}, method="POST")) == get(client, interview_id)
    error(call(client, GET, {"position_id": str(uuid.uuid4())}, method="POST"), 404, "position_id")
    error(call(client, GET, {}, method="POST"), 422, "position_id")
    error(check(GET, client.post("job-interview-get", json=[interview_id])), 422)


def test_get_by_position_id(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    answer = ok(call(client, "create_interview_for_candidate", candidate_body))
    assert get(client, answer["position_def_set_id"])["name"] == candidate_body["position_name"]
    ok(call(client, SET, {"position_id": answer["position_def_set_id"], "status": "archived"}))
    assert get(client, answer["interview_def_set_id"])["status"] == "archived"


def test_get_returns_every_always_present_field(client: httpx2.Client, interview_id: str) -> None:
    # call() already validated the body against the contract; this spells the point out.
    required = CONTRACT[GET]["responses"]["200"]["required"]
    assert set(required) <= set(get(client, interview_id))
