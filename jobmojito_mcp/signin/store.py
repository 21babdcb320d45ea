"""The credentials file: JobMojito sign-ins kept between runs, readable by the user alone.

One JSON file in the user's config directory (found by `platformdirs`: `~/.config/jobmojito-mcp/`
on Linux, `~/Library/Application Support/jobmojito-mcp/` on macOS, `%LOCALAPPDATA%\\jobmojito-mcp\\`
on Windows), or wherever `JOBMOJITO_CREDENTIALS_FILE` says. It is

- private: mode 0600 in a 0700 directory, created that way (never chmod-ed after the fact);
- replaced atomically: a temporary file beside it is written, flushed to disk and renamed over
  it, so a crash or a full disk leaves the old file whole, never half a new one;
- changed under an exclusive lock (`filelock`): two servers sharing it (two desktop windows)
  take turns, and the second one reads what the first wrote before it refreshes, so a rotating
  refresh token is never spent twice.

    {"version": 1, "accounts": {"<auth server URL>": {...one sign-in...}},
                   "clients": {"<auth server URL>": {...this program's registration there...}}}

One sign-in per authorization server, so a sandbox login never replaces the real one; the client
registration is kept apart from it, so a login that fails half-way still reuses it next time. Nothing
here logs a token; the file's contents never leave this module except as `Account` objects.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, FiniteFloat, ValidationError

if TYPE_CHECKING:
    from filelock import AsyncFileLock

APP_NAME = "jobmojito-mcp"
FILE_NAME = "credentials.json"
LOCK_TIMEOUT = 30.0  # seconds; longer than any refresh takes, short enough to report a stuck lock
# A file with a few sign-ins is a few KiB; one far larger is not ours (and is not read into memory).
MAX_FILE_BYTES = 1024 * 1024


class Account(BaseModel):
    """One sign-in to one authorization server."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    auth_url: str
    issuer: str
    client_id: str
    redirect_uri: str | None = None  # the loopback redirect registered with `client_id`
    access_token: str
    refresh_token: str | None = None
    expires_at: FiniteFloat  # epoch seconds, by this machine's clock (NaN or infinity: a corrupt file)
    scope: str | None = None
    email: str | None = None
    subject: str | None = None
    session_id: str | None = None
    signed_in_at: FiniteFloat
    refreshed_at: FiniteFloat | None = None
    # Headless use: the fingerprint of the JOBMOJITO_REFRESH_TOKEN this sign-in descends from.
    seed: str | None = None
    # Set when the authorization server refused the refresh token for good: why, for every process.
    ended: str | None = None
    # The JobMojito API origin (scheme://host[:port]) this sign-in was made for: its tokens are sent
    # there and nowhere else. Unset in files written before it was kept: see `made_for`.
    api_origin: str | None = None

    def made_for(self) -> str:
        """The API origin this sign-in's tokens may be sent to. For a file from before `api_origin`
        was kept: the production API for JobMojito's own authorization server, else the origin the
        authorization server lives on (Supabase's layout, which the sandbox shares)."""
        if self.api_origin:
            return self.api_origin
        from jobmojito_mcp.config import DEFAULT_AUTH_URL, DEFAULT_BASE_URL, url_origin

        return url_origin(DEFAULT_BASE_URL if self.auth_url == DEFAULT_AUTH_URL else self.auth_url)


class RegisteredClient(BaseModel):
    """This program's dynamic registration (RFC 7591) with one authorization server: not a secret."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    issuer: str
    client_id: str
    redirect_uri: str


class _Contents(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: Literal[1] = 1
    accounts: dict[str, Account] = {}
    clients: dict[str, RegisteredClient] = {}


class CorruptCredentials(Exception):
    """The file exists but is not a credentials file we can read; the message says how to recover."""


class LockTimeout(Exception):
    """Another process held the credentials lock too long."""


class LockUnavailable(Exception):
    """No lock can be taken beside the file (a read-only or missing directory)."""


def default_path() -> Path:
    from platformdirs import user_config_path  # only sign-in paths pay for importing it

    return user_config_path(APP_NAME, appauthor=False, roaming=False) / FILE_NAME


class CredentialStore:
    """The credentials file at `path` (default: the user's config directory)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_path()
        self._lock: AsyncFileLock | None = None

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Hold the file's exclusive lock (across processes) while reading, refreshing and writing."""
        # Imported here: ~20 ms that a stdio server's start should not pay before its first renewal.
        from filelock import AsyncFileLock, Timeout

        if self._lock is None:
            self._lock = AsyncFileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT, mode=0o600)
        try:
            self._ensure_directory()
            await self._lock.acquire()
        except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
            raise LockTimeout(
                f"another jobmojito-mcp held {self.path}.lock for over {LOCK_TIMEOUT:g} s; "
                "if none is running, delete that lock file"
            ) from None
        except OSError as exc:
            raise LockUnavailable(f"{self.path.parent}: {exc.strerror or exc}") from None
        try:
            yield
        finally:
            await self._lock.release()

    def account(self, key: str) -> Account | None:
        return self._read().accounts.get(key)

    def client(self, key: str) -> RegisteredClient | None:
        return self._read().clients.get(key)

    def save_client(self, key: str, client: RegisteredClient) -> None:
        """Remember a registration. Call it holding `locked()`."""
        contents = self._read()
        self._write(contents.model_copy(update={"clients": {**contents.clients, key: client}}))

    def save(self, key: str, account: Account) -> None:
        """Store `account` under `key`, keeping the others. Call it holding `locked()`."""
        contents = self._read()
        self._write(contents.model_copy(update={"accounts": {**contents.accounts, key: account}}))

    def remove(self, key: str) -> Account | None:
        """Forget the sign-in under `key` (the client registration stays). Call it holding `locked()`."""
        contents = self._read()
        removed = contents.accounts.get(key)
        if removed is None:
            return None
        remaining = {name: value for name, value in contents.accounts.items() if name != key}
        self._write(contents.model_copy(update={"accounts": remaining}))
        return removed

    def set_aside(self) -> Path | None:
        """Move an unreadable file out of the way (kept for inspection); its new path, or None."""
        if not self.path.exists():
            return None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        os.replace(self.path, aside)
        return aside

    def exposed(self) -> str | None:
        """Why others on this machine may read the sign-in (group or other permission bits on the
        file or its directory), with the fix; None when it is private (or absent)."""
        for path, private in ((self.path.parent, "700"), (self.path, "600")):
            try:
                mode = path.stat().st_mode & 0o777
            except OSError:
                continue
            if mode & 0o077:
                return f"{path} is open to other users (mode {mode:o}): run `chmod {private} {path}`"
        return None

    def _read(self) -> _Contents:
        try:
            with self.path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):
            return _Contents()
        except OSError as exc:
            raise CorruptCredentials(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            if len(raw) > MAX_FILE_BYTES:
                raise ValueError("too large")
            return _Contents.model_validate(json.loads(raw))
        except (ValueError, ValidationError, RecursionError):  # not JSON, too deep or large, not our shape
            raise CorruptCredentials(
                f"{self.path} is not a readable credentials file; run `jobmojito-mcp login` to replace it"
            ) from None

    def _ensure_directory(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _write(self, contents: _Contents) -> None:
        self._ensure_directory()
        data = json.dumps(contents.model_dump(mode="json", exclude_none=True), indent=2).encode("utf-8")
        # mkstemp creates the file 0600 from the start: the tokens are never readable by others.
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
