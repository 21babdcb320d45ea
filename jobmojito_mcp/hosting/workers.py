"""`--workers N`: N server processes behind one listening socket, for stateless Streamable HTTP.

One process serves on one core (Python runs one thread of code at a time), so a busy host gets
more throughput from several. Each worker listens on the port with its own SO_REUSEPORT socket,
and the Linux kernel spreads new connections evenly over them. (One socket shared by all would
not: an asyncio server accepts every pending connection at once, so whichever worker wakes first
takes a whole burst, and keep-alive keeps it there.) The parent reserves the port first, so
`--port 0` works, starts the workers with the `spawn` method (each imports afresh and opens its
own upstream pool), and supervises them:

- SIGTERM/SIGINT is passed to every worker, which drains its in-flight tool calls as a single
  server does (`hosting.DrainingServer`); the parent exits 0 once all have.
- A worker that exits on its own takes the others down and the parent exits 1: the orchestrator
  (Kubernetes, systemd, Docker) sees it and restarts the whole server, rather than it running
  on quietly with less capacity than configured.
- The workers share the keys that seal multi-round request state (a delete confirmation's round
  trip may come back to another worker): JOBMOJITO_MCP_STATE_KEYS, or one made at start.

Only for stateless Streamable HTTP: the kernel hands each new connection to whichever worker
accepts it first, and a session (stateful Streamable HTTP, SSE) lives in the one process that
created it. See `check_workers`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
from collections.abc import Sequence
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import anyio
from pydantic import SecretStr

from jobmojito_mcp.config import Settings
from jobmojito_mcp.hosting.app import ConfigurationRefused, check_exposure, serve_http
from jobmojito_mcp.logs import configure_logging
from jobmojito_mcp.server import exposed_tools

logger = logging.getLogger(__name__)

_BACKLOG = 2048  # connections the kernel queues before any worker accepts them


def check_workers(settings: Settings) -> None:
    """Refuse several workers where a client's requests must all reach the same process."""
    if settings.mcp_workers == 1:
        return
    if not sys.platform.startswith("linux"):
        raise ConfigurationRefused(
            "--workers needs Linux: it relies on the kernel spreading connections over the workers "
            "(SO_REUSEPORT). Elsewhere, run one server per port behind a load balancer."
        )
    if settings.mcp_transport != "streamable-http" or not settings.mcp_stateless:
        raise ConfigurationRefused(
            f"--workers {settings.mcp_workers} needs --transport streamable-http --stateless. "
            "With sessions (stateful Streamable HTTP, or SSE) a client's session lives in the one worker "
            "that created it, while each new connection goes to whichever worker accepts it: the client's "
            "next request would often reach a worker that has never heard of its session. "
            "Stateless requests carry everything they need, so any worker can answer any of them."
        )


def serve_workers(settings: Settings) -> None:
    """Run `settings.mcp_workers` stateless servers on one socket until a signal; see the module docs."""
    check_workers(settings)
    check_exposure(settings)
    exposed_tools(settings)  # a bad --tools list fails here, once, not in every worker
    if settings.mcp_state_keys is None:
        settings = settings.model_copy(update={"mcp_state_keys": SecretStr(secrets.token_urlsafe(32))})
    # Bound, never listening: it holds the port (and learns it, for --port 0) while only the
    # workers' listening sockets receive connections.
    reserved = _socket(settings.mcp_host)
    reserved.bind((settings.mcp_host, settings.mcp_port))
    port = reserved.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_worker, args=(settings, port), name=f"jobmojito-mcp worker {index}")
        for index in range(1, settings.mcp_workers + 1)
    ]
    stopping: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)
        for worker in workers:
            if worker.pid is not None and worker.exitcode is None:
                os.kill(worker.pid, signal.SIGTERM)  # the worker drains; a second one stops it at once

    originals = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for worker in workers:
            worker.start()
        logger.info(
            "jobmojito-mcp serving streamable-http on http://%s:%d with %d workers (pids %s)",
            f"[{settings.mcp_host}]" if ":" in settings.mcp_host else settings.mcp_host,
            port,
            len(workers),
            ", ".join(str(worker.pid) for worker in workers),
        )
        failed = _supervise(workers, stopping)
    finally:
        for sig, handler in originals.items():
            signal.signal(sig, handler)
        reserved.close()
    if failed:
        raise SystemExit(f"jobmojito-mcp: {failed}")
    logger.info("stopped")


def _supervise(workers: Sequence[BaseProcess], stopping: list[int]) -> str | None:
    """Wait until every worker has exited; what went wrong, if one exited before it was asked to."""
    failed = None
    while running := [worker for worker in workers if worker.exitcode is None]:
        wait([worker.sentinel for worker in running], timeout=1.0)
        for worker in workers:
            if worker.exitcode is not None and not stopping and failed is None:
                failed = f"{worker.name} (pid {worker.pid}) exited with status {worker.exitcode}; stopping the others"
                logger.error("%s", failed)
                for other in workers:
                    if other.pid is not None and other.exitcode is None:
                        os.kill(other.pid, signal.SIGTERM)
    return failed


def _socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def _worker(settings: Settings, port: int) -> None:
    """One worker process: a whole stateless server (upstream pool, app, draining) on its own socket."""
    # Ctrl+C in a terminal reaches the whole process group; the parent forwards it once, as SIGTERM.
    os.setpgrp()
    configure_logging(settings.log_level, settings.log_format)
    listener = _socket(settings.mcp_host)
    listener.bind((settings.mcp_host, port))
    listener.listen(_BACKLOG)
    anyio.run(serve_http, settings, listener)
