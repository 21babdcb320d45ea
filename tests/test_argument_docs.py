"""Every argument an agent reads is described, and every argument it does not read is documented.

The published input schemas leave some accepted arguments out (`ToolSpec.unpublished`, to keep
tools/list small); docs/arguments.md lists them with what they do and why. These tests fail when
a published argument (nested ones too) has no description, or when that table and the schemas
disagree in either direction.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from jobmojito_mcp.config import Settings
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.schemas import accepted_schema
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets import TOOLS, TOOLS_BY_NAME, cards_by_name
from tests.support import COOKBOOK, TOKEN, text_of

DOC = Path(__file__).resolve().parent.parent / "docs" / "arguments.md"
_ROW = re.compile(r"^\| (`[^|]+`) \| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$")


def documented() -> set[tuple[str, str]]:
    """(tool, argument path) for every row of the table in docs/arguments.md."""
    rows = set()
    for line in DOC.read_text("utf-8").splitlines():
        if found := _ROW.match(line):
            tools, argument, does, why = found.groups()
            assert does.strip() and why.strip(), f"{argument}: say what it does and why it is left out"
            rows |= {(tool, argument) for tool in re.findall(r"`([^`]+)`", tools)}
    return rows


def field_paths(node: dict[str, Any], root: dict[str, Any], prefix: str = "") -> set[str]:
    """Every field path a schema describes: `name`, `questions[].label`, `a.b`."""
    if "$ref" in node:
        return field_paths(root["$defs"][node["$ref"].rsplit("/", 1)[-1]], root, prefix)
    paths: set[str] = set()
    for branch in node.get("anyOf", []):
        paths |= field_paths(branch, root, prefix)
    if "items" in node:
        paths |= field_paths(node["items"], root, prefix + "[]")
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        paths |= {path} | field_paths(child, root, path)
    return paths


def described(node: dict[str, Any], prefix: str = "") -> list[str]:
    """The published field paths without a description."""
    missing = []
    if "items" in node:
        missing += described(node["items"], prefix + "[]")
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        if not str(child.get("description", "")).strip():
            missing.append(path)
        missing += described(child, path)
    return missing


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_every_published_argument_is_described(spec: Any) -> None:
    published = cards_by_name()[spec.name].input_schema
    assert described(published) == [], f"{spec.name}: arguments an agent cannot read about"


def test_the_table_lists_exactly_the_unpublished_arguments() -> None:
    declared = {(spec.name, path) for spec in TOOLS for path in spec.unpublished}
    rows = documented()
    assert declared - rows == set(), "left out of tools/list but not documented in docs/arguments.md"
    assert rows - declared == set(), "documented as left out, yet published (or no such argument)"


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_published_and_unpublished_make_up_every_accepted_argument(spec: Any) -> None:
    accepted_schema_ = accepted_schema(spec.arguments)
    accepted = field_paths(accepted_schema_, accepted_schema_)
    published_schema_ = cards_by_name()[spec.name].input_schema
    published = field_paths(published_schema_, published_schema_)
    assert spec.unpublished <= accepted, f"unpublished names no argument: {spec.unpublished - accepted}"
    assert published.isdisjoint(spec.unpublished)
    # A field left out takes what is nested in it along: only the paths not inside one are compared.
    hidden = {
        path
        for path in accepted
        if any(path == gone or path.startswith((f"{gone}.", f"{gone}[")) for gone in spec.unpublished)
    }
    assert published == accepted - hidden


@pytest.mark.anyio
async def test_an_unpublished_argument_is_still_accepted_checked_and_sent(sandbox: RunningSandbox) -> None:
    tool = "create_interview_from_questions"
    assert {"welcome_message", "questions[].label"} <= TOOLS_BY_NAME[tool].unpublished
    arguments = copy.deepcopy(COOKBOOK[tool]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
    arguments["welcome_message"] = "Welcome to the support team interview."
    arguments["questions"][0]["label"] = "de-escalation"
    upstream = Upstream(Settings(base_url=sandbox.base_url, token=TOKEN))
    credential = StaticToken(TOKEN)
    async with upstream, Client(build_server(upstream, lambda _ctx: credential)) as client:
        sandbox.clear_requests()
        refused = await client.call_tool(tool, arguments | {"welcome_message": ["not", "text"]})
        assert refused.is_error and "`welcome_message`" in text_of(refused)
        assert sandbox.requests() == [], "a bad unpublished argument is refused before anything is sent"
        created = await client.call_tool(tool, arguments)
    assert not created.is_error, text_of(created)
    (sent,) = sandbox.requests()
    body = sent.json()
    assert body["welcome_message"] == arguments["welcome_message"]
    assert body["questions"][0]["label"] == "de-escalation"
