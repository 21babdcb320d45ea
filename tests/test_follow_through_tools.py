"""The seven lifecycle tools, each through a real MCP client against the sandbox over loopback HTTP:
what reached JobMojito, what is refused before sending, what every documented error status tells the
agent, the compact views, and the question asked before anyone is e-mailed."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, EmbeddedResource, ResourceLink

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.sandbox.spec import CONTRACT
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from tests.support import COOKBOOK, TOKEN, AcceptConfirmation, answering, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

LIFECYCLE = (  # the seven after creation
    "list_interviews",
    "update_interview",
    "register_users_for_interview",
    "list_interview_results",
    "get_interview_result_details",
    "generate_interview_report",
    "get_merchant_status",
)
ENDPOINT = {tool: CONTRACT[tool]["path"].strip("/") for tool in LIFECYCLE}
CREATE_ARGS = copy.deepcopy(COOKBOOK["create_interview"]) | {
    "interview_template_id": DEFAULT_TEMPLATE_ID,
    "status": "active",
}


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.reset()
    yield
    sandbox.clear_faults()


def settings(sandbox: RunningSandbox) -> Settings:
    return Settings(base_url=sandbox.base_url, token=TOKEN, retry_backoff=0.01, timeout=5)


@asynccontextmanager
async def connected(sandbox: RunningSandbox, elicitation: Any = None) -> AsyncIterator[Client]:
    """The server in this event loop, a real client connected to it (answering questions, if given)."""
    credential = StaticToken(TOKEN)
    async with (
        Upstream(settings(sandbox)) as upstream,
        Client(build_server(upstream, lambda _ctx: credential), elicitation_callback=elicitation) as mcp,
    ):
        yield mcp


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[Client]:
    async with connected(sandbox) as mcp:
        yield mcp


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return result


@dataclass
class World:
    """An active interview, five registered candidates, three of whom took it (scores 70, 90, 55)."""

    interview_id: str
    links: list[str]
    result_ids: list[str]  # in the order taken


async def world(client: Client, sandbox: RunningSandbox, *, taken: tuple[float, ...] = (70, 90, 55)) -> World:
    created = await ok(client, "create_interview", CREATE_ARGS)
    interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
    users = [{"name": f"Candidate {i}", "email": f"c{i}@example.com"} for i in range(5)]
    registered = await ok(
        client,
        "register_users_for_interview",
        {"interview_id": interview_id, "users": users, "send_email": False},
    )
    links = [user["interview_url"] for user in registered.structured_content["users"]]  # type: ignore[index]
    ids = [
        sandbox.take_interview(link, score=score)["interview_result_id"]
        for link, score in zip(links, taken, strict=False)
    ]
    sandbox.clear_requests()
    return World(interview_id, links, ids)


# ---------------------------------------------------------------------------------------------
# What reaches JobMojito


async def test_each_tool_sends_the_documented_request(client: Client, sandbox: RunningSandbox) -> None:
    w = await world(client, sandbox)
    best = w.result_ids[1]
    calls: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
        (
            "list_interviews",
            {"filter_text": "Backend", "status": "active", "show_public": True, "limit": 5, "view": "full"},
            "query",
            {"filter_text": "Backend", "status": "active", "show_public": "true", "limit": "5"},
        ),
        (
            "update_interview",
            {"position_id": w.interview_id, "interview_salary": "60-70k", "clear_fields": ["recording"]},
            "body",
            {"position_id": w.interview_id, "interview_salary": "60-70k", "recording": None},
        ),
        (
            "register_users_for_interview",
            {
                "interview_id": w.interview_id,
                "users": [{"email": "new@example.com", "name": "New"}],
                "send_email": False,
                "is_test": True,
            },
            "body",
            {
                "interview_id": w.interview_id,
                "users": [{"email": "new@example.com", "name": "New"}],
                "send_email": False,
                "is_test": True,
            },
        ),
        (
            "list_interview_results",
            {"interview_id": w.interview_id, "tab": "completed", "order_by": "score"},
            "query",
            {"interview_id": w.interview_id, "tab": "completed", "order_by": "score"},
        ),
        (
            "get_interview_result_details",
            {"interview_result_id": best, "get_signed_recordings": True, "view": "standard"},
            "query",
            {"interview_result_id": best, "get_signed_recordings": "true"},
        ),
        (
            "generate_interview_report",
            {
                "export_type": "html",
                "interview_result_ids": [best],
                "export_features_result": {"transcript": False},
            },
            "body",
            {
                "export_type": "html",
                "interview_result_ids": [best],
                "export_features_result": {"transcript": False},
            },
        ),
        ("get_merchant_status", {}, "query", {}),
    ]
    for tool, arguments, where, expected in calls:
        sandbox.clear_requests()
        await ok(client, tool, arguments)
        (request,) = sandbox.requests()
        assert (request.method, request.endpoint) == (CONTRACT[tool]["method"], ENDPOINT[tool]), tool
        assert request.token == TOKEN
        sent = request.json() if where == "body" else request.query
        assert sent == expected, tool


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("list_interviews", {"status": "paused"}, "`status`: must be one of"),
    ("list_interviews", {"limit": 0}, "`limit`"),
    ("list_interviews", {"type": "webinar"}, "`type`"),
    ("list_interviews", {"fliter_text": "x"}, "did you mean `filter_text`"),
    ("update_interview", {"name": "x"}, "`position_id`: required"),
    ("update_interview", {"position_id": "x", "name": "y"}, "`position_id`: must be a UUID"),
    ("update_interview", {"position_id": "ID"}, "give at least one field to change"),
    ("update_interview", {"position_id": "ID", "questions": []}, "`questions`: needs at least 1"),
    (
        "update_interview",
        {"position_id": "ID", "questions": [{"question": "a", "id": "q"}, {"question": "b", "id": "q"}]},
        "duplicate question id",
    ),
    (
        "update_interview",
        {"position_id": "ID", "questions": [{"question": "a", "is_conditional": True}]},
        "conditional_question_main_id",
    ),
    ("update_interview", {"position_id": "ID", "clear_fields": ["status"]}, "'status' cannot be cleared"),
    ("update_interview", {"position_id": "ID", "name": "x", "clear_fields": ["name"]}, "choose one"),
    (
        "update_interview",
        {"position_id": "ID", "regenerate_candidate_expectations": True},
        "only applies together with questions",
    ),
    ("update_interview", {"position_id": "ID", "max_followups": 1000}, "`max_followups`"),
    ("update_interview", {"position_id": "ID", "interview_attempts": 0}, "`interview_attempts`"),
    ("update_interview", {"position_id": "ID", "status": "paused"}, "`status`: must be one of"),
    ("update_interview", {"position_id": "ID", "mojito_language_code": "de"}, "unknown argument"),
    (
        "register_users_for_interview",
        {"interview_id": "ID", "users": [{"email": "a@example.com"}]},
        "`send_email`: required",
    ),
    (
        "register_users_for_interview",
        {"interview_id": "ID", "users": [], "send_email": False},
        "`users`: needs at least 1",
    ),
    (
        "register_users_for_interview",
        {"interview_id": "ID", "users": [{"email": "nope"}], "send_email": False},
        "`users[0].email`: must be an e-mail address",
    ),
    (
        "register_users_for_interview",
        {
            "interview_id": "ID",
            "users": [{"email": "a@example.com"}, {"email": "A@example.com"}],
            "send_email": True,
        },
        "listed twice",
    ),
    (
        "register_users_for_interview",
        {"interview_id": "ID", "users": [{"mail": "a@example.com"}], "send_email": False},
        "did you mean `email`",
    ),
    (
        "register_users_for_interview",
        {
            "interview_id": "ID",
            "users": [{"email": f"c{i}@example.com"} for i in range(201)],
            "send_email": False,
        },
        "`users`",
    ),
    ("list_interview_results", {"tab": "all"}, "`tab`: must be one of"),
    ("list_interview_results", {"order_by": "best"}, "`order_by`"),
    ("list_interview_results", {"interview_id": "x"}, "`interview_id`: must be a UUID"),
    ("list_interview_results", {"limit": 1001}, "`limit`"),
    ("get_interview_result_details", {}, "`interview_result_id`: required"),
    ("get_interview_result_details", {"interview_result_id": "ID", "view": "short"}, "`view`"),
    ("generate_interview_report", {"interview_result_id": "ID"}, "`export_type`: required"),
    (
        "generate_interview_report",
        {"export_type": "docx", "interview_result_id": "ID"},
        "`export_type`: must be one of",
    ),
    ("generate_interview_report", {"export_type": "pdf"}, "give interview_result_id or interview_result_ids"),
    (
        "generate_interview_report",
        {"export_type": "pdf", "interview_result_id": "ID", "interview_result_ids": ["ID"]},
        "(not both)",
    ),
    (
        "generate_interview_report",
        {"export_type": "html", "interview_result_id": "ID", "store_file": True},
        "`store_file`: applies to export_type pdf only",
    ),
    (
        "generate_interview_report",
        {"export_type": "pdf", "interview_result_ids": []},
        "`interview_result_ids`: needs at least 1",
    ),
    (
        "generate_interview_report",
        {"export_type": "pdf", "interview_result_id": "ID", "export_features_result": {"transcripts": False}},
        "did you mean `transcript`",
    ),
    (
        "generate_interview_report",
        {
            "export_type": "pdf",
            "interview_result_id": "ID",
            "export_features_result": {"mojito_language_code": "xx"},
        },
        "mojito_language_code",
    ),
    ("get_merchant_status", {"merchant_id": "x"}, "`merchant_id`: must be a UUID"),
    ("get_merchant_status", {"merchant": "x"}, "unknown argument"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "says"), INVALID, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(INVALID)]
)
async def test_invalid_arguments_are_refused_before_sending(
    client: Client, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], says: str
) -> None:
    some_id = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
    filled = json.loads(json.dumps(arguments).replace('"ID"', f'"{some_id}"'))
    result = await client.call_tool(tool, filled)
    assert result.is_error
    text = text_of(result)
    assert "nothing was sent to JobMojito" in text and says in text, text
    assert sandbox.requests() == []


# ---------------------------------------------------------------------------------------------
# Every documented error status, as the agent reads it

SOME_ID = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
MINIMAL = {
    "list_interviews": {},
    "update_interview": {"position_id": SOME_ID, "name": "Renamed"},
    "register_users_for_interview": {
        "interview_id": SOME_ID,
        "users": [{"email": "a@example.com"}],
        "send_email": False,
    },
    "list_interview_results": {"interview_id": SOME_ID},
    "get_interview_result_details": {"interview_result_id": SOME_ID},
    "generate_interview_report": {"export_type": "pdf", "interview_result_id": SOME_ID},
    "get_merchant_status": {},
}
# (tool, status) -> what the message must say beyond the generic wording of the status
ADVICE = {
    ("list_interviews", 403): "Leave merchant_id out",
    ("update_interview", 404): "list_interviews",
    ("update_interview", 422): "set status draft first",
    ("update_interview", 500): "missing permission",
    ("register_users_for_interview", 422): "find the id with list_interviews",
    ("register_users_for_interview", 403): "may not invite candidates",
    ("list_interview_results", 403): "may not read these results",
    ("get_interview_result_details", 404): "list_interview_results",
    ("generate_interview_report", 422): "tab=completed",
}
GENERIC = {
    401: "HTTP 401",
    403: "refused this action",
    404: "HTTP 404",
    422: "rejected the arguments",
    500: "HTTP 500",
}
STATUSES = [
    (tool, int(status)) for tool in LIFECYCLE for status in CONTRACT[tool]["responses"] if status != "200"
]


@pytest.mark.parametrize(("tool", "status"), STATUSES, ids=[f"{t}-{s}" for t, s in STATUSES])
async def test_every_documented_error_status_is_an_actionable_message(
    client: Client, sandbox: RunningSandbox, tool: str, status: int
) -> None:
    field = next((name for name in MINIMAL[tool] if name.endswith("_id")), None)
    sandbox.inject(
        ENDPOINT[tool],
        "status",
        status=status,
        body={"error": "Simulated.", "name": field} if field else {"error": "Simulated."},
        times=3,
    )
    result = await client.call_tool(tool, MINIMAL[tool])
    text = text_of(result)
    assert result.is_error, text
    assert GENERIC[status] in text and "Simulated." in text, text
    if (tool, status) in ADVICE:
        assert ADVICE[(tool, status)] in text, text
    if status == 401:
        assert "jobmojito-mcp login" in text
    if status == 404:
        assert f"{field} {SOME_ID}" in text  # names the id JobMojito named
    assert len(sandbox.requests(ENDPOINT[tool])) == 1, "not retried (a fixed token cannot be renewed either)"
    assert TOKEN not in text


async def test_real_lookup_failures_read_well(client: Client, sandbox: RunningSandbox) -> None:
    """Not injected: the sandbox's own answers for unknown ids and foreign merchants."""
    cases = [
        ("update_interview", MINIMAL["update_interview"], ["HTTP 404", "list_interviews"]),
        (
            "register_users_for_interview",
            MINIMAL["register_users_for_interview"],
            ["HTTP 422", "Interview not found", "list_interviews"],
        ),
        (
            "get_interview_result_details",
            MINIMAL["get_interview_result_details"],
            ["HTTP 404", "list_interview_results"],
        ),
        (
            "generate_interview_report",
            MINIMAL["generate_interview_report"],
            ["HTTP 422", "Interview result not found", "tab=completed"],
        ),
        ("list_interview_results", {"merchant_id": SOME_ID}, ["HTTP 403", "leave merchant_id out"]),
        ("get_merchant_status", {"merchant_id": SOME_ID}, ["HTTP 403"]),
    ]
    for tool, arguments, fragments in cases:
        result = await client.call_tool(tool, arguments)
        assert result.is_error
        for fragment in fragments:
            assert fragment in text_of(result), (tool, text_of(result))


