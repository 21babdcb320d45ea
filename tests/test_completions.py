"""Argument completions (`completion/complete`) through real MCP clients against the sandbox: every
completable prompt argument and template parameter, the ranking, the 100-value bound, the per-caller
cache (two hosted callers never see each other's lists), narrowing, and upstream failures answered
with an empty list."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, Completion, PromptReference, ResourceTemplateReference

from jobmojito_mcp.completions import (
    COMPLETED_ARGUMENTS,
    MAX_VALUES,
    ROWS,
    SOURCES,
    Choice,
    Listing,
    ListingCache,
    completion_of,
    ranked,
)
from jobmojito_mcp.config import Settings
from jobmojito_mcp.guides import TEMPLATES_URI
from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.server import build_server
from jobmojito_mcp.signin.credentials import StaticToken
from jobmojito_mcp.tooling.upstream import Upstream
from jobmojito_mcp.toolsets import TOOLS_BY_NAME
from jobmojito_mcp.toolsets.languages import LANGUAGE_NAMES
from tests.support import COOKBOOK, TOKEN, http_mcp_client, http_server, server_env, stdio_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

TEMPLATES = ResourceTemplateReference(uri=TEMPLATES_URI)


def prompt(name: str) -> PromptReference:
    return PromptReference(name=name)


async def complete(
    client: Client, ref: Any, name: str, value: str, context: dict[str, str] | None = None
) -> Completion:
    return (await client.complete(ref, {"name": name, "value": value}, context)).completion


async def create_interview(client: Client, name: str) -> str:
    arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "name": name,
    }
    created = await client.call_tool("create_interview", arguments)
    assert isinstance(created.structured_content, dict), created
    interview_id: str = created.structured_content["interview_def_set_id"]
    return interview_id


@asynccontextmanager
async def in_process(sandbox: RunningSandbox, extra_prompt: Any = None) -> AsyncIterator[Client]:
    """The server in this process on the real sandbox, with an SDK client in memory; `extra_prompt` is
    registered as a prompt added later would be (its argument names pick its completions)."""
    upstream = Upstream(Settings(base_url=sandbox.base_url, token=TOKEN))
    credential = StaticToken(TOKEN)
    server = build_server(upstream, lambda _ctx: credential)
    if extra_prompt is not None:
        server.prompt()(extra_prompt)
    async with upstream, Client(server) as client:
        yield client


# -- languages: known without asking --------------------------------------------------------------


async def test_language_arguments_complete_from_the_account_languages(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        client = server.client
        assert client.server_capabilities.completions is not None
        sandbox.clear_requests()
        for name in ("interview_from_job_description", "interview_from_my_questions"):
            everything = await complete(client, prompt(name), "language", "")
            assert everything.values == list(LANGUAGE_NAMES)
            assert (everything.total, everything.has_more) == (34, False)
            assert (await complete(client, prompt(name), "language", "f")).values[:2] == ["fil", "fi"]
            # A language's name finds its code, in any case: prefix of a name before substrings.
            by_name = await complete(client, prompt(name), "language", "GER")
            assert by_name.values == ["de"] and by_name.total == 1
            assert (await complete(client, prompt(name), "language", "portug")).values == ["pt", "br"]
            nothing = await complete(client, prompt(name), "language", "klingon")
            assert (nothing.values, nothing.total, nothing.has_more) == ([], 0, False)
        # The templates resource takes `any` as well as a code.
        templates = await complete(client, TEMPLATES, "language", "a")
        assert templates.values[:2] == ["any", "ar"] and templates.total == len(templates.values)
        assert (await complete(client, prompt("invite_candidates"), "email_them", "")).values == ["yes", "no"]
        assert (await complete(client, prompt("invite_candidates"), "email_them", "N")).values == ["no"]
        # Arguments with no knowable values, and arguments a prompt does not have: an empty list.
        assert (await complete(client, prompt("review_results"), "shortlist", "3")).values == []
        assert (await complete(client, prompt("review_results"), "language", "e")).values == []
        # list_languages is in the table: the account's languages, fetched once and cached per caller.
        assert {request.endpoint for request in sandbox.requests()} == {"platform-languages-list"}
        assert len(sandbox.requests()) == 1


async def test_unknown_prompts_and_templates_are_refused_as_invalid_params(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        for ref in (prompt("no_such_prompt"), ResourceTemplateReference(uri="jobmojito://nothing/{x}")):
            with pytest.raises(MCPError) as refused:
                await complete(server.client, ref, "x", "")
            assert refused.value.error.code == INVALID_PARAMS
        # prompts/get answers the same way (the SDK alone answered an internal error and logged a traceback).
        with pytest.raises(MCPError) as unknown:
            await server.client.get_prompt("no_such_prompt", {})
        assert unknown.value.error.code == INVALID_PARAMS and "Unknown prompt" in unknown.value.error.message
        with pytest.raises(MCPError) as missing:
            await server.client.get_prompt("review_results", {})
        assert missing.value.error.code == INVALID_PARAMS and "interview" in missing.value.error.message
        assert "Traceback" not in server.stderr()


# -- interviews: the caller's own, by name or id --------------------------------------------------


async def test_interview_arguments_complete_names_then_ids(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    async with stdio_server(server_env(sandbox.base_url)) as server:
        client = server.client
        qa = await create_interview(client, "QA Engineer")
        analyst = await create_interview(client, "Data Analyst (QA tooling)")
        sandbox.clear_requests()
        for ref, argument in (
            (prompt("review_results"), "interview"),
            (prompt("invite_candidates"), "interview"),
            (prompt("screen_candidate"), "position"),
        ):
            found = await complete(client, ref, argument, "qa")
            # The name starting with it first, then the name containing it; no id contains "qa".
            assert found.values == ["QA Engineer", "Data Analyst (QA tooling)"]
            assert (found.total, found.has_more) == (2, False)
            assert (await complete(client, ref, argument, qa[:6].upper())).values[0] == qa
            everything = await complete(client, ref, argument, "")
            assert set(everything.values) == {"QA Engineer", "Data Analyst (QA tooling)", qa, analyst}
        # One upstream call for all of it (the cache), as the server's own credential, once per page.
        (listed,) = sandbox.requests()
        assert (listed.method, listed.endpoint) == ("GET", "merchant-interview-list")
        assert listed.query == {"limit": str(ROWS)}
        assert listed.headers["authorization"] == f"Bearer {TOKEN}"


async def test_at_most_a_hundred_values_with_a_truthful_total(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    arguments = copy.deepcopy(COOKBOOK["create_interview_from_questions"]) | {
        "interview_template_id": DEFAULT_TEMPLATE_ID
    }
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for index in range(130):
            body = arguments | {"name": f"Bulk role {index:03}"}
            answer = await http.post(f"{sandbox.base_url}/job-interview-create-from-array", json=body)
            assert answer.status_code == 200, answer.text
    async with stdio_server(server_env(sandbox.base_url)) as server:
        many = await complete(server.client, prompt("review_results"), "interview", "bulk ROLE")
        assert len(many.values) == MAX_VALUES and len(set(many.values)) == MAX_VALUES
        assert (many.total, many.has_more) == (130, True)
        few = await complete(server.client, prompt("review_results"), "interview", "bulk role 12")
        assert sorted(few.values) == [f"Bulk role {i}" for i in range(120, 130)]
        assert (few.total, few.has_more) == (10, False)


async def test_an_upstream_failure_completes_nothing_and_is_not_kept(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    async with stdio_server(server_env(sandbox.base_url)) as server:
        await create_interview(server.client, "Support Lead")
        sandbox.inject("merchant-interview-list", "status", status=500, times=1)
        failed = await complete(server.client, prompt("review_results"), "interview", "sup")
        assert (failed.values, failed.total, failed.has_more) == ([], 0, False)
        sandbox.inject("merchant-interview-list", "non_json", times=1)
        assert (await complete(server.client, prompt("review_results"), "interview", "sup")).values == []
        # Failures are not cached: the next keystroke asks again, and gets the list.
        assert (await complete(server.client, prompt("review_results"), "interview", "sup")).values == [
            "Support Lead"
        ]
        # Languages do not depend on JobMojito at all.
        sandbox.inject("*", "status", status=503, times=None)
        assert (await complete(server.client, prompt("interview_from_my_questions"), "language", "en")).values
        sandbox.clear_faults()


# -- templates and results: by argument name, for prompts added later ----------------------------


async def test_template_and_result_arguments_complete_by_name(sandbox: RunningSandbox) -> None:
    sandbox.reset()

    def review_one_answer(interview_id: str, interview_result_id: str, interview_template_id: str) -> str:
        """A prompt as another toolset might add: its arguments' names choose their completions."""
        return f"{interview_id} {interview_result_id} {interview_template_id}"

    async with in_process(sandbox, review_one_answer) as client:
        ref = prompt("review_one_answer")
        templates = await complete(client, ref, "interview_template_id", "")
        assert DEFAULT_TEMPLATE_ID in templates.values and templates.total == len(templates.values)
        # An id found by its name (the label), ids only: this argument takes an id.
        avatars = await client.call_tool("list_avatars", {"limit": 100})
        first = avatars.structured_content["data"][0]  # type: ignore[index]
        assert first["id"] in (await complete(client, ref, "interview_template_id", first["name"][:5])).values

        interview_id = await create_interview(client, "Night Nurse")
        other_id = await create_interview(client, "Day Nurse")
        assert (await complete(client, ref, "interview_id", "night")).values == [interview_id]
        links = {}
        for target in (interview_id, other_id):
            registered = await client.call_tool(
                "register_users_for_interview",
                {"interview_id": target, "users": [{"name": f"Ann {target[:4]}", "email": f"{target[:8]}@example.com"}], "send_email": False},
            )  # fmt: skip
            links[target] = registered.structured_content["users"][0]["interview_url"]  # type: ignore[index]
        taken = {
            target: sandbox.take_interview(link)["interview_result_id"] for target, link in links.items()
        }
        sandbox.clear_requests()
        # With the interview already chosen, only its results; found by the candidate's name too.
        mine = await complete(client, ref, "interview_result_id", "", {"interview_id": interview_id})
        assert mine.values == [taken[interview_id]]
        assert (await complete(client, ref, "interview_result_id", "ann")).total == 2
        queries = [r.query for r in sandbox.requests("merchant-result-list")]
        assert queries == [{"limit": str(ROWS), "interview_id": interview_id}, {"limit": str(ROWS)}]


