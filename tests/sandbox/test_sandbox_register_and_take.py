"""job-interview-register-users and the take control: one-time links, e-mail only when asked, per-row
errors, invitation headroom, and candidates taking an interview (at once, after a delay, or half-way)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sandbox_support import AUTH, call, check, error, ok

from jobmojito_mcp.sandbox import SANDBOX_MERCHANT_ID, RunningSandbox, TakeRefused, run_sandbox
from jobmojito_mcp.sandbox.performance import assess

REGISTER = "register_users_for_interview"
RESULTS = "list_interview_results"
DETAILS = "get_interview_result_details"


def people(count: int, domain: str = "example.com") -> list[dict[str, str]]:
    return [{"name": f"Candidate {index}", "email": f"c{index}@{domain}"} for index in range(count)]


def register(
    client: httpx2.Client, interview_id: str, users: list[dict[str, Any]], **options: Any
) -> list[Any]:
    answer: list[Any] = ok(call(client, REGISTER, {"interview_id": interview_id, "users": users, **options}))
    return answer


def rows(client: httpx2.Client, interview_id: str, **query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(call(client, RESULTS, {"interview_id": interview_id, **query}))["data"]
    return found


# ---------------------------------------------------------------------------------------------
# Registration


def test_registers_each_user_with_a_one_time_link(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    answer = register(client, interview_id, people(3), send_email=False)
    assert [row["result"] for row in answer] == ["ok"] * 3
    assert [row["email"] for row in answer] == ["c0@example.com", "c1@example.com", "c2@example.com"]
    links = {row["interview_url"] for row in answer}
    assert len(links) == 3 and all(
        url.startswith("https://sandbox.jobmojito.invalid/interview/") for url in links
    )
    assert len({row["profile_interview_id"] for row in answer}) == 3
    assert sandbox.outbox() == []  # send_email false: nothing sent
    waiting = rows(client, interview_id)
    assert len(waiting) == 3
    assert all(r["interview_result_id"] is None and r["interview_started"] is False for r in waiting)
    assert {r["coach_status"] for r in waiting} == {None}


def test_send_email_true_mails_each_registered_user_once(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    answer = register(client, interview_id, [*people(2), {"name": "No mail"}], send_email=True)
    mails = sandbox.outbox()
    assert [m.to for m in mails] == ["c0@example.com", "c1@example.com"]  # not the row that failed
    assert [m.interview_url for m in mails] == [row["interview_url"] for row in answer[:2]]
    assert all("Senior Backend Engineer" in m.subject for m in mails)
    for omitted in ({}, {"send_email": None}):
        register(client, interview_id, people(1, "other.org"), **omitted)
    assert len(sandbox.outbox()) == 2


def test_a_bad_row_fails_alone(client: httpx2.Client, interview_id: str) -> None:
    users = [
        {"name": "A", "email": "not-an-address"},
        {"name": "B"},
        {"email": None},
        {"email": "ok@example.com"},
    ]
    answer = register(client, interview_id, users, send_email=False)
    assert [row["result"].startswith("Error:") for row in answer] == [True, True, True, False]
    assert [row["email"] for row in answer] == ["not-an-address", "", "", "ok@example.com"]
    assert "interview_url" not in answer[0]


def test_registering_again_updates_the_profile_and_mints_a_new_link(
    client: httpx2.Client, interview_id: str
) -> None:
    first = register(client, interview_id, [{"name": "Ada", "email": "ada@example.com"}], send_email=False)[0]
    again = register(
        client, interview_id, [{"name": "Ada L.", "email": " ADA@example.com "}], send_email=False
    )[0]
    assert again["profile_interview_id"] == first["profile_interview_id"]
    assert again["interview_url"] != first["interview_url"]
    (row,) = rows(client, interview_id)
    assert row["candidate_name"] == "Ada L."


def test_view_flags_and_test_links(
    client: httpx2.Client, sandbox: RunningSandbox, interview_body: dict[str, Any]
) -> None:
    draft = ok(call(client, "create_interview", {**interview_body, "status": "draft"}))[
        "interview_def_set_id"
    ]
    url = register(client, draft, people(1), send_email=False, hide_menu="true", hide_iframe=True)[0][
        "interview_url"
    ]
    assert parse_qs(urlsplit(url).query) == {"view_hm": ["1"], "view_hi": ["1"]}
    with pytest.raises(TakeRefused, match="draft"):
        sandbox.take_interview(url)
    test_url = register(client, draft, people(1, "test.org"), send_email=False, is_test=True)[0][
        "interview_url"
    ]
    taken = sandbox.take_interview(test_url)  # a test link runs a draft
    assert taken["status"] == "completed"
    test_row = next(r for r in rows(client, draft) if r["is_test"])
    assert test_row["interview_result_id"] == taken["interview_result_id"]
    assert ok(call(client, "get_interview_definition", {"position_id": draft}))["calc_definition_json"]


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        ({"users": []}, 422, "interview_id"),
        ({"interview_id": "x", "users": []}, 422, "interview_id"),
        ({"interview_id": str(uuid.uuid4()), "users": []}, 422, "interview_id"),
        ({"interview_id": "ID", "users": [], "merchant_id": str(uuid.uuid4())}, 403, "merchant_id"),
        ({"interview_id": "ID"}, 422, "users"),
        ({"interview_id": "ID", "users": [{"email": 5}]}, 422, "users[0].email"),
        ({"interview_id": "ID", "users": [], "send_email": "yes"}, 422, "send_email"),
    ],
)
def test_register_errors(
    client: httpx2.Client, interview_id: str, body: dict[str, Any], status: int, name: str
) -> None:
    body = {key: interview_id if value == "ID" else value for key, value in body.items()}
    error(call(client, REGISTER, body), status, name)


def test_own_merchant_and_an_empty_list(client: httpx2.Client, interview_id: str) -> None:
    assert register(client, interview_id, [], merchant_id=SANDBOX_MERCHANT_ID) == []


def test_invitations_run_out(client: httpx2.Client, sandbox: RunningSandbox, interview_id: str) -> None:
    ok(check("get_merchant_status", client.get("merchant-status")))
    assert sandbox.state.account.invitations_available == 400  # 4 x 100 credits
    account = sandbox.state.account
    account.credits_interview_monthly = 0.5  # two invitations of headroom
    sandbox.state.save_account(account)
    answer = register(client, interview_id, people(3), send_email=True)
    assert [row["result"] for row in answer][:2] == ["ok", "ok"]
    assert "no invitations left" in answer[2]["result"]
    assert len(sandbox.outbox()) == 2
    assert (
        register(client, interview_id, people(1, "t.org"), is_test=True)[0]["result"] == "ok"
    )  # tests are free


# ---------------------------------------------------------------------------------------------
# Taking the interview


def test_a_take_completes_with_a_deterministic_result(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    url = register(client, interview_id, people(1), send_email=False)[0]["interview_url"]
    taken = sandbox.take_interview(url, score=81)
    assert taken["status"] == "completed" and taken["score"] == 81
    with pytest.raises(TakeRefused, match="already used"):
        sandbox.take_interview(url)
    details = ok(call(client, DETAILS, {"interview_result_id": taken["interview_result_id"]}))
    assert details["status"] == "completed" and details["score"] == 81
    answers = [turn for turn in details["transcript"] if turn["is_answer"]]
    questions = ok(call(client, "get_interview_definition", {"position_id": interview_id}))["questions"]
    assert [a["question_original_id"] for a in answers] == [q["id"] for q in questions]
    reasons = details["ai_analysis_other"]["hiring_reasons"]
    assert reasons["reasons_to_hire"] and len(reasons["reasons_to_hire"]) <= 4
    statement = details["ai_analysis_other"]["key_statement"]
    assert statement["result_question_id"] in {a["id"] for a in answers}
    assert details["ai_analysis_recruiter"].startswith("Candidate 0 scored 81/100 (excellent).")
    # The same candidate, interview and score give the same assessment, word for word.
    definition = ok(call(client, "get_interview_definition", {"position_id": interview_id}))
    started = sandbox.state.results.find(lambda r: r.interview_result_id == taken["interview_result_id"])
    assert started is not None and started.started_at is not None
    again = assess(
        definition,
        result_id=taken["interview_result_id"],
        candidate_name="Candidate 0",
        candidate_email="c0@example.com",
        started_at=datetime.fromisoformat(started.started_at),
        score=81,
        finish=True,
    )
    assert again == {key: details[key] for key in again}


def test_unpinned_scores_differ_by_candidate_but_not_by_run(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    links = [row["interview_url"] for row in register(client, interview_id, people(4), send_email=False)]
    scores = [sandbox.take_interview(link)["score"] for link in links]
    assert all(35 <= score <= 95 for score in scores) and len(set(scores)) > 1
    again = [row["interview_url"] for row in register(client, interview_id, people(4), send_email=False)]
    assert [sandbox.take_interview(link)["score"] for link in again] == scores


def test_a_delayed_take_is_in_progress_until_its_time(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    url = register(client, interview_id, people(1), send_email=False)[0]["interview_url"]
    taken = sandbox.take_interview(url, delay=0.4)
    assert taken["status"] == "started"
    (row,) = rows(client, interview_id)
    assert row["interview_started"] is True and row["coach_status"] == "started" and row["score"] is None
    assert rows(client, interview_id, tab="incomplete") and not rows(client, interview_id, tab="completed")
    assert ok(call(client, "get_merchant_status"))["interviews_ongoing"] == 1
    time.sleep(0.45)
    (row,) = rows(client, interview_id)
    assert row["coach_status"] == "completed" and row["score"] is not None
    assert ok(call(client, "get_merchant_status"))["interviews_ongoing"] == 0


def test_leaving_half_way(client: httpx2.Client, sandbox: RunningSandbox, interview_id: str) -> None:
    url = register(client, interview_id, people(1), send_email=False)[0]["interview_url"]
    taken = sandbox.take_interview(url, finish=False)
    details = ok(call(client, DETAILS, {"interview_result_id": taken["interview_result_id"]}))
    assert details["status"] == "started" and details["score"] is None
    assert "incomplete" in details["recruiter_risks"] and details["ai_interview_coverage_percentage"] < 100
    assert rows(client, interview_id, risks="incomplete,low_score")


def test_auto_take(interview_body: dict[str, Any]) -> None:
    with run_sandbox(auto_take=0.2) as auto, httpx2.Client(base_url=auto.base_url, headers=AUTH) as http:
        interview = ok(call(http, "create_interview", interview_body))["interview_def_set_id"]
        register(http, interview, people(2), send_email=False)
        assert {r["interview_started"] for r in rows(http, interview)} == {False}
        time.sleep(0.25)
        assert {r["coach_status"] for r in rows(http, interview)} == {"completed"}


def test_the_admin_api_drives_takes_and_decisions(
    client: httpx2.Client, bare_client: httpx2.Client, interview_id: str
) -> None:
    url = register(client, interview_id, people(1), send_email=True)[0]["interview_url"]
    taken = bare_client.post("/_sandbox/take", json={"link": url, "score": 64})
    assert taken.status_code == 200, taken.text
    result_id = taken.json()["interview_result_id"]
    assert bare_client.post("/_sandbox/take", json={"link": url}).status_code == 409
    assert bare_client.post("/_sandbox/take", json={"link": "nope"}).status_code == 404
    assert bare_client.post("/_sandbox/take", json={"link": url, "score": 101}).status_code == 422
    assert bare_client.post("/_sandbox/take", json={"url": url}).status_code == 422
    decided = bare_client.post(
        "/_sandbox/decide", json={"interview_result_id": result_id, "recruiter_shortlist": True}
    )
    assert decided.status_code == 200 and decided.json()["recruiter_shortlist"] is True
    assert [r["interview_result_id"] for r in rows(client, interview_id, tab="shortlist")] == [result_id]
    bare_client.post(
        "/_sandbox/decide", json={"interview_result_id": result_id, "decision_status": "selected"}
    )
    assert rows(client, interview_id, tab="decided-selected") and not rows(
        client, interview_id, tab="undecided"
    )
    assert (
        bare_client.post(
            "/_sandbox/decide", json={"interview_result_id": result_id, "decision_status": "maybe"}
        ).status_code
        == 422
    )
    assert [m["to"] for m in bare_client.get("/_sandbox/outbox").json()["emails"]] == ["c0@example.com"]