async def test_reads_are_retried_and_writes_never_resent(client: Client, sandbox: RunningSandbox) -> None:
    w = await world(client, sandbox, taken=())
    for tool, arguments in (
        ("list_interview_results", {"interview_id": w.interview_id}),
        ("get_merchant_status", {}),
        ("list_interviews", {}),
    ):
        sandbox.inject(ENDPOINT[tool], "status", status=503)
        await ok(client, tool, arguments)  # retried once: succeeds
        assert len(sandbox.requests(ENDPOINT[tool])) == 2
    sandbox.clear_requests()
    sandbox.inject("job-interview-register-users", "reset")  # handled, then the connection drops
    users = [{"email": "late@example.com"}]
    result = await client.call_tool(
        "register_users_for_interview", {"interview_id": w.interview_id, "users": users, "send_email": False}
    )
    text = text_of(result)
    assert result.is_error and "may have registered the candidates" in text and "NOT sent again" in text, text
    assert "list_interview_results" in text
    assert len(sandbox.requests("job-interview-register-users")) == 1
    sandbox.inject("job-interview-update", "close")
    result = await client.call_tool("update_interview", {"position_id": w.interview_id, "name": "X"})
    assert result.is_error and "safe to try again" in text_of(result)
    assert len(sandbox.requests("job-interview-update")) == 1


