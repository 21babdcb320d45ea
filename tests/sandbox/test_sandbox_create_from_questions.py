"""job-interview-create-from-array: the caller's questions, their cross-field rules, 500 for unknown ids."""

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
    OFFLINE_TEMPLATE_ID,
)

TOOL = "create_interview_from_questions"
REQUIRED = CONTRACT[TOOL]["body"]["required"]


def create(client: httpx2.Client, body: dict[str, Any]) -> httpx2.Response:
    return call(client, TOOL, body)


def stored_questions(client: httpx2.Client, answer: dict[str, Any]) -> list[dict[str, Any]]:
    definition = ok(call(client, "get_interview_definition", {"position_id": answer["interview_def_set_id"]}))
    questions: list[dict[str, Any]] = definition["questions"]
    return questions


def test_cookbook_example_is_accepted(client: httpx2.Client) -> None:
    body: dict[str, Any] = {
        "name": "Support Specialist",
        "location": "Remote",
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "mojito_language_code": "en",
        "description": "Customer support screening",
        "status": "active",
        "type": "interview",
        "visibility": "merchant_invite",
        "questions": [
            {"question": "Tell me about a time you de-escalated an angry customer.", "duration": 120},
            {"question": "How do you prioritize a full support queue?", "duration": 90},
            {
                "question": "Rate your written English.",
                "is_multiple_choice": True,
                "question_alternatives": ["Native", "Fluent", "Intermediate"],
            },
        ],
    }
    answer = ok(create(client, body))
    assert set(answer) == {"interview_def_set_id"}
    questions = stored_questions(client, answer)
    assert [q["question"] for q in questions] == [q["question"] for q in body["questions"]]
    assert questions[0]["duration"] == 120
    assert questions[2]["question_alternatives"] == ["Native", "Fluent", "Intermediate"]
    assert len({q["id"] for q in questions}) == 3  # ids assigned where absent


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field(client: httpx2.Client, questions_body: dict[str, Any], field: str) -> None:
    del questions_body[field]
    error(create(client, questions_body), 422, field)


@pytest.mark.parametrize("field", ["name", "location", "interview_template_id", "description"])
def test_min_length(client: httpx2.Client, questions_body: dict[str, Any], field: str) -> None:
    questions_body[field] = ""
    error(create(client, questions_body), 422, field)


def test_questions_min_items(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    questions_body["questions"] = []
    assert "at least 1" in error(create(client, questions_body), 422, "questions")


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ({"duration": 60}, "questions[1].question"),
        ({"question": 5}, "questions[1].question"),
        ({"question": "Q", "duration": "long"}, "questions[1].duration"),
        ({"question": "Q", "mojito_language_code": "xx"}, "questions[1].mojito_language_code"),
        ({"question": "Q", "question_alternatives": "A or B"}, "questions[1].question_alternatives"),
        (
            {"question": "Q", "candidate_expectations_json": {"weak": "x"}},
            "questions[1].candidate_expectations_json.weak",
        ),
        ("just text", "questions[1]"),
    ],
)
def test_question_fields(
    client: httpx2.Client, questions_body: dict[str, Any], question: Any, name: str
) -> None:
    questions_body["questions"] = [{"question": "First?"}, question]
    error(create(client, questions_body), 422, name)


