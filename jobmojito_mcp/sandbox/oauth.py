"""The sandbox as JobMojito's authorization server: Supabase Auth's OAuth 2.1 server, simulated.

What it keeps: registered clients, pending consents, authorization codes, sessions and refresh
tokens, and counts of auth events that tests read (one refresh per expiry, say). It is written
from the RFCs and Supabase's documented behaviour, sharing no code with any OAuth client (not
even the MCP SDK's models), so the clients tested against it cannot share a mistake with it.

Supabase's rules, as `../shared/jobmojito-auth.md` states them, and what the RFCs require:

- authorization code flow with PKCE S256 only (RFC 7636); public clients allowed; a code works
  once, and presenting it again ends the session it produced (OAuth 2.1 §4.1.3);
- redirect URIs match the registered ones exactly (the strictest reading, so a client that works
  here works on any server);
- a refresh token is issued only when `offline_access` is granted; refresh tokens rotate, and a
  spent one presented again (after `reuse_interval`) is taken as theft: the session ends;
- the functions check each token's session: a signed-out session's tokens get 401 although they
  have not expired;
- `resource` (RFC 8707) is ignored: every token has `aud` "authenticated".

HTTP routes are in :mod:`.oauth_routes`; this module holds the decisions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt

from jobmojito_mcp.sandbox.tokens import AUTH_PATH, DEFAULT_LIFETIME, TokenIssuer

DEMO_EMAIL = "demo@sandbox.jobmojito.invalid"  # who the authorize endpoint signs in
SCOPES = ("openid", "email", "profile", "phone", "offline_access")
CODE_LIFETIME = 300  # seconds an authorization code can be exchanged
AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")


class OAuthError(Exception):
    """An RFC 6749 error: `status`, the `error` code and a human `description`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class RedirectError(OAuthError):
    """An authorize error the client hears about through its redirect URI (RFC 6749 §4.1.2.1)."""

    def __init__(self, redirect_uri: str, state: str | None, error: str, description: str) -> None:
        super().__init__(302, error, description)
        self.location = with_query(redirect_uri, error=error, error_description=description, state=state)


def with_query(url: str, **params: str | None) -> str:
    """`url` with these parameters added to its query (None values left out)."""
    extra = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{url}{'&' if urlsplit(url).query else '?'}{extra}"


def subject_for(email: str) -> str:
    """A stable user id per e-mail address, like a Supabase user's uuid."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{email.lower()}"))


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


@dataclass
class Client:
    """A registered OAuth client (RFC 7591)."""

    client_id: str
    client_name: str | None
    redirect_uris: list[str]
    grant_types: list[str]
    token_endpoint_auth_method: str
    scope: str | None
    client_secret: str | None
    issued_at: int

    def registration(self) -> dict[str, Any]:
        """The RFC 7591 §3.2.1 answer."""
        answer: dict[str, Any] = {
            "client_id": self.client_id,
            "client_id_issued_at": self.issued_at,
            "client_name": self.client_name,
            "redirect_uris": self.redirect_uris,
            "grant_types": self.grant_types,
            "response_types": ["code"],
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "scope": self.scope,
        }
        if self.client_secret is not None:
            answer |= {"client_secret": self.client_secret, "client_secret_expires_at": 0}
        return {key: value for key, value in answer.items() if value is not None}


@dataclass
class Session:
    """One sign-in: every access and refresh token it produces dies with it."""

    id: str
    subject: str
    email: str
    client_id: str | None
    scopes: list[str]
    live: bool = True
    ended_because: str = ""


@dataclass
class Grant:
    """What an authorize request was approved for, until its code is exchanged."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    scopes: list[str]
    expires_at: float
    session_id: str | None = None  # set once exchanged: a second use ends this session


@dataclass
class RefreshRecord:
    session_id: str
    client_id: str
    spent_at: float | None = None  # when rotated; presenting it again is reuse


@dataclass
class PendingConsent:
    client: Client
    redirect_uri: str
    state: str | None
    code_challenge: str
    scopes: list[str]


