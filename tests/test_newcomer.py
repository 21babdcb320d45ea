"""What a newcomer hit on a fresh clone (issue 13), each fixed and kept fixed by what it now does.

The commands run as a person runs them (`python -m jobmojito_mcp ...` in a subprocess); tool calls
go through a real stdio session to the sandbox, and the sandbox journal shows what was sent.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import COOKBOOK, DEFAULT_TOOL_NAMES, run_cli, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

CREATE_ARGS = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
UNKNOWN_ID = "5d0c9f3e-8a1b-4c2d-9e7f-0a1b2c3d4e5f"


def cli_env(cache: Path) -> dict[str, str]:
    """A clean environment whose user cache directory (where `call --sandbox` keeps state) is `cache`."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    return base | {"XDG_CACHE_HOME": str(cache)}


# 1. `call --sandbox` keeps the sandbox between runs, so a create's "Next:" hint can be followed.


def test_sandbox_calls_keep_state_between_runs_until_reset(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "cache")
    created = run_cli(
        "--sandbox", "call", "create_interview", "--json", "--args", json.dumps(CREATE_ARGS), env=env
    )
    assert created.returncode == 0, created.stdout + created.stderr
    interview_id = json.loads(created.stdout)["structuredContent"]["interview_def_set_id"]
    hint = re.search(r"Next: get_interview_definition\(position_id=([\w-]+)\)", created.stdout)
    assert hint and hint.group(1) == interview_id

    followed = run_cli(
        "--sandbox", "call", "get_interview_definition", f"position_id={interview_id}", env=env
    )
    assert followed.returncode == 0, followed.stdout
    assert CREATE_ARGS["name"] in followed.stdout
    assert (tmp_path / "cache" / "jobmojito-mcp" / "sandbox.db").is_file()

    reset = run_cli(
        "--sandbox",
        "call",
        "get_interview_definition",
        f"position_id={interview_id}",
        "--reset-sandbox",
        env=env,
    )
    assert reset.returncode == 1 and "HTTP 404" in reset.stdout