def test_every_value_source_reads_through_a_tool_of_the_table() -> None:
    assert {c.source for c in COMPLETED_ARGUMENTS.values()} <= SOURCES.keys()
    for source in SOURCES.values():
        # `list_languages` may join the table later; until then the documented codes answer.
        assert source.tool in TOOLS_BY_NAME or source.known is not None, source.tool  # fixed values
        if source.tool in TOOLS_BY_NAME:
            assert TOOLS_BY_NAME[source.tool].annotations.read_only_hint, source.tool  # type: ignore[union-attr]


# -- callers kept apart; narrowing --------------------------------------------------------------


async def test_two_hosted_callers_never_see_each_others_lists(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    env = server_env(sandbox.base_url, token=None, LOG_LEVEL="INFO")
    env |= {"JOBMOJITO_JWKS_URL": sandbox.jwks_url, "JOBMOJITO_JWT_ISSUER": sandbox.jwt_issuer}
    alice, bob = sandbox.issue_token("merchant-user-alice"), sandbox.issue_token("merchant-user-bob")
    async with http_server(env, ["--transport", "http", "--auth", "jobmojito-jwt"]) as server:
        as_alice = http_mcp_client(server.url, "streamable-http", {"Authorization": f"Bearer {alice}"})
        as_bob = http_mcp_client(server.url, "sse", {"Authorization": f"Bearer {bob}"})
        async with as_alice as a, as_bob as b:
            await create_interview(a, "Alice's Role")
            sandbox.clear_requests()
            assert (await complete(a, prompt("review_results"), "interview", "")).values[0] == "Alice's Role"
            await create_interview(b, "Bob's Role")
            # Bob's list is fetched with Bob's token, never answered from Alice's cache ...
            assert "Bob's Role" in (await complete(b, prompt("review_results"), "interview", "")).values
            # ... and Alice's cached list is hers (still without Bob's interview, within the cache's time).
            assert "Bob's Role" not in (await complete(a, prompt("review_results"), "interview", "")).values
            lists = sandbox.requests("merchant-interview-list")
            assert [r.headers["authorization"] for r in lists] == [f"Bearer {alice}", f"Bearer {bob}"]
        for token in (alice, bob, TOKEN):
            assert token not in server.stderr()


async def test_narrowing_headers_narrow_completions_too(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    async with http_server(server_env(sandbox.base_url), ["--transport", "http"]) as server:
        # Only what inviting needs: review_results is hidden, invite_candidates shown, list_interviews hidden.
        only = {"X-MCP-Tools": "get_merchant_status,register_users_for_interview"}
        async with http_mcp_client(server.url, "streamable-http", only) as client:
            with pytest.raises(MCPError) as hidden:
                await complete(client, prompt("review_results"), "interview", "")
            assert hidden.value.error.code == INVALID_PARAMS and "not available" in hidden.value.error.message
            sandbox.clear_requests()
            shown = await complete(client, prompt("invite_candidates"), "interview", "")
            assert shown.values == [] and sandbox.requests() == [], "no call through a hidden tool"


# -- the parts on their own ---------------------------------------------------------------------


def test_ranking_puts_prefixes_first_in_any_case() -> None:
    choices = [
        Choice("Senior QA"),
        Choice("qa lead"),
        Choice("x1", "QA bot"),
        Choice("QA Engineer"),
        Choice("zz"),
    ]
    assert ranked(choices, "Qa") == ["qa lead", "QA Engineer", "x1", "Senior QA"]
    assert ranked(choices, "") == ["Senior QA", "qa lead", "x1", "QA Engineer", "zz"]
    assert ranked([Choice("a"), Choice("a")], "a") == ["a"]


def test_a_completion_holds_at_most_a_hundred_and_says_what_it_left_out() -> None:
    values = [f"v{i}" for i in range(150)]
    full = completion_of(values, complete=True)
    assert (len(full.values), full.total, full.has_more) == (100, 150, True)
    partial = completion_of(values[:5], complete=False)  # JobMojito holds more rows than were read
    assert (partial.total, partial.has_more) == (None, True)


async def test_the_cache_expires_is_bounded_and_fetches_once_per_key() -> None:
    now = [0.0]
    cache = ListingCache(seconds=30, entries=2, clock=lambda: now[0])
    loads: list[str] = []

    def loader(name: str) -> Any:
        async def load() -> Listing:
            loads.append(name)
            await anyio.sleep(0.01)
            return Listing((Choice(name),))

        return load

    async with anyio.create_task_group() as group:  # a burst of keystrokes: one fetch
        for _ in range(5):
            group.start_soon(cache.get, ("alice", "interviews"), loader("a"))
    assert loads == ["a"]
    await cache.get(("bob", "interviews"), loader("b"))
    assert loads == ["a", "b"]
    now[0] = 31.0  # expired
    await cache.get(("alice", "interviews"), loader("a"))
    await cache.get(("carol", "interviews"), loader("c"))  # three keys, room for two: bob goes
    await cache.get(("alice", "interviews"), loader("a"))
    await cache.get(("bob", "interviews"), loader("b"))
    assert loads == ["a", "b", "a", "c", "b"]

    async def failing() -> Listing:
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError):
        await cache.get(("dave", "interviews"), failing)
    await cache.get(("dave", "interviews"), loader("d"))  # the failure was not kept
    assert loads[-1] == "d"