# ---------------------------------------------------------------------------------------------
# Views


async def test_results_and_details_views(client: Client, sandbox: RunningSandbox) -> None:
    w = await world(client, sandbox)
    listed = await ok(client, "list_interview_results", {"interview_id": w.interview_id, "order_by": "score"})
    rows = listed.structured_content["data"]  # type: ignore[index]
    assert [row.get("score") for row in rows] == [90, 70, 55, None, None]
    assert set(rows[0]) <= {
        "interview_result_id", "candidate_name", "candidate_email", "profile_interview_id", "position_name",
        "coach_status", "decision_status", "recruiter_shortlist", "score", "is_test", "created_at",
    }  # fmt: skip
    assert "interview_result_id" not in rows[-1] and "(not started)" in text_of(listed)
    full = await ok(
        client,
        "list_interview_results",
        {"interview_id": w.interview_id, "order_by": "score", "view": "full"},
    )
    assert "score_sentiment" in full.structured_content["data"][0]  # type: ignore[index]

    best = rows[0]["interview_result_id"]
    summary = await ok(client, "get_interview_result_details", {"interview_result_id": best})
    content = summary.structured_content
    assert content is not None and content["score"] == 90 and content["hiring_reasons"]["reasons_to_hire"]
    assert all(set(turn) <= {"id", "question_asked", "answer", "score"} for turn in content["transcript"])
    assert "recording_url" not in json.dumps(content) and "ai_analysis_other" not in content
    text = text_of(summary)
    assert "Strongest answer" in text and "Weakest answer" in text and "score 90/100" in text

    standard = await ok(
        client, "get_interview_result_details", {"interview_result_id": best, "view": "standard"}
    )
    turns = standard.structured_content["transcript"]  # type: ignore[index]
    assert any("ai_analysis_recruiter" in turn for turn in turns)
    assert not any("answer_assessment_raw_data" in turn for turn in turns)
    full_details = await ok(
        client, "get_interview_result_details", {"interview_result_id": best, "view": "full"}
    )
    assert any("answer_assessment_raw_data" in turn for turn in full_details.structured_content["transcript"])  # type: ignore[index]
    assert len(json.dumps(content)) < len(json.dumps(full_details.structured_content)) / 2


