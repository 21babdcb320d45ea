"""Issue 21, finding 13: every line a stdio client sends is answered.

Before: a request nested too deeply for the SDK's parser (or not JSON, or not JSON-RPC) was dropped
silently: the client waited for an answer that never came. Now it is answered with a JSON-RPC error
(-32700 parse error, -32600 invalid request) under its id when the id can be found, else null, and
the server goes on serving.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from jobmojito_mcp.stdio import top_level_id

pytestmark = pytest.mark.timeout(60)

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}


def test_unreadable_lines_are_answered_and_the_server_goes_on() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "jobmojito_mcp", "--sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None

    def exchange(line: str) -> Any:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(line.encode() + b"\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    try:
        assert exchange(json.dumps(INITIALIZE))["id"] == 1
        process.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        deep = "[" * 100_000 + "]" * 100_000
        call = (
            '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_avatars","arguments":{"x":'
        )
        answer = exchange(call + deep + "}}}")
        assert (
            answer["id"] == 2 and answer["error"]["code"] == -32700 and "deeply" in answer["error"]["message"]
        )
        shallow_but_too_deep = (
            '{"jsonrpc":"2.0","id":"a\\"b","method":"ping","params":{"x":' + "[" * 300 + "]" * 300 + "}}"
        )
        answer = exchange(shallow_but_too_deep)
        assert answer["id"] == 'a"b' and answer["error"]["code"] == -32700
        answer = exchange("{not json")
        assert answer["id"] is None and answer["error"]["code"] == -32700
        answer = exchange('{"jsonrpc":"1.0","id":7}')
        assert answer["id"] == 7 and answer["error"]["code"] == -32600
        assert exchange('{"jsonrpc":"2.0","id":3,"method":"ping"}') == {
            "jsonrpc": "2.0",
            "id": 3,
            "result": {},
        }
    finally:
        process.stdin.close()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('{"params":{"id":5},"id":6}', 6),
        ('{"method":"x","id":"s\\"}","params":[[[', 's"}'),
        ('{"a":"\\"id\\":9","id":-3}', -3),
        ('{"params":{"id":5}', None),
        ("[[[", None),
    ],
)
def test_the_id_is_the_outermost_one(line: str, found: object) -> None:
    assert top_level_id(line) == found
