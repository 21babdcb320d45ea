"""The recruiter's story from issue 14, end to end through a real MCP client (the server as a stdio
subprocess) on the sandbox: "invite these five people to the backend interview, and on Friday show me
the three best with their strongest and weakest answers" - then a report, and a fixed question."""

from __future__ import annotations

import re
import sys
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult, ResourceLink

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import TOKEN, server_env, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

CANDIDATES = [
    ("Ada Lovelace", "ada@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
    ("Barbara Liskov", "barbara@example.com"),
]


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return result


async def test_the_recruiters_story(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    questions: list[str] = []

    async def the_user(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        questions.append(params.message)
        return ElicitResult(
            action="accept", content={"confirm": False}
        )  # "No e-mails: I will send the links"

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "jobmojito_mcp"], env=server_env(sandbox.base_url)
    )
    async with Client(stdio_client(params), elicitation_callback=the_user) as client:
        # 1. Templates, and the backend interview.
        templates = await call(client, "list_avatars", {"mojito_language_code": "en"})
        template = next(t for t in templates.structured_content["data"] if t["can_create_interviews"])  # type: ignore[index]
        created = await call(
            client,
            "create_interview",
            {
                "name": "Backend Engineer",
                "location": "Remote (EU)",
                "interview_template_id": template["id"],
                "mojito_language_code": "en",
                "status": "active",
                "type": "interview",
                "visibility": "merchant_invite",
                "description": "Python services, PostgreSQL, on-call.",
            },
        )
        interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
        # Found again later by name, as an agent in a new session would.
        found = await call(client, "list_interviews", {"filter_text": "backend"})
        assert [row["id"] for row in found.structured_content["data"]] == [interview_id]  # type: ignore[index]

        # 2. Invite five; the user is asked before anyone is e-mailed, and says no.
        status = await call(client, "get_merchant_status", {})
        assert status.structured_content["invitations_available"] >= 5  # type: ignore[index]
        users = [{"name": name, "email": email} for name, email in CANDIDATES]
        invited = await call(
            client,
            "register_users_for_interview",
            {"interview_id": interview_id, "users": users, "send_email": True},
        )
        assert len(questions) == 1 and "E-mail interview invitations to 5 candidate(s)" in questions[0]
        content = invited.structured_content
        assert content is not None and content["registered"] == 5 and content["emailed"] is False
        assert "Nobody was e-mailed" in text_of(invited)
        assert sandbox.outbox() == []
        (registration,) = sandbox.requests("job-interview-register-users")
        assert registration.method == "POST" and registration.token == TOKEN
        assert registration.json() == {"interview_id": interview_id, "users": users, "send_email": False}
        links = {user["email"]: user["interview_url"] for user in content["users"]}

        # 3. Three take it (the sandbox's stand-in for people).
        scores = {"ada@example.com": 72, "alan@example.com": 91, "grace@example.com": 64}
        for email, score in scores.items():
            sandbox.take_interview(links[email], score=score)

        # 4. "On Friday": the three best, by score.
        results = await call(
            client,
            "list_interview_results",
            {"interview_id": interview_id, "tab": "completed", "order_by": "score", "limit": 3},
        )
        rows = results.structured_content["data"]  # type: ignore[index]
        assert [row["candidate_email"] for row in rows] == [
            "alan@example.com",
            "ada@example.com",
            "grace@example.com",
        ]
        assert [row["score"] for row in rows] == [91, 72, 64]
        assert sandbox.requests("merchant-result-list")[-1].query == {
            "interview_id": interview_id,
            "tab": "completed",
            "order_by": "score",
            "limit": "3",
        }
        waiting = await call(
            client, "list_interview_results", {"interview_id": interview_id, "tab": "incomplete"}
        )
        assert len(waiting.structured_content["data"]) == 2  # type: ignore[index]

        # 5. The best one's summary, with the strongest and weakest answers.
        best = rows[0]["interview_result_id"]
        details = await call(client, "get_interview_result_details", {"interview_result_id": best})
        summary = text_of(details)
        assert "score 91/100" in summary and "Strongest answer" in summary and "Weakest answer" in summary
        assert "For:" in summary
        answers = details.structured_content["transcript"]  # type: ignore[index]
        assert answers and all("score" in answer and "answer" in answer for answer in answers)

        # 6. A report for the hiring manager: a real PDF behind the link.
        report = await call(
            client,
            "generate_interview_report",
            {
                "export_type": "pdf",
                "interview_result_ids": [row["interview_result_id"] for row in rows],
                "store_file": True,
            },
        )
        link = report.content[1]
        assert isinstance(link, ResourceLink)
        pdf = httpx2.get(str(link.uri))
        assert (
            pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.4") and b"Alan Turing" in pdf.content
        )

        # 7. Fix a question, and read the definition back.
        definition = await call(
            client, "get_interview_definition", {"position_id": interview_id, "view": "full"}
        )
        edited = definition.structured_content["questions"]  # type: ignore[index]
        edited[0] = edited[0] | {"question": "Tell us about a PostgreSQL migration you led."}
        updated = await call(client, "update_interview", {"position_id": interview_id, "questions": edited})
        assert "1 edited" in text_of(updated)
        back = await call(client, "get_interview_definition", {"position_id": interview_id})
        assert back.structured_content["questions"][0] == "Tell us about a PostgreSQL migration you led."  # type: ignore[index]
        assert len(back.structured_content["questions"]) == len(edited)  # type: ignore[index]

        # The account saw it all: five invitations, three sessions charged.
        after = (await call(client, "get_merchant_status", {})).structured_content
        assert after is not None and after["invitations_sent"] == 5 and after["interview_results"] == 3
        assert after["credits_interview_monthly"] == 97
    every = [request for request in sandbox.requests() if request.endpoint]
    assert all(request.token == TOKEN for request in every)
    assert not any(re.search(r"send_email\W+true", request.body.decode()) for request in every)