async def test_signed_recordings_only_when_asked(client: Client, sandbox: RunningSandbox) -> None:
    created = await ok(
        client,
        "create_interview",
        CREATE_ARGS | {"recording_full_session": "audio_all", "recording": "audio_all"},
    )
    interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
    registered = await ok(
        client,
        "register_users_for_interview",
        {"interview_id": interview_id, "users": [{"email": "r@example.com"}], "send_email": False},
    )
    result_id = sandbox.take_interview(registered.structured_content["users"][0]["interview_url"])[
        "interview_result_id"
    ]  # type: ignore[index]
    plain = await ok(client, "get_interview_result_details", {"interview_result_id": result_id})
    assert "recording_url" not in json.dumps(plain.structured_content)
    signed = await ok(
        client,
        "get_interview_result_details",
        {"interview_result_id": result_id, "get_signed_recordings": True},
    )
    content = signed.structured_content
    assert content is not None and "/storage/v1/object/sign/recordings/" in content["recording_url"]
    assert all("recording_url" in turn for turn in content["transcript"])


async def test_list_interviews_compact_and_paged(client: Client, sandbox: RunningSandbox) -> None:
    for index in range(3):
        await ok(client, "create_interview", CREATE_ARGS | {"name": f"Role {index}"})
    page = await ok(client, "list_interviews", {"limit": 2})
    content = page.structured_content
    assert content is not None and [row["name"] for row in content["data"]] == ["Role 2", "Role 1"]
    assert content["next_offset"] == 2 and "offset=2" in text_of(page)
    assert set(content["data"][0]) <= {
        "id",
        "name",
        "status",
        "type",
        "visibility",
        "mojito_language_code",
        "interview_count",
        "updated_at",
    }


