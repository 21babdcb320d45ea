"""Row 11 of issue 11: personal data in logs.

Before: `--log-level DEBUG` logged full tool arguments and results (candidates' names, e-mails,
résumés), through the SDK's transports; at INFO, a refused argument's value was quoted. Now DEBUG
records tool names, ids, sizes and timings; `--log-payloads` turns the payloads on, explicitly.
"""

from __future__ import annotations

import copy

import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.security.attack import KEY_A, hosted
from tests.support import COOKBOOK, http_mcp_client, server_env, stdio_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

CANDIDATE = copy.deepcopy(COOKBOOK["create_interview_for_candidate"]) | {
    "candidate_name": "Ximena Quillfeather",
    "candidate_email": "ximena.quillfeather@example.org",
    "candidate_resume": "Twelve years of zeppelin maintenance at Lakehurst",
}
PERSONAL = ("Quillfeather", "ximena.quillfeather@example.org", "zeppelin maintenance")
BAD_INPUT = CANDIDATE | {"mojito_language_code": "quillfeather-at-nowhere"}


async def exercise(url: str, transport: str) -> None:
    async with http_mcp_client(url, transport, {"Authorization": f"Bearer {KEY_A}"}) as client:
        done = await client.call_tool("create_interview_for_candidate", copy.deepcopy(CANDIDATE))
        assert not done.is_error, text_of(done)
        refused = await client.call_tool("create_interview_for_candidate", copy.deepcopy(BAD_INPUT))
        assert refused.is_error and "quillfeather-at-nowhere" in text_of(refused), "the caller is told"


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_hosted_logs_name_tools_ids_sizes_and_timings_never_payloads(
    sandbox: RunningSandbox, level: str
) -> None:
    async with hosted(sandbox, LOG_LEVEL=level) as server:
        for transport in ("streamable-http", "sse"):
            await exercise(server.url, transport)
        log = server.stderr()
    for value in (*PERSONAL, "quillfeather-at-nowhere"):
        assert value not in log, f"{value!r} was logged"
    assert "create_interview_for_candidate failed: invalid_arguments" in log
    if level == "DEBUG":
        assert "create_interview_for_candidate -> ok in" in log and "bytes" in log
        assert "POST /job-interview-create-for-candidate-with-token -> 200" in log


async def test_stdio_at_debug_keeps_payloads_out(sandbox: RunningSandbox) -> None:
    async with stdio_server(server_env(sandbox.base_url)) as server:
        await server.call("create_interview_for_candidate", copy.deepcopy(CANDIDATE))
        await server.call("create_interview_for_candidate", copy.deepcopy(BAD_INPUT))
        log = server.stderr()
    assert not any(value in log for value in PERSONAL)
    assert "create_interview_for_candidate -> ok in" in log


async def test_log_payloads_says_so_explicitly(sandbox: RunningSandbox) -> None:
    async with hosted(sandbox, "--log-payloads", LOG_LEVEL="DEBUG") as server:
        await exercise(server.url, "sse")
        log = server.stderr()
    assert all(value in log for value in PERSONAL)
