"""merchant-result-list, job-interview-details, job-interview-pdf and merchant-status: tabs and
orderings, signed recording links, real report documents, and credits counted as they are used."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from sandbox_support import call, error, ok

from jobmojito_mcp.sandbox import RunningSandbox

RESULTS = "list_interview_results"
DETAILS = "get_interview_result_details"
REPORT = "generate_interview_report"
STATUS = "get_merchant_status"


@dataclass
class Taken:
    interview_id: str
    result_ids: list[str]  # in the order taken
    waiting: int  # registered, not taken


@pytest.fixture
def taken(client: httpx2.Client, sandbox: RunningSandbox, interview_body: dict[str, Any]) -> Taken:
    """Five candidates registered; three took the interview, scoring 70, 90 and 55."""
    body = {**interview_body, "recording": "audio_first_5_answers", "recording_full_session": "video_all"}
    interview = ok(call(client, "create_interview", body))["interview_def_set_id"]
    users = [{"name": f"Candidate {i}", "email": f"c{i}@example.com"} for i in range(5)]
    registered = ok(
        call(
            client,
            "register_users_for_interview",
            {"interview_id": interview, "users": users, "send_email": False},
        )
    )
    ids = [
        sandbox.take_interview(row["interview_url"], score=score)["interview_result_id"]
        for row, score in zip(registered, (70, 90, 55), strict=False)
    ]
    return Taken(interview, ids, 2)


def listed(client: httpx2.Client, **query: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(call(client, RESULTS, query))["data"]
    return found


# ---------------------------------------------------------------------------------------------
# merchant-result-list


def test_orderings(client: httpx2.Client, taken: Taken) -> None:
    by_score = listed(client, interview_id=taken.interview_id, order_by="score")
    assert [r["score"] for r in by_score] == [90, 70, 55, None, None]  # unscored last
    newest = [r["interview_result_id"] for r in listed(client, interview_id=taken.interview_id)]
    oldest = [
        r["interview_result_id"]
        for r in listed(client, interview_id=taken.interview_id, order_by="created_at_oldest")
    ]
    assert newest == list(reversed(oldest)) and oldest[:3] == taken.result_ids
    updated = listed(client, interview_id=taken.interview_id, order_by="updated_at_newest")
    assert updated[0]["interview_result_id"] == taken.result_ids[-1]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 5),
        ({"tab": ""}, 5),
        ({"tab": "completed"}, 3),
        ({"tab": "incomplete"}, 2),
        ({"tab": "undecided"}, 3),
        ({"tab": "shortlist"}, 0),
        ({"tab": "decided-selected"}, 0),
        ({"tab": "archived-interview"}, 0),
        ({"tab": "public_avatar"}, 0),
        ({"step": "interview"}, 5),
        ({"step": "pre-screening"}, 0),
        ({"type": "assessment"}, 0),
        ({"filter_text": "CANDIDATE 1"}, 1),
        ({"filter_text": "c2@example"}, 1),
        ({"risks": "low_score"}, 0),
        ({"risks": "nope,low_score"}, 0),
    ],
)
def test_filters_and_tabs(client: httpx2.Client, taken: Taken, query: dict[str, str], count: int) -> None:
    assert len(listed(client, interview_id=taken.interview_id, **query)) == count


def test_tabs_follow_decisions_and_archiving(
    client: httpx2.Client, sandbox: RunningSandbox, taken: Taken
) -> None:
    best, second, third = taken.result_ids[1], taken.result_ids[0], taken.result_ids[2]
    sandbox.decide(best, recruiter_shortlist=True)
    sandbox.decide(second, decision_status="selected")
    sandbox.decide(third, decision_status="rejected")

    def tab(name: str) -> list[str]:
        return [r["interview_result_id"] for r in listed(client, interview_id=taken.interview_id, tab=name)]

    assert (
        tab("shortlist") == [best]
        and tab("decided-selected") == [second]
        and tab("decided-rejected") == [third]
    )
    assert tab("undecided") == [best]
    ok(call(client, "set_interview_state", {"position_id": taken.interview_id, "status": "archived"}))
    assert len(tab("archived-interview")) == 5 and tab("completed") == [] and len(tab("")) == 5


def test_rows_carry_the_ids_later_steps_need(client: httpx2.Client, taken: Taken) -> None:
    row = listed(client, interview_id=taken.interview_id, order_by="score")[0]
    assert row["interview_result_id"] == taken.result_ids[1] and row["definition_id"] == taken.interview_id
    assert row["candidate_name"] == "Candidate 1" and row["candidate_email"] == "c1@example.com"
    assert row["position_name"] == "Senior Backend Engineer" and row["coach_status"] == "completed"
    assert (
        row["score_interview_ai"] == 90 and row["duration_ds"] > 0 and row["processing_status"] == "completed"
    )
    assert listed(client, profile_interview_id=row["profile_interview_id"]) == [row]


def test_rows_of_every_interview_and_paging(
    client: httpx2.Client, taken: Taken, interview_body: dict[str, Any]
) -> None:
    other = ok(call(client, "create_interview", interview_body))["interview_def_set_id"]
    ok(
        call(
            client,
            "register_users_for_interview",
            {"interview_id": other, "users": [{"email": "z@example.com"}], "send_email": False},
        )
    )
    assert len(listed(client)) == 6
    page = ok(call(client, RESULTS, {"limit": 4, "offset": 4}))
    assert len(page["data"]) == 2 and page["pagination"] == {
        "total": 6,
        "limit": 4,
        "offset": 4,
        "has_more": False,
    }
    assert listed(client, interview_id=str(uuid.uuid4())) == []


@pytest.mark.parametrize(
    ("query", "status", "name"),
    [
        ({"merchant_id": str(uuid.uuid4())}, 403, "merchant_id"),
        ({"tab": "all"}, 422, "tab"),
        ({"order_by": "best"}, 422, "order_by"),
        ({"step": "final"}, 422, "step"),
        ({"type": "quiz"}, 422, "type"),
        ({"interview_id": "x"}, 422, "interview_id"),
        ({"profile_interview_id": "x"}, 422, "profile_interview_id"),
        ({"limit": "0"}, 422, "limit"),
    ],
)
def test_list_errors(client: httpx2.Client, query: dict[str, str], status: int, name: str) -> None:
    error(call(client, RESULTS, query), status, name)


# ---------------------------------------------------------------------------------------------
# job-interview-details


def test_details_without_and_with_signed_recordings(client: httpx2.Client, taken: Taken) -> None:
    plain = ok(call(client, DETAILS, {"interview_result_id": taken.result_ids[0]}))
    assert (
        "recording_url" not in plain and plain["recording_local_path"] and plain["recording_is_video"] is True
    )
    assert all("recording_url" not in turn for turn in plain["transcript"])
    signed = ok(
        call(client, DETAILS, {"interview_result_id": taken.result_ids[0], "get_signed_recordings": "true"})
    )
    assert re.match(
        r"^http://127\.0\.0\.1:\d+/storage/v1/object/sign/recordings/.+\?token=", signed["recording_url"]
    )
    recorded = [turn for turn in signed["transcript"] if turn.get("recording_url")]
    assert 0 < len(recorded) <= 5  # audio_first_5_answers
    assert {key: value for key, value in signed.items() if key not in ("recording_url", "transcript")} == {
        key: value for key, value in plain.items() if key != "transcript"
    }
    assert httpx2.get(signed["recording_url"]).status_code == 404  # the sandbox keeps no media
    same = ok(call(client, DETAILS, {"interview_result_id": taken.result_ids[0]}, method="POST"))
    assert same == plain


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({}, 422),
        ({"interview_result_id": "x"}, 422),
        ({"interview_result_id": str(uuid.uuid4())}, 404),
        ({"interview_result_id": "ID", "get_signed_recordings": "yes"}, 422),
    ],
)
def test_details_errors(client: httpx2.Client, taken: Taken, query: dict[str, str], status: int) -> None:
    query = {key: taken.result_ids[0] if value == "ID" else value for key, value in query.items()}
    name = "get_signed_recordings" if "get_signed_recordings" in query else "interview_result_id"
    error(call(client, DETAILS, query), status, name)


# ---------------------------------------------------------------------------------------------
# job-interview-pdf


def parse_pdf(document: bytes) -> str:
    """Check the PDF's structure (header, every xref offset, stream lengths, trailer) and return its text."""
    assert document.startswith(b"%PDF-1.4\n") and document.rstrip().endswith(b"%%EOF")
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF", document).group(1))  # type: ignore[union-attr]
    assert document[xref_at:].startswith(b"xref\n0 ")
    count = int(document[xref_at:].split(b"\n")[1].split()[1])
    entries = document[xref_at:].split(b"\n")[3 : 2 + count]
    for number, entry in enumerate(entries, 1):
        offset = int(entry.split()[0])
        assert document[offset:].startswith(b"%d 0 obj\n" % number), number
    for length, body in re.findall(rb"/Length (\d+) >>\nstream\n(.*?)\nendstream", document, re.S):
        assert int(length) == len(body)
    assert b"/Root 1 0 R" in document
    return " ".join(part.decode("cp1252") for part in re.findall(rb"\((.*?)\) Tj", document))


