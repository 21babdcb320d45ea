"""SQLite persistence: what was created, changed, enrolled or deleted survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
from sandbox_support import AUTH, ok

from jobmojito_mcp.sandbox import run_sandbox


def test_state_survives_a_restart(
    tmp_path: Path, interview_body: dict[str, Any], candidate_body: dict[str, Any]
) -> None:
    db = str(tmp_path / "sandbox.db")
    with run_sandbox(db_path=db) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        kept = ok(http.post("job-interview-create", json={**interview_body, "is_embedded": True}))
        ok(
            http.post(
                "job-interview-set-state",
                json={"position_id": kept["interview_def_set_id"], "status": "archived"},
            )
        )
        gone = ok(http.post("job-interview-create", json=interview_body))["interview_def_set_id"]
        ok(http.post("job-interview-set-state", json={"position_id": gone, "status": "deleted"}))
        enrolled = ok(http.post("job-interview-create-for-candidate-with-token", json=candidate_body))
        before = ok(http.get("job-interview-get", params={"position_id": kept["interview_def_set_id"]}))

    with run_sandbox(db_path=db) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        after = ok(http.get("job-interview-get", params={"position_id": kept["interview_def_set_id"]}))
        assert after == before
        assert after["status"] == "archived"
        pair = ok(
            http.post(
                "job-interview-set-state",
                json={"position_id": kept["interview_def_set_id"], "is_embedded": True},
            )
        )
        assert pair == {"embed_id": kept["embed_id"], "embed_signing_key": kept["embed_signing_key"]}
        assert http.get("job-interview-get", params={"position_id": gone}).status_code == 404
        again = {**candidate_body, "position_def_set_id": enrolled["position_def_set_id"]}
        assert (
            ok(http.post("job-interview-create-for-candidate-with-token", json=again))["status"]
            == "already-applied"
        )
        sandbox.reset()  # reset empties the database too

    with run_sandbox(db_path=db) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        assert (
            http.get("job-interview-get", params={"position_id": kept["interview_def_set_id"]}).status_code
            == 404
        )


def test_without_db_path_nothing_persists(interview_body: dict[str, Any]) -> None:
    with run_sandbox() as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        created = ok(http.post("job-interview-create", json=interview_body))["interview_def_set_id"]
    with run_sandbox() as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        assert http.get("job-interview-get", params={"position_id": created}).status_code == 404


def test_candidates_results_and_the_account_survive_a_restart(
    tmp_path: Path, interview_body: dict[str, Any]
) -> None:
    db = str(tmp_path / "sandbox.db")
    with run_sandbox(db_path=db) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        interview = ok(http.post("job-interview-create", json=interview_body))["interview_def_set_id"]
        users = [{"email": "a@example.com"}, {"email": "b@example.com"}]
        links = ok(
            http.post(
                "job-interview-register-users",
                json={"interview_id": interview, "users": users, "send_email": True},
            )
        )
        sandbox.take_interview(links[0]["interview_url"], score=77)
        before = (ok(http.get("merchant-result-list")), ok(http.get("merchant-status")))

    with run_sandbox(db_path=db) as sandbox, httpx2.Client(base_url=sandbox.base_url, headers=AUTH) as http:
        assert (ok(http.get("merchant-result-list")), ok(http.get("merchant-status"))) == before
        assert len(sandbox.outbox()) == 2
        sandbox.take_interview(links[1]["interview_url"])  # the unused link still works, once
        assert len(ok(http.get("merchant-result-list", params={"tab": "completed"}))["data"]) == 2
