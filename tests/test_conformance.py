"""An outside judge: the MCP project's own conformance suite (@modelcontextprotocol/conformance, pinned in
.ci/run) against the hosted endpoint on the sandbox, every scenario of both protocol generations
(handshake era and sessionless 2026-07-28) over Streamable HTTP; the suite has no SSE client.

tests/conformance/baseline.toml lists, per scenario, the checks expected to fail and why. Compared
check by check: a check that starts failing, or a listed one that starts passing, fails this test. The
suite's own verdict on the same baseline (its exit code) must agree. The figures quoted in
docs/testing.md are checked against this run, so they cannot go stale.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.support import http_server, server_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / ".ci" / "node" / "node_modules" / ".bin"
BASELINE = Path(__file__).parent / "conformance" / "baseline.toml"
TESTING_DOC = ROOT / "docs" / "testing.md"
# What a result directory is called: server-<scenario>-<ISO timestamp>.
# The statuses the suite counts against a scenario (SUCCESS, INFO and SKIPPED do not).
JUDGED_AGAINST = frozenset({"FAILURE", "WARNING"})
RESULT_DIR = re.compile(r"server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z?$")


def suite_cli() -> Path:
    cli = NODE_BIN / "conformance"
    if not cli.exists():
        if os.environ.get("CI"):
            pytest.fail("the conformance suite is required in CI (.ci/run installs it into .ci/node)")
        pytest.skip("conformance suite not installed: bash .ci/run installs it into .ci/node")
    return cli


def load_baseline() -> dict[str, dict[str, Any]]:
    with BASELINE.open("rb") as file:
        baseline: dict[str, dict[str, Any]] = tomllib.load(file)
    for scenario, entry in baseline.items():
        assert set(entry) == {"reason", "checks"}, f"{scenario}: a reason and the checks, nothing else"
        assert len(entry["reason"]) > 20, f"{scenario}: say why it does not apply"
        assert entry["checks"] and len(set(entry["checks"])) == len(entry["checks"]), scenario
    return baseline


def run_suite(
    url: str, scratch: Path, baseline: dict[str, dict[str, Any]]
) -> subprocess.CompletedProcess[str]:
    # The suite's own baseline format: scenario names (it judges whole scenarios, we judge checks).
    expected = scratch / "expected-failures.yml"
    expected.write_text("server:\n" + "".join(f"  - {name}\n" for name in baseline), "utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"  # its node (22), not the system's
    command = [
        str(suite_cli()), "server", "--url", f"{url}/mcp", "--suite", "all",
        "--expected-failures", str(expected), "--output-dir", str(scratch / "results"),
    ]  # fmt: skip
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
        cwd=scratch,
        check=False,
    )


def read_results(results: Path) -> dict[str, list[dict[str, Any]]]:
    """Each scenario's checks, as the suite wrote them (results/server-<scenario>-<time>/checks.json)."""
    checks: dict[str, list[dict[str, Any]]] = {}
    for directory in sorted(results.iterdir()):
        found = RESULT_DIR.match(directory.name)
        assert found, directory.name
        checks[found["scenario"]] = json.loads((directory / "checks.json").read_text("utf-8"))
    return checks


async def test_the_official_conformance_suite_agrees_with_the_baseline(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    suite_cli()
    baseline = load_baseline()
    env = server_env(sandbox.base_url, LOG_LEVEL="WARNING")
    async with http_server(env, ["--transport", "http"]) as server:
        done = await anyio.to_thread.run_sync(run_suite, server.url, tmp_path, baseline)
        stderr = server.stderr()
    results = read_results(tmp_path / "results")
    assert len(results) >= 60, (sorted(results), done.stdout[-3000:], done.stderr[-3000:])

    failing = {
        scenario: sorted({check["id"] for check in checks if check["status"] in JUDGED_AGAINST})
        for scenario, checks in results.items()
    }
    unexpected = {
        scenario: {
            "failing now": failing[scenario],
            "baseline": sorted(baseline.get(scenario, {}).get("checks", [])),
            "messages": [
                c.get("errorMessage", "")[:300] for c in results[scenario] if c["status"] in JUDGED_AGAINST
            ],
        }
        for scenario in results
        if failing[scenario] != sorted(baseline.get(scenario, {}).get("checks", []))
    }
    assert not unexpected, "conformance changed; fix the server or tests/conformance/baseline.toml:\n" + (
        json.dumps(unexpected, indent=1)
    )
    assert not baseline.keys() - results.keys(), f"baseline names scenarios the suite no longer runs: {baseline.keys() - results.keys()}"  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]  # the suite's own verdict agrees
    assert "Traceback" not in stderr, stderr[-4000:]  # nothing the suite sends crashes a handler
    # completion/complete is served: its one failure is the suite's prompt missing (not Method not found).
    (why,) = [c["errorMessage"] for c in results["completion-complete"] if c["status"] == "FAILURE"]
    assert why == "Failed: Unknown prompt: test_prompt_with_arguments"

    # The figures docs/testing.md quotes are this run's.
    statuses = Counter(check["status"] for checks in results.values() for check in checks)
    clean = sum(1 for scenario in results if not failing[scenario])
    figures = (
        f"{clean} of {len(results)} scenarios pass in full, "
        f"{statuses['SUCCESS']} of {sum(statuses[s] for s in ('SUCCESS', *JUDGED_AGAINST))} checks"
    )
    assert figures in TESTING_DOC.read_text("utf-8"), f"docs/testing.md should say: {figures}"
