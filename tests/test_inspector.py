"""A client we did not write: the official MCP Inspector CLI drives the stdio server on the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID
from tests.support import DEFAULT_TOOL_NAMES

NODE_BIN = Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules" / ".bin"
SERVER = [sys.executable, "-m", "jobmojito_mcp", "--sandbox"]


def run_inspector(*args: str) -> subprocess.CompletedProcess[str]:
    if not (NODE_BIN / "mcp-inspector").exists():
        if os.environ.get("CI"):
            pytest.fail("the MCP Inspector is required in CI (.ci/run installs it into .ci/node)")
        pytest.skip("MCP Inspector not installed: bash .ci/run installs it into .ci/node")
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(NODE_BIN / "mcp-inspector"), "--cli", *SERVER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def inspector(*args: str, tool_error: bool = False) -> Any:
    done = run_inspector(*args)
    if tool_error:  # the Inspector prints the result, exits non-zero and reports on stderr when isError
        assert done.returncode != 0 and "returned isError:true" in done.stderr, done.stderr[-2000:]
        return done.stdout  # what the client got (the server's log no longer quotes failure texts)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_inspector_lists_the_tools() -> None:
    listed = inspector("--method", "tools/list")
    names = [tool["name"] for tool in listed["tools"]]
    assert names == list(DEFAULT_TOOL_NAMES)
    assert all(tool.get("outputSchema") and tool.get("annotations") for tool in listed["tools"])


def test_tool_schemas_pass_the_inspector_portability_lint() -> None:
    """0 errors, 0 warnings: no `type` lists (single-type dialects such as Gemini's reject them), no
    schema that accepts anything, no remote `$ref`. The Inspector reports findings only under --strict."""
    done = run_inspector("--method", "tools/list", "--strict", "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    envelope = json.loads(done.stdout)
    assert [tool["name"] for tool in envelope["result"]["tools"]] == list(DEFAULT_TOOL_NAMES)
    findings = envelope.get("schemaFindings", [])
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert "Warning:" not in done.stderr and "Error:" not in done.stderr, done.stderr[-4000:]


def test_inspector_calls_tools() -> None:
    avatars = inspector("--method", "tools/call", "--tool-name", "list_avatars", "--tool-arg", "limit=2")
    assert avatars.get("isError") is not True
    assert len(avatars["structuredContent"]["data"]) == 2
    created = inspector(
        "--method", "tools/call", "--tool-name", "create_interview", "--tool-arg",
        "name=QA Engineer", "location=Remote", f"interview_template_id={DEFAULT_TEMPLATE_ID}",
        "mojito_language_code=en", "status=draft", "type=interview", "visibility=merchant_invite",
    )  # fmt: skip
    assert created.get("isError") is not True
    assert created["structuredContent"]["interview_def_set_id"]
    refused = inspector(
        "--method", "tools/call", "--tool-name", "get_interview_definition", "--tool-arg", "position_id=7",
        tool_error=True,
    )  # fmt: skip
    assert "`position_id`" in refused and "nothing was sent" in refused


def test_inspector_reads_prompts_and_resources() -> None:
    prompts = inspector("--method", "prompts/list")
    assert {p["name"] for p in prompts["prompts"]} == {
        "interview_from_job_description",
        "interview_from_my_questions",
        "screen_candidate",
        "invite_candidates",
        "review_results",
        "give_another_try",
        "weekly_hiring_report",
        # screen_candidates: shown where the screening toolset is on (off by default)
    }
    languages = inspector("--method", "resources/read", "--uri", "jobmojito://languages")
    assert len(json.loads(languages["contents"][0]["text"])) == 34
