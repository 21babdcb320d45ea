"""Which JobMojito token a call uses, kept fresh: the one credential provider for every transport.

    Credential          token() -> the access token to send now
                        rejected(token, refusal) -> a renewed token after a 401, or raises
    ├── StaticToken     JOBMOJITO_TOKEN as given (and the in-process sandbox's token)
    ├── SignIn          a refreshing sign-in: the stored login, or JOBMOJITO_REFRESH_TOKEN (headless)
    └── CallerToken     hosted `--auth jobmojito-jwt`: the caller's own token, for one request

`server_credential(settings)` picks, in this order: JOBMOJITO_TOKEN, JOBMOJITO_REFRESH_TOKEN, the
stored login. With none of them it is still a `SignIn`, so a `jobmojito-mcp login` run while the
server is up is picked up at the next call, with no restart.

`SignIn` renews the access token shortly before it expires and once after a 401. Renewal is
single-flight twice over: an in-process lock makes 100 calls arriving at expiry wait for one
refresh, and the credentials file's lock makes two processes sharing a sign-in take turns, the
second adopting what the first wrote instead of spending the (rotating, single-use) refresh token
again. `upstream.Upstream.call` is the only caller.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

import anyio
import httpx2

from jobmojito_mcp.config import Settings, url_origin
from jobmojito_mcp.logs import secrets
from jobmojito_mcp.signin.store import (
    Account,
    CorruptCredentials,
    CredentialStore,
    LockTimeout,
    LockUnavailable,
)
from jobmojito_mcp.tooling.errors import (
    CallerSignInRejected,
    NotConfigured,
    SignInEnded,
    SignInMadeElsewhere,
    SignInUnavailable,
    StaticTokenRejected,
    Unauthorized,
)
from jobmojito_mcp.tooling.upstream import USER_AGENT

if TYPE_CHECKING:
    # The OAuth client (and PyJWT, cryptography) load on the first renewal, not at every start.
    from jobmojito_mcp.signin import oauth

logger = logging.getLogger(__name__)

# Renew when this much of a token's life is left: a quarter of it, at most a minute. A minute
# absorbs clock drift and slow calls on hour-long tokens; a quarter keeps short test lifetimes sane.
_MARGIN_SHARE = 0.25
_MARGIN_CAP = 60.0
# After a failed renewal that may pass (auth server down), wait this long before trying again,
# serving the still-valid token meanwhile: a flapping auth server must not get a request per call.
_RETRY_PAUSE = 5.0


class StaticToken:
    """A fixed access token: JOBMOJITO_TOKEN, or the in-process sandbox's. It cannot renew itself."""

    def __init__(self, token: str) -> None:
        self._token = token
        secrets.add(token)

    async def token(self) -> str:
        return self._token

    async def rejected(self, token: str, refusal: Unauthorized) -> str:
        raise StaticTokenRejected(refusal.status, refusal.error, refusal.field)


class CallerToken:
    """A hosted caller's own token: used for their request only, and remembered as refused on 401."""

    def __init__(self, token: str, refused: RefusedTokens) -> None:
        self._token = token
        self._refused = refused

    async def token(self) -> str:
        return self._token

    async def rejected(self, token: str, refusal: Unauthorized) -> str:
        # Only the caller's client can renew it, and it renews only on an HTTP 401 at the transport:
        # remember the refusal so the next request bearing this token gets exactly that.
        self._refused.add(token)
        raise CallerSignInRejected(refusal.status, refusal.error, refusal.field)


class RefusedTokens:
    """Callers' tokens JobMojito refused (signed out, revoked), until they would have expired anyway.

    Kept as SHA-256 digests, bounded in number: a flood of refusals evicts the oldest entries.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._until: OrderedDict[bytes, float] = OrderedDict()

    def add(self, token: str) -> None:
        from jobmojito_mcp.signin.oauth import unverified_claims

        expires = unverified_claims(token).get("exp")
        until = float(expires) if isinstance(expires, int | float) else time.time() + 3600
        self._until[_digest(token)] = until
        while len(self._until) > self.limit:
            self._until.popitem(last=False)

    def until(self, token: str) -> float | None:
        """When a remembered refusal ends (the token's own expiry), or None if not remembered."""
        return self._until.get(_digest(token))

    async def holds(self, token: str) -> bool:
        """Whether `token` was refused: here, in this process (hosting/state.py adds the replicas')."""
        return token in self

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str) or not self._until:
            return False
        until = self._until.get(_digest(token))
        if until is None:
            return False
        if until < time.time():
            del self._until[_digest(token)]
            return False
        return True


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def fingerprint(secret: str) -> str:
    """A short, non-reversible name for a secret (to recognise it again without keeping it)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _renewed_at(account: Account) -> float:
    return account.refreshed_at or account.signed_in_at


def renewal_due(account: Account, now: float) -> bool:
    """Whether `account`'s access token is in its last quarter (or minute) of life, or past it."""
    issued = account.refreshed_at or account.signed_in_at
    margin = min(_MARGIN_CAP, max(0.0, account.expires_at - issued) * _MARGIN_SHARE)
    return now >= account.expires_at - margin


