"""The six tools over stdio, as an MCP client launches the server, against the sandbox over HTTP.

Each test asserts on what reached the sandbox (method, path, query or body, Authorization), not
only on what came back.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jobmojito_mcp import __version__
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import COOKBOOK, TOKEN, StdioServer, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
async def server(sandbox: RunningSandbox) -> AsyncIterator[StdioServer]:
    async with stdio_server(server_env(sandbox.base_url)) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_journal(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()


def cookbook(tool: str) -> dict[str, Any]:
    body = copy.deepcopy(COOKBOOK[tool])
    if body.get("interview_template_id") == "TEMPLATE_UUID":
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


def only_request(sandbox: RunningSandbox) -> Any:
    requests = sandbox.requests()
    assert len(requests) == 1, [(r.method, r.path) for r in requests]
    request = requests[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith(f"jobmojito-mcp/{__version__} ")
    return request


async def create(server: StdioServer, sandbox: RunningSandbox) -> str:
    result = await server.call("create_interview", cookbook("create_interview"))
    assert not result.is_error, text_of(result)
    sandbox.clear_requests()
    assert isinstance(result.structured_content, dict)
    interview_id = result.structured_content["interview_def_set_id"]
    assert isinstance(interview_id, str)
    return interview_id


# ---------------------------------------------------------------------------------------------
# Happy paths, one per tool


async def test_list_avatars(server: StdioServer, sandbox: RunningSandbox) -> None:
    result = await server.call(
        "list_avatars", {"type": "interactive_heygen", "limit": 2, "include_archived": True}
    )
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == ("GET", "/functions/v1/merchant-avatar-list")
    assert request.query == {"type": "interactive_heygen", "limit": "2", "include_archived": "true"}
    data = result.structured_content
    assert isinstance(data, dict)
    assert data["data"] and all(t["type"] == "interactive_heygen" for t in data["data"])
    assert data["pagination"]["limit"] == 2
    assert data.get("next_offset") == (
        2 if data["pagination"]["has_more"] else None
    )  # absent on the last page
    for template in data["data"]:
        assert template["id"] in text_of(result)


async def test_list_avatars_flags_legacy_templates_and_pages(
    server: StdioServer, sandbox: RunningSandbox
) -> None:
    result = await server.call("list_avatars", {"limit": 1})
    assert "offset=1" in text_of(result), "more pages exist: the text says how to get the next"
    legacy = await server.call("list_avatars", {"type": "offline_elai"})
    assert "legacy: cannot create interviews" in text_of(legacy)


async def test_create_interview_from_the_cookbook(server: StdioServer, sandbox: RunningSandbox) -> None:
    arguments = cookbook("create_interview")
    result = await server.call("create_interview", arguments)
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == ("POST", "/functions/v1/job-interview-create")
    assert request.json() == arguments, "the pasted cookbook body reaches JobMojito unchanged"
    assert request.headers["content-type"] == "application/json"
    data = result.structured_content
    assert isinstance(data, dict)
    assert data["questions_generated"] == 8
    assert data["interview_def_set_id"] in text_of(result)


async def test_create_interview_from_questions_cookbook(server: StdioServer, sandbox: RunningSandbox) -> None:
    arguments = cookbook("create_interview_from_questions")
    result = await server.call("create_interview_from_questions", arguments)
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == ("POST", "/functions/v1/job-interview-create-from-array")
    assert request.json() == arguments
    assert isinstance(result.structured_content, dict)
    assert "3 question(s)" in text_of(result)


async def test_create_interview_for_candidate_cookbook(server: StdioServer, sandbox: RunningSandbox) -> None:
    arguments = cookbook("create_interview_for_candidate")
    result = await server.call("create_interview_for_candidate", arguments)
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == (
        "POST",
        "/functions/v1/job-interview-create-for-candidate-with-token",
    )
    assert request.json() == arguments
    data = result.structured_content
    assert isinstance(data, dict)
    assert data["status"] in text_of(result)
    assert data["interview_url"] in text_of(result)

    again = await server.call(
        "create_interview_for_candidate", arguments | {"position_def_set_id": data["position_def_set_id"]}
    )
    assert isinstance(again.structured_content, dict)
    assert again.structured_content["status"] == "already-applied"
    assert "already applied" in text_of(again)


async def test_get_interview_definition(server: StdioServer, sandbox: RunningSandbox) -> None:
    interview_id = await create(server, sandbox)
    result = await server.call("get_interview_definition", {"position_id": interview_id})
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == ("GET", "/functions/v1/job-interview-get")
    assert request.query == {"position_id": interview_id}
    data = result.structured_content
    assert isinstance(data, dict)
    # The compact default: what an agent needs to review it, questions as text.
    assert data["name"] == "Senior Backend Engineer" and data["position_id"] == interview_id
    assert len(data["questions"]) == 8 and all(isinstance(q, str) for q in data["questions"])
    assert "created_at" not in data and "slug" not in data
    text = text_of(result)
    assert "8 question(s)" in text and data["questions"][0] in text


async def test_get_interview_definition_full_view(server: StdioServer, sandbox: RunningSandbox) -> None:
    interview_id = await create(server, sandbox)
    result = await server.call("get_interview_definition", {"position_id": interview_id, "view": "full"})
    assert not result.is_error, text_of(result)
    assert only_request(sandbox).query == {"position_id": interview_id}, "`view` is never sent upstream"
    data = result.structured_content
    assert isinstance(data, dict)
    assert isinstance(data["questions"][0], dict) and data["questions"][0]["question"]
    assert {"created_at", "slug", "visibility", "interview_template_type"} <= set(data)


async def test_list_avatars_compact_and_full(server: StdioServer, sandbox: RunningSandbox) -> None:
    compact = await server.call("list_avatars", {"include_archived": True, "limit": 50})
    full = await server.call("list_avatars", {"include_archived": True, "limit": 50, "view": "full"})
    assert [r.query for r in sandbox.requests()] == [{"include_archived": "true", "limit": "50"}] * 2
    assert isinstance(compact.structured_content, dict) and isinstance(full.structured_content, dict)
    choices, templates = compact.structured_content["data"], full.structured_content["data"]
    assert [t["id"] for t in choices] == [t["id"] for t in templates]
    assert set(choices[0]) == {
        "id",
        "name",
        "type",
        "status",
        "mojito_language_code",
        "voice_only",
        "can_create_interviews",
    }
    assert "updated_at" in templates[0]
    for choice in choices:
        assert choice["can_create_interviews"] == (
            choice["type"] not in ("offline_elai", "offline_synthesia")
        )
        assert choice["voice_only"] == (choice["type"] == "interactive_elevenlabs")
    assert len(str(compact.structured_content)) < len(str(full.structured_content)) / 2


async def test_set_interview_state_changes_what_get_returns(
    server: StdioServer, sandbox: RunningSandbox
) -> None:
    interview_id = await create(server, sandbox)
    result = await server.call("set_interview_state", {"position_id": interview_id, "status": "archived"})
    assert not result.is_error, text_of(result)
    request = only_request(sandbox)
    assert (request.method, request.path) == ("POST", "/functions/v1/job-interview-set-state")
    assert request.json() == {"position_id": interview_id, "status": "archived"}
    assert result.structured_content == {"success": True}
    got = await server.call("get_interview_definition", {"position_id": interview_id})
    assert isinstance(got.structured_content, dict)
    assert got.structured_content["status"] == "archived"


async def test_embedding_returns_the_key_pair(server: StdioServer, sandbox: RunningSandbox) -> None:
    interview_id = await create(server, sandbox)
    result = await server.call("set_interview_state", {"position_id": interview_id, "is_embedded": True})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert isinstance(data, dict)
    assert data["embed_id"] and data["embed_signing_key"]
    assert data["embed_id"] in text_of(result)


async def test_deleted_interview_is_gone(sandbox: RunningSandbox) -> None:
    # This client cannot ask its user: the delete goes through only with the server's own say-so.
    async with stdio_server(server_env(sandbox.base_url), ["--confirm-without-asking"]) as server:
        interview_id = await create(server, sandbox)
        deleted = await server.call("set_interview_state", {"position_id": interview_id, "status": "deleted"})
        assert not deleted.is_error, text_of(deleted)
        gone = await server.call("get_interview_definition", {"position_id": interview_id})
    assert gone.is_error
    assert "HTTP 404" in text_of(gone)


# ---------------------------------------------------------------------------------------------
# Invalid arguments: refused with the field named, and nothing sent

UUID = "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
CREATE = {
    "name": "Data Engineer",
    "location": "Berlin",
    "interview_template_id": UUID,
    "mojito_language_code": "de",
    "status": "draft",
    "type": "interview",
    "visibility": "merchant_unlisted",
}
FROM_QUESTIONS = {**CREATE, "description": "Screening", "questions": [{"question": "Why us?", "id": "q1"}]}
CANDIDATE = {
    "candidate_name": "Ada",
    "candidate_email": "ada@example.com",
    "candidate_country_code": "GB",
    "candidate_resume": "Engineer.",
    "position_def_set_id": UUID,
}


def without(arguments: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in arguments.items() if key != field}


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # (tool, arguments, field named, words that must appear)
    ("create_interview", without(CREATE, "name"), "name", "required"),
    ("create_interview", CREATE | {"name": ""}, "name", "must not be empty"),
    ("create_interview", CREATE | {"status": "live"}, "status", "'draft' or 'active'"),
    ("create_interview", CREATE | {"mojito_language_code": "xx"}, "mojito_language_code", "'vi'"),
    ("create_interview", CREATE | {"visibility": "public"}, "visibility", "merchant_unlisted"),
    (
        "create_interview",
        CREATE | {"interview_template_id": "TEMPLATE_UUID"},
        "interview_template_id",
        "UUID",
    ),
    (
        "create_interview",
        CREATE | {"interview_attempts": 21},
        "interview_attempts",
        "less than or equal to 20",
    ),
    (
        "create_interview",
        CREATE | {"interview_attempts": 0},
        "interview_attempts",
        "greater than or equal to 1",
    ),
    ("create_interview", CREATE | {"max_followups": 1000}, "max_followups", "999"),
    ("create_interview", CREATE | {"questions_random_subset": 0.95}, "questions_random_subset", "0.9"),
    ("create_interview", CREATE | {"interview_length": 41}, "interview_length", "40"),
    ("create_interview", CREATE | {"interview_length": "many"}, "interview_length", "integer"),
    ("create_interview", CREATE | {"max_followups": "lots"}, "max_followups", "integer"),
    ("create_interview", CREATE | {"recording": "always"}, "recording", "video_all"),
    ("create_interview", CREATE | {"langauge": "en"}, "langauge", "unknown argument"),
    ("create_interview", CREATE | {"tags": "python"}, "tags", "list"),
    ("create_interview", CREATE | {"hiring_for_company": {"name": 5}}, "hiring_for_company.name", "string"),
    ("create_interview_from_questions", FROM_QUESTIONS | {"questions": []}, "questions", "at least 1"),
    ("create_interview_from_questions", without(FROM_QUESTIONS, "description"), "description", "required"),
    (
        "create_interview_from_questions",
        FROM_QUESTIONS
        | {
            "questions": [
                {"question": "Why?", "is_conditional": True, "conditional_question_main_id": "q2"},
                {"question": "Q2", "id": "q2"},
            ]
        },
        "questions[0].conditional_question_main_id",
        "earlier question",
    ),
    (
        "create_interview_from_questions",
        FROM_QUESTIONS | {"questions": [{"question": "Pick", "is_multiple_choice": True}]},
        "questions[0].question_alternatives",
        "2+ choices",
    ),
    (
        "create_interview_from_questions",
        FROM_QUESTIONS | {"questions": [{"duration": 60}]},
        "questions[0].question",
        "required",
    ),
    ("create_interview_for_candidate", without(CANDIDATE, "candidate_email"), "candidate_email", "required"),
    (
        "create_interview_for_candidate",
        without(CANDIDATE, "position_def_set_id"),
        "position_name",
        "position_def_set_id",
    ),
    (
        "create_interview_for_candidate",
        without(CANDIDATE, "position_def_set_id")
        | {"position_name": "X", "position_location": "Y", "position_country_code": "DE"},
        "mojito_language_code",
        "position_def_set_id",
    ),
    (
        "create_interview_for_candidate",
        CANDIDATE | {"seniority_level": "junior"},
        "seniority_level",
        "entry-level",
    ),
    ("set_interview_state", {"position_id": UUID}, "status", "status, is_embedded"),
    ("set_interview_state", {"position_id": UUID, "status": "published"}, "status", "'completed'"),
    ("set_interview_state", {"status": "active"}, "position_id", "required"),
    ("get_interview_definition", {"position_id": "42"}, "position_id", "UUID"),
    ("get_interview_definition", {}, "position_id", "required"),
    ("list_avatars", {"limit": 0}, "limit", "greater than or equal to 1"),
    ("list_avatars", {"limit": 1001}, "limit", "1000"),
    ("list_avatars", {"offset": -1}, "offset", "greater than or equal to 0"),
    ("list_avatars", {"type": "interactive_spatius"}, "type", "offline_synthesia"),
    ("list_avatars", {"include_archived": "maybe"}, "include_archived", "boolean"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "field", "words"), INVALID, ids=[f"{t}-{f}-{w}" for t, _, f, w in INVALID]
)
async def test_invalid_arguments_are_refused_before_upstream(
    server: StdioServer, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], field: str, words: str
) -> None:
    result = await server.call(tool, arguments)
    assert result.is_error
    text = text_of(result)
    assert f"`{field}`" in text, text
    assert words in text, text
    assert "nothing was sent" in text
    assert sandbox.requests() == [], "invalid arguments must not reach JobMojito"


async def test_json_text_for_list_arguments_is_accepted(server: StdioServer, sandbox: RunningSandbox) -> None:
    # Some clients send arrays as JSON text; the call must still mean what it says.
    arguments = cookbook("create_interview_from_questions")
    sent = arguments | {"questions": __import__("json").dumps(arguments["questions"])}
    result = await server.call("create_interview_from_questions", sent)
    assert not result.is_error, text_of(result)
    assert only_request(sandbox).json()["questions"] == arguments["questions"]


async def test_explicit_null_interview_type_means_default(
    server: StdioServer, sandbox: RunningSandbox
) -> None:
    result = await server.call("create_interview", cookbook("create_interview") | {"interview_type": None})
    assert not result.is_error, text_of(result)
    assert "interview_type" not in only_request(sandbox).json()


async def test_unknown_template_is_the_apis_own_error(server: StdioServer, sandbox: RunningSandbox) -> None:
    result = await server.call(
        "create_interview", cookbook("create_interview") | {"interview_template_id": UUID}
    )
    assert result.is_error
    text = text_of(result)
    assert "HTTP 422" in text and "`interview_template_id`" in text
    assert len(sandbox.requests()) == 1


async def test_token_never_in_stderr_or_results(server: StdioServer, sandbox: RunningSandbox) -> None:
    """At DEBUG, after successes and failures alike, the token appears nowhere the server writes."""
    results = [
        await server.call("list_avatars", {}),
        await server.call("get_interview_definition", {"position_id": UUID}),
        await server.call("create_interview", CREATE),
        await server.call("set_interview_state", {"position_id": UUID, "status": "active"}),
    ]
    sandbox.inject("merchant-avatar-list", "status", status=401)
    results.append(await server.call("list_avatars", {}))
    for result in results:
        assert TOKEN not in text_of(result) and TOKEN not in str(result.structured_content)
    log = server.stderr()
    assert "DEBUG" in log and "/merchant-avatar-list" in log, "the log is there, and verbose"
    assert TOKEN not in log
