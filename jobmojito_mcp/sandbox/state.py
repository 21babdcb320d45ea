"""Everything one sandbox instance remembers: interviews, candidates, results, pre-screening
positions, knowledge-base documents, the account, the journal, faults, auth, latency.

Records live in memory; with ``db_path`` every change is also written to SQLite (one JSON
document per record, one table per kind: the simplest scheme that survives a restart) and read
back on start. Handlers run on the server's event loop while tests may read from another thread,
so the tables hand out copies under one lock.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Callable, Set
from typing import Any, Generic, TypeVar

from jobmojito_mcp.sandbox.account import Account
from jobmojito_mcp.sandbox.faults import FaultPlan
from jobmojito_mcp.sandbox.interviews import Interview
from jobmojito_mcp.sandbox.journal import Journal
from jobmojito_mcp.sandbox.oauth import AuthServer
from jobmojito_mcp.sandbox.records import CatalogueDirectory, Email, KnowledgeDocument, Link, Member, Result
from jobmojito_mcp.sandbox.screening import Position, demo_position, foreign_position
from jobmojito_mcp.sandbox.storage import FileStore

T = TypeVar("T")


class Database:
    """The optional SQLite file, and the one lock every table takes (they share the connection)."""

    def __init__(self, path: str | None) -> None:
        self.lock = threading.RLock()
        self.connection = None if path is None else sqlite3.connect(path, check_same_thread=False)

    def close(self) -> None:
        with self.lock:
            if self.connection is not None:
                self.connection.close()
                self.connection = None


class Table(Generic[T]):
    """Records of one kind by key, oldest first; copies in and out; persisted when there is a file."""

    def __init__(
        self,
        db: Database,
        name: str,
        key: Callable[[T], str],
        load: Callable[[dict[str, Any]], T],
        dump: Callable[[T], dict[str, Any]],
    ) -> None:
        self._db, self._name, self._key, self._dump = db, name, key, dump
        self._items: dict[str, T] = {}
        connection = db.connection
        if connection is not None:
            with db.lock, connection:
                connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)"
                )
                for (doc,) in connection.execute(f"SELECT doc FROM {name} ORDER BY rowid"):  # noqa: S608  # a fixed name
                    item = load(json.loads(doc))
                    self._items[key(item)] = item

    def find(self, match: Callable[[T], bool]) -> T | None:
        """The first record that matches (a copy), or None."""
        with self._db.lock:
            found = next((item for item in self._items.values() if match(item)), None)
            return copy.deepcopy(found)

    def select(self, match: Callable[[T], bool]) -> list[T]:
        """Copies of the records that match, oldest first (only those are copied)."""
        with self._db.lock:
            return copy.deepcopy([item for item in self._items.values() if match(item)])

    def count(self) -> int:
        with self._db.lock:
            return len(self._items)

    def get(self, key: str | None) -> T | None:
        with self._db.lock:
            return copy.deepcopy(self._items.get(key)) if key is not None else None

    def all(self) -> list[T]:
        """Copies of every record, oldest first."""
        with self._db.lock:
            return copy.deepcopy(list(self._items.values()))

    def save(self, item: T) -> None:
        key = self._key(item)
        with self._db.lock:
            self._items[key] = copy.deepcopy(item)
            if self._db.connection is not None:
                with self._db.connection:
                    self._db.connection.execute(
                        f"INSERT OR REPLACE INTO {self._name} (id, doc) VALUES (?, ?)",  # noqa: S608
                        (key, json.dumps(self._dump(item))),
                    )

    def delete(self, key: str) -> None:
        with self._db.lock:
            self._items.pop(key, None)
            if self._db.connection is not None:
                with self._db.connection:
                    self._db.connection.execute(f"DELETE FROM {self._name} WHERE id = ?", (key,))  # noqa: S608

    def clear(self) -> None:
        with self._db.lock:
            self._items.clear()
            if self._db.connection is not None:
                with self._db.connection:
                    self._db.connection.execute(f"DELETE FROM {self._name}")  # noqa: S608


class InterviewStore(Table[Interview]):
    """Interviews by id (``interview_def_set_id`` or ``position_def_set_id``), optionally persisted."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "interviews", lambda i: i.id, Interview.from_json, Interview.to_json)

    def get(self, any_id: str | None) -> Interview | None:
        """The interview with this interview id or position id (a copy), or None."""
        if any_id is None:
            return None
        return self.find(lambda interview: any_id in (interview.id, interview.position_id))

    def by_external_id(self, external_id: str) -> Interview | None:
        """The interview whose position carries this ``position_external_id`` (a copy), or None."""
        return self.find(lambda interview: interview.external_id == external_id)


