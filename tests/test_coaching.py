"""The coaching toolset through a real MCP client against the sandbox over loopback HTTP: what reached
JobMojito, what is refused before sending, what the documented statuses tell the agent, and the
personas and directories the sandbox stored. Off by default: only `--toolsets all` (or coaching) lists it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets import TOOLS
from tests.support import TOKEN, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

COACHING = (
    "create_persona",
    "list_catalogue_directories",
    "get_catalogue_directory",
    "create_catalogue_directory",
    "update_catalogue_directory",
)
PERSONA = {
    "name": "Upset hotel guest",
    "interview_template_id": DEFAULT_TEMPLATE_ID,
    "mojito_language_code": "en",
    "status": "active",
    "visibility": "merchant_public",
    "portal": "coaching",
    "persona_role_avatar": "play a hotel guest upset about a billing error",
    "persona_role_user": "calm the guest down and fix the bill",
    "persona_avatar_progress": "Mode: turning point\nResistance: feels cheated\nGates: an apology",
    "opening_line": "I have been charged twice, and nobody here seems to care.",
    "tags": ["hospitality", "complaints"],
}


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.reset()
    yield
    sandbox.clear_faults()


@asynccontextmanager
async def connected(sandbox: RunningSandbox) -> AsyncIterator[Client]:
    settings = Settings(base_url=sandbox.base_url, token=TOKEN, retry_backoff=0.01, timeout=5)
    credential = StaticToken(TOKEN)
    async with (
        Upstream(settings) as upstream,
        Client(build_server(upstream, lambda _ctx: credential, tools=TOOLS)) as mcp,
    ):
        yield mcp


async def call(client: Client, tool: str, arguments: dict[str, Any], *, ok: bool = True) -> Any:
    result = await client.call_tool(tool, arguments)
    assert result.is_error is not ok, text_of(result)
    return result


async def test_a_persona_is_created_as_sent_and_lands_in_the_catalogue(sandbox: RunningSandbox) -> None:
    async with connected(sandbox) as client:
        created = await call(client, "create_persona", PERSONA)
        sent = sandbox.requests("persona-create")
        assert [request.method for request in sent] == ["POST"] and sent[0].json() == PERSONA
        assert sent[0].token == TOKEN
        persona_id = created.structured_content["interview_def_set_id"]
        assert persona_id in text_of(created) and "catalogue directories" in text_of(created)

        made = await call(
            client,
            "create_catalogue_directory",
            {"id": "hospitality-en", "name": "Hospitality", "status": "active", "visibility": "merchant_public",
             "tags_interview_set_filter": ["hospitality"]},
        )  # fmt: skip
        assert sandbox.requests("catalogue-tag-create")[0].json()["tags_interview_set_filter"] == [
            "hospitality"
        ]
        assert "cannot change" in text_of(made)
        child = {
            "id": "complaints-en",
            "name": "Complaints",
            "status": "draft",
            "visibility": "merchant_public",
        }
        await call(client, "create_catalogue_directory", child | {"parent_tag": "hospitality-en"})

        read = await call(client, "get_catalogue_directory", {"id": "hospitality-en"})
        directory = read.structured_content
        assert [session["id"] for session in directory["matched_sessions"]] == [persona_id]
        assert [sub["id"] for sub in directory["sub_directories"]] == ["complaints-en"]
        assert sandbox.requests("catalogue-tag-get")[0].query == {"id": "hospitality-en"}

        listed = await call(client, "list_catalogue_directories", {"parent_tag": "hospitality-en"})
        assert [row["id"] for row in listed.structured_content["data"]] == ["complaints-en"]
        own = await call(client, "list_catalogue_directories", {"include_public": "false", "limit": 10})
        assert sandbox.requests("catalogue-tag-list")[-1].query == {"include_public": "false", "limit": "10"}
        assert {row["id"] for row in own.structured_content["data"]} == {"hospitality-en", "complaints-en"}

        updated = await call(
            client, "update_catalogue_directory", {"id": "hospitality-en", "content_md": "[sessions]", "clear_fields": ["tags_sub"]}
        )  # fmt: skip
        assert sandbox.requests("catalogue-tag-update")[0].json() == {
            "id": "hospitality-en",
            "content_md": "[sessions]",
            "tags_sub": None,
        }
        assert set(updated.structured_content["updated_fields"]) == {"content_md", "tags_sub"}
        again = (await call(client, "get_catalogue_directory", {"id": "hospitality-en"})).structured_content
        assert again["content_md"] == "[sessions]" and again["sub_directories"] == []

        personas = await call(client, "list_interviews", {"type": "persona"})
        assert persona_id in text_of(personas)


async def test_bad_input_is_refused_before_anything_is_sent(sandbox: RunningSandbox) -> None:
    async with connected(sandbox) as client:
        for tool, arguments, field in (
            ("create_persona", PERSONA | {"interview_attempts": 3}, "interview_attempts"),
            ("create_persona", PERSONA | {"persona_avatar_progress": "be difficult"}, "persona_avatar_progress"),
            ("create_persona", PERSONA | {"candidate_expectations": "x" * 2101}, "candidate_expectations"),
            ("create_persona", {k: v for k, v in PERSONA.items() if k != "portal"}, "portal"),
            ("create_catalogue_directory", {"id": "Sales EN", "name": "S", "status": "active", "visibility": "merchant_public"}, "id"),
            ("update_catalogue_directory", {"id": "sales-en"}, "id"),
            ("update_catalogue_directory", {"id": "sales-en", "clear_fields": ["name"]}, "clear_fields"),
            ("list_catalogue_directories", {"include_public": True}, "include_public"),
            ("get_catalogue_directory", {}, "id"),
        ):  # fmt: skip
            refused = await call(client, tool, arguments, ok=False)
            assert field in text_of(refused), (tool, text_of(refused))
    assert [request for request in sandbox.requests() if request.endpoint] == []


async def test_documented_statuses_come_back_with_advice(sandbox: RunningSandbox) -> None:
    directory = {"id": "sales-en", "name": "Sales", "status": "active", "visibility": "merchant_public"}
    async with connected(sandbox) as client:
        await call(client, "create_catalogue_directory", directory)
        taken = await call(client, "create_catalogue_directory", directory, ok=False)
        assert "update_catalogue_directory" in text_of(taken)
        assert len(sandbox.requests("catalogue-tag-create")) == 2  # a create is never retried: one each
        missing = await call(client, "get_catalogue_directory", {"id": "nowhere"}, ok=False)
        assert "list_catalogue_directories" in text_of(missing)
        public = await call(
            client, "create_catalogue_directory", directory | {"id": "x", "visibility": "public"}, ok=False
        )
        assert "permissions" in text_of(public)
        sandbox.inject("persona-create", "status", status=500, body={"error": "permission denied"})
        denied = await call(client, "create_persona", PERSONA, ok=False)
        assert "missing permissions as 500" in text_of(denied)
        assert len(sandbox.requests("persona-create")) == 1


async def test_coaching_is_off_by_default_and_listed_by_toolsets_all(sandbox: RunningSandbox) -> None:
    env = server_env(sandbox.base_url)
    async with stdio_server(env) as server:
        assert not {tool.name for tool in (await server.client.list_tools()).tools} & set(COACHING)
    async with stdio_server(env, ["--toolsets", "all"]) as server:
        listed = [tool.name for tool in (await server.client.list_tools()).tools]
        assert listed == [spec.name for spec in TOOLS] and listed[-5:] == list(COACHING)
        result = await server.call("list_catalogue_directories", {"limit": 5})
        assert not result.is_error and "start" in text_of(result)
