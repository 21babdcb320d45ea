"""Logging to stderr only, as text or JSON lines, with every known secret redacted, floods condensed
and personal data kept out.

On stdio, stdout is the protocol channel: a single stray log line there corrupts the session,
so the root logger gets exactly one handler, on stderr. Secrets are scrubbed in a handler
filter, after formatting, so no logger anywhere (ours, the SDK's, httpx2's) can leak one.

A warning or error that repeats (an attacker's connection flood makes asyncio log a traceback per
refused accept: 150 MB in 40 s) is written once per kind per `THROTTLE_INTERVAL`; the next line of
that kind, or the end of the process, says how many were left out. Protocol payloads (tool
arguments and results: candidates' names, e-mails, résumés) are not logged at any level unless
`--log-payloads` says so: the SDK's transports log whole messages at DEBUG, and its tool-failure
line quotes the failure text, which quotes the rejected value.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

REDACTED = "[REDACTED]"
# Callers' JobMojito tokens (hosted, --auth jobmojito-jwt) are too many to register one by one:
# anything shaped like a JWT is redacted wholesale.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


class _Secrets:
    """The set of strings that must never be written; tokens register here as they become known."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()

    def add(self, secret: str | None) -> None:
        # Very short strings would redact ordinary words; real tokens are long.
        if secret and len(secret) >= 8:
            with self._lock:
                if secret not in self._values:
                    # Longest first, so a token containing another is replaced whole.
                    self._values = tuple(sorted((*self._values, secret), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for secret in self._values:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _JWT.sub(REDACTED, text) if "eyJ" in text else text


secrets = _Secrets()


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# One line per kind of warning or error per this many seconds; the rest are counted.
THROTTLE_INTERVAL = 60.0
_MAX_KINDS = 1000  # beyond this many distinct kinds in one interval, all further ones share one
# What varies between lines of one kind: numbers (ports, fds, counts) and ids (hex, UUIDs).
_VARYING = re.compile(r"[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*|\d+")


@dataclass
class _Window:
    started: float
    left_out: int = 0
    level: int = logging.WARNING
    logger: str = ""
    text: str = ""


class _RedactingHandler(logging.StreamHandler[TextIO]):
    """Writes formatted, redacted records; condenses repeated warnings and errors (see the module doc)."""

    def __init__(self, stream: TextIO, interval: float = THROTTLE_INTERVAL) -> None:
        super().__init__(stream)
        self._interval = interval
        self._windows: dict[tuple[str, int, str], _Window] = {}

    def format(self, record: logging.LogRecord) -> str:
        return secrets.scrub(super().format(record))

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            super().emit(record)
            return
        now = time.monotonic()
        kind, line = _kind(record)
        if kind not in self._windows and len(self._windows) >= _MAX_KINDS:
            kind = (record.name, record.levelno, "(other)")
        window = self._windows.get(kind)
        if window is not None and now - window.started < self._interval:
            window.left_out += 1
            return
        if window is not None and window.left_out:
            self._summarize(window, now)
        self._windows[kind] = _Window(now, 0, record.levelno, record.name, line)
        super().emit(record)
        if len(self._windows) > 64:  # drop quiet kinds (reporting what they left out) so the map stays small
            for old in [key for key, seen in self._windows.items() if now - seen.started >= self._interval]:
                stale = self._windows.pop(old)
                if stale.left_out:
                    self._summarize(stale, now)

    def _summarize(self, window: _Window, now: float) -> None:
        summary = logging.LogRecord(
            window.logger,
            window.level,
            __file__,
            0,
            "%d more like this in the last %.0f s: %s",
            (window.left_out, now - window.started, window.text),
            None,
        )
        super().emit(summary)
        window.left_out = 0

    def close(self) -> None:
        # At exit: what was left out since the last line of each kind is still counted.
        now = time.monotonic()
        for window in self._windows.values():
            if window.left_out:
                self._summarize(window, now)
        self._windows.clear()
        super().close()


def _kind(record: logging.LogRecord) -> tuple[tuple[str, int, str], str]:
    """(the record's kind, its first line): lines of one kind differ only in numbers and ids."""
    try:
        text = record.getMessage()
    except Exception:  # a malformed record is still a kind of its own
        text = str(record.msg)
    line = secrets.scrub(text.split("\n", 1)[0][:200])
    if record.exc_info and record.exc_info[0] is not None:
        line += f" [{record.exc_info[0].__name__}]"
    return (record.name, record.levelno, _VARYING.sub("#", line)), line


# The SDK's lines that quote a failure's text (which quotes the caller's rejected value): tooling/run.py
# logs each failure itself, by kind. Resource failures keep their URI, lose the text.
_QUOTING = frozenset({"Tool %r failed: %r"})
_RESOURCE_FAILED = "Resource %r failed: %r"
# The SDK's loggers that write whole protocol messages at DEBUG.
_PAYLOAD_LOGGERS = (
    "mcp.server.sse",
    "mcp.server.streamable_http",
    "mcp.shared",
    "mcp.client",
    "sse_starlette",
)


class _WithoutPayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("mcp."):
            return True
        if isinstance(record.msg, str) and record.msg in _QUOTING:
            return False
        if record.msg == _RESOURCE_FAILED and isinstance(record.args, tuple) and len(record.args) == 2:
            record.msg = "Resource %r failed (%s)"
            record.args = (record.args[0], "the reason is logged with --log-payloads")
        return True


_payloads = False


def payloads_logged() -> bool:
    """Whether tool arguments and results may be logged (`--log-payloads`)."""
    return _payloads


def configure_logging(
    level: str = "INFO", fmt: str = "text", stream: TextIO | None = None, *, payloads: bool = False
) -> None:
    """Route every log record to stderr, redacted and condensed; replaces any handler configured before.

    `payloads`: also log protocol messages, tool arguments and results (personal data).
    """
    global _payloads
    _payloads = payloads
    handler = _RedactingHandler(stream or sys.stderr)
    if not payloads:
        handler.addFilter(_WithoutPayloads())
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx2 logs every request line at INFO, uvicorn every request it answers ("POST /mcp 200", the
    # same line for every MCP call; a proxy in front logs requests anyway): useful only when
    # debugging, and the access line costs a hosted server ~25 us and a write per request.
    for noisy in ("httpx2", "httpcore2", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    # filelock narrates every acquire and release at DEBUG: noise even then.
    logging.getLogger("filelock").setLevel(logging.WARNING)
    for name in _PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if payloads else max(logging.INFO, root.level))
