"""The command line as a person uses it (issue 22): asking before harm, documents, errors and help.

Every test runs `python -m jobmojito_mcp ...` as a person would: in a pseudo-terminal (pexpect)
where it matters whether someone can answer, else as a plain subprocess. Tool calls go to a
sandbox on loopback, whose journal shows what reached "JobMojito".
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import time
from pathlib import Path

import pexpect
import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import COOKBOOK, TOKEN, run_cli, server_env, stdio_server

pytestmark = [pytest.mark.timeout(90)]

SET_STATE = "job-interview-set-state"
REGISTER = "job-interview-register-users"


def person_env(tmp_path: Path, sandbox: RunningSandbox | None = None) -> dict[str, str]:
    """A clean environment (own cache and config), pointed at `sandbox` with a fixed token."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    env = base | {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "JOBMOJITO_LOG_LEVEL": "ERROR",
        "JOBMOJITO_TIMEOUT": "5",
        "JOBMOJITO_RETRY_BACKOFF": "0.01",
    }
    if sandbox is not None:
        env |= {"JOBMOJITO_BASE_URL": sandbox.base_url, "JOBMOJITO_TOKEN": TOKEN}
    return env


def in_terminal(args: list[str], env: dict[str, str], cwd: Path | None = None) -> pexpect.spawn:
    """`jobmojito-mcp ARGS` in a pseudo-terminal: stdin and stdout are a TTY, as at a shell prompt."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "jobmojito_mcp", *args],
        env=env,
        cwd=str(cwd) if cwd else None,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )


def finish(child: pexpect.spawn) -> tuple[str, int]:
    """Everything printed until the command ends, and its exit status."""
    child.expect(pexpect.EOF)
    output = child.before
    child.close()
    return output, child.exitstatus


def create_interview(sandbox: RunningSandbox, tmp_path: Path) -> str:
    arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
    done = run_cli(
        "call",
        "create_interview",
        "--json",
        "--args",
        json.dumps(arguments),
        env=person_env(tmp_path, sandbox),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    interview_id: str = json.loads(done.stdout)["structuredContent"]["interview_def_set_id"]
    return interview_id


def invite(interview_id: str, send_email: bool) -> list[str]:
    users = [{"name": "Ada", "email": "ada@example.com"}]
    return ["call", "register_users_for_interview", "--args",
            json.dumps({"interview_id": interview_id, "users": users, "send_email": send_email})]  # fmt: skip


# 1. `call` asks before harm: the same question an MCP client's user gets.


def test_outside_a_terminal_harm_is_refused_without_yes(sandbox: RunningSandbox, tmp_path: Path) -> None:
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    env = person_env(tmp_path, sandbox)
    deleted = run_cli("call", "set_interview_state", f"position_id={interview_id}", "status=deleted", env=env)
    assert deleted.returncode == 2
    assert f"Delete interview {interview_id}" in deleted.stdout and "--yes" in deleted.stdout
    assert "nothing was sent" in deleted.stdout
    emailed = run_cli(*invite(interview_id, send_email=True), env=env)
    assert emailed.returncode == 2
    assert "E-mail interview invitations" in emailed.stdout and "send_email=false" in emailed.stdout
    assert sandbox.requests() == []  # nothing reached JobMojito, not even a read
    assert sandbox.outbox() == []
    # Harmless calls of the same tools need no answer.
    published = run_cli(
        "call", "set_interview_state", f"position_id={interview_id}", "status=active", env=env
    )
    assert published.returncode == 0, published.stdout
    assert [r.json()["status"] for r in sandbox.requests(SET_STATE)] == ["active"]


def test_yes_answers_in_advance(sandbox: RunningSandbox, tmp_path: Path) -> None:
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    env = person_env(tmp_path, sandbox)
    deleted = run_cli(
        "call", "set_interview_state", f"position_id={interview_id}", "status=deleted", "--yes", env=env
    )
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert [r.json() for r in sandbox.requests(SET_STATE)] == [
        {"position_id": interview_id, "status": "deleted"}
    ]


def test_in_a_terminal_no_is_the_default_and_sends_nothing(sandbox: RunningSandbox, tmp_path: Path) -> None:
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    child = in_terminal(["call", "set_interview_state", f"position_id={interview_id}", "status=deleted"],
                        person_env(tmp_path, sandbox))  # fmt: skip
    child.expect(r"Delete interview [\w-]+ in JobMojito\? This cannot be undone\. \[y/N\] ")
    child.sendline("")  # Enter: the default, no
    output, status = finish(child)
    assert status == 1 and "declined" in output
    assert sandbox.requests() == []


def test_in_a_terminal_yes_goes_ahead(sandbox: RunningSandbox, tmp_path: Path) -> None:
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    child = in_terminal(["call", "set_interview_state", f"position_id={interview_id}", "status=deleted"],
                        person_env(tmp_path, sandbox))  # fmt: skip
    child.expect(r"\[y/N\] ")
    child.sendline("y")
    output, status = finish(child)
    assert status == 0, output
    assert [r.json() for r in sandbox.requests(SET_STATE)] == [
        {"position_id": interview_id, "status": "deleted"}
    ]


def test_in_a_terminal_no_to_e_mail_registers_without_it(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """The question offers an alternative (`if_declined`): "no" registers the candidate without e-mail."""
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    outbox = len(sandbox.outbox())
    child = in_terminal(invite(interview_id, send_email=True), person_env(tmp_path, sandbox))
    child.expect(r"E-mail interview invitations to 1 candidate\(s\) \(ada@example.com\).*\[y/N\] ")
    child.sendline("n")
    output, status = finish(child)
    assert status == 0, output
    assert [r.json()["send_email"] for r in sandbox.requests(REGISTER)] == [False]
    assert len(sandbox.outbox()) == outbox


def test_in_a_terminal_end_of_input_dismisses(sandbox: RunningSandbox, tmp_path: Path) -> None:
    interview_id = create_interview(sandbox, tmp_path)
    sandbox.clear_requests()
    child = in_terminal(invite(interview_id, send_email=True), person_env(tmp_path, sandbox))
    child.expect(r"\[y/N\] ")
    child.sendeof()
    output, status = finish(child)
    assert status == 1, output
    assert sandbox.requests() == []


# 2. A report from the command line: content read as a person reads it, the document saved.


def _finished_results(sandbox: RunningSandbox, tmp_path: Path, scores: list[float]) -> list[str]:
    interview_id = create_interview(sandbox, tmp_path)
    users = [{"name": f"Candidate {n}", "email": f"c{n}@example.com"} for n in range(len(scores))]
    done = run_cli(
        "call", "register_users_for_interview", "--json", "--args",
        json.dumps({"interview_id": interview_id, "users": users, "send_email": False}),
        env=person_env(tmp_path, sandbox),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    links = [user["interview_url"] for user in json.loads(done.stdout)["structuredContent"]["users"]]
    return [
        sandbox.take_interview(link, score=score)["interview_result_id"]
        for link, score in zip(links, scores, strict=True)
    ]


def test_a_pdf_report_is_saved_where_asked(sandbox: RunningSandbox, tmp_path: Path) -> None:
    result_ids = _finished_results(sandbox, tmp_path, [91, 64])
    out = tmp_path / "report.pdf"
    done = run_cli(
        "call", "generate_interview_report", "export_type=pdf", f"interview_result_ids={json.dumps(result_ids)}",
        "--out", str(out), env=person_env(tmp_path, sandbox),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"to {out}" in done.stdout
    for raw in (
        "type='resource_link'",
        "TextResourceContents(",
        "ResourceLink(",
        '"structuredContent"',
        "{\n",
    ):
        assert raw not in done.stdout  # text for people; JSON only with --json


def test_an_html_report_lands_in_the_working_directory(sandbox: RunningSandbox, tmp_path: Path) -> None:
    [result_id] = _finished_results(sandbox, tmp_path, [77])
    work = tmp_path / "work"
    work.mkdir()
    child = in_terminal(
        ["call", "generate_interview_report", "export_type=html", f"interview_result_id={result_id}"],
        person_env(tmp_path, sandbox), cwd=work,
    )  # fmt: skip
    output, status = finish(child)
    assert status == 0, output
    [saved] = list(work.iterdir())
    assert saved.suffix == ".html" and b"<html" in saved.read_bytes().lower()
    assert f"Saved {saved.name} to {saved}" in output.replace("\r\n", " ").replace("\n", " ")


def test_call_sandbox_reports_are_saved_before_the_sandbox_goes(tmp_path: Path) -> None:
    """`call --sandbox` runs the simulator inside the command: its link dies with it, so the file is
    fetched from the sandbox's own storage and saved."""
    env = person_env(tmp_path)
    auto = ("--sandbox", "--sandbox-auto-take", "0")
    arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
    created = run_cli(*auto, "call", "create_interview", "--json", "--args", json.dumps(arguments), env=env)
    interview_id = json.loads(created.stdout)["structuredContent"]["interview_def_set_id"]
    run_cli(*auto, "call", *invite(interview_id, send_email=False)[1:], env=env)
    listed = run_cli(
        *auto, "call", "list_interview_results", f"interview_id={interview_id}", "--json", env=env
    )
    [row] = json.loads(listed.stdout)["structuredContent"]["data"]
    out = tmp_path / "r.pdf"
    done = run_cli(*auto, "call", "generate_interview_report", "export_type=pdf",
                   f"interview_result_id={row['interview_result_id']}", "--out", str(out), env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes().startswith(b"%PDF-")


# 3. Simulating a candidate from the shell, in the sandbox `call --sandbox` keeps.


def test_sandbox_take_acts_on_the_state_call_sandbox_uses(tmp_path: Path) -> None:
    env = person_env(tmp_path)
    arguments = copy.deepcopy(COOKBOOK["create_interview"]) | {"interview_template_id": DEFAULT_TEMPLATE_ID}
    created = run_cli(
        "--sandbox", "call", "create_interview", "--json", "--args", json.dumps(arguments), env=env
    )
    interview_id = json.loads(created.stdout)["structuredContent"]["interview_def_set_id"]
    invited = run_cli("--sandbox", "call", *invite(interview_id, send_email=False)[1:], "--json", env=env)
    [user] = json.loads(invited.stdout)["structuredContent"]["users"]
    took = run_cli("sandbox", "take", user["interview_url"], "--score", "91", env=env)
    assert took.returncode == 0, took.stdout + took.stderr
    assert "score 91" in took.stdout and f"interview_id={interview_id}" in took.stdout
    listed = run_cli(
        "--sandbox", "call", "list_interview_results", f"interview_id={interview_id}", "--json", env=env
    )
    [row] = json.loads(listed.stdout)["structuredContent"]["data"]
    assert row["coach_status"] == "completed" and row["score"] == 91
    again = run_cli("sandbox", "take", user["interview_url"], env=env)
    assert again.returncode == 1 and "already used" in again.stderr and "Traceback" not in again.stderr


def test_auto_take_has_one_name(tmp_path: Path) -> None:
    for command in (["--help"], ["sandbox", "--help"]):
        shown = run_cli(*command, env=person_env(tmp_path)).stdout
        assert "--sandbox-auto-take" in shown and "--auto-take " not in shown.replace(
            "--sandbox-auto-take", ""
        )


# 4. No tracebacks for a person's mistakes: one or two lines saying what to do.

BAD_INPUT = [
    ["sandbox", "--port", "99999"],
    ["sandbox", "--port", "many"],
    ["sandbox", "--sandbox-db", "{tmp}/no-such-dir/x.db", "--port", "0"],
    ["--sandbox", "--sandbox-db", "{tmp}/no-such-dir/x.db", "call", "list_avatars"],
    ["--sandbox", "--sandbox-db", "{tmp}/no-such-dir/x.db", "check"],
    ["--sandbox", "--sandbox-db", "{tmp}/no-such-dir/x.db"],
    ["--sandbox", "--sandbox-db", "{tmp}/not-sqlite.db", "call", "list_avatars"],
    ["--port", "99999", "--transport", "http"],
    ["--transport", "http", "--auth", "api-key"],
    ["--timeout", "soon", "check"],
    ["--sandbox", "call", "list_avatars", "--limit", "3"],
    ["--sandbx", "call", "list_avatars"],
    ["--sandbox", "call", "list_avatars", "--args", "{limit: 3}"],
    ["--sandbox", "call", "list_avatars", "limit"],
    ["--sandbox", "call", "list_avatars", "limit=abc"],
    ["--sandbox", "call", "list_avatar"],
    [
        "--sandbox",
        "call",
        "generate_interview_report",
        "interview_result_id=nope",
        "--out",
        "{tmp}/no-such-dir/r.pdf",
    ],
    ["--tools", "list_avatar", "tools"],
    ["--toolsets", "nope", "tools"],
    ["tools", "list_avatar"],
    ["tools", "--jsn"],
    ["sandbox", "take", "no-such-link"],
    ["sandbox", "take", "x", "--score", "101"],
    ["--sandbox", "call", "set_interview_state", "position_id=x", "status=deleted"],
    ["nonsense"],
]


@pytest.mark.parametrize("command", BAD_INPUT, ids=[" ".join(c) for c in BAD_INPUT])
def test_bad_input_gets_a_line_not_a_traceback(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "not-sqlite.db").write_text("this is not a database\n" * 100)
    command = [part.replace("{tmp}", str(tmp_path)) for part in command]
    done = run_cli(*command, env=person_env(tmp_path))
    said = (done.stdout + done.stderr).strip()
    assert done.returncode != 0, said
    assert "Traceback" not in said and 'File "' not in said, said
    assert 0 < len(said.splitlines()) <= 3, said


# 6. A tool's arguments, and the listing as agents get it.


def test_tools_name_shows_each_argument(tmp_path: Path) -> None:
    done = run_cli("tools", "list_interview_results", env=person_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "order_by (string, optional): score: best first" in done.stdout
    assert "one of: score, created_at_newest" in done.stdout
    assert "limit (integer 1-1000, optional, default 50)" in done.stdout
    nested = run_cli("tools", "register_users_for_interview", env=person_env(tmp_path)).stdout
    assert "users[].email (string, required)" in nested and "Asks first" in nested


@pytest.mark.anyio
async def test_tools_json_is_the_listing_agents_get(sandbox: RunningSandbox, tmp_path: Path) -> None:
    done = run_cli("tools", "--json", env=person_env(tmp_path))
    assert done.returncode == 0, done.stderr
    async with stdio_server(server_env(sandbox.base_url)) as server:
        agents_get = await server.client.list_tools()
    assert json.loads(done.stdout) == [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in agents_get.tools
    ]
    one = json.loads(run_cli("tools", "create_interview", "--json", env=person_env(tmp_path)).stdout)
    assert one["name"] == "create_interview" and "inputSchema" in one and "outputSchema" in one


# 7. Bad flags: what was probably meant, not the usage wall.


@pytest.mark.parametrize(
    ("command", "suggestion"),
    [
        (["--sandbox", "call", "list_avatars", "--limit", "3"], "Did you mean limit=3?"),
        (["--sandbox", "call", "list_avatars", "--limit=3"], "Did you mean limit=3?"),
        (["--sandbx", "call", "list_avatars"], "Did you mean --sandbox?"),
        (["call", "list_avatars", "--jsn"], "Did you mean --json?"),
        (["--tools", "list_avatar", "tools"], "did you mean list_avatars?"),
        (["tools", "list_avatar"], "Did you mean list_avatars?"),
        (["--sandbox", "call", "list_avatars", "limt"], "did you mean limit=...?"),
    ],
)
def test_mistakes_get_a_suggestion(command: list[str], suggestion: str, tmp_path: Path) -> None:
    done = run_cli(*command, env=person_env(tmp_path))
    said = done.stdout + done.stderr
    assert done.returncode != 0 and suggestion in said, said
    assert "usage:" not in said


# 5. `check`'s fixes keep the options that chose what was checked.


def test_check_fixes_repeat_the_options_that_matter(tmp_path: Path) -> None:
    base = "http://127.0.0.1:9/functions/v1"
    done = run_cli("--base-url", base, "check", env=person_env(tmp_path))
    assert done.returncode == 1
    assert f"run `jobmojito-mcp login --base-url {base}`" in done.stdout
    assert f"`jobmojito-mcp check --base-url {base}` again" in done.stdout


# 8. Texts that said the wrong thing, or said it twice.


def test_empty_listings_name_the_filters_given_or_none(tmp_path: Path) -> None:
    env = person_env(tmp_path)
    bare = run_cli("--sandbox", "--reset-sandbox", "call", "list_interviews", env=env)
    assert bare.returncode == 0, bare.stdout
    assert "no interviews yet" in bare.stdout and "without" not in bare.stdout
    filtered = run_cli(
        "--sandbox", "call", "list_interviews", "status=archived", "filter_text=zebra", env=env
    )
    assert "No interviews match status=archived, filter_text=zebra" in filtered.stdout
    for tool, noun, filters in [
        ("list_candidates", "candidates", "filter_text=zebra"),
        ("list_interview_results", "results", "filter_text=zebra"),
    ]:
        empty = run_cli("--sandbox", "call", tool, env=env)
        assert empty.returncode == 0 and f"No {noun} yet" in empty.stdout, empty.stdout
        assert "without" not in empty.stdout, empty.stdout
        narrowed = run_cli("--sandbox", "call", tool, filters, env=env)
        assert f"No {noun} match {filters}" in narrowed.stdout, narrowed.stdout


def test_result_details_say_how_long_in_minutes(sandbox: RunningSandbox, tmp_path: Path) -> None:
    [result_id] = _finished_results(sandbox, tmp_path, [80])
    done = run_cli(
        "call",
        "get_interview_result_details",
        f"interview_result_id={result_id}",
        env=person_env(tmp_path, sandbox),
    )
    assert done.returncode == 0, done.stdout
    assert re.search(r"The interview lasted (\d+ min )?\d+ s\.", done.stdout), done.stdout


def test_messages_name_flags_once_and_as_typed(tmp_path: Path) -> None:
    env = person_env(tmp_path)
    port = run_cli("--transport", "http", "--port", "99999", env=env)
    assert "--port" in port.stderr and "mcp_port" not in port.stderr
    keys = run_cli("--transport", "http", "--auth", "api-key", env=env)
    assert keys.stderr.count("--auth api-key") == 1, keys.stderr
    bad_json = run_cli("--sandbox", "call", "list_avatars", "--args", "{limit: 3}", env=env)
    assert bad_json.returncode == 2 and "--args is not valid JSON" in bad_json.stdout
    not_signed_in = run_cli("call", "list_avatars", env=env)
    assert "Run `jobmojito-mcp login`" in not_signed_in.stdout and "Ask the user" not in not_signed_in.stdout


def test_every_command_is_described_in_help(tmp_path: Path) -> None:
    top = run_cli("--help", env=person_env(tmp_path)).stdout
    for command in ("check", "call", "tools", "login", "logout", "sandbox"):
        assert re.search(rf"^\s+{command}\s+\S", top, re.MULTILINE), f"{command} has no description"
        own = run_cli(command, "--help", env=person_env(tmp_path)).stdout
        assert own.count("\n\n") >= 2, own  # usage, then a description paragraph, then the options


def test_reset_sandbox_is_accepted_before_call(tmp_path: Path) -> None:
    done = run_cli(
        "--sandbox", "--reset-sandbox", "call", "list_avatars", "limit=1", env=person_env(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_call_prints_text_and_json_only_when_asked(tmp_path: Path) -> None:
    env = person_env(tmp_path)
    text = run_cli("--sandbox", "call", "list_avatars", "limit=1", env=env)
    assert text.returncode == 0 and "templates 1-1" in text.stdout and "{" not in text.stdout
    whole = json.loads(run_cli("--sandbox", "call", "list_avatars", "limit=1", "--json", env=env).stdout)
    assert whole["structuredContent"]["data"] and whole["content"][0]["type"] == "text"


@pytest.mark.parametrize("stop", ["Ctrl+C", "Ctrl+D"])
def test_the_stdio_server_in_a_terminal_says_it_waits_for_a_client(tmp_path: Path, stop: str) -> None:
    """What it says is true: Ctrl+C stops a server that is waiting for its client (its stdin is read
    by a daemon thread, not one the exit waits for), and so does end of input."""
    child = in_terminal(["--sandbox"], person_env(tmp_path))
    child.expect("waiting for an MCP client")
    child.expect("Ctrl\\+C stops it")
    time.sleep(2)  # a person reads the line before pressing a key; the server is serving by then
    if stop == "Ctrl+C":
        child.sendintr()
    else:
        child.sendeof()
    output, status = finish(child)
    assert status == 0 and "Traceback" not in output, output


def test_the_hosted_server_says_what_it_is_at_its_root(tmp_path: Path) -> None:
    import anyio
    import httpx2

    from tests.support import http_server

    async def scenario() -> str:
        async with (
            http_server(person_env(tmp_path), ["--sandbox", "--transport", "http"]) as server,
            httpx2.AsyncClient() as http,
        ):
            answer = await http.get(f"{server.url}/")
        assert answer.status_code == 200
        return answer.text

    text = anyio.run(scenario)
    assert "/mcp (Streamable HTTP)" in text and "/sse" in text and "not an MCP endpoint" in text


def test_screening_rejections_name_the_keywords(tmp_path: Path) -> None:
    candidate = COOKBOOK["create_interview_for_candidate"] | {"candidate_email": "someone@example.com"}
    done = run_cli(
        "--sandbox",
        "call",
        "create_interview_for_candidate",
        "--args",
        json.dumps(candidate),
        env=person_env(tmp_path),
    )
    assert "position keywords (matched: " in done.stdout and "; missing: " in done.stdout, done.stdout


# 9. The PDF report: dated, the ranking first, one candidate per page, whole-number scores.


def pdf_pages(document: bytes) -> list[str]:
    """The text of each page, in order (the sandbox writes one content stream per page)."""
    streams = re.findall(rb"/Length \d+ >>\nstream\n(.*?)\nendstream", document, re.S)
    pages = [" ".join(p.decode("cp1252") for p in re.findall(rb"\((.*?)\) Tj", stream)) for stream in streams]
    return [page.replace("\\(", "(").replace("\\)", ")") for page in pages]


def test_the_pdf_report_leads_with_the_ranking(sandbox: RunningSandbox, tmp_path: Path) -> None:
    result_ids = _finished_results(sandbox, tmp_path, [64, 91, 77])
    out = tmp_path / "report.pdf"
    done = run_cli(
        "call", "generate_interview_report", "export_type=pdf", f"interview_result_ids={json.dumps(result_ids)}",
        "--out", str(out), env=person_env(tmp_path, sandbox),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    document = out.read_bytes()
    pages = pdf_pages(document)
    assert b"/Count 4" in document and len(pages) == 4  # the ranking, then a page per candidate
    first = pages[0]
    assert re.search(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", first)
    assert "Candidates ranked by score" in first
    ranking = re.findall(r"(\d) Candidate (\d) (\d+) ", first)
    assert ranking == [("1", "1", "91"), ("2", "2", "77"), ("3", "0", "64")], first
    for page, (name, score) in zip(
        pages[1:], [("Candidate 1", "91"), ("Candidate 2", "77"), ("Candidate 0", "64")], strict=True
    ):
        assert page.startswith(f"{name} (") and f"Score: {score}" in page
        others = {"Candidate 0", "Candidate 1", "Candidate 2"} - {name}
        assert not any(other in page for other in others)  # nobody else's part
    assert ".0 " not in " ".join(pages) and ".0)" not in " ".join(pages)


# 10. The README: a pip/venv configuration beside uvx, and the flags it names are the real ones.

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_gives_a_pip_venv_configuration_beside_uvx() -> None:
    text = README.read_text("utf-8")
    configs = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
    commands = [server["command"] for config in configs for server in config.get("mcpServers", {}).values()]
    assert "uvx" in commands
    venv = [command for command in commands if command.endswith("/bin/jobmojito-mcp")]
    assert venv and venv[0].startswith("/"), commands  # an absolute path: Claude Desktop expands no ~
    install = re.search(r"python3 -m venv (\S+) && (\S+)/bin/pip install jobmojito-mcp", text)
    assert install and venv[0].endswith(install.group(1).removeprefix("~") + "/bin/jobmojito-mcp")


def test_readme_and_help_agree(tmp_path: Path) -> None:
    commands = ["", "call", "tools", "check", "login", "logout", "sandbox", "sandbox take"]
    helps = " ".join(
        run_cli(*command.split(), "--help", env=person_env(tmp_path)).stdout for command in commands
    )
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", README.read_text("utf-8")))
    foreign = {"--header", "--check", "--strict"}  # claude mcp add's, ruff's and mypy's, not ours
    assert {flag for flag in named - foreign if flag not in helps} == set()
    text = " ".join(README.read_text("utf-8").split())
    assert "jobmojito-mcp sandbox take" in text and "`tools NAME`" in text and "`--yes`" in text


def test_a_wrong_api_key_is_called_wrong(tmp_path: Path) -> None:
    """--auth api-key: "Authentication required" sent people looking for a sign-in; now the answer
    says whether the key was missing or not accepted (status and error code unchanged)."""
    import anyio
    import httpx2

    from tests.support import INITIALIZE, MCP_HEADERS, http_server

    key = "inbound-key-5c8e1f0a2b7d"
    env = person_env(tmp_path) | {"JOBMOJITO_MCP_API_KEYS": key}

    async def scenario() -> list[httpx2.Response]:
        async with (
            http_server(env, ["--sandbox", "--transport", "streamable-http", "--auth", "api-key"]) as server,
            httpx2.AsyncClient() as http,
        ):
            return [
                await http.post(f"{server.url}/mcp", json=INITIALIZE, headers=MCP_HEADERS | extra)
                for extra in (
                    {"Authorization": "Bearer not-the-key-123456"},
                    {},
                    {"Authorization": f"Bearer {key}"},
                )
            ]

    wrong, missing, right = anyio.run(scenario)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_token"
    assert "API key is not accepted" in wrong.json()["error_description"]
    assert "not accepted" in wrong.headers["www-authenticate"] and key not in wrong.text
    assert missing.status_code == 401 and "needs an API key" in missing.json()["error_description"]
    assert right.status_code == 200