def test_a_pdf_report_is_a_real_document_behind_a_signed_link(client: httpx2.Client, taken: Taken) -> None:
    answer = ok(
        call(
            client,
            REPORT,
            {"export_type": "pdf", "interview_result_id": taken.result_ids[1], "store_file": True},
        )
    )
    assert set(answer) == {"pdf_export_url", "pdf_export_valid_until"}
    fetched = httpx2.get(answer["pdf_export_url"])
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "application/pdf"
    text = parse_pdf(fetched.content)
    assert "Interview report: Candidate 1 - Senior Backend Engineer" in text
    assert "E-mail: c1@example.com" in text and "Recruiter assessment" in text and "Transcript" in text
    forged = re.sub(r"token=[^&]+", "token=forged", answer["pdf_export_url"])
    assert httpx2.get(forged).status_code == 400
    assert answer["pdf_export_valid_until"] > time.strftime("%Y-%m-%d")


def test_pdf_features_and_templates(client: httpx2.Client, taken: Taken) -> None:
    features = {
        "contact_details": False,
        "transcript": False,
        "answer_recording": True,
        "session_recording": True,
    }
    answer = ok(
        call(
            client,
            REPORT,
            {
                "export_type": "pdf",
                "interview_result_id": taken.result_ids[0],
                "export_features_result": features,
            },
        )
    )
    text = parse_pdf(httpx2.get(answer["pdf_export_url"]).content)
    assert "E-mail:" not in text and "Transcript" not in text
    assert (
        "Answer recordings" in text
        and "Session recording" in text
        and "/storage/v1/object/sign/recordings/" in text
    )


