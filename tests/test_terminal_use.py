"""The command line as a person uses it (issue 22): asking before harm, documents, errors and help.

Every test runs `python -m jobmojito_mcp ...` as a person would: in a pseudo-terminal (pexpect)
where it matters whether someone can answer, else as a plain subprocess. Tool calls go to a
sandbox on loopback, whose journal shows what reached "JobMojito".
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import pexpect
import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox
from tests.support import COOKBOOK, TOKEN, run_cli

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
