"""The error log under a flood: one line per kind per interval, with a count (row 1's 236 MB of log).

Driven through the process's real logging set-up (`configure_logging`), with the records an
attack actually produces: asyncio's traceback per refused accept, uvicorn's invalid-request warning.
"""

from __future__ import annotations

import io
import logging
import sys

from jobmojito_mcp.logs import configure_logging


def test_a_flood_of_one_warning_is_one_line_and_a_count() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream=stream)
    try:
        try:
            raise OSError(24, "Too many open files")
        except OSError:
            refused_accept = sys.exc_info()
        for fd in range(10_000):
            logging.getLogger("asyncio").error(
                "socket.accept() out of system resource\nsocket: <fd=%d>", fd, exc_info=refused_accept
            )
        for _ in range(500):
            logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
        # Different words are different kinds, however close.
        logging.getLogger("jobmojito_mcp.tooling.run").warning(
            "create_interview was cancelled after it was sent"
        )
        logging.getLogger("jobmojito_mcp.tooling.run").warning(
            "create_interview_for_candidate was cancelled after it was sent"
        )
        for number in range(50):  # INFO (e.g. the access log) is a line per request, by design
            logging.getLogger("tests.access").info('127.0.0.1:%d - "GET /healthz HTTP/1.1" 200', number)
        during = stream.getvalue()
        logging.getLogger().handlers[0].close()  # what the process does at exit
    finally:
        configure_logging("WARNING", "text")
    after = stream.getvalue()
    assert during.count("socket.accept() out of system resource") == 1
    assert during.count("Traceback") == 1
    assert during.count("Invalid HTTP request received.") == 1
    assert (
        "create_interview was cancelled" in during
        and "create_interview_for_candidate was cancelled" in during
    )
    assert during.count("GET /healthz") == 50
    assert len(during) < 10_000, f"{len(during)} bytes for 10,500 warnings"
    assert "9999 more like this in the last" in after and "socket.accept() out of system resource" in after
    assert "499 more like this in the last" in after
