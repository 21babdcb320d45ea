"""The MCP Apps views in a real headless browser (Debian's Chromium, driven by Playwright), inside
a real host page (the ext-apps AppBridge, tests/apps/host.html), fed by the server over MCP (stdio)
on the sandbox: each view renders what it was sent, its buttons make the tool calls they should
(seen at the sandbox), nothing logs an error, the declared CSP blocks a remote request, and a
candidate named like an HTML tag is shown as text. The screenshots in docs/apps/ are taken here."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client import advertise
from mcp.client.stdio import stdio_client
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from jobmojito_mcp.views import VIEW_OF_TOOL
from tests.apps.apps_host import CHROMIUM, Site, Witness, serving
from tests.support import SERVER, server_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

APPS = advertise("io.modelcontextprotocol/ui", {"mimeTypes": ["text/html;profile=mcp-app"]})
SHOTS = Path(__file__).parent.parent.parent / "docs" / "apps"
HOSTILE = "<img src=x onerror=\"parent.postMessage('pwned','*')\">"
CANDIDATES = [  # name, e-mail, score
    ("Ada Lovelace", "ada@example.com", 91),
    ("Alan Turing", "alan@example.com", 78),
    ("Grace Hopper", "grace@example.com", 64),
    (HOSTILE, "mallory@example.com", 42),
]
QUESTIONS = [
    "Tell us about a service you designed end to end.",
    "How do you find the cause of a slow PostgreSQL query?",
    "Describe an incident you handled on call.",
    "How do you keep async Python code correct under load?",
]


@dataclass
class World:
    client: Client
    sandbox: RunningSandbox
    site: Site
    witness: Witness
    browser: Any
    interview_id: str
    draft_id: str
    results: dict[str, str]  # e-mail -> interview_result_id
    tools: dict[str, Any] = field(default_factory=dict)  # name -> tool as listed (with _meta.ui)


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult) and not result.is_error, result
    return result


@pytest.fixture(scope="module")
async def world(sandbox: RunningSandbox) -> AsyncIterator[World]:
    """One server, one client, one browser for the module; the sandbox seeded with an interview
    four candidates took (one named like an HTML tag), one shortlisted, one rejected, and a draft."""
    from playwright.async_api import async_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing (/usr/bin/chromium): .ci/run installs Debian's chromium package")
    sandbox.reset()
    async with AsyncExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        site, witness = stack.enter_context(serving(scratch))
        base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
        params = StdioServerParameters(
            command=sys.executable,
            args=list(SERVER),
            env=base | server_env(sandbox.base_url),
            cwd=str(scratch),
        )
        errlog = stack.enter_context((scratch / "stderr.log").open("w"))
        client = await stack.enter_async_context(
            Client(stdio_client(params, errlog=errlog), extensions=[APPS])
        )
        playwright = await stack.enter_async_context(async_playwright())
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        stack.push_async_callback(browser.close)

        created = await call(
            client,
            "create_interview_from_questions",
            {
                "name": "Backend Engineer",
                "description": "Python services, PostgreSQL, on-call.",
                "location": "Remote (EU)",
                "interview_template_id": DEFAULT_TEMPLATE_ID,
                "mojito_language_code": "en",
                "status": "active",
                "type": "interview",
                "visibility": "merchant_invite",
                "questions": [{"question": q, "duration": 120} for q in QUESTIONS],
                "recording": "audio_all",
                "recording_full_session": "audio_all",
            },
        )
        interview_id = created.structured_content["interview_def_set_id"]  # type: ignore[index]
        draft = await call(
            client,
            "create_interview_from_questions",
            {
                "name": "Data Engineer (draft)",
                "description": "Pipelines, dbt, Airflow.",
                "location": "Berlin",
                "interview_template_id": DEFAULT_TEMPLATE_ID,
                "mojito_language_code": "en",
                "status": "draft",
                "type": "interview",
                "visibility": "merchant_invite",
                "questions": [{"question": q, "duration": 90} for q in QUESTIONS[:3]],
            },
        )
        users = [{"name": name, "email": email} for name, email, _ in CANDIDATES]
        invited = await call(
            client,
            "register_users_for_interview",
            {"interview_id": interview_id, "users": users, "send_email": False},
        )
        links = {u["email"]: u["interview_url"] for u in invited.structured_content["users"]}  # type: ignore[index]
        results = {
            email: sandbox.take_interview(links[email], score=score)["interview_result_id"]
            for _, email, score in CANDIDATES
        }
        sandbox.decide(results["ada@example.com"], recruiter_shortlist=True)
        sandbox.decide(results["grace@example.com"], decision_status="rejected")
        listed = await client.list_tools()
        tools = {
            tool.name: tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in listed.tools
        }
        yield World(
            client, sandbox, site, witness, browser, interview_id,
            draft.structured_content["interview_def_set_id"], results, tools,  # type: ignore[index]
        )  # fmt: skip


@dataclass
class Opened:
    page: Any
    frame: Any
    errors: list[str]
    calls: list[dict[str, Any]]
    result: CallToolResult


async def open_view(world: World, tool: str, arguments: dict[str, Any], *, theme: str = "light") -> Opened:
    """What a host does: call the tool, read the ui:// resource its _meta.ui names, render it in a
    sandboxed iframe under the resource's CSP, and hand it the tool's input and result."""
    uri = world.tools[tool]["_meta"]["ui"]["resourceUri"]
    result = await world.client.call_tool(tool, arguments)
    read = await world.client.read_resource(uri)
    (contents,) = read.contents
    assert contents.mime_type == "text/html;profile=mcp-app"
    csp = (contents.meta or {}).get("ui", {}).get("csp")
    view_url = world.site.put_view(uri.rsplit("/", 1)[-1], contents.text, csp)  # type: ignore[union-attr]
    page = await world.browser.new_page(viewport={"width": 1000, "height": 900}, color_scheme=theme)
    page.set_default_timeout(15_000)
    errors: list[str] = []
    calls: list[dict[str, Any]] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    async def host_call_tool(params: dict[str, Any]) -> dict[str, Any]:
        calls.append(params)
        answered = await world.client.call_tool(params["name"], params.get("arguments") or {})
        return answered.model_dump(by_alias=True, mode="json", exclude_none=True)

    await page.expose_function("hostCallTool", host_call_tool)
    await page.goto(world.site.url + "/")
    await page.wait_for_function("window.hostReady === true")
    await page.evaluate(
        "(v) => window.openView(v)",
        {
            "viewUrl": view_url,
            "toolInput": arguments,
            "toolResult": result.model_dump(by_alias=True, mode="json", exclude_none=True),
            "theme": theme,
        },
    )
    frame = page.frame_locator("iframe")
    return Opened(page, frame, errors, calls, result)


async def shot(opened: Opened, name: str) -> None:
    """The view as the host shows it, whole. The viewport grows to the frame's height first: Chromium
    leaves a frame's content outside the viewport unpainted, which made blank screenshots.

    Taken on every run (a blank capture fails); written to docs/apps/ only when missing or with
    UPDATE_SNAPSHOTS=1, as the other snapshots: ids and dates differ per run, so writing each time
    left a checkout's working tree dirty after every test run."""
    frame = opened.page.locator("iframe")
    box = await frame.bounding_box()
    assert box is not None
    await opened.page.set_viewport_size({"width": 1000, "height": int(box["height"]) + 1})
    png = await frame.screenshot(animations="disabled")
    # A blank capture of this size compresses to a few KB; any of these views is tens of KB.
    assert len(png) > 20_000, f"{name}.png looks blank ({len(png)} bytes)"
    path = SHOTS / f"{name}.png"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)


