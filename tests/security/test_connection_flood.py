"""Row 1 of issue 11: connections exhausted without credentials.

Before: ~20,000 silent sockets made /healthz and a valid initialize time out, the CPU spin, 236 MB
of log in 70 s (a traceback per refused accept), and 1,000 slow-header connections were held for
106 s. Now: at the connection limit a newcomer takes the place of the connection idle longest, a
request head has a deadline, and repeated warnings are condensed. Scaled to CI: 5,000 silent
sockets against a limit of 1,000.
"""

from __future__ import annotations

import contextlib
import socket
import time

import anyio
import httpx2
import pytest

from jobmojito_mcp.sandbox import RunningSandbox
from tests.security.attack import (
    KEY_A,
    allow_files,
    bearer,
    closed_by_server,
    get_on,
    hosted,
    open_fds,
    open_silent,
    port_of,
)
from tests.support import call_ok, http_mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]

FLOOD = 5_000
LIMIT = 1_000


async def test_a_flood_of_silent_connections_leaves_probes_and_callers_served(
    sandbox: RunningSandbox,
) -> None:
    flood = min(FLOOD, allow_files(FLOOD + 500) - 500)
    async with hosted(sandbox, "--connection-limit", str(LIMIT)) as server:
        log_before = len(server.stderr())
        silent = await anyio.to_thread.run_sync(open_silent, port_of(server), flood)
        try:
            await anyio.sleep(0.5)  # let the server accept (and turn away) the whole flood
            assert open_fds(server) < LIMIT + 150, "the server holds no more sockets than its limit"
            async with httpx2.AsyncClient(timeout=5) as http:
                started = time.perf_counter()
                probe = await http.get(f"{server.url}/healthz")
                probe_seconds = time.perf_counter() - started
            assert probe.status_code == 200
            assert probe_seconds < 1.0, f"/healthz took {probe_seconds:.2f} s under the flood"
            sandbox.clear_requests()
            async with http_mcp_client(
                server.url, "streamable-http", {"Authorization": f"Bearer {KEY_A}"}
            ) as client:
                await call_ok(client, "list_avatars", {"limit": 1})
            assert len(sandbox.requests("merchant-avatar-list")) == 1
            # The flood's oldest sockets were closed to make room; nothing else was needed.
            closed = sum(closed_by_server(sock) for sock in silent)
            assert closed >= flood - LIMIT
        finally:
            for sock in silent:
                sock.close()
        flood_log = server.stderr()[log_before:]
        assert "Traceback" not in flood_log
        assert flood_log.count("connection limit (1000) reached") == 1, "one line per kind, however many"
        assert len(flood_log) < 20_000, f"{len(flood_log)} bytes of log for one flood"
        server.process.terminate()
        server.process.wait(timeout=20)
        assert "more like this in the last" in server.stderr(), "the count of what was left out is logged"


async def test_slow_and_silent_heads_are_closed_at_the_deadline_kept_alive_ones_are_not(
    sandbox: RunningSandbox,
) -> None:
    async with hosted(sandbox, "--header-timeout", "2") as server:
        port = port_of(server)
        silent = await anyio.to_thread.run_sync(open_silent, port, 200)
        dripping = await anyio.to_thread.run_sync(open_silent, port, 200)
        kept_alive = socket.create_connection(("127.0.0.1", port), timeout=5)
        assert get_on(kept_alive).startswith(b"HTTP/1.1 200")
        try:
            head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40
            started = time.monotonic()
            for byte in head:  # one byte every 0.1 s: a head that would take 40 s
                for sock in dripping:
                    with contextlib.suppress(OSError):  # closed by the server already
                        sock.send(bytes([byte]))
                await anyio.sleep(0.1)
                if time.monotonic() - started > 4:
                    break
            assert all(closed_by_server(sock) for sock in silent), "silent connections closed at the deadline"
            assert all(closed_by_server(sock) for sock in dripping), "slow heads closed at the deadline"
            # A kept-alive connection idles under the keep-alive timeout, not the head deadline.
            assert get_on(kept_alive).startswith(b"HTTP/1.1 200")
        finally:
            for sock in [*silent, *dripping, kept_alive]:
                sock.close()
        assert "no complete request head within 2 s" in server.stderr()


async def test_at_the_limit_with_every_connection_busy_a_newcomer_gets_503(sandbox: RunningSandbox) -> None:
    async with hosted(sandbox, "--connection-limit", "16") as server, httpx2.AsyncClient(timeout=10) as http:
        async with anyio.create_task_group() as group:
            opened = anyio.Event()
            streams: list[int] = []

            async def hold_stream() -> None:
                async with http.stream("GET", f"{server.url}/sse", headers=bearer(KEY_A)) as stream:
                    streams.append(stream.status_code)
                    if len(streams) == 16:
                        opened.set()
                    await anyio.sleep_forever()

            for _ in range(16):
                group.start_soon(hold_stream)
            with anyio.fail_after(10):
                await opened.wait()
            assert streams == [200] * 16
            async with httpx2.AsyncClient(timeout=5) as newcomer:
                refused = await newcomer.get(f"{server.url}/healthz")
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            group.cancel_scope.cancel()
        with anyio.fail_after(5):
            while True:  # the streams' connections are gone once their requests end
                async with httpx2.AsyncClient(timeout=5) as later:
                    if (await later.get(f"{server.url}/healthz")).status_code == 200:
                        break
                await anyio.sleep(0.1)


async def test_a_request_body_sent_slowly_is_cut_at_the_deadline(sandbox: RunningSandbox) -> None:
    """A slow body keeps a connection busy (never the one closed to make room): it gets a deadline too."""
    async with hosted(sandbox, "--body-timeout", "2") as server:
        heads = {
            "a caller": f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY_A}\r\n",
            "nobody": "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        }
        slow = []
        for head in heads.values():
            sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=5)
            sock.sendall(
                f"{head}Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                "Content-Length: 1000\r\n\r\n{".encode()
            )
            sock.setblocking(False)
            slow.append(sock)
        started = time.monotonic()
        while not all(closed_by_server(sock) for sock in slow):
            assert time.monotonic() - started < 6, "still open well past the body deadline"
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.send(b" ")
            await anyio.sleep(0.2)
        for sock in slow:
            sock.close()
        assert "request body did not arrive within 2 s" in server.stderr()
