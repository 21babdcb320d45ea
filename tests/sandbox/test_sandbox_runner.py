"""run_sandbox from sync and async code, its URLs and teardown; the package's independence."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx2
import pytest
from sandbox_support import AUTH

import jobmojito_mcp.sandbox as sandbox_package
from jobmojito_mcp.sandbox import run_sandbox


def test_urls_and_teardown() -> None:
    with run_sandbox() as sandbox:
        host, port = sandbox.root_url.removeprefix("http://").split(":")
        assert host == "127.0.0.1" and int(port) > 0
        assert sandbox.base_url == f"{sandbox.root_url}/functions/v1"
        with httpx2.Client() as http:
            assert http.get(f"{sandbox.root_url}/_sandbox/health").status_code == 200
    with pytest.raises(ConnectionRefusedError), socket.create_connection((host, int(port)), timeout=1):
        pass


def test_two_sandboxes_are_independent() -> None:
    with run_sandbox() as one, run_sandbox() as two, httpx2.Client(headers=AUTH) as http:
        assert one.base_url != two.base_url
        http.get(f"{one.base_url}/merchant-avatar-list")
        assert len(one.requests()) == 1
        assert two.requests() == []


@pytest.mark.anyio
async def test_run_sandbox_inside_async_code() -> None:
    with run_sandbox() as sandbox:
        async with httpx2.AsyncClient(base_url=sandbox.base_url, headers=AUTH) as http:
            assert (await http.get("merchant-avatar-list")).status_code == 200
        assert [r.endpoint for r in sandbox.requests()] == ["merchant-avatar-list"]


def test_public_names() -> None:
    expected = {
        "SandboxState", "create_app", "serve", "run_sandbox", "RunningSandbox", "RecordedRequest", "FaultKind",
        "DEFAULT_TEMPLATE_ID", "VOICE_TEMPLATE_ID", "LEGACY_TEMPLATE_ID", "ARCHIVED_TEMPLATE_ID",
    }  # fmt: skip
    assert expected <= set(sandbox_package.__all__)
    assert all(hasattr(sandbox_package, name) for name in sandbox_package.__all__)


def test_the_sandbox_imports_nothing_else_of_the_project_nor_mcp() -> None:
    code = (
        "import sys, jobmojito_mcp.sandbox\n"
        "bad = [m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')\n"
        "       or (m.startswith('jobmojito_mcp.') and not m.startswith('jobmojito_mcp.sandbox'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