async def test_the_board_ranks_the_candidates_and_opens_one(world: World) -> None:
    opened = await open_view(
        world, "list_interview_results", {"interview_id": world.interview_id, "order_by": "score"}
    )
    frame = opened.frame
    # The board refreshes itself with the full rows (risks), then shows the four, best first.
    await frame.locator("table[data-full]").wait_for()
    rows = frame.locator("tbody tr")
    names = [n.strip() for n in await frame.locator("tbody tr td:nth-child(2) button").all_inner_texts()]
    assert names == ["Ada Lovelace", "Alan Turing", "Grace Hopper", HOSTILE]
    assert "shortlisted" in await rows.nth(0).inner_text()
    assert "rejected" in await rows.nth(2).inner_text()
    assert await frame.get_by_role("heading", name="Backend Engineer").is_visible()
    await shot(opened, "results-board")

    # Keyboard: Tab to the first candidate's button and press Enter: their result opens.
    world.sandbox.clear_requests()
    await frame.get_by_role("button", name="Ada Lovelace").focus()
    await opened.page.keyboard.press("Enter")
    await frame.get_by_role("heading", name="Reasons to hire").wait_for()
    (asked,) = world.sandbox.requests("job-interview-details")
    assert asked.query["interview_result_id"] == world.results["ada@example.com"]
    assert opened.calls[-1] == {
        "name": "get_interview_result_details",
        "arguments": {"interview_result_id": world.results["ada@example.com"]},
    }
    assert opened.errors == []
    await opened.page.close()