def test_html_report(client: httpx2.Client, taken: Taken) -> None:
    one_pager = ok(
        call(
            client,
            REPORT,
            {
                "export_type": "html",
                "interview_result_id": taken.result_ids[0],
                "template": "one_pager",
                "export_features_result": {"template": "modern"},
            },
        )
    )
    document = one_pager["html_export"]
    assert document.startswith('<!DOCTYPE html><html lang="en">') and document.endswith("</body></html>")
    assert document.count("<p>Q: ") == 3  # the top-level template wins: one_pager keeps three answers
    rubric = ok(
        call(
            client,
            REPORT,
            {
                "export_type": "html",
                "interview_result_id": taken.result_ids[0],
                "export_features_result": {"ai_scoring_rubric": True},
            },
        )
    )
    assert "Scoring rubric" in rubric["html_export"]


def test_json_report_single_and_combined(client: httpx2.Client, taken: Taken) -> None:
    single = ok(call(client, REPORT, {"export_type": "json", "interview_result_id": taken.result_ids[0]}))[
        "json_export"
    ]
    assert "table" not in single and len(single["results"]) == 1
    assert single["results"][0]["data"]["score"] == 70 and single["results"][0]["files"] == []
    combined = ok(
        call(
            client,
            REPORT,
            {
                "export_type": "json",
                "interview_result_ids": taken.result_ids,
                "export_features_result": {"group_by_question": True},
            },
        )
    )["json_export"]
    assert len(combined["results"]) == 3 and combined["table"].startswith("<table>")
    html = ok(
        call(
            client,
            REPORT,
            {
                "export_type": "html",
                "interview_result_ids": taken.result_ids,
                "export_features_result": {"group_by_question": True},
            },
        )
    )["html_export"]
    assert "Answers by question" in html and html.count("<tr>") == 4


