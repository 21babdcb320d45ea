"""Everything one sandbox instance remembers: interviews, the journal, faults, auth, latency.

Interviews live in memory; with ``db_path`` every change is also written to SQLite (one JSON
document per interview, the simplest scheme that survives a restart) and read back on start.
Handlers run on the server's event loop while tests may read from another thread, so the store
hands out copies under a lock.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Set

from jobmojito_mcp.sandbox.faults import FaultPlan
from jobmojito_mcp.sandbox.interviews import Interview
from jobmojito_mcp.sandbox.journal import Journal
from jobmojito_mcp.sandbox.oauth import AuthServer


class InterviewStore:
    """Interviews by id (``interview_def_set_id`` or ``position_def_set_id``), optionally persisted."""

    def __init__(self, db_path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Interview] = {}
        self._db: sqlite3.Connection | None = None
        if db_path is not None:
            self._db = sqlite3.connect(db_path, check_same_thread=False)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS interviews (id TEXT PRIMARY KEY, doc TEXT NOT NULL)"
                )
            for (doc,) in self._db.execute("SELECT doc FROM interviews"):
                interview = Interview.from_json(json.loads(doc))
                self._items[interview.id] = interview

    def get(self, any_id: str | None) -> Interview | None:
        """The interview with this interview id or position id (a copy), or None."""
        with self._lock:
            for interview in self._items.values():
                if any_id in (interview.id, interview.position_id):
                    return copy.deepcopy(interview)
        return None

    def by_external_id(self, external_id: str) -> Interview | None:
        """The interview whose position carries this ``position_external_id`` (a copy), or None."""
        with self._lock:
            for interview in self._items.values():
                if interview.external_id == external_id:
                    return copy.deepcopy(interview)
        return None

    def all(self) -> list[Interview]:
        """Copies of every stored interview, oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._items.values()))

    def save(self, interview: Interview) -> None:
        with self._lock:
            self._items[interview.id] = copy.deepcopy(interview)
            if self._db is not None:
                with self._db:
                    self._db.execute(
                        "INSERT OR REPLACE INTO interviews (id, doc) VALUES (?, ?)",
                        (interview.id, json.dumps(interview.to_json())),
                    )

    def delete(self, interview_id: str) -> None:
        with self._lock:
            self._items.pop(interview_id, None)
            if self._db is not None:
                with self._db:
                    self._db.execute("DELETE FROM interviews WHERE id = ?", (interview_id,))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            if self._db is not None:
                with self._db:
                    self._db.execute("DELETE FROM interviews")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class SandboxState:
    """One sandbox's state and knobs; pass it to :func:`create_app`.

    ``tokens=None`` accepts any non-empty opaque bearer token, a set only those; JWTs must be
    live at the auth server (``token_ttl`` seconds of life, ``consent`` to ask a person before
    signing in). ``latency`` (seconds)
    delays every ``/functions/v1`` call and may be changed while running. ``stopping`` is set
    when the server shuts down, so hanging or dripping faults end at once.
    """

    def __init__(
        self,
        *,
        tokens: Set[str] | None = None,
        db_path: str | None = None,
        latency: float = 0.0,
        token_ttl: int | None = None,
        consent: bool = False,
    ) -> None:
        self.tokens: frozenset[str] | None = None if tokens is None else frozenset(tokens)
        self.latency = latency
        self.interviews = InterviewStore(db_path)
        self.journal = Journal()
        self.faults = FaultPlan()
        self.stopping = threading.Event()
        self.auth = AuthServer(consent=consent)  # the simulated Supabase Auth server
        if token_ttl is not None:
            self.auth.token_ttl = token_ttl

    def reset(self) -> None:
        """Forget interviews (also in SQLite), the journal and pending faults; keep the knobs and sign-ins."""
        self.interviews.clear()
        self.journal.clear()
        self.faults.clear()

    def close(self) -> None:
        """Release the SQLite connection, if any."""
        self.interviews.close()
