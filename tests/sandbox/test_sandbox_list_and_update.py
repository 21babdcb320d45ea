"""merchant-interview-list and job-interview-update: finding interviews, and partial updates with the
questions diff, as the facts file documents them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx2
import pytest
from sandbox_support import call, error, ok

from jobmojito_mcp.sandbox import (
    KNOWLEDGE_BASE_ID,
    LEGACY_TEMPLATE_ID,
    OFFLINE_TEMPLATE_ID,
    SANDBOX_MERCHANT_ID,
    VOICE_TEMPLATE_ID,
)

LIST = "list_interviews"
UPDATE = "update_interview"
GET = "get_interview_definition"


def create(client: httpx2.Client, body: dict[str, Any], **changes: Any) -> str:
    answer = ok(call(client, "create_interview", {**body, **changes}))
    return str(answer["interview_def_set_id"])


def get(client: httpx2.Client, position_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(call(client, GET, {"position_id": position_id}))
    return found


def names(page: dict[str, Any]) -> list[str]:
    return [row["name"] for row in page["data"]]


# ---------------------------------------------------------------------------------------------
# merchant-interview-list


def test_lists_newest_updated_first_with_usage(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    first = create(client, interview_body, name="First")
    create(client, interview_body, name="Second")
    page = ok(call(client, LIST))
    assert names(page) == ["Second", "First"]
    assert page["pagination"] == {"total": 2, "limit": 50, "offset": 0, "has_more": False}
    time.sleep(0.001)
    ok(call(client, UPDATE, {"position_id": first, "interview_salary": "60k"}))
    assert names(ok(call(client, LIST))) == ["First", "Second"]  # an update makes it the newest-updated
    row = ok(call(client, LIST))["data"][0]
    assert row["id"] == first and row["merchant_id"] == SANDBOX_MERCHANT_ID
    assert row["type_avatar"] == "interactive_heygen" and row["interview_count"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Backend", "Frontend"]),  # type defaults to interview
        ({"type": "assessment"}, ["Quiz"]),
        ({"status": "draft"}, ["Frontend"]),
        ({"status": "archived"}, []),
        ({"filter_text": "END"}, ["Backend", "Frontend"]),
        ({"filter_text": "back"}, ["Backend"]),
        ({"show_public": "true", "show_demo": "true"}, ["Backend", "Frontend"]),
        ({"filter_emoji": "🚀"}, []),
    ],
)
def test_filters(
    client: httpx2.Client, interview_body: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    create(client, interview_body, name="Frontend", status="draft")
    create(client, interview_body, name="Quiz", type="assessment")
    create(client, interview_body, name="Backend")
    assert sorted(names(ok(call(client, LIST, query)))) == expected


def test_pages(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    for index in range(5):
        create(client, interview_body, name=f"I{index}")
    page = ok(call(client, LIST, {"limit": 2, "offset": 2}))
    assert names(page) == ["I2", "I1"]
    assert page["pagination"] == {"total": 5, "limit": 2, "offset": 2, "has_more": True}
    assert ok(call(client, LIST, {"offset": 4}))["pagination"]["has_more"] is False


@pytest.mark.parametrize(
    ("query", "status", "name"),
    [
        ({"merchant_id": str(uuid.uuid4())}, 403, "merchant_id"),
        ({"merchant_id": "nope"}, 422, "merchant_id"),
        ({"type": "webinar"}, 422, "type"),
        ({"status": "paused"}, 422, "status"),
        ({"show_public": "yes"}, 422, "show_public"),
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "1001"}, 422, "limit"),
        ({"offset": "-1"}, 422, "offset"),
    ],
)
def test_list_errors(client: httpx2.Client, query: dict[str, str], status: int, name: str) -> None:
    error(call(client, LIST, query), status, name)


def test_own_merchant_id_is_accepted(client: httpx2.Client) -> None:
    ok(call(client, LIST, {"merchant_id": SANDBOX_MERCHANT_ID}))


# ---------------------------------------------------------------------------------------------
# job-interview-update: fields


def test_only_sent_fields_change(client: httpx2.Client, interview_id: str) -> None:
    before = get(client, interview_id)
    time.sleep(0.001)
    answer = ok(
        call(
            client,
            UPDATE,
            {
                "position_id": interview_id,
                "name": "Staff Engineer",
                "location": "Berlin",
                "description_long": "## Long",
                "interview_salary": "  ",
                "max_followups": 0,
                "recording_full_session": "video_all",
                "interview_type": "second-interview",
            },
        )
    )
    assert answer == {
        "position_id": interview_id,
        "is_multistage": False,
        "updated_fields": [
            "name",
            "location",
            "description_long",
            "interview_salary",
            "max_followups",
            "recording_full_session",
            "interview_type",
        ],
    }
    after = get(client, interview_id)
    assert after["name"] == "Staff Engineer" and after["interview_location"] == "Berlin"
    assert after["interview_description_long"] == "## Long"
    assert after["interview_salary"] is None  # blank strings are stored as null
    assert after["max_followups"] == 0 and after["recording_full_session"] == "video_all"
    assert after["creation_parameters"]["interview_type"] == "second-interview"
    assert after["questions"] == before["questions"]  # not regenerated
    assert after["updated_at"] > before["updated_at"] and after["created_at"] == before["created_at"]
    unchanged = {key for key in before if before[key] == after[key]}
    assert {"status", "visibility", "description", "mojito_language_code", "type"} <= unchanged


def test_null_clears_a_nullable_field(client: httpx2.Client, interview_body: dict[str, Any]) -> None:
    interview = create(client, interview_body, knowledge_base_store_id=KNOWLEDGE_BASE_ID, code="X-1")
    ok(call(client, UPDATE, {"position_id": interview, "knowledge_base_store_id": None, "code": None}))
    after = get(client, interview)
    assert after["knowledge_base_store_id"] is None and after["code"] is None


def test_status_and_visibility_and_deleted(client: httpx2.Client, interview_id: str) -> None:
    ok(
        call(
            client, UPDATE, {"position_id": interview_id, "status": "draft", "visibility": "merchant_public"}
        )
    )
    assert get(client, interview_id)["status"] == "draft"
    assert get(client, interview_id)["visibility"] == "merchant_public"
    ok(call(client, UPDATE, {"position_id": interview_id, "status": "deleted"}))  # as set-state deletes
    error(call(client, GET, {"position_id": interview_id}), 404, "position_id")
    error(call(client, UPDATE, {"position_id": interview_id, "name": "x"}), 404, "position_id")


def test_type_rederives_type_credit_unless_sent(client: httpx2.Client, interview_id: str) -> None:
    ok(call(client, UPDATE, {"position_id": interview_id, "type": "coaching"}))
    assert get(client, interview_id)["type_credit"] == "interview_coach_starter"
    ok(call(client, UPDATE, {"position_id": interview_id, "type": "interview"}))
    assert get(client, interview_id)["type_credit"] is None
    ok(call(client, UPDATE, {"position_id": interview_id, "type": "coaching", "type_credit": "resume_check"}))
    assert get(client, interview_id)["type_credit"] == "resume_check"


def test_template_sets_the_modality(client: httpx2.Client, interview_id: str) -> None:
    ok(call(client, UPDATE, {"position_id": interview_id, "interview_template_id": VOICE_TEMPLATE_ID}))
    after = get(client, interview_id)
    assert after["interview_template_type"] == "interactive_elevenlabs" and after["is_voice_only"] is True


def test_scoring_is_merged_and_attempts_stored_as_max_retries(
    client: httpx2.Client, interview_id: str
) -> None:
    ok(call(client, UPDATE, {"position_id": interview_id, "custom_scoring": {"max_score": 10}}))
    ok(
        call(
            client,
            UPDATE,
            {"position_id": interview_id, "custom_scoring": {"early_stop": True}, "interview_attempts": 3},
        )
    )
    assert get(client, interview_id)["result_scoring"] == {
        "max_score": 10,
        "early_stop": True,
        "max_retries": 3,
    }


def test_by_position_id(client: httpx2.Client, candidate_body: dict[str, Any]) -> None:
    enrolled = ok(call(client, "create_interview_for_candidate", candidate_body))
    answer = ok(call(client, UPDATE, {"position_id": enrolled["position_def_set_id"], "name": "Renamed"}))
    assert answer["position_id"] == enrolled["position_def_set_id"]
    assert get(client, enrolled["interview_def_set_id"])["name"] == "Renamed"


@pytest.mark.parametrize(
    ("changes", "status", "name"),
    [
        ({}, 200, None),
        ({"position_id": str(uuid.uuid4())}, 404, "position_id"),
        ({"position_id": "abc"}, 422, "position_id"),
        ({"interview_template_id": str(uuid.uuid4())}, 422, "interview_template_id"),
        ({"interview_template_id": LEGACY_TEMPLATE_ID}, 422, "interview_template_id"),
        ({"knowledge_base_store_id": str(uuid.uuid4())}, 422, "knowledge_base_store_id"),
        ({"questions": []}, 422, "questions"),
        ({"questions": [{"id": "a"}]}, 422, "questions[0].question"),
        ({"questions": [{"question": "a", "id": "x"}, {"question": "b", "id": "x"}]}, 422, "questions[1].id"),
        ({"max_duration": "long"}, 422, "max_duration"),
        ({"candidate_video_introduction": "always"}, 422, "candidate_video_introduction"),
        ({"status": None}, 422, "status"),
    ],
)
def test_update_errors(
    client: httpx2.Client, interview_id: str, changes: dict[str, Any], status: int, name: str | None
) -> None:
    response = call(client, UPDATE, {"position_id": interview_id, **changes})
    if status == 200:
        assert ok(response)["updated_fields"] == []
    else:
        error(response, status, name)


# ---------------------------------------------------------------------------------------------
# job-interview-update: the questions diff


def questions_of(client: httpx2.Client, interview_id: str) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = get(client, interview_id)["questions"]
    return questions


def test_sending_back_what_get_returned_is_a_no_op(client: httpx2.Client, interview_id: str) -> None:
    stored = questions_of(client, interview_id)
    diff = ok(call(client, UPDATE, {"position_id": interview_id, "questions": stored}))["questions_diff"]
    ids = [q["id"] for q in stored]
    assert diff == {
        "kept": ids,
        "added": [],
        "removed": [],
        "replaced": [],
        "question_ids": ids,
        "reactivated": False,
    }
    assert questions_of(client, interview_id) == stored


def test_edit_add_remove_reorder(client: httpx2.Client, interview_id: str) -> None:
    stored = questions_of(client, interview_id)
    first, second, *rest = stored
    edited = {**second, "question": "Tell us about your best code review."}
    sent = [edited, first, {"question": "Any questions for us?"}, *rest[1:]]  # rest[0] dropped
    diff = ok(call(client, UPDATE, {"position_id": interview_id, "questions": sent}))["questions_diff"]
    assert diff["kept"] == [first["id"], *(q["id"] for q in rest[1:])]
    assert [pair["from"] for pair in diff["replaced"]] == [second["id"]]
    assert diff["removed"] == [rest[0]["id"]]
    assert len(diff["added"]) == 1 and diff["reactivated"] is True  # active: re-published
    now_stored = questions_of(client, interview_id)
    assert [q["id"] for q in now_stored] == diff["question_ids"]
    assert now_stored[0] == {**edited, "id": diff["replaced"][0]["to"]}
    assert now_stored[2]["question"] == "Any questions for us?"


def test_matching_order_external_id_then_id_then_content(
    client: httpx2.Client, questions_body: dict[str, Any]
) -> None:
    questions = [
        {"question": "A?", "id": "a", "external_id": "ext-a"},
        {"question": "B?", "id": "b"},
        {"question": "C?", "id": "c"},
    ]
    interview = ok(
        call(client, "create_interview_from_questions", {**questions_body, "questions": questions})
    )
    interview_id = interview["interview_def_set_id"]
    sent = [
        {"question": "A, edited?", "id": "b", "external_id": "ext-a"},  # external_id wins over id
        {"question": "B?"},  # identical content, no id
        {"question": "C?", "id": "c"},  # id
        {"question": "D?", "id": "d"},  # new, keeps its own unused id
    ]
    diff = ok(call(client, UPDATE, {"position_id": interview_id, "questions": sent}))["questions_diff"]
    assert diff["kept"] == ["b", "c"]
    assert [pair["from"] for pair in diff["replaced"]] == ["a"]  # matched on external_id, then re-created
    assert diff["added"] == ["d"] and diff["removed"] == []
    assert diff["question_ids"] == [diff["replaced"][0]["to"], "b", "c", "d"]
    again = ok(
        call(client, UPDATE, {"position_id": interview_id, "questions": [{"question": "C?", "id": "x"}]})
    )
    assert again["questions_diff"]["kept"] == ["c"]  # no external_id or id match: identical content


def test_follow_ups_follow_a_replaced_question(client: httpx2.Client, questions_body: dict[str, Any]) -> None:
    questions = [
        {"question": "Main?", "id": "main"},
        {"question": "Why?", "id": "why", "is_conditional": True, "conditional_question_main_id": "main"},
    ]
    created = ok(call(client, "create_interview_from_questions", {**questions_body, "questions": questions}))
    sent = [{"question": "Main, edited?", "id": "main"}, questions[1]]
    diff = ok(call(client, UPDATE, {"position_id": created["interview_def_set_id"], "questions": sent}))
    new_main = diff["questions_diff"]["replaced"][0]["to"]
    assert (
        questions_of(client, created["interview_def_set_id"])[1]["conditional_question_main_id"] == new_main
    )


def test_offline_avatar_questions_cannot_change_while_active(
    client: httpx2.Client, interview_body: dict[str, Any]
) -> None:
    interview = create(
        client, interview_body, interview_template_id=OFFLINE_TEMPLATE_ID, mojito_language_code="de"
    )
    changed = [{"question": "Neu?"}]
    error(call(client, UPDATE, {"position_id": interview, "questions": changed}), 422, "questions")
    stored = questions_of(client, interview)
    ok(call(client, UPDATE, {"position_id": interview, "questions": stored}))  # no change: allowed
    ok(call(client, UPDATE, {"position_id": interview, "status": "draft"}))
    diff = ok(call(client, UPDATE, {"position_id": interview, "questions": changed}))["questions_diff"]
    assert diff["reactivated"] is False  # a draft is not re-published


def test_regenerate_candidate_expectations(client: httpx2.Client, interview_id: str) -> None:
    sent = {"position_id": interview_id, "questions": [{"question": "How do you test?"}]}
    ok(call(client, UPDATE, sent | {"regenerate_candidate_expectations": True}))
    rubric = get(client, interview_id)["candidate_expectations_json"]
    assert rubric["strong"] == ["A specific, measurable example for: How do you test"]
    explicit = {"weak": ["w"], "moderate": ["m"], "strong": ["s"]}
    ok(
        call(
            client,
            UPDATE,
            sent | {"regenerate_candidate_expectations": True, "candidate_expectations_json": explicit},
        )
    )
    assert get(client, interview_id)["candidate_expectations_json"] == explicit  # an explicit rubric wins
    ok(call(client, UPDATE, {"position_id": interview_id, "candidate_expectations_json": None}))
    assert get(client, interview_id)["candidate_expectations_json"] is None