def test_translation_costs_a_tenth_of_a_credit_per_result(client: httpx2.Client, taken: Taken) -> None:
    before = ok(call(client, STATUS))
    for language in ("de", "en"):  # three results in English: German costs 3 x 0.1, English nothing
        features = {"mojito_language_code": language}
        body = {
            "export_type": "html",
            "interview_result_ids": taken.result_ids,
            "export_features_result": features,
        }
        ok(call(client, REPORT, body))
    after = ok(call(client, STATUS))
    assert round(before["credits_interview_monthly"] - after["credits_interview_monthly"], 2) == 0.3


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"export_type": "pdf"}, "interview_result_id"),
        ({"export_type": "pdf", "interview_result_id": "UNKNOWN"}, "interview_result_id"),
        ({"export_type": "pdf", "interview_result_ids": ["RESULT", "UNKNOWN"]}, "interview_result_ids[1]"),
        ({"export_type": "pdf", "interview_result_id": "WAITING"}, "interview_result_id"),
        ({"export_type": "docx", "interview_result_id": "RESULT"}, "export_type"),
        ({"interview_result_id": "RESULT"}, "export_type"),
        ({"export_type": "pdf", "interview_result_id": "RESULT", "template": "fancy"}, "template"),
        ({"export_type": "pdf", "interview_result_id": "x"}, "interview_result_id"),
    ],
)
def test_report_errors(
    client: httpx2.Client, sandbox: RunningSandbox, taken: Taken, body: dict[str, Any], name: str
) -> None:
    url = ok(
        call(
            client,
            "register_users_for_interview",
            {"interview_id": taken.interview_id, "users": [{"email": "w@example.com"}], "send_email": False},
        )
    )[0]["interview_url"]
    waiting = sandbox.take_interview(url, delay=60)["interview_result_id"]
    swap = {"UNKNOWN": str(uuid.uuid4()), "RESULT": taken.result_ids[0], "WAITING": waiting}

    def filled(value: Any) -> Any:
        return [filled(v) for v in value] if isinstance(value, list) else swap.get(value, value)

    error(call(client, REPORT, {key: filled(value) for key, value in body.items()}), 422, name)


# ---------------------------------------------------------------------------------------------
# merchant-status


def test_status_counts_what_happened(client: httpx2.Client, sandbox: RunningSandbox, taken: Taken) -> None:
    status = ok(call(client, STATUS))
    # 3 sessions of a 20-minute interview with full-session video: 1.4 credits each.
    assert status["credits_interview_monthly"] == pytest.approx(100 - 3 * 1.4)
    assert status["credits_interview_monthly_limit"] == 100
    assert status["invitations_sent"] == 5
    assert status["invitations_limit"] == int(4 * status["credits_interview_monthly"])
    assert status["invitations_available"] == status["invitations_limit"] - 5
    assert (status["interview_results"], status["interviews_undecided"], status["interviews_ongoing"]) == (
        3,
        3,
        0,
    )
    assert status["candidates"] == 5 and status["definitions_active"] == 1
    assert status["candidates_history"][0] == 5 and sum(status["candidates_history"]) == 5
    assert len(status["interview_result_history"]) == 14 and status["interview_result_history"][0] == 3
    sandbox.decide(taken.result_ids[0], decision_status="rejected")
    assert ok(call(client, STATUS))["interviews_undecided"] == 2


def test_sessions_wait_for_credits(
    client: httpx2.Client, sandbox: RunningSandbox, bare_client: httpx2.Client, interview_id: str
) -> None:
    assert bare_client.post("/_sandbox/account", json={"credits_interview_monthly": 0}).status_code == 200
    users = [{"email": "a@example.com"}]
    account = sandbox.state.account
    account.credits_interview_monthly = 0.25  # one invitation, no session
    sandbox.state.save_account(account)
    url = ok(
        call(
            client,
            "register_users_for_interview",
            {"interview_id": interview_id, "users": users, "send_email": False},
        )
    )[0]["interview_url"]
    sandbox.take_interview(url)
    assert ok(call(client, STATUS))["interviews_without_credits"] == 1
    assert bare_client.post("/_sandbox/account", json={"credits_interview_extra": 5}).status_code == 200
    status = ok(call(client, STATUS))  # charged at the next call
    assert status["interviews_without_credits"] == 0 and status["credits_interview_extra"] == pytest.approx(
        4.25
    )
    ledger = bare_client.get("/_sandbox/account").json()["ledger"]
    assert [entry["event"] for entry in ledger] == ["interview"]
    assert bare_client.post("/_sandbox/account", json={"credits": 5}).status_code == 422


def test_status_errors(client: httpx2.Client) -> None:
    error(call(client, STATUS, {"merchant_id": str(uuid.uuid4())}), 403, "merchant_id")
    error(call(client, STATUS, {"merchant_id": "x"}), 422, "merchant_id")
