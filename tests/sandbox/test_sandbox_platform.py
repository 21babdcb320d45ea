"""The platform endpoints over HTTP, every answer checked against the contract: the candidate list,
another attempt, signed links, languages, analytics, the credit ledger, sub-merchants, invitations."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
from sandbox_support import call, error, ok

from jobmojito_mcp.sandbox import RunningSandbox

UNKNOWN = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
TODAY = datetime.now(UTC).date().isoformat()


def register(client: httpx2.Client, interview_id: str, *emails: str) -> list[dict[str, str]]:
    users = [{"email": email, "name": email.split("@")[0].title()} for email in emails]
    answer = ok(
        call(
            client,
            "register_users_for_interview",
            {"interview_id": interview_id, "users": users, "send_email": False},
        )
    )
    assert isinstance(answer, list)
    return answer


def test_the_candidate_list_is_one_row_per_person(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    ada, _ = register(client, interview_id, "ada@example.com", "alan@example.com")
    register(client, interview_id, "ADA@example.com")  # the same person again
    sandbox.take_interview(ada["interview_url"])
    rows = ok(call(client, "list_candidates", {"order_by": "name_accending"}))["data"]
    assert [(row["name"], row["interview_count"], row["status"]) for row in rows] == [
        ("Ada", 1, "active"),
        ("Alan", 0, "invited"),
    ]
    assert rows[0]["id"] == ada["profile_interview_id"]
    tab = {tab: [r["email"].lower() for r in ok(call(client, "list_candidates", {"tab": tab}))["data"]] for tab in
           ("interview", "no-action", "leads", "pre-screening")}  # fmt: skip
    assert tab == {
        "interview": ["ada@example.com"],
        "no-action": ["alan@example.com"],
        "leads": [],
        "pre-screening": [],
    }
    assert ok(call(client, "list_candidates", {"source": "registered"}))["data"] == []
    assert ok(call(client, "list_candidates", {"limit": 1}))["pagination"]["has_more"] is True
    error(call(client, "list_candidates", {"merchant_id": UNKNOWN}), 403, "merchant_id")


def test_another_attempt_reopens_only_a_completed_result(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    (ada,) = register(client, interview_id, "ada@example.com")
    error(
        call(client, "request_another_interview_attempt", {"interview_result_id": UNKNOWN}),
        422,
        "interview_result_id",
    )
    taken = sandbox.take_interview(ada["interview_url"], score=70)
    sandbox.decide(taken["interview_result_id"], decision_status="rejected", recruiter_shortlist=True)
    links = len(sandbox.state.links.all())
    before = sandbox.state.account.invitations_sent
    assert (
        ok(
            call(
                client,
                "request_another_interview_attempt",
                {"interview_result_id": taken["interview_result_id"]},
            )
        )
        == {}
    )
    row = sandbox.state.results.find(lambda r: r.interview_result_id == taken["interview_result_id"])
    assert row is not None and row.decision_status is None and row.recruiter_shortlist is False
    assert (
        row.details is not None and row.details["status"] == "draft" and row.details["unsuccessful"] is True
    )
    assert len(sandbox.state.links.all()) == links + 1 and sandbox.state.account.invitations_sent == before
    again = call(
        client, "request_another_interview_attempt", {"interview_result_id": taken["interview_result_id"]}
    )
    error(again, 422, "interview_result_id")


def test_signed_links_by_type(client: httpx2.Client, sandbox: RunningSandbox, interview_id: str) -> None:
    (ada,) = register(client, interview_id, "ada@example.com")
    missing = call(
        client, "generate_interview_url", {"type": "interview-for-profile", "interview_id": interview_id}
    )
    error(missing, 422, "interview_profile_id")
    unknown = call(
        client, "generate_interview_url", {"type": "interview-results-for-position", "interview_id": UNKNOWN}
    )
    error(unknown, 422, "interview_id")
    take = ok(
        call(
            client,
            "generate_interview_url",
            {
                "type": "interview-for-profile",
                "interview_profile_id": ada["profile_interview_id"],
                "interview_id": interview_id,
            },
        )
    )
    assert isinstance(take, str) and "interview_token=" in take and take.endswith("&view_hm=true")
    assert sandbox.take_interview(take)["interview_result_id"]
    shown = ok(
        call(
            client,
            "generate_interview_url",
            {"type": "interview-results-for-position", "interview_id": interview_id, "hide_menu": "false"},
        )
    )
    assert "view_hm" not in shown
    hidden = ok(
        call(
            client,
            "generate_interview_url",
            {"type": "interview-results-for-position", "interview_id": interview_id, "hide_menu": False},
        )
    )
    assert hidden.endswith("&view_hm=true")  # only the string "false" shows the menu


def test_languages_sub_merchants_and_the_ledger(
    client: httpx2.Client, sandbox: RunningSandbox, interview_id: str
) -> None:
    languages = ok(call(client, "list_languages"))["languages"]
    assert len(languages) == 34 and [lang["name_english"] for lang in languages] == sorted(
        lang["name_english"] for lang in languages
    )
    assert (
        ok(call(client, "list_sub_merchants", {"filter_text": "CONTOSO"}))["data"][0]["name"]
        == "Contoso Retail"
    )
    (ada,) = register(client, interview_id, "ada@example.com")
    taken = sandbox.take_interview(ada["interview_url"])
    (charge,) = ok(call(client, "get_merchant_credit_usage", {"interview_id": interview_id}))["data"]
    assert (
        charge["object_uuid"] == taken["interview_result_id"] and charge["parent_object_uuid"] == interview_id
    )
    assert ok(call(client, "get_merchant_credit_usage", {"limit": 1}))["pagination"]["total"] == 1
    error(
        call(
            client, "get_merchant_analytics", {"date_from": TODAY, "date_to": TODAY, "interview_id": UNKNOWN}
        ),
        422,
        "interview_id",
    )
    counts = {
        row["event"]: row["event_number"]
        for row in ok(call(client, "get_merchant_analytics", {"date_from": TODAY, "date_to": TODAY}))["data"]
    }
    assert counts == {"interview": 1, "interview_invitation": 1, "interview_page_visit": 1}
    assert (
        ok(call(client, "get_merchant_analytics", {"date_from": "2000-01-01", "date_to": "2000-01-31"}))[
            "data"
        ]
        == []
    )


def test_invitations_per_person(client: httpx2.Client, sandbox: RunningSandbox, interview_id: str) -> None:
    users = [
        {"email": "grace@example.com", "type": "merchant_owner"},
        {"email": "not-an-email", "type": "user"},
        {"email": "ken@example.com", "type": "wizard"},
        {"email": "linus@example.com", "type": "candidate"},
        {"email": "tim@example.com", "type": "candidate", "interview_id": interview_id},
        {"email": "joan@example.com"},  # type defaults to a coaching user
    ]
    answers = ok(call(client, "invite_users", {"users": users, "message_from_recruiter": "Hi"}))
    assert [a["result"].split(":")[0] for a in answers] == [
        "Invited",
        "Error",
        "Error",
        "Error",
        "Invited",
        "Invited",
    ]
    assert answers[5]["type"] == "user" and answers[4]["profile_interview_id"]
    assert sorted(mail.to for mail in sandbox.outbox()) == [
        "grace@example.com",
        "joan@example.com",
        "tim@example.com",
    ]
    assert sandbox.state.account.invitations_sent == 1  # the candidate only
    account = sandbox.state.account
    account.invitations_sent = account.invitations_limit
    sandbox.state.save_account(account)
    full = ok(
        call(
            client,
            "invite_users",
            {"users": [{"email": "new@example.com", "type": "candidate", "interview_id": interview_id}]},
        )
    )
    assert full[0]["result"].startswith("Error: no invitations left")
    error(call(client, "invite_users", {"users": [], "merchant_id": UNKNOWN}), 403, "merchant_id")
