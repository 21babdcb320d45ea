"""serve(): the standalone sandbox prints its URL on one stderr line and answers there."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx2
from sandbox_support import AUTH

SCRIPT = "from jobmojito_mcp.sandbox import serve; serve(port=0, tokens=frozenset({'secret'}), latency=0.0)"


def test_serve_prints_its_url_and_serves() -> None:
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline().strip()
        assert line.startswith("JobMojito sandbox serving http://127.0.0.1:")
        base_url = line.split()[-1]
        assert base_url.endswith("/functions/v1")
        with httpx2.Client(base_url=base_url) as http:
            assert (
                http.get("merchant-avatar-list", headers={"Authorization": "Bearer secret"}).status_code
                == 200
            )
            assert http.get("merchant-avatar-list", headers=AUTH).status_code == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr.read() == ""  # nothing but the one line
    finally:
        process.kill()
        process.wait()
        if process.stderr is not None:
            process.stderr.close()