async def test_reports_attach_the_document(client: Client, sandbox: RunningSandbox) -> None:
    w = await world(client, sandbox)
    pdf = await ok(
        client,
        "generate_interview_report",
        {"export_type": "pdf", "interview_result_ids": w.result_ids, "store_file": True},
    )
    link = pdf.content[1]
    assert isinstance(link, ResourceLink) and link.mime_type == "application/pdf"
    described = next(t for t in (await client.list_tools()).tools if t.name == "generate_interview_report")
    assert "costs 0.1 credit per result" in (described.description or "")
    assert "again" not in text_of(pdf)  # untranslated: nothing charged
    html = await ok(
        client, "generate_interview_report", {"export_type": "html", "interview_result_id": w.result_ids[0]}
    )
    document = html.content[1]
    assert isinstance(document, EmbeddedResource) and document.resource.mime_type == "text/html"
    assert document.resource.text.startswith("<!DOCTYPE html>")  # type: ignore[union-attr]
    as_json = await ok(
        client, "generate_interview_report", {"export_type": "json", "interview_result_id": w.result_ids[0]}
    )
    assert as_json.structured_content["json_export"]["results"][0]["data"]["score"] == 70  # type: ignore[index]
    before = (await ok(client, "get_merchant_status", {})).structured_content["credits_interview_monthly"]  # type: ignore[index]
    # A translation spends credits: asked first (this client cannot ask: test_fail_closed.py).
    accept = AcceptConfirmation()
    async with connected(sandbox, accept) as asking:
        translated = await ok(
            asking,
            "generate_interview_report",
            {
                "export_type": "html",
                "interview_result_ids": w.result_ids,
                "export_features_result": {"mojito_language_code": "de"},
            },
        )
    assert "up to 0.3 credit(s)" in accept.asked[0]
    assert "Translated to de" in text_of(translated) and "charges the translation again" in text_of(
        translated
    )
    after = (await ok(client, "get_merchant_status", {})).structured_content["credits_interview_monthly"]  # type: ignore[index]
    assert round(before - after, 2) == 0.3


async def test_update_then_read_back(client: Client, sandbox: RunningSandbox) -> None:
    created = await ok(client, "create_interview", CREATE_ARGS)
    interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
    full = await ok(client, "get_interview_definition", {"position_id": interview_id, "view": "full"})
    questions = full.structured_content["questions"]  # type: ignore[index]
    questions[1]["question"] = "Which database would you pick for payments, and why?"
    updated = await ok(
        client, "update_interview", {"position_id": interview_id, "questions": questions, "max_followups": 0}
    )
    diff = updated.structured_content["questions_diff"]  # type: ignore[index]
    assert (
        len(diff["replaced"]) == 1
        and diff["replaced"][0]["from"] == questions[1]["id"]
        and diff["reactivated"] is True
    )
    assert "1 edited" in text_of(updated) and "re-published" in text_of(updated)
    again = await ok(client, "get_interview_definition", {"position_id": interview_id})
    assert again.structured_content["questions"][1] == "Which database would you pick for payments, and why?"  # type: ignore[index]
    cleared = await ok(
        client, "update_interview", {"position_id": interview_id, "clear_fields": ["max_followups"]}
    )
    assert cleared.structured_content["updated_fields"] == ["max_followups"]  # type: ignore[index]
    final = await ok(client, "get_interview_definition", {"position_id": interview_id, "view": "full"})
    assert final.structured_content.get("max_followups") is None  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# E-mail only after asking