def _table(db: Database, name: str, kind: Any) -> Any:
    return Table(db, name, lambda item: item.key, kind.from_json, kind.to_json)


class SandboxState:
    """One sandbox's state and knobs; pass it to :func:`create_app`.

    ``tokens=None`` accepts any non-empty opaque bearer token, a set only those; JWTs must be
    live at the auth server (``token_ttl`` seconds of life, ``consent`` to ask a person before
    signing in). ``latency`` (seconds) delays every ``/functions/v1`` call and may be changed
    while running. ``auto_take`` (seconds, or None) makes every registered candidate take the
    interview that long after registering. ``stopping`` is set when the server shuts down, so
    hanging or dripping faults end at once.
    """

    def __init__(
        self,
        *,
        tokens: Set[str] | None = None,
        db_path: str | None = None,
        latency: float = 0.0,
        token_ttl: int | None = None,
        consent: bool = False,
        auto_take: float | None = None,
    ) -> None:
        self.tokens: frozenset[str] | None = None if tokens is None else frozenset(tokens)
        self.latency = latency
        self.auto_take = auto_take
        self.db = Database(db_path)
        self.interviews = InterviewStore(self.db)
        self.links: Table[Link] = _table(self.db, "links", Link)
        self.results: Table[Result] = _table(self.db, "results", Result)
        self.outbox: Table[Email] = _table(self.db, "outbox", Email)
        self.accounts: Table[Account] = _table(self.db, "account", Account)
        self.members: Table[Member] = _table(self.db, "members", Member)  # invited team and coaching users
        self.positions: Table[Position] = _table(self.db, "positions", Position)  # pre-screening
        self.knowledge: Table[KnowledgeDocument] = _table(self.db, "knowledge", KnowledgeDocument)
        for position in (demo_position(), foreign_position()):
            if self.positions.get(position.id) is None:  # kept across restarts with db_path
                self.positions.save(position)
        self.directories: Table[CatalogueDirectory] = _table(self.db, "directories", CatalogueDirectory)
        self.files = FileStore()  # rendered reports: in memory only, like the short-lived links to them
        self.journal = Journal()
        self.faults = FaultPlan()
        self.stopping = threading.Event()
        self.auth = AuthServer(consent=consent)  # the simulated Supabase Auth server
        if token_ttl is not None:
            self.auth.token_ttl = token_ttl

    @property
    def account(self) -> Account:
        """The merchant's credits and invitations (a copy: change it, then ``save_account``)."""
        return self.accounts.get(Account.KEY) or Account()

    def save_account(self, account: Account) -> None:
        self.accounts.save(account)

    def reset(self) -> None:
        """Forget interviews, candidates, results, e-mails, files, the account's spending, the journal
        and pending faults; keep the knobs and sign-ins."""
        for table in (
            self.interviews,
            self.links,
            self.results,
            self.outbox,
            self.accounts,
            self.members,
            self.positions,
            self.knowledge,
            self.directories,
        ):
            table.clear()
        for position in (demo_position(), foreign_position()):
            self.positions.save(position)
        self.files.clear()
        self.journal.clear()
        self.faults.clear()

    def close(self) -> None:
        """Release the SQLite connection, if any."""
        self.db.close()