def test_the_whole_story_from_the_shell_with_auto_take(tmp_path: Path) -> None:
    """`--sandbox-auto-take`: registered candidates take the interview by themselves, so a newcomer
    can follow create -> invite -> results -> details from the shell, one `call` at a time."""
    env = cli_env(tmp_path / "cache")
    auto = ("--sandbox", "--sandbox-auto-take", "0")
    created = run_cli(*auto, "call", "create_interview", "--json", "--args", json.dumps(CREATE_ARGS), env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    interview_id = json.loads(created.stdout)["structuredContent"]["interview_def_set_id"]
    users = [{"name": "Ada", "email": "ada@example.com"}, {"name": "Alan", "email": "alan@example.com"}]
    invite = {"interview_id": interview_id, "users": users, "send_email": False}
    invited = run_cli(*auto, "call", "register_users_for_interview", "--args", json.dumps(invite), env=env)
    assert invited.returncode == 0 and "Registered 2 of 2" in invited.stdout, invited.stdout
    listed = run_cli(
        *auto,
        "call",
        "list_interview_results",
        f"interview_id={interview_id}",
        "order_by=score",
        "--json",
        env=env,
    )
    rows = json.loads(listed.stdout)["structuredContent"]["data"]
    assert [row["coach_status"] for row in rows] == ["completed", "completed"]
    details = run_cli(
        *auto,
        "call",
        "get_interview_result_details",
        f"interview_result_id={rows[0]['interview_result_id']}",
        env=env,
    )
    assert details.returncode == 0 and "Strongest answer" in details.stdout, details.stdout


# 2. A reader that stops early (`| head`) ends the output quietly; the exit status stays the command's.


@pytest.mark.parametrize(
    "command", [["tools"], ["--sandbox", "call", "list_avatars", "limit=2"]], ids=["tools", "call"]
)
def test_a_closed_pipe_is_not_a_crash(command: list[str], tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line: every write meets EPIPE
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(60) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


# 5. `call` with a wrong tool name lists the right ones; texts and numbers read as JobMojito sent them.


def test_call_of_an_unknown_tool_lists_the_tools(tmp_path: Path) -> None:
    done = run_cli("--sandbox", "call", "list_avatar", env=cli_env(tmp_path))
    assert done.returncode == 2
    assert "unknown tool 'list_avatar'" in done.stdout and "Did you mean list_avatars?" in done.stdout
    assert all(name in done.stdout for name in DEFAULT_TOOL_NAMES)
    hidden = run_cli("--sandbox", "--read-only", "call", "create_interview", env=cli_env(tmp_path))
    assert hidden.returncode == 2 and "not exposed" in hidden.stdout


async def test_counts_stay_integers_and_reasons_read_cleanly(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    candidate = COOKBOOK["create_interview_for_candidate"] | {"candidate_email": "newcomer@example.com"}
    async with stdio_server(server_env(sandbox.base_url)) as server:
        created = await server.call("create_interview", CREATE_ARGS)
        screened = await server.call("create_interview_for_candidate", candidate)
    assert not created.is_error, text_of(created)
    sent_back = sandbox.requests("job-interview-create")[-1]
    assert sent_back.body  # the request really went out; the count below is JobMojito's (the sandbox's)
    structured: dict[str, Any] = created.structured_content or {}
    count = structured["questions_generated"]
    assert type(count) is int and f"with {count} AI-written questions" in text_of(created)
    assert not screened.is_error, text_of(screened)
    assert screened.structured_content and screened.structured_content["status"] == "ai_reject"
    assert "position keywords (matched: " in text_of(screened) and ".." not in text_of(screened)
    assert "; missing: " in text_of(screened)  # the rejection names what the résumé lacked (issue 22)


# 6. A "not found" names the id that was not found.


async def test_an_unknown_id_is_named_in_the_error(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    async with stdio_server(server_env(sandbox.base_url)) as server:
        got = await server.call("get_interview_definition", {"position_id": UNKNOWN_ID})
        changed = await server.call("set_interview_state", {"position_id": UNKNOWN_ID, "status": "archived"})
    # Both answers are JobMojito's (the sandbox's): 404 for get, 500 for set-state, as the API does.
    assert [r.endpoint for r in sandbox.requests()] == ["job-interview-get", "job-interview-set-state"]
    assert got.is_error and f"no item with position_id {UNKNOWN_ID}" in text_of(got)
    assert changed.is_error and f"for position_id {UNKNOWN_ID}" in text_of(changed)


# 7. Unknown keys inside objects whose fields the API lists are refused like top-level typos.


@pytest.mark.parametrize(
    ("nested", "named", "suggested"),
    [
        ({"hiring_for_company": {"name": "Acme", "size": 3}}, "hiring_for_company.size", "company_size"),
        (
            {"pdf_export_auto_config": {"transcripts": True}},
            "pdf_export_auto_config.transcripts",
            "transcript",
        ),
    ],
)
async def test_unknown_nested_keys_are_refused_with_a_suggestion(
    sandbox: RunningSandbox, nested: dict[str, Any], named: str, suggested: str
) -> None:
    sandbox.clear_requests()
    async with stdio_server(server_env(sandbox.base_url)) as server:
        result = await server.call("create_interview", CREATE_ARGS | nested)
    assert result.is_error
    assert f"`{named}`: unknown argument; did you mean `{suggested}`?" in text_of(result)
    assert sandbox.requests() == []  # refused before anything was sent


async def test_objects_the_api_leaves_open_still_take_extra_keys(sandbox: RunningSandbox) -> None:
    sandbox.clear_requests()
    arguments = copy.deepcopy(COOKBOOK["create_interview_from_questions"]) | {
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "custom_scoring": {"weights": {"communication": 2}},
        "hiring_for_company": {"name": "Acme", "company_size": "100-200"},
    }
    arguments["questions"][0] |= {
        "my_tag": "kept",
        "candidate_expectations_json": {"strong": ["x"], "note": 1},
    }
    async with stdio_server(server_env(sandbox.base_url)) as server:
        result = await server.call("create_interview_from_questions", arguments)
    assert not result.is_error, text_of(result)
    assert sandbox.requests("job-interview-create-from-array")[-1].json() == arguments


# 8. Servers take --port 0 and say which port they got (tests/support.http_server relies on it too).


def test_the_sandbox_serves_on_the_port_it_reports(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp", "sandbox", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline()
        found = re.search(r"serving (http://127\.0\.0\.1:(\d+)/functions/v1)", line)
        assert found and int(found.group(2)) > 0, line
        answer = httpx2.get(f"{found.group(1)}/merchant-avatar-list", headers={"Authorization": "Bearer t"})
        assert answer.status_code == 200 and answer.json()["data"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(15)
        process.stderr.close()