def test_questions_keep_their_ids_and_flags(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    questions_body["questions"] = [
        {"id": "q1", "question": "Main?", "label": "main", "external_id": "ext-1", "external_data": {"k": 1}},
        {"id": "q2", "question": "Follow-up?", "is_conditional": True, "conditional_question_main_id": "q1"},
        {"question": "Unscored?", "is_without_scoring": True, "knowledge_base_id": KNOWLEDGE_BASE_ID},
        {"question": "Expert?", "is_expert": True, "candidate_expectations_json": {"strong": ["clear"]}},
    ]
    questions = stored_questions(client, ok(create(client, questions_body)))
    assert [q["id"] for q in questions[:2]] == ["q1", "q2"]
    assert questions[1]["conditional_question_main_id"] == "q1"
    assert questions[0]["external_data"] == {"k": 1}
    assert questions[2]["is_without_scoring"] is True
    assert questions[2]["id"] not in ("q1", "q2")


@pytest.mark.parametrize(
    ("questions", "name"),
    [
        (  # points forward, not back
            [{"id": "a", "question": "A", "conditional_question_main_id": "b"}, {"id": "b", "question": "B"}],
            "questions[0].conditional_question_main_id",
        ),
        (  # points at an id that does not exist
            [
                {"id": "a", "question": "A"},
                {"question": "B", "is_conditional": True, "conditional_question_main_id": "z"},
            ],
            "questions[1].conditional_question_main_id",
        ),
        (  # points at itself
            [{"id": "a", "question": "A", "is_conditional": True, "conditional_question_main_id": "a"}],
            "questions[0].conditional_question_main_id",
        ),
        (  # conditional without a main question
            [{"id": "a", "question": "A"}, {"question": "B", "is_conditional": True}],
            "questions[1].conditional_question_main_id",
        ),
        (  # duplicate ids make references ambiguous
            [{"id": "a", "question": "A"}, {"id": "a", "question": "B"}],
            "questions[1].id",
        ),
        (  # multiple choice needs alternatives
            [{"question": "A", "is_multiple_choice": True, "question_alternatives": ["only one"]}],
            "questions[0].question_alternatives",
        ),
        ([{"question": "A", "is_multiple_choice": True}], "questions[0].question_alternatives"),
    ],
)
def test_question_cross_field_rules(
    client: httpx2.Client, questions_body: dict[str, Any], questions: list[dict[str, Any]], name: str
) -> None:
    questions_body["questions"] = questions
    error(create(client, questions_body), 422, name)


@pytest.mark.parametrize("template_id", [str(uuid.uuid4()), "not-even-a-uuid", DELETED_TEMPLATE_ID])
def test_unknown_template_is_500_here(
    client: httpx2.Client, questions_body: dict[str, Any], template_id: str
) -> None:
    questions_body["interview_template_id"] = template_id
    error(create(client, questions_body), 500, "interview_template_id")


@pytest.mark.parametrize("template_id", [LEGACY_TEMPLATE_ID, LEGACY_SYNTHESIA_TEMPLATE_ID])
def test_legacy_template_is_refused(
    client: httpx2.Client, questions_body: dict[str, Any], template_id: str
) -> None:
    questions_body["interview_template_id"] = template_id
    error(create(client, questions_body), 422, "interview_template_id")


def test_unknown_knowledge_bases_are_500_here(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    error(
        create(client, {**questions_body, "knowledge_base_store_id": "kb-nope"}),
        500,
        "knowledge_base_store_id",
    )
    questions = [{"question": "A"}, {"question": "B", "knowledge_base_id": "kb-nope"}]
    error(create(client, {**questions_body, "questions": questions}), 500, "questions[1].knowledge_base_id")
    ok(create(client, {**questions_body, "knowledge_base_store_id": KNOWLEDGE_BASE_ID}))


def test_no_duration_cap_here(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    questions_body["questions"] = [{"question": f"Q{i}?"} for i in range(45)]
    assert len(stored_questions(client, ok(create(client, questions_body)))) == 45


def test_interview_type_is_nullable_here(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    ok(create(client, {**questions_body, "interview_type": None}))


def test_questions_random_subset_has_no_range_here(
    client: httpx2.Client, questions_body: dict[str, Any]
) -> None:
    ok(create(client, {**questions_body, "questions_random_subset": 0.95, "interview_attempts": 50}))


def test_is_embedded_and_stored_fields(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    body = {
        **questions_body,
        "interview_template_id": OFFLINE_TEMPLATE_ID,
        "is_embedded": True,
        "candidate_expectations_json": {"weak": ["vague"], "moderate": [], "strong": ["specific"]},
        "disable_deduplication": True,
    }
    answer = ok(create(client, body))
    assert answer["embed_id"] and answer["embed_signing_key"]
    definition = ok(call(client, "get_interview_definition", {"position_id": answer["interview_def_set_id"]}))
    assert definition["description"] == "Backend screening"
    assert definition["interview_template_type"] == "offline_heygen"
    assert definition["candidate_expectations_json"] == body["candidate_expectations_json"]
    assert definition["max_duration"] is None
