"""Rows 9-10 of issue 11: configurations that must not start, or not silently.

Before: `--host 127.x.example` resolving to 0.0.0.0 bound publicly with `--auth none` and no
warning (the check read the name, not the address); a 2-character API key was accepted, and keys
under 8 characters were not redacted from logs. Now the host is judged by what it resolves to,
keys under 16 characters are refused (named by position, never shown), and a key file others can
read is warned about.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.security.attack import KEY_A, bearer, hosted_env
from tests.support import server_env

pytestmark = pytest.mark.timeout(60)

# A resolver that answers 0.0.0.0 for one name, as a hostile or mistaken DNS entry would.
HOSTILE_DNS = (
    "import runpy, socket\n"
    "real = socket.getaddrinfo\n"
    "def lying(host, *args, **kwargs):\n"
    "    return real('0.0.0.0' if host == '127.x.example' else host, *args, **kwargs)\n"
    "socket.getaddrinfo = lying\n"
    "runpy.run_module('jobmojito_mcp', run_name='__main__', alter_sys=True)\n"
)


def start(
    env: dict[str, str], *args: str, launcher: tuple[str, ...] = ("-m", "jobmojito_mcp")
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *launcher, "--transport", "streamable-http", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("host", ["127.x.example", "0", "0.0.0.0", "::"])
def test_a_host_resolving_off_loopback_needs_auth(host: str) -> None:
    done = start(server_env("http://127.0.0.1:9"), "--host", host, launcher=("-c", HOSTILE_DNS))
    assert done.returncode != 0
    assert "refusing to serve without authentication" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("keys", "where"),
    [
        ("ab", "key 1 of JOBMOJITO_MCP_API_KEYS"),
        (f"{KEY_A},short-key-15chr", "key 2 of JOBMOJITO_MCP_API_KEYS"),
    ],
)
def test_short_api_keys_are_refused_without_being_shown(keys: str, where: str) -> None:
    env = server_env("http://127.0.0.1:9") | {"JOBMOJITO_MCP_API_KEYS": keys}
    done = start(env, "--auth", "api-key")
    assert done.returncode != 0
    assert where in done.stderr and "at least 16" in done.stderr
    assert "short-key-15chr" not in done.stderr and "Traceback" not in done.stderr


def test_a_short_key_in_the_key_file_is_named_by_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# team keys\n{KEY_A}\nabc\n")
    keys.chmod(0o600)
    done = start(server_env("http://127.0.0.1:9"), "--auth", "api-key", "--api-keys-file", str(keys))
    assert done.returncode != 0
    assert f"line 3 of {keys}" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False)])
async def test_a_key_file_others_can_read_is_warned_about(
    sandbox: RunningSandbox, tmp_path: Path, mode: int, warned: bool
) -> None:
    from tests.support import http_server

    keys = tmp_path / "keys.txt"
    keys.write_text(f"{KEY_A}\n")
    keys.chmod(mode)
    env = hosted_env(sandbox, "api-key")
    del env["JOBMOJITO_MCP_API_KEYS"]
    args = ["--transport", "streamable-http", "--auth", "api-key", "--api-keys-file", str(keys)]
    async with http_server(env, args) as server, httpx2.AsyncClient() as http:
        response = await http.post(
            f"{server.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers=bearer(KEY_A) | {"mcp-protocol-version": "2026-07-28"},
        )
        assert response.status_code != 401, "the key in the file works either way"
        log = server.stderr()
    assert ("readable by other users" in log) is warned
    assert (f"chmod 600 {keys}" in log) is warned
    assert KEY_A not in log
