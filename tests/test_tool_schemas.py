"""What agents see, pinned: every tool's name, description, schemas and annotations.

A change to a snapshot is a change to what every agent reads: review it, then rewrite the
snapshots with UPDATE_SNAPSHOTS=1. A missing snapshot fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

import jobmojito_mcp
from jobmojito_mcp import toolsets
from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import run_sandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.listing import LISTING_FILE, card_of, packaged_cards, render_listing
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets import TOOLS
from tests.support import READ_TOOL_NAMES, TOOL_NAMES

SNAPSHOTS = Path(__file__).parent / "snapshots"
pytestmark = pytest.mark.anyio

EXPECTED_NAMES = list(TOOL_NAMES)


@pytest.fixture
async def listed_tools() -> list[dict[str, Any]]:
    # Listing tools never calls upstream: an unreachable base URL proves it.
    upstream = Upstream(Settings(base_url="http://127.0.0.1:9"))
    credential = StaticToken("never-sent-0a9b")
    async with upstream, Client(build_server(upstream, lambda _ctx: credential, tools=TOOLS)) as client:
        result = await client.list_tools()
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in result.tools]


async def test_exactly_the_thirteen_documented_tools(listed_tools: list[dict[str, Any]]) -> None:
    assert [tool["name"] for tool in listed_tools] == EXPECTED_NAMES


def test_the_packaged_listing_is_the_specs() -> None:
    """The server lists and registers every tool from its packaged card, importing the toolset's
    module only when a tool of it is called (start-up speed): the cards must be the specs'."""
    rendered = render_listing(tuple(card_of(spec) for spec in TOOLS))
    packaged = Path(jobmojito_mcp.__file__).parent / "tooling" / LISTING_FILE
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        packaged.write_text(rendered, encoding="utf-8")
        for cached in (packaged_cards, toolsets.cards, toolsets.cards_by_name):
            cached.cache_clear()  # the snapshots below are then taken from the new file
    assert packaged.read_text(encoding="utf-8") == rendered, "tools changed: UPDATE_SNAPSHOTS=1, then review"


async def test_tool_snapshots(listed_tools: list[dict[str, Any]]) -> None:
    update = os.environ.get("UPDATE_SNAPSHOTS") == "1"
    for tool in listed_tools:
        path = SNAPSHOTS / f"{tool['name']}.json"
        rendered = json.dumps(tool, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if update:
            path.write_text(rendered, encoding="utf-8")
            continue
        assert path.exists(), f"missing snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
        assert path.read_text(encoding="utf-8") == rendered, (
            f"{tool['name']} changed what agents see; review, then UPDATE_SNAPSHOTS=1"
        )


async def test_every_tool_is_fully_described(listed_tools: list[dict[str, Any]]) -> None:
    for tool in listed_tools:
        name = tool["name"]
        assert tool.get("title") and len(tool["description"]) > 40, name
        hints = tool["annotations"]
        assert {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} <= set(hints), name
        assert hints["openWorldHint"] is True, name
        schema = tool["inputSchema"]
        assert schema["type"] == "object", name
        # Some clients reject a whole tool list over one top-level combinator.
        assert not {"anyOf", "oneOf", "allOf"} & set(schema), name
        assert "outputSchema" in tool and tool["outputSchema"]["type"] == "object", name
        for field, prop in schema["properties"].items():
            assert "title" not in prop, f"{name}.{field}: generated titles only cost tokens"


async def test_annotations_follow_what_each_tool_does(listed_tools: list[dict[str, Any]]) -> None:
    hints = {tool["name"]: tool["annotations"] for tool in listed_tools}
    for name in READ_TOOL_NAMES:
        assert hints[name]["readOnlyHint"] is True
        assert (
            hints[name]["idempotentHint"] is True
        )  # JobMojito's own server: every GET read-only + idempotent
    for name in ("create_interview", "create_interview_from_questions", "create_interview_for_candidate"):
        assert hints[name]["readOnlyHint"] is False
        assert hints[name]["idempotentHint"] is False
    # JobMojito's own server: every POST destructive; these are idempotent too.
    for name in ("set_interview_state", "update_interview"):
        assert hints[name]["destructiveHint"] is True
        assert hints[name]["idempotentHint"] is True
    # A report is generated (and a translation charged) anew on every call (issue 21, finding 12).
    assert hints["generate_interview_report"]["destructiveHint"] is True
    assert hints["generate_interview_report"]["idempotentHint"] is False
    # Registering mints new links (and may e-mail) each time: never safe to repeat.
    assert hints["register_users_for_interview"]["destructiveHint"] is True
    assert hints["register_users_for_interview"]["idempotentHint"] is False


def test_flat_arguments_not_nested_under_a_model_name() -> None:
    for spec in TOOLS:
        schema = spec.arguments.model_json_schema()
        assert spec.arguments.__name__ not in schema["properties"]


async def test_listing_tools_sends_nothing_upstream() -> None:
    with run_sandbox() as sandbox:
        upstream = Upstream(Settings(base_url=sandbox.base_url, token="any-token-123456"))
        credential = StaticToken("any-token-123456")
        async with upstream, Client(build_server(upstream, lambda _ctx: credential)) as client:
            await client.list_tools()
        assert sandbox.requests() == []
