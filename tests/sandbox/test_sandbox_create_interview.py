"""job-interview-create: required fields, types, references, the question cap, and the stored result."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest
from sandbox_support import CONTRACT, call, error, ok

from jobmojito_mcp.sandbox import (
    DEFAULT_TEMPLATE_ID,
    DELETED_TEMPLATE_ID,
    KNOWLEDGE_BASE_ID,
    LEGACY_SYNTHESIA_TEMPLATE_ID,
    LEGACY_TEMPLATE_ID,
    PLATFORM_TEMPLATE_ID,
    SANDBOX_MERCHANT_ID,
    VOICE_TEMPLATE_ID,
)

TOOL = "create_interview"
REQUIRED = CONTRACT[TOOL]["body"]["required"]


def create(client: httpx2.Client, body: dict[str, Any]) -> httpx2.Response:
    return call(client, TOOL, body)


def get(client: httpx2.Client, position_id: str) -> dict[str, Any]:
    definition: dict[str, Any] = ok(call(client, "get_interview_definition", {"position_id": position_id}))
    return definition


def test_cookbook_example_is_accepted(client: httpx2.Client) -> None:
    body = {
        "name": "Senior Backend Engineer",
        "location": "Remote (EU)",
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "mojito_language_code": "en",
        "status": "active",
        "type": "interview",
        "visibility": "merchant_invite",
        "interview_type": "pre-screening",
        "seniority_level": "senior",
        "interview_length": 8,
        "description": "Backend role focused on Python, async APIs, and AWS.",
        "candidate_expectations": "5+ yrs Python, REST/async, cloud, SQL.",
    }
    answer = ok(create(client, body))
    assert answer["questions_generated"] == 8
    assert answer["max_duration"] == 1200
    assert "embed_id" not in answer
    definition = get(client, answer["interview_def_set_id"])
    assert len(definition["questions"]) == 8
    assert definition["description"] == body["description"]
    assert definition["candidate_expectations"] == body["candidate_expectations"]


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field(client: httpx2.Client, interview_body: dict[str, Any], field: str) -> None:
    del interview_body[field]
    assert error(create(client, interview_body), 422, field) == "Field is required."


@pytest.mark.parametrize("field", ["name", "location", "interview_template_id"])
def test_min_length(client: httpx2.Client, interview_body: dict[str, Any], field: str) -> None:
    interview_body[field] = ""
    error(create(client, interview_body), 422, field)


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("name", 123, "name"),
        ("status", None, "status"),
        ("interview_type", None, "interview_type"),  # not nullable on this endpoint
        ("is_embedded", "yes", "is_embedded"),
        ("tags", ["python", 1], "tags[1]"),
        ("max_followups", 1.5, "max_followups"),
        ("interview_attempts", "3", "interview_attempts"),
        ("hiring_for_company", "ACME", "hiring_for_company"),
        ("hiring_for_company", {"name": 5}, "hiring_for_company.name"),
        ("pdf_export_auto_config", {"template": "fancy"}, "pdf_export_auto_config.template"),
        ("pdf_export_auto_config", {"files": "yes"}, "pdf_export_auto_config.files"),
        ("interview_template_id", "not-a-uuid", "interview_template_id"),
    ],
)
def test_wrong_types_and_formats(
    client: httpx2.Client, interview_body: dict[str, Any], field: str, value: Any, name: str
) -> None:
    interview_body[field] = value
    error(create(client, interview_body), 422, name)


def test_missing_fields_are_reported_before_wrong_ones(
    client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    del interview_body["visibility"]
    interview_body["status"] = "bogus"
    error(create(client, interview_body), 422, "visibility")


@pytest.mark.parametrize(
    ("max_duration", "expected"),
    [(1200, 10), (1800, 15), (2700, 22), (3600, 30), (4800, 40), (None, 10), (6000, 40), (60, 1)],
)
def test_interview_length_cap(
    client: httpx2.Client, interview_body: dict[str, Any], max_duration: int | None, expected: int
) -> None:
    """One question per 2 minutes of max_duration (default 1200 s); 40 at most; asking more is no error."""
    interview_body["interview_length"] = 40
    if max_duration is not None:
        interview_body["max_duration"] = max_duration
    answer = ok(create(client, interview_body))
    assert answer["questions_generated"] == expected
    assert answer["max_duration"] == (max_duration or 1200)
    definition = get(client, answer["interview_def_set_id"])
    assert len(definition["questions"]) == expected
    assert definition["max_duration"] == (max_duration or 1200)


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (3, 3), ("8", 8), (10, 10), (11, 10), (8.0, 8), (99, 10)]
)
def test_interview_length_values(
    client: httpx2.Client, interview_body: dict[str, Any], length: Any, expected: int
) -> None:
    interview_body["interview_length"] = length
    assert ok(create(client, interview_body))["questions_generated"] == expected


@pytest.mark.parametrize("length", [0, -3, "eight", 2.5, True, [8]])
def test_invalid_interview_length(client: httpx2.Client, interview_body: dict[str, Any], length: Any) -> None:
    interview_body["interview_length"] = length
    error(create(client, interview_body), 422, "interview_length")


@pytest.mark.parametrize("max_duration", [0, -60])
def test_non_positive_max_duration(
    client: httpx2.Client, interview_body: dict[str, Any], max_duration: int
) -> None:
    interview_body["max_duration"] = max_duration
    error(create(client, interview_body), 422, "max_duration")


def test_omitted_length_gives_5_to_8_questions_deterministically(
    client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    counts = set()
    for index in range(6):
        body = {**interview_body, "name": f"Role {index}", "description": "Same description."}
        first = ok(create(client, body))
        second = ok(create(client, body))
        assert first["questions_generated"] == second["questions_generated"]
        texts = [
            [q["question"] for q in get(client, a["interview_def_set_id"])["questions"]]
            for a in (first, second)
        ]
        assert texts[0] == texts[1]
        counts.add(first["questions_generated"])
    assert counts <= {5, 6, 7, 8}
    assert len(counts) > 1


def test_omitted_length_still_respects_the_cap(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    interview_body["max_duration"] = 360
    assert ok(create(client, interview_body))["questions_generated"] == 3


@pytest.mark.parametrize(
    "template_id",
    [str(uuid.UUID(int=7)), DELETED_TEMPLATE_ID],
    ids=["unknown", "deleted"],
)
def test_unknown_template_is_422(
    client: httpx2.Client, interview_body: dict[str, Any], template_id: str
) -> None:
    interview_body["interview_template_id"] = template_id
    error(create(client, interview_body), 422, "interview_template_id")


@pytest.mark.parametrize("template_id", [LEGACY_TEMPLATE_ID, LEGACY_SYNTHESIA_TEMPLATE_ID])
def test_legacy_template_is_refused(
    client: httpx2.Client, interview_body: dict[str, Any], template_id: str
) -> None:
    interview_body["interview_template_id"] = template_id
    assert "legacy" in error(create(client, interview_body), 422, "interview_template_id")


def test_knowledge_base_must_be_known(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    interview_body["knowledge_base_store_id"] = str(uuid.uuid4())
    error(create(client, interview_body), 422, "knowledge_base_store_id")
    interview_body["knowledge_base_store_id"] = KNOWLEDGE_BASE_ID
    ok(create(client, interview_body))


def test_foreign_merchant_is_an_authorization_failure(
    client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    interview_body["merchant_id"] = str(uuid.uuid4())
    error(create(client, interview_body), 500, "merchant_id")
    interview_body["merchant_id"] = SANDBOX_MERCHANT_ID
    ok(create(client, interview_body))


def test_is_embedded_returns_an_embed_key_pair(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    answer = ok(create(client, {**interview_body, "is_embedded": True}))
    assert answer["embed_id"] and answer["embed_signing_key"]
    for flag in (False, None):
        assert "embed_id" not in ok(create(client, {**interview_body, "is_embedded": flag}))


def test_creates_are_not_idempotent(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    ids = {ok(create(client, interview_body))["interview_def_set_id"] for _ in range(2)}
    assert len(ids) == 2


def test_stored_definition(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    body = {
        **interview_body,
        "interview_template_id": VOICE_TEMPLATE_ID,
        "mojito_language_code": "de",
        "status": "draft",
        "type": "assessment",
        "visibility": "merchant_unlisted",
        "code": "BE-42",
        "description_long": "A long description.",
        "interview_department": "Platform",
        "tags": ["python", "aws"],
        "max_followups": 2,
        "questions_random_subset": 0.5,
        "recording": "video_all",
        "result_view": "full",
        "interview_conversation_speed": "slower",
        "candidate_video_introduction": "required",
        "hiring_for_company": {"name": "ACME"},
        "interview_tone": "grumpy",
    }
    definition = get(client, ok(create(client, body))["interview_def_set_id"])
    assert definition["name"] == body["name"]
    assert definition["interview_location"] == body["location"]
    assert definition["status"] == "draft"
    assert definition["type"] == "assessment"
    assert definition["visibility"] == "merchant_unlisted"
    assert definition["interview_template_id"] == VOICE_TEMPLATE_ID
    assert definition["interview_template_type"] == "interactive_elevenlabs"
    assert definition["is_voice_only"] is True
    assert definition["mojito_language_code"] == "de"
    assert definition["speech_language_name"] == "German"
    assert definition["interview_description_long"] == "A long description."
    assert definition["description"]  # written by the "AI" when not given
    assert definition["candidate_expectations"]
    assert definition["merchant_id"] == SANDBOX_MERCHANT_ID
    assert definition["is_multistage"] is False
    assert definition["creation_parameters"]["interview_tone"] == "relaxed"  # unknown tone falls back
    assert definition["creation_parameters"]["interview_type"] == "pre-screening"
    for field in ("code", "interview_department", "tags", "max_followups", "questions_random_subset"):
        assert definition[field] == body[field]
    for field in ("recording", "result_view", "interview_conversation_speed", "candidate_video_introduction"):
        assert definition[field] == body[field]
    assert all(q["id"] and q["question"] for q in definition["questions"])


def test_default_template_is_interactive(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    definition = get(client, ok(create(client, interview_body))["interview_def_set_id"])
    assert definition["interview_template_type"] == "interactive_heygen"
    assert definition["is_voice_only"] is False


def test_public_platform_template_is_usable(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    ok(create(client, {**interview_body, "interview_template_id": PLATFORM_TEMPLATE_ID}))


def test_unknown_fields_are_ignored(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    ok(create(client, {**interview_body, "something_new": 1}))