async def test_a_tab_lists_again_through_the_tool(world: World) -> None:
    opened = await open_view(world, "list_interview_results", {"interview_id": world.interview_id})
    await opened.frame.locator("table[data-full]").wait_for()
    world.sandbox.clear_requests()
    await opened.frame.get_by_role("button", name="Shortlist").click()
    await opened.frame.locator("tbody tr").nth(1).wait_for(state="detached")
    (listed,) = world.sandbox.requests("merchant-result-list")
    assert listed.query["tab"] == "shortlist" and listed.query["interview_id"] == world.interview_id
    assert await opened.frame.locator("tbody tr").count() == 1
    assert await opened.frame.get_by_role("button", name="Shortlist").get_attribute("aria-pressed") == "true"
    assert await opened.frame.get_by_role("button", name="All").get_attribute("aria-pressed") == "false"
    assert opened.errors == []
    await opened.page.close()


async def test_compare_two_to_four_side_by_side(world: World) -> None:
    opened = await open_view(
        world, "list_interview_results", {"interview_id": world.interview_id, "view": "full"}
    )
    frame = opened.frame
    await frame.locator("tbody tr").nth(3).wait_for()
    compare = frame.get_by_role("button", name="Compare selected")
    assert await compare.is_disabled()
    world.sandbox.clear_requests()
    for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper"):
        await frame.get_by_label(f"Compare {name}").check()
    await compare.click()
    await frame.get_by_role("heading", name="Comparing 3 candidates").wait_for()
    assert sorted(
        r.query["interview_result_id"] for r in world.sandbox.requests("job-interview-details")
    ) == sorted(world.results[e] for e in ("ada@example.com", "alan@example.com", "grace@example.com"))
    header = await frame.locator("thead th").all_inner_texts()
    assert header == ["Question", "Ada Lovelace", "Alan Turing", "Grace Hopper"]
    body = await frame.locator("tbody").inner_text()
    assert QUESTIONS[1] in body and "Reasons to hire" in body
    assert opened.errors == []
    await shot(opened, "compare")
    await opened.page.close()


