"""The request journal: every call that reaches ``/functions/v1`` is recorded before handling.

Tests use it to prove what a client actually sent (headers, token, body), including calls that
were refused (401) or answered by an injected fault. The sandbox may serve from a background
thread while a test reads the journal, hence the lock and the snapshot copies.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from jobmojito_mcp.sandbox.auth import bearer_token


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox received it."""

    method: str
    path: str  # e.g. "/functions/v1/job-interview-create"
    endpoint: str  # e.g. "job-interview-create"
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body)

    @property
    def token(self) -> str | None:
        """The bearer token the caller sent, if any: lets tests check per-token isolation."""
        return bearer_token(self.headers.get("authorization"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the admin API (the body as text, undecodable bytes replaced)."""
        return {
            "method": self.method,
            "path": self.path,
            "endpoint": self.endpoint,
            "query": self.query,
            "headers": self.headers,
            "body": self.body.decode("utf-8", errors="replace"),
            "token": self.token,
        }


class Journal:
    """A thread-safe, append-only list of :class:`RecordedRequest`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(request)

    def snapshot(self, endpoint: str | None = None) -> list[RecordedRequest]:
        """A copy of the entries, oldest first, optionally only those of one endpoint."""
        with self._lock:
            return [r for r in self._entries if endpoint is None or r.endpoint == endpoint]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