@pytest.mark.parametrize(
    ("action", "confirm", "registered", "emailed"),
    [
        ("accept", True, True, True),
        ("accept", False, True, False),
        ("decline", None, False, False),
        ("cancel", None, False, False),
    ],
)
async def test_emailing_asks_the_user_first(
    sandbox: RunningSandbox, action: str, confirm: bool | None, registered: bool, emailed: bool
) -> None:
    callback = answering(action, confirm)
    async with connected(sandbox, callback) as client:
        created = await ok(client, "create_interview", CREATE_ARGS)
        interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
        users = [{"name": "Ada", "email": "ada@example.com"}, {"name": "Alan", "email": "alan@example.com"}]
        sandbox.clear_requests()
        result = await client.call_tool(
            "register_users_for_interview", {"interview_id": interview_id, "users": users, "send_email": True}
        )
        (question,) = callback.asked
        assert "E-mail interview invitations to 2 candidate(s)" in question and "ada@example.com" in question
        text = text_of(result)
        if registered:
            assert not result.is_error, text
            (request,) = sandbox.requests("job-interview-register-users")
            assert request.json()["send_email"] is emailed
            assert result.structured_content["emailed"] is emailed  # type: ignore[index]
            assert ("Nobody was e-mailed" in text) is not emailed
        else:
            assert result.is_error and "declined" in text and "nothing was sent" in text
            assert sandbox.requests() == []
        assert [mail.to for mail in sandbox.outbox()] == (
            ["ada@example.com", "alan@example.com"] if emailed else []
        )
        # Without e-mail there is nothing to ask.
        await ok(
            client,
            "register_users_for_interview",
            {"interview_id": interview_id, "users": [{"email": "x@example.com"}], "send_email": False},
        )
        assert len(callback.asked) == 1


async def test_clients_without_elicitation_cannot_e_mail(client: Client, sandbox: RunningSandbox) -> None:
    """Fail closed (issue 21): nobody can be asked, so e-mailing is refused, nothing sent; the refusal
    names the way on (send_email=false), which works."""
    created = await ok(client, "create_interview", CREATE_ARGS)
    interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
    tool = next(t for t in (await client.list_tools()).tools if t.name == "register_users_for_interview")
    assert (
        tool.annotations is not None
        and tool.annotations.destructive_hint is True
        and tool.annotations.idempotent_hint is False
    )
    assert "send_email" in tool.input_schema["required"]
    sandbox.clear_requests()
    users = [{"email": "z@example.com"}]
    refused = await client.call_tool(
        "register_users_for_interview", {"interview_id": interview_id, "users": users, "send_email": True}
    )
    assert refused.is_error and "send_email=false" in text_of(refused)
    assert sandbox.requests() == [] and sandbox.outbox() == []
    result = await ok(
        client,
        "register_users_for_interview",
        {"interview_id": interview_id, "users": users, "send_email": False},
    )
    assert result.structured_content["emailed"] is False  # type: ignore[index]
    assert sandbox.outbox() == []


async def test_deleting_through_update_asks_first(sandbox: RunningSandbox) -> None:
    callback = answering("decline")
    async with connected(sandbox, callback) as client:
        created = await ok(client, "create_interview", CREATE_ARGS)
        interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
        sandbox.clear_requests()
        refused = await client.call_tool(
            "update_interview", {"position_id": interview_id, "status": "deleted"}
        )
        assert refused.is_error and "declined" in text_of(refused) and sandbox.requests() == []
        assert "cannot be undone" in callback.asked[0]
        await ok(client, "update_interview", {"position_id": interview_id, "status": "archived"})  # not asked
        assert len(callback.asked) == 1


async def test_an_unknown_argument_is_refused_even_when_null(client: Client, sandbox: RunningSandbox) -> None:
    """Found by the long fuzz: update_interview keeps meaningful nulls, and must not drop unknown ones."""
    result = await client.call_tool(
        "update_interview", {"position_id": SOME_ID, "max_followups": None, "0": None}
    )
    assert result.is_error and "`0`: unknown argument" in text_of(result), text_of(result)
    assert sandbox.requests() == []