async def test_the_candidate_view_and_its_actions(world: World) -> None:
    result_id = world.results["alan@example.com"]
    opened = await open_view(
        world, "get_interview_result_details", {"interview_result_id": result_id}, theme="dark"
    )
    frame = opened.frame
    await frame.get_by_role("heading", name="Score per question").wait_for()
    sent = await world.client.call_tool("get_interview_result_details", {"interview_result_id": result_id})
    details = sent.structured_content or {}
    page_text = await frame.locator("main").inner_text()
    for answer in details["transcript"]:
        assert answer["question_asked"] in page_text and answer["answer"][:40] in page_text
    for reason in details["hiring_reasons"]["reasons_to_hire"]:
        assert reason in page_text
    # No recording is loaded until asked.
    assert await frame.locator("audio").count() == 0
    await shot(opened, "candidate-dark")

    world.sandbox.clear_requests()
    await frame.get_by_role("button", name="Load recordings").click()
    await frame.get_by_role("status").filter(has_text="recording(s) ready").wait_for()
    (asked,) = world.sandbox.requests("job-interview-details")
    assert asked.query == {"interview_result_id": result_id, "get_signed_recordings": "true"}
    assert await frame.locator("audio").count() == len(details["transcript"]) + 1  # each answer, the session
    assert [await a.get_attribute("preload") for a in await frame.locator("audio").all()] == ["none"] * (
        len(details["transcript"]) + 1
    )

    world.sandbox.clear_requests()
    await frame.get_by_role("button", name="Generate PDF report").click()
    await frame.get_by_role("status").filter(has_text="PDF report").wait_for()
    (report,) = world.sandbox.requests("job-interview-pdf")
    assert report.json() == {"interview_result_id": result_id, "export_type": "pdf"}
    assert await opened.page.evaluate("window.openedLinks.length") == 1
    assert opened.errors == []
    await opened.page.close()


async def test_the_preview_shows_the_draft_and_publishes_it(world: World) -> None:
    opened = await open_view(world, "get_interview_definition", {"position_id": world.draft_id})
    frame = opened.frame
    await frame.get_by_text("90 s to answer").first.wait_for()
    text = await frame.locator("main").inner_text()
    assert "Data Engineer (draft)" in text and all(q in text for q in QUESTIONS[:3])
    await shot(opened, "interview-preview")
    world.sandbox.clear_requests()
    await frame.get_by_role("button", name="Publish").click()
    await frame.locator(".badge.good").filter(has_text="active").wait_for()
    (published,) = world.sandbox.requests("job-interview-set-state")
    assert published.json() == {"position_id": world.draft_id, "status": "active"}
    assert opened.errors == []
    await opened.page.close()


async def test_the_hostile_name_is_text(world: World) -> None:
    opened = await open_view(
        world, "list_interview_results", {"interview_id": world.interview_id, "view": "full"}
    )
    frame = opened.frame
    await frame.get_by_role("button", name=HOSTILE).wait_for()
    assert await frame.locator("img").count() == 0
    assert await opened.page.evaluate("window.pwned") is None
    await frame.get_by_role("button", name=HOSTILE).click()
    await frame.get_by_role("heading", name=HOSTILE).wait_for()
    assert await frame.locator("img").count() == 0
    assert await opened.page.evaluate("window.pwned") is None
    assert opened.errors == []
    await opened.page.close()


async def test_the_csp_blocks_a_remote_request(world: World) -> None:
    opened = await open_view(
        world, "get_interview_result_details", {"interview_result_id": world.results["ada@example.com"]}
    )
    await opened.frame.get_by_role("heading", name="Score per question").wait_for()
    view = opened.page.frames[1]
    outcome = await view.evaluate(
        """async (remote) => {
            const blocked = [];
            document.addEventListener("securitypolicyviolation", (e) => blocked.push(e.violatedDirective));
            let fetched = "sent";
            try { await fetch(remote + "/fetch"); } catch (e) { fetched = "refused"; }
            const img = new Image(); img.src = remote + "/image.png";
            await new Promise((done) => { img.onerror = done; img.onload = done; });
            return { fetched, blocked };
        }""",
        world.witness.url,
    )
    assert outcome["fetched"] == "refused"
    assert set(outcome["blocked"]) >= {"connect-src", "img-src"}
    assert world.witness.hits == []
    # The view's console reaches the test (the violations are reported there), and nothing else is.
    assert any("Content Security Policy" in e for e in opened.errors), opened.errors
    assert all("Content Security Policy" in e or "Failed to fetch" in e for e in opened.errors), opened.errors
    await opened.page.close()


