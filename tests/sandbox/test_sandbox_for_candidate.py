"""job-interview-create-for-candidate-with-token: positions, enrolment, the screening rule, already-applied."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx2
import pytest
from sandbox_support import call, error, ok

from jobmojito_mcp.sandbox import (
    DEFAULT_TEMPLATE_ID,
    LEGACY_TEMPLATE_ID,
    PLATFORM_TEMPLATE_ID,
    VOICE_TEMPLATE_ID,
)

TOOL = "create_interview_for_candidate"
URL = re.compile(r"https://sandbox\.jobmojito\.invalid/interview/[A-Za-z0-9_-]{20,}")
# Ten keywords; a résumé naming k of them scores k/10.
KEYWORDS = [
    "python",
    "django",
    "postgres",
    "kubernetes",
    "terraform",
    "redis",
    "kafka",
    "graphql",
    "docker",
    "linux",
]


def enrol(client: httpx2.Client, body: dict[str, Any]) -> httpx2.Response:
    return call(client, TOOL, body)


def definition(client: httpx2.Client, position_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(call(client, "get_interview_definition", {"position_id": position_id}))
    return found


def test_cookbook_example(client: httpx2.Client) -> None:
    body = {
        "candidate_name": "Peter Parker",
        "candidate_email": "peter@parker.com",
        "candidate_country_code": "US",
        "candidate_resume": "Full plaintext résumé here…",
        "position_name": "Senior Backend Engineer",
        "position_location": "Remote (EU)",
        "position_country_code": "DE",
        "mojito_language_code": "en",
    }
    answer = ok(enrol(client, body))
    assert answer["status"] == "ai_reject"  # no keyword in common
    assert answer["reason"]
    assert URL.fullmatch(answer["interview_url"])
    for key in ("position_def_set_id", "interview_def_set_id", "profile_interview_id"):
        uuid.UUID(answer[key])
    by_position = definition(client, answer["position_def_set_id"])
    assert by_position == definition(client, answer["interview_def_set_id"])
    assert by_position["name"] == "Senior Backend Engineer"
    assert by_position["interview_location"] == "Remote (EU)"
    assert by_position["interview_template_id"] == PLATFORM_TEMPLATE_ID  # the default template
    assert by_position["status"] == "active"
    assert 5 <= len(by_position["questions"]) <= 8


@pytest.mark.parametrize(
    "field", ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume"]
)
def test_candidate_fields_are_required(
    client: httpx2.Client, candidate_body: dict[str, Any], field: str
) -> None:
    error(enrol(client, {k: v for k, v in candidate_body.items() if k != field}), 422, field)
    error(enrol(client, {**candidate_body, field: ""}), 422, field)


@pytest.mark.parametrize(
    "field", ["position_name", "position_location", "position_country_code", "mojito_language_code"]
)
def test_position_fields_required_without_position_id(
    client: httpx2.Client, candidate_body: dict[str, Any], field: str
) -> None:
    error(enrol(client, {k: v for k, v in candidate_body.items() if k != field}), 422, field)
    error(enrol(client, {**candidate_body, field: None}), 422, field)


def test_position_fields_not_required_with_position_id(
    client: httpx2.Client, candidate_body: dict[str, Any]
) -> None:
    first = ok(enrol(client, candidate_body))
    minimal = {
        k: v
        for k, v in candidate_body.items()
        if not k.startswith("position_") and k != "mojito_language_code"
    }
    second = ok(
        enrol(
            client,
            {
                **minimal,
                "candidate_email": "mj@example.com",
                "position_def_set_id": first["position_def_set_id"],
            },
        )
    )
    assert second["position_def_set_id"] == first["position_def_set_id"]
    assert second["interview_def_set_id"] == first["interview_def_set_id"]
    assert second["profile_interview_id"] != first["profile_interview_id"]
    assert second["interview_url"] != first["interview_url"]


def test_unknown_position_is_404(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    error(
        enrol(client, {**candidate_body, "position_def_set_id": str(uuid.uuid4())}),
        404,
        "position_def_set_id",
    )


def test_a_position_from_job_interview_create_can_be_reused(
    client: httpx2.Client, candidate_body: dict[str, Any], interview_body: dict[str, Any]
) -> None:
    created = ok(call(client, "create_interview", interview_body))["interview_def_set_id"]
    answer = ok(enrol(client, {**candidate_body, "position_def_set_id": created}))
    assert answer["interview_def_set_id"] == created


def test_position_external_id_reuses_the_position(
    client: httpx2.Client, candidate_body: dict[str, Any]
) -> None:
    body = {**candidate_body, "position_external_id": "ats-123"}
    first = ok(enrol(client, body))
    second = ok(enrol(client, {**body, "candidate_email": "other@example.com"}))
    assert second["position_def_set_id"] == first["position_def_set_id"]
    third = ok(enrol(client, {**body, "position_external_id": "ats-456"}))
    assert third["position_def_set_id"] != first["position_def_set_id"]


def test_same_email_same_position_is_already_applied(
    client: httpx2.Client, candidate_body: dict[str, Any]
) -> None:
    first = ok(enrol(client, candidate_body))
    again = {
        **candidate_body,
        "candidate_email": " Peter@Parker.COM ",
        "position_def_set_id": first["position_def_set_id"],
    }
    answer = ok(enrol(client, again))
    assert answer["status"] == "already-applied"
    assert answer["reason"]
    assert answer["profile_interview_id"] == first["profile_interview_id"]
    assert answer["interview_url"] == first["interview_url"]
    # The same person on a new position is a new application.
    assert ok(enrol(client, candidate_body))["status"] != "already-applied"


@pytest.mark.parametrize(
    "status", ["ai_accept", "recruiter_accept", "recruiter_action", "ai_reject", "recruiter_reject"]
)
def test_marker_phrases_reach_every_status(
    client: httpx2.Client, candidate_body: dict[str, Any], status: str
) -> None:
    body = {**candidate_body, "candidate_resume": f"Ten years of Python. [Sandbox:{status.upper()}]"}
    answer = ok(enrol(client, body))
    assert answer["status"] == status
    assert ("reason" in answer) == (status in ("ai_reject", "recruiter_reject"))


@pytest.mark.parametrize(
    ("matched", "status"),
    [(10, "ai_accept"), (6, "ai_accept"), (5, "recruiter_accept"), (4, "recruiter_accept"), (3, "recruiter_action"),
     (2, "recruiter_action"), (1, "recruiter_reject"), (0, "ai_reject")],
)  # fmt: skip
def test_keyword_overlap_rule(
    client: httpx2.Client, candidate_body: dict[str, Any], matched: int, status: str
) -> None:
    body = {
        **candidate_body,
        "position_name": KEYWORDS[0],
        "position_description": " ".join(KEYWORDS[1:]),
        "candidate_resume": "I know " + ", ".join(KEYWORDS[:matched]) + ".",
    }
    assert ok(enrol(client, body))["status"] == status


def test_template_choice(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    answer = ok(enrol(client, {**candidate_body, "interview_template_id": VOICE_TEMPLATE_ID}))
    found = definition(client, answer["interview_def_set_id"])
    assert found["interview_template_id"] == VOICE_TEMPLATE_ID
    assert found["is_voice_only"] is True
    error(
        enrol(client, {**candidate_body, "interview_template_id": str(uuid.uuid4())}),
        422,
        "interview_template_id",
    )
    error(
        enrol(client, {**candidate_body, "interview_template_id": LEGACY_TEMPLATE_ID}),
        422,
        "interview_template_id",
    )


def test_is_embedded(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    answer = ok(
        enrol(client, {**candidate_body, "is_embedded": True, "interview_template_id": DEFAULT_TEMPLATE_ID})
    )
    assert answer["embed_id"] and answer["embed_signing_key"]
    assert "embed_id" not in ok(enrol(client, {**candidate_body, "candidate_email": "x@example.com"}))


def test_max_duration_caps_generated_questions(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    answer = ok(enrol(client, {**candidate_body, "max_duration": 240}))
    found = definition(client, answer["interview_def_set_id"])
    assert len(found["questions"]) == 2
    assert found["max_duration"] == 240
    error(enrol(client, {**candidate_body, "max_duration": 0}), 422, "max_duration")


def test_stored_settings(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    body = {
        **candidate_body,
        "position_description": "Build APIs.",
        "position_description_long": "Build many APIs.",
        "result_view": "minimal",
        "interview_conversation_speed": "faster",
        "candidate_video_introduction": "optional",
        "tags": ["backend"],
    }
    found = definition(client, ok(enrol(client, body))["interview_def_set_id"])
    assert found["description"] == "Build APIs."
    assert found["interview_description_long"] == "Build many APIs."
    for field in ("result_view", "interview_conversation_speed", "candidate_video_introduction", "tags"):
        assert found[field] == body[field]