@dataclass
class AuthServer:
    """The simulated Supabase Auth server of one sandbox. Thread-safe: tests read it from another thread.

    Knobs (change them at any time): `token_ttl` (seconds an access token lives), `consent` (show
    an approve/deny page instead of approving at once), `reuse_interval` (seconds a spent refresh
    token may still be presented; Supabase's default is 10, the sandbox's 0 so double-spends show),
    `clock_skew` (seconds the server's clock is off), `metadata_patch` (fields to override in the
    published metadata, e.g. to take S256 away).
    """

    issuer_key: TokenIssuer = field(default_factory=TokenIssuer)
    token_ttl: int = DEFAULT_LIFETIME
    consent: bool = False
    reuse_interval: float = 0.0
    clock_skew: int = 0
    metadata_patch: dict[str, Any] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)
    clients: dict[str, Client] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    _codes: dict[str, Grant] = field(default_factory=dict)
    _refresh: dict[str, RefreshRecord] = field(default_factory=dict)
    _pending: dict[str, PendingConsent] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- what tests and the admin API ask ------------------------------------------------------

    def count(self, event: str) -> int:
        """How often `event` happened: register, authorize, denied, code, code-reuse, refresh, reuse,
        refresh-refused, revoke, sign-out."""
        with self._lock:
            return self.events[event]

    def sign_out(self, *, session_id: str | None = None, subject: str | None = None) -> int:
        """End sessions (one, a user's, or with neither given, all): their tokens get 401 from now on."""
        with self._lock:
            ended = 0
            for session in self.sessions.values():
                if session.live and session_id in (None, session.id) and subject in (None, session.subject):
                    self._end(session, "signed out")
                    ended += 1
            self.events["sign-out"] += ended
            return ended

    def live_session_ids(self) -> list[str]:
        with self._lock:
            return [session.id for session in self.sessions.values() if session.live]

    def reset(self, *, knobs: bool = False) -> None:
        """Forget clients, sessions and counts; with `knobs`, put the knobs back to their defaults too.
        The signing key stays: tokens issued before still verify (or fail) as they did."""
        with self._lock:
            for store in (
                self.clients,
                self.sessions,
                self.events,
                self._codes,
                self._refresh,
                self._pending,
            ):
                store.clear()
            if knobs:
                self.token_ttl, self.consent, self.reuse_interval, self.clock_skew = (
                    DEFAULT_LIFETIME,
                    False,
                    0.0,
                    0,
                )
                self.metadata_patch = {}

    # -- access tokens -----------------------------------------------------------------------------

    def issue(
        self,
        issuer: str,
        email: str,
        *,
        subject: str | None = None,
        client_id: str | None = None,
        scopes: list[str] | None = None,
        expires_in: int | None = None,
        audience: str = "authenticated",
        azp: str | None = None,
    ) -> tuple[str, Session]:
        """A new session for this user and its first access token (no refresh token); `azp`, a claim
        Supabase does not issue, only when a test asks for it."""
        session = self._new_session(email, subject, client_id, scopes or [])
        return self._access_token(issuer, session, expires_in, audience, azp), session

    def check_access_token(self, token: str) -> dict[str, Any]:
        """The claims of a live, unexpired token; raises `PermissionError` with the reason otherwise."""
        try:
            claims = self.issuer_key.verify(token)
        except jwt.ExpiredSignatureError:
            raise PermissionError("JWT expired") from None
        except jwt.PyJWTError:
            raise PermissionError("invalid signature or claims") from None
        session_id = claims.get("session_id")
        with self._lock:
            session = self.sessions.get(session_id) if isinstance(session_id, str) else None
            if session_id is not None and (session is None or not session.live):
                raise PermissionError("session not found: it was signed out or revoked")
        return claims

    def _new_session(
        self, email: str, subject: str | None, client_id: str | None, scopes: list[str]
    ) -> Session:
        session = Session(str(uuid.uuid4()), subject or subject_for(email), email, client_id, scopes)
        with self._lock:
            self.sessions[session.id] = session
        return session

    def _access_token(
        self,
        issuer: str,
        session: Session,
        expires_in: int | None = None,
        audience: str = "authenticated",
        azp: str | None = None,
    ) -> str:
        return self.issuer_key.issue(
            issuer,
            session.subject,
            expires_in=self.token_ttl if expires_in is None else expires_in,
            audience=audience,
            email=session.email,
            session_id=session.id,
            client_id=session.client_id,
            azp=azp,
            clock_skew=self.clock_skew,
        )

    def _end(self, session: Session, why: str) -> None:
        session.live, session.ended_because = False, why

    # -- RFC 7591 registration -------------------------------------------------------------------

    def register(self, metadata: Any) -> dict[str, Any]:
        if not isinstance(metadata, dict):
            raise OAuthError(400, "invalid_client_metadata", "the body must be a JSON object")
        redirect_uris = metadata.get("redirect_uris")
        if not isinstance(redirect_uris, list) or not redirect_uris:
            raise OAuthError(400, "invalid_redirect_uri", "redirect_uris must be a non-empty list")
        for uri in redirect_uris:
            parts = urlsplit(uri) if isinstance(uri, str) else None
            if (
                parts is None
                or not parts.scheme
                or parts.fragment
                or (parts.scheme == "http" and not _loopback(parts))
            ):
                raise OAuthError(400, "invalid_redirect_uri", f"not an allowed redirect URI: {uri!r}")
        method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
        if method not in AUTH_METHODS:
            raise OAuthError(
                400, "invalid_client_metadata", f"token_endpoint_auth_method must be one of {AUTH_METHODS}"
            )
        grant_types = metadata.get("grant_types", ["authorization_code"])
        if not isinstance(grant_types, list) or not set(grant_types) <= {
            "authorization_code",
            "refresh_token",
        }:
            raise OAuthError(400, "invalid_client_metadata", "grant_types: authorization_code, refresh_token")
        scope = metadata.get("scope")
        if scope is not None and (not isinstance(scope, str) or not set(scope.split()) <= set(SCOPES)):
            raise OAuthError(400, "invalid_client_metadata", f"scope must be drawn from {' '.join(SCOPES)}")
        name = metadata.get("client_name")
        client = Client(
            client_id=str(uuid.uuid4()),
            client_name=name if isinstance(name, str) else None,
            redirect_uris=list(redirect_uris),
            grant_types=list(grant_types),
            token_endpoint_auth_method=method,
            scope=scope,
            client_secret=None if method == "none" else secrets.token_urlsafe(32),
            issued_at=int(time.time()),
        )
        with self._lock:
            self.clients[client.client_id] = client
            self.events["register"] += 1
        return client.registration()

    # -- authorize and consent -------------------------------------------------------------------

    def authorize(self, query: Mapping[str, str]) -> str:
        """Where the browser goes next: the client's redirect (code or error) or the consent page.

        Raises `OAuthError` when the client or redirect URI cannot be trusted (never redirect then).
        """
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            raise OAuthError(400, "invalid_client", "unknown client_id")
        redirect_uri = query.get("redirect_uri") or (
            client.redirect_uris[0] if len(client.redirect_uris) == 1 else ""
        )
        if redirect_uri not in client.redirect_uris:
            raise OAuthError(400, "invalid_request", "redirect_uri is not registered for this client")
        state = query.get("state")

        def refuse(error: str, description: str) -> RedirectError:
            return RedirectError(redirect_uri, state, error, description)

        if query.get("response_type") != "code":
            raise refuse("unsupported_response_type", "response_type must be code")
        challenge = query.get("code_challenge", "")
        if not challenge:
            raise refuse("invalid_request", "code_challenge is required (PKCE)")
        if query.get("code_challenge_method", "plain") != "S256":
            raise refuse("invalid_request", "code_challenge_method must be S256")
        scopes = query.get("scope", client.scope or "openid").split()
        if not set(scopes) <= set(SCOPES):
            raise refuse("invalid_scope", f"scopes must be drawn from {' '.join(SCOPES)}")
        with self._lock:
            self.events["authorize"] += 1
            if not self.consent:
                return self._approve(client.client_id, redirect_uri, state, challenge, scopes)
            authorization_id = secrets.token_urlsafe(16)
            self._pending[authorization_id] = PendingConsent(client, redirect_uri, state, challenge, scopes)
        return f"{AUTH_PATH}/oauth/consent?authorization_id={authorization_id}"

    def pending(self, authorization_id: str) -> PendingConsent | None:
        with self._lock:
            return self._pending.get(authorization_id)

    def decide(self, authorization_id: str, approved: bool) -> str | None:
        """The redirect that ends a consent (code, or error=access_denied); None for an unknown id."""
        with self._lock:
            waiting = self._pending.pop(authorization_id, None)
            if waiting is None:
                return None
            if approved:
                return self._approve(
                    waiting.client.client_id,
                    waiting.redirect_uri,
                    waiting.state,
                    waiting.code_challenge,
                    waiting.scopes,
                )
            self.events["denied"] += 1
        return RedirectError(
            waiting.redirect_uri, waiting.state, "access_denied", "The user denied the request"
        ).location

    def _approve(
        self, client_id: str, redirect_uri: str, state: str | None, challenge: str, scopes: list[str]
    ) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = Grant(client_id, redirect_uri, challenge, scopes, time.time() + CODE_LIFETIME)
        return with_query(redirect_uri, code=code, state=state)

    # -- the token endpoint ----------------------------------------------------------------------

    def token(self, issuer: str, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """Answer a token request (RFC 6749 §4.1.3 and §6); raises `OAuthError`."""
        client = self._authenticate_client(form, basic)
        grant_type = form.get("grant_type")
        if grant_type not in client.grant_types:
            raise OAuthError(400, "unsupported_grant_type", f"this client may use {client.grant_types}")
        if grant_type == "authorization_code":
            return self._exchange_code(issuer, client, form)
        return self._refresh_grant(issuer, client, form.get("refresh_token", ""))

    def _authenticate_client(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> Client:
        client_id = basic[0] if basic else form.get("client_id", "")
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", "unknown client_id")
        if client.client_secret is not None:
            presented = basic[1] if basic else form.get("client_secret", "")
            if not hmac.compare_digest(presented.encode(), client.client_secret.encode()):
                raise OAuthError(401, "invalid_client", "client authentication failed")
        return client

    def _exchange_code(self, issuer: str, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        code = form.get("code", "")
        with self._lock:
            grant = self._codes.get(code)
            if grant is None or grant.client_id != client.client_id:
                raise OAuthError(400, "invalid_grant", "invalid or unknown authorization code")
            if grant.session_id is not None:
                # A code presented twice: whoever has it, the tokens it produced are no longer trusted.
                session = self.sessions.get(grant.session_id)
                if session is not None:
                    self._end(session, "authorization code reused")
                self.events["code-reuse"] += 1
                raise OAuthError(400, "invalid_grant", "authorization code already used")
            if grant.expires_at < time.time():
                raise OAuthError(400, "invalid_grant", "authorization code expired")
            if form.get("redirect_uri") != grant.redirect_uri:
                raise OAuthError(
                    400, "invalid_grant", "redirect_uri does not match the authorization request"
                )
            verifier = form.get("code_verifier", "")
            if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(
                s256(verifier), grant.code_challenge
            ):
                raise OAuthError(
                    400, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)"
                )
            session = self._new_session(DEMO_EMAIL, None, client.client_id, grant.scopes)
            grant.session_id = session.id
            self.events["code"] += 1
            return self._tokens(issuer, session, client.client_id)

    def _refresh_grant(self, issuer: str, client: Client, presented: str) -> dict[str, Any]:
        with self._lock:
            record = self._refresh.get(presented)
            session = self.sessions.get(record.session_id) if record else None
            if record is None or session is None or record.client_id != client.client_id:
                self.events["refresh-refused"] += 1
                raise OAuthError(400, "invalid_grant", "Invalid Refresh Token: Refresh Token Not Found")
            if record.spent_at is not None and time.time() - record.spent_at > self.reuse_interval:
                # A rotated token came back: someone holds a copy. Supabase ends the whole session.
                if session.live:
                    self._end(session, "refresh token reused")
                self.events["reuse"] += 1
                raise OAuthError(400, "invalid_grant", "Invalid Refresh Token: Already Used")
            if not session.live:
                self.events["refresh-refused"] += 1
                raise OAuthError(
                    400, "invalid_grant", f"Invalid Refresh Token: session ended ({session.ended_because})"
                )
            record.spent_at = time.time()
            self.events["refresh"] += 1
            return self._tokens(issuer, session, client.client_id)

    def _tokens(self, issuer: str, session: Session, client_id: str) -> dict[str, Any]:
        """Supabase's token answer; a refresh token only with `offline_access`."""
        answer: dict[str, Any] = {
            "access_token": self._access_token(issuer, session),
            "token_type": "bearer",
            "expires_in": self.token_ttl,
            "expires_at": int(time.time()) + self.clock_skew + self.token_ttl,
            "scope": " ".join(session.scopes),
            "user": {"id": session.subject, "email": session.email},
        }
        if "offline_access" in session.scopes:
            refresh = secrets.token_urlsafe(24)
            self._refresh[refresh] = RefreshRecord(session.id, client_id)
            answer["refresh_token"] = refresh
        return answer

    # -- revocation --------------------------------------------------------------------------------

    def revoke(self, token: str) -> bool:
        """RFC 7009: a refresh or access token, and the session it belongs to, stop working."""
        with self._lock:
            record = self._refresh.get(token)
            session_id: Any = record.session_id if record else None
            if session_id is None:
                try:
                    session_id = self.issuer_key.verify(token, check_expiry=False).get("session_id")
                except jwt.PyJWTError:
                    return False
            session = self.sessions.get(session_id) if isinstance(session_id, str) else None
            if session is None or not session.live:
                return False
            self._end(session, "revoked")
            self.events["revoke"] += 1
            return True


def _loopback(parts: Any) -> bool:
    return parts.hostname in ("127.0.0.1", "::1", "localhost")
