"""The stdio transport, with every line answered: a line the SDK cannot read gets a JSON-RPC error.

The SDK's stdio reader hands an unreadable line (not JSON, nested deeper than its parser allows,
not a JSON-RPC message) to the server as an exception, which drops it: the client waits for an
answer that never comes. Here each line is checked first, with the SDK's own adapter, and one that
fails is answered with -32700 (parse error: not JSON, or nested too deeply) or -32600 (invalid
request), under the request's id when it can be found at the top level, else null (JSON-RPC 2.0
§5.1), and never reaches the server. Lines that pass go to the SDK unchanged; checking twice costs
a few microseconds per message, nothing beside a tool call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import mcp_types as types
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage


class _CheckedLines:
    """stdin's lines, less those answered with an error (sent through `answer` once it is set)."""

    def __init__(self, lines: Any) -> None:
        self._lines = lines
        self.answer: Any = None  # the server's write stream

    def __aiter__(self) -> AsyncIterator[str]:
        return self._checked()

    async def _checked(self) -> AsyncIterator[str]:
        async for line in self._lines:
            error = refusal(line)
            if error is None:
                yield line
            elif self.answer is not None:
                await self.answer.send(SessionMessage(error))


class _DaemonLines:
    """stdin's lines, read by a daemon thread, so that a read waiting for input never holds up the
    process: Ctrl+C stops a server that waits for its client.

    anyio's file wrapper reads in a worker thread that cancellation waits for and that the
    interpreter joins at exit, so a server blocked on stdin could only be ended by end of input.
    Here the thread is a daemon and the lines cross to the event loop through a bounded stream
    (16 lines: a client that writes faster than the server reads waits, as on a pipe)."""

    def __init__(self, text: Any) -> None:
        self._text = text

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        send, receive = anyio.create_memory_object_stream[str](16)
        token = anyio.lowlevel.current_token()

        def pump() -> None:
            try:
                while line := self._text.readline():
                    anyio.from_thread.run(send.send, line, token=token)
            except Exception:  # the loop or the reader is gone: nothing left to feed
                return
            try:
                anyio.from_thread.run_sync(send.close, token=token)  # end of input
            except Exception:  # the loop is gone
                return

        threading.Thread(target=pump, name="jobmojito-mcp stdin", daemon=True).start()
        async with receive:
            async for line in receive:
                yield line


def refusal(line: str) -> types.JSONRPCError | None:
    """The error answering `line`, or None when the SDK can read it (blank lines included)."""
    if not line.strip():
        return None
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        return None
    except ValueError as problem:
        reason = str(problem)
    try:
        parsed = json.loads(line)
    except (ValueError, RecursionError):
        parsed = None
        deep = "recursion" in reason or _depth_exceeded(line)
        code, message = types.PARSE_ERROR, "Parse error: " + ("nested too deeply" if deep else "not JSON")
    else:
        deep = "recursion" in reason
        code = types.PARSE_ERROR if deep else types.INVALID_REQUEST
        message = "Parse error: nested too deeply" if deep else "Invalid Request: not a JSON-RPC 2.0 message"
    found = parsed.get("id") if isinstance(parsed, dict) else top_level_id(line)
    request_id = (
        found if isinstance(found, str) or (isinstance(found, int) and not isinstance(found, bool)) else None
    )
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


def _depth_exceeded(line: str) -> bool:
    depth = deepest = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest > 100


def top_level_id(line: str) -> str | int | None:
    """The `id` member of the outermost object, found without parsing the (possibly unparseable)
    rest: one pass tracking depth and strings, no recursion."""
    depth = 0
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if char == '"':
            end = _string_end(line, index)
            if depth == 1 and line[index:end] == '"id"':
                rest = line[end:].lstrip()
                if rest.startswith(":"):
                    return _scalar(rest[1:].lstrip())
            index = end
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return None


def _string_end(line: str, start: int) -> int:
    index = start + 1
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line[index] == '"':
            return index + 1
        index += 1
    return len(line)


def _scalar(text: str) -> str | int | None:
    if text.startswith('"'):
        try:
            value = json.loads(text[: _string_end(text, 0)])
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    digits = ""
    for char in text:
        if not (char.isdigit() or (char == "-" and not digits)):
            break
        digits += char
    try:
        return int(digits)
    except ValueError:
        return None


async def run_stdio(server: MCPServer) -> None:
    """`server.run_stdio_async()`, with unreadable lines answered instead of dropped."""
    import sys

    from mcp.server import stdio as sdk

    # stdin claimed as the SDK claims it when it reads it itself (fd 0 diverted to the null device,
    # so nothing a handler starts can read protocol bytes); fd 1 the SDK claims as always.
    buffer, release = sdk._claim_fd(0, sys.stdin, "rb", sdk._open_stdin_diversion)
    stdin = _CheckedLines(_DaemonLines(sdk._UnownedTextWrapper(buffer, encoding="utf-8", errors="replace")))
    try:
        async with stdio_server(stdin=stdin) as (read_stream, write_stream):  # type: ignore[arg-type]
            stdin.answer = write_stream
            lowlevel = server._lowlevel_server  # as MCPServer.run_stdio_async does
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
    finally:
        if release is not None:
            release()