async def test_without_apps_a_client_sees_no_view(world: World, sandbox: RunningSandbox) -> None:
    """The same server to a client that did not negotiate the extension: no _meta.ui, no ui://
    resources, no actions on results (the snapshots pin the rest byte for byte)."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    params = StdioServerParameters(
        command=sys.executable, args=list(SERVER), env=base | server_env(sandbox.base_url)
    )
    with tempfile.TemporaryFile("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as plain:
            listed = await plain.list_tools()
            assert all(not (tool.meta or {}).get("ui") for tool in listed.tools)
            resources = await plain.list_resources()
            assert not [r for r in resources.resources if str(r.uri).startswith("ui://")]
            result = await plain.call_tool("list_interview_results", {"interview_id": world.interview_id})
            assert "jobmojito/actions" not in (result.meta or {})
    bound = {
        name: tool["_meta"]["ui"]["resourceUri"] for name, tool in world.tools.items() if "_meta" in tool
    }
    assert bound == {name: view.uri for name, view in VIEW_OF_TOOL.items()}


async def test_a_creation_opens_the_preview_of_what_it_created(world: World) -> None:
    """create_interview_from_questions answers with an id only: the preview reads the definition."""
    arguments = {
        "name": "Site Reliability Engineer",
        "description": "Kubernetes, Terraform, incident response.",
        "location": "Lisbon",
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "mojito_language_code": "en",
        "status": "draft",
        "type": "interview",
        "visibility": "merchant_invite",
        "questions": [{"question": "Walk us through your last postmortem.", "duration": 150}],
    }
    world.sandbox.clear_requests()
    opened = await open_view(world, "create_interview_from_questions", arguments, theme="dark")
    frame = opened.frame
    await frame.get_by_text("150 s to answer").wait_for()
    assert len(world.sandbox.requests("job-interview-create-from-array")) == 1
    (read,) = world.sandbox.requests("job-interview-get")
    assert read.query == {"position_id": opened.result.structured_content["interview_def_set_id"]}  # type: ignore[index]
    await frame.get_by_text("(interactive_heygen)").wait_for()  # the avatar's name, from list_avatars
    (avatars,) = world.sandbox.requests("merchant-avatar-list")
    assert avatars.query["mojito_language_code"] == "en"
    text = await frame.locator("main").inner_text()
    assert "Site Reliability Engineer" in text and "Lisbon" in text and "draft" in text
    assert await frame.get_by_role("button", name="Publish").is_visible()
    assert opened.errors == []
    await shot(opened, "interview-preview-dark")
    await opened.page.close()


async def test_a_failed_action_shows_the_tools_message(world: World) -> None:
    """An upstream failure reaches the view as the tool's own error text, in an alert; nothing breaks."""
    result_id = world.results["grace@example.com"]
    opened = await open_view(world, "get_interview_result_details", {"interview_result_id": result_id})
    frame = opened.frame
    await frame.get_by_role("heading", name="Score per question").wait_for()
    world.sandbox.inject(
        "job-interview-pdf", "status", status=422, body={"error": "Interview result not ready."}
    )
    try:
        await frame.get_by_role("button", name="Generate PDF report").click()
        alert = frame.get_by_role("alert")
        await alert.wait_for()
        said = await alert.inner_text()
    finally:
        world.sandbox.clear_faults()
    assert (
        "422" in said and "list_interview_results(tab=completed)" in said
    )  # the tool's hint, as agents read it
    assert await frame.get_by_role("button", name="Generate PDF report").is_enabled()
    assert await opened.page.evaluate("window.openedLinks.length") == 0
    assert opened.errors == []
    await opened.page.close()
