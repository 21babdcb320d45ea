"""Logging to stderr only, as text or JSON lines, with every known secret redacted.

On stdio, stdout is the protocol channel: a single stray log line there corrupts the session,
so the root logger gets exactly one handler, on stderr. Secrets are scrubbed in a handler
filter, after formatting, so no logger anywhere (ours, the SDK's, httpx2's) can leak one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
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


class _RedactingHandler(logging.StreamHandler[TextIO]):
    def format(self, record: logging.LogRecord) -> str:
        return secrets.scrub(super().format(record))


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Route every log record to stderr, redacted; replaces any handler configured before."""
    handler = _RedactingHandler(stream or sys.stderr)
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