class SignIn:
    """A sign-in kept fresh with its refresh token, shared through the credentials file.

    `seed` (JOBMOJITO_REFRESH_TOKEN) starts a headless sign-in for `seed_client_id`; what it rotates
    into is kept in the file under its own key, so a restart continues from the newest token
    instead of presenting the spent seed again (which the server would take as theft).

    A sign-in's tokens go only to `api_origin`, the API it was made for (`Account.made_for`): one
    made for another is refused before anything is refreshed or sent (`SignInMadeElsewhere`).
    """

    def __init__(
        self,
        store: CredentialStore,
        auth_url: str,
        *,
        api_origin: str,
        seed: str | None = None,
        seed_client_id: str | None = None,
    ) -> None:
        self._store = store
        self._auth_url = auth_url
        self._api_origin = api_origin
        self._seed = seed
        self._seed_client_id = seed_client_id
        self._key = auth_url if seed is None else f"{auth_url}#refresh-token:{fingerprint(seed)}"
        self._http: httpx2.AsyncClient | None = None  # made on the first renewal
        self._metadata: oauth.AuthServerMetadata | None = None
        self._account: Account | None = None
        self._lock = anyio.Lock()
        self._refused_refresh: str | None = None  # a refresh token the server refused for good
        self._ended: str = ""  # why, for the message while no new login has arrived
        self._pause_until = 0.0
        self._memory_only = False  # set when the file could not be written
        secrets.add(seed)

    @property
    def key(self) -> str:
        """Where in the credentials file this sign-in lives."""
        return self._key

    @property
    def store(self) -> CredentialStore:
        return self._store

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def token(self) -> str:
        account = self._account
        now = time.time()
        if account is not None and not renewal_due(account, now):
            return account.access_token
        if account is not None and now < self._pause_until and account.expires_at > now:
            return account.access_token  # renewal failed a moment ago; this one still works
        return await self._renew(account.access_token if account else None, forced=False)

    async def rejected(self, token: str, refusal: Unauthorized) -> str:
        return await self._renew(token, forced=True)

    async def _renew(self, stale: str | None, *, forced: bool) -> str:
        """A token other than `stale` that is not due for renewal: adopted from the file or refreshed."""
        async with self._lock:  # calls that find the token stale queue here; the first one renews
            mine = self._account
            if mine is not None and mine.access_token != stale and not renewal_due(mine, time.time()):
                return mine.access_token  # renewed while this call waited
            try:
                # Files are replaced whole, so a read needs no lock: a start, or another process's
                # renewal, is usually picked up here without taking (or even importing) the lock.
                stored = self._store.account(self._key)
                if (
                    stored is not None
                    and not stored.ended
                    and stored.access_token != stale
                    and not renewal_due(stored, time.time())
                ):
                    return self._adopt(stored)
                try:
                    async with self._store.locked():  # and other processes sharing the file take turns
                        return await self._renew_locked(stale, forced)
                except LockUnavailable as why:  # a read-only home: carry on in memory alone
                    if not self._memory_only:
                        logger.warning(
                            "cannot lock the credentials (%s): keeping the sign-in in memory only", why
                        )
                    self._memory_only = True
                    return await self._renew_locked(stale, forced)
            except LockTimeout as timeout:
                raise SignInUnavailable(str(timeout)) from None
            except CorruptCredentials as corrupt:
                raise SignInEnded(str(corrupt)) from None

    async def _renew_locked(self, stale: str | None, forced: bool) -> str:
        now = time.time()
        stored = self._store.account(self._key)
        if stored is not None:
            if stored.ended:  # refused for good, here or in another process: only a new login helps
                self._account = None
                raise SignInEnded(stored.ended)
            if stored.access_token != stale and not renewal_due(stored, now):
                return self._adopt(stored)  # another process (or a new login) renewed it already
        # The file is the authority: no entry there means logged out, unless the file cannot be written
        # (a read-only home, a mounted secret), when the copy in memory is all there is, and newer than
        # the file's once it has been renewed: its refresh token was rotated, the file's is spent.
        source = stored
        if (
            self._memory_only
            and self._account is not None
            and (stored is None or _renewed_at(self._account) >= _renewed_at(stored))
        ):
            source = self._account
        source = source or self._from_seed(now)
        if source is None:
            raise NotConfigured()
        # Redacted before their first use: an authorization server echoing the refresh token in its
        # error must not put it in a log line, the agent's error or the file's `ended` note.
        secrets.add(source.refresh_token)
        secrets.add(source.access_token)
        self._check_origin(source)
        if source.refresh_token is None:
            raise SignInEnded("the access token expired and this sign-in has no refresh token")
        if source.refresh_token == self._refused_refresh:
            raise SignInEnded(self._ended)
        from jobmojito_mcp.signin import oauth

        try:
            metadata = await self._discover()
            issued = await oauth.refresh(self._client(), metadata, source.client_id, source.refresh_token)
        except oauth.GrantRefused as refused:
            self._refused_refresh, self._account = source.refresh_token, None
            self._ended = secrets.scrub(f"{source.email or 'the account'}: {refused}")
            logger.warning("JobMojito sign-in ended: %s; run `jobmojito-mcp login`", refused)
            with contextlib.suppress(OSError):  # tell the other processes (and `check`) too
                self._store.save(self._key, source.model_copy(update={"ended": self._ended}))
            raise SignInEnded(self._ended) from None
        except oauth.OAuthProblem as problem:
            self._pause_until, self._metadata = now + _RETRY_PAUSE, None  # and discover afresh next time
            logger.warning("could not renew the JobMojito access token: %s", problem)
            if not forced and source.access_token and source.expires_at > now:
                pause = self._pause_until
                self._adopt(source)  # due for renewal, not yet expired: it serves until the next try
                self._pause_until = pause
                return source.access_token
            raise SignInUnavailable(str(problem)) from None
        renewed = source.model_copy(
            update={
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
                "expires_at": issued.expires_at,
                "scope": issued.scope or source.scope,
                "refreshed_at": time.time(),
            }
        )
        try:
            self._store.save(self._key, renewed)
            self._memory_only = False
        except OSError as exc:  # a read-only home in a container: keep going on the in-memory copy
            self._memory_only = True
            logger.warning(
                "could not save the renewed sign-in to %s: %s", self._store.path, exc.strerror or exc
            )
        logger.info("renewed the JobMojito access token (valid %.0f s)", renewed.expires_at - time.time())
        return self._adopt(renewed)

    def _check_origin(self, account: Account) -> None:
        if account.made_for() != self._api_origin:
            raise SignInMadeElsewhere(account.made_for(), self._api_origin)

    def _adopt(self, account: Account) -> str:
        secrets.add(account.access_token)  # from here on, no log line can show them
        secrets.add(account.refresh_token)
        self._check_origin(account)  # the one way a token becomes this sign-in's: never elsewhere
        self._account, self._refused_refresh, self._pause_until = account, None, 0.0
        return account.access_token

    def _from_seed(self, now: float) -> Account | None:
        if self._seed is None or self._seed_client_id is None:
            return None
        return Account(
            auth_url=self._auth_url,
            issuer=self._auth_url,
            client_id=self._seed_client_id,
            access_token="",
            refresh_token=self._seed,
            expires_at=0.0,
            signed_in_at=now,
            seed=fingerprint(self._seed),
            api_origin=self._api_origin,  # a headless sign-in belongs to the API it was configured with
        )

    async def _discover(self) -> oauth.AuthServerMetadata:
        from jobmojito_mcp.signin.oauth import discover

        if self._metadata is None:
            self._metadata = await discover(self._client(), self._auth_url)
        return self._metadata

    def _client(self) -> httpx2.AsyncClient:
        if self._http is None:
            self._http = auth_http_client()
        return self._http


def auth_http_client() -> httpx2.AsyncClient:
    """The HTTP client for the authorization server: proxies and CA settings from the environment."""
    return httpx2.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx2.Timeout(30.0, connect=10.0),
        trust_env=True,
        follow_redirects=False,
    )


def server_credential(settings: Settings) -> StaticToken | SignIn:
    """The server's own credential (stdio, and the hosted api-key and none modes), in the documented order."""
    if settings.token is not None:
        return StaticToken(settings.token.get_secret_value())
    store = CredentialStore(settings.credentials_file)
    exposed = store.exposed()
    if exposed is not None:
        logger.warning("the JobMojito sign-in may be read by others: %s", exposed)
    if settings.refresh_token is not None:
        return SignIn(
            store,
            settings.resolved_auth_url,
            api_origin=url_origin(settings.base_url),
            seed=settings.refresh_token.get_secret_value(),
            seed_client_id=settings.client_id,
        )
    return SignIn(store, settings.resolved_auth_url, api_origin=url_origin(settings.base_url))


def describe_credential(settings: Settings) -> str:
    """Where the server's own credential comes from and whose it is, for logs and `check` (no secrets)."""
    if settings.token is not None:
        return (
            "using JOBMOJITO_TOKEN, a fixed access token: it expires within the hour "
            "(`jobmojito-mcp login` keeps a sign-in fresh instead)"
        )
    if settings.refresh_token is not None:
        return f"signing in headless with JOBMOJITO_REFRESH_TOKEN (client {settings.client_id})"
    store = CredentialStore(settings.credentials_file)
    try:
        account = store.account(settings.resolved_auth_url)
    except CorruptCredentials as corrupt:
        return str(corrupt)
    if account is None:
        return f"not signed in to {settings.resolved_auth_url}: run `jobmojito-mcp login`"
    return f"signed in as {account.email or account.subject or 'unknown'} (credentials in {store.path})"
