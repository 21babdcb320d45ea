"""Every way a call can fail, as one exception tree whose messages an agent can act on.

    JobMojitoError                      message() -> text for the agent, never the token
    ├── NotConfigured                   no credentials: how to sign in (login), or use --sandbox
    ├── SignInEnded                     the sign-in can no longer be renewed (refresh token refused): login again
    ├── SignInUnavailable               the token could not be renewed just now (auth server down): retry later
    ├── TransportError                  the exchange itself failed
    │   ├── ConnectFailed               the request provably never left: safe to retry
    │   ├── UpstreamTimeout             sent, no complete answer in time: it may have been processed
    │   └── ConnectionLost              sent, connection dropped or garbled mid-exchange
    ├── RequestNotSendable              the request cannot be put on the wire (e.g. a URL too long): nothing sent
    ├── BadResponse                     an answer we cannot use (not JSON, truncated, too large, wrong shape)
    └── UpstreamStatusError             JobMojito answered an error status (+ its {"error","name"} body)
        ├── Unauthorized       401 (after one renewal and resend, for sign-ins)
        │   ├── StaticTokenRejected     JOBMOJITO_TOKEN refused: it cannot renew itself
        │   └── CallerSignInRejected    a hosted caller's own token refused: its client must sign in again
        ├── Forbidden          403
        ├── NotFound           404
        ├── InvalidRequest     400, 409, 422 (and other 4xx)
        ├── RateLimited        429 (retry_after)
        └── ServerError        5xx

`upstream.py` raises these; the tool boundary in `run.py` turns them into `isError` results.
A message never repeats untrusted text at length: upstream error texts are cleaned and bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobmojito_mcp.logs import secrets

# How much of an upstream error text reaches the agent: enough to read, too little to flood context.
_EXCERPT_CHARS = 300


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """One line, printable, at most `limit` characters: safe to quote untrusted text in a message."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


CREATED_INTERVIEW = "created the interview"


@dataclass(frozen=True)
class CallContext:
    """What a message needs to know about the call that failed, to say what to do next."""

    tool: str
    creates: bool  # a create that may have reached JobMojito must never be blindly resent
    recheck_hint: str = ""  # how to find out whether a create went through
    effect: str = CREATED_INTERVIEW  # what a create that went through did, e.g. "registered the candidates"
    ids: tuple[tuple[str, str], ...] = ()  # the ids the call named, (argument, value): "not found" says which


class JobMojitoError(Exception):
    """Base: `message(call)` is the full text the agent reads."""

    def message(self, call: CallContext) -> str:
        return str(self)


_LOGIN_HINT = (
    "Ask the user to run `jobmojito-mcp login` in a terminal on the machine where this server runs; "
    "the server picks up the new sign-in at the next call, with no restart."
)


class NotConfigured(JobMojitoError):
    def message(self, call: CallContext) -> str:
        return (
            "This server is not signed in to JobMojito, so nothing was sent. " + _LOGIN_HINT + " "
            "(Alternatives: JOBMOJITO_REFRESH_TOKEN for headless machines, or --sandbox to try every tool "
            "against the built-in simulator.)"
        )


class SignInEnded(JobMojitoError):
    """The stored sign-in cannot be renewed: its refresh token was refused (revoked, signed out, reused)."""

    def message(self, call: CallContext) -> str:
        return f"The JobMojito sign-in has ended ({self}); nothing was sent to JobMojito. " + _LOGIN_HINT


class SignInMadeElsewhere(JobMojitoError):
    """The stored sign-in was made for another JobMojito API than the one configured: its tokens are
    never sent anywhere but where they were issued for (a `.env` or flag re-pointing the base URL)."""

    def __init__(self, made_for: str, configured: str) -> None:
        super().__init__(made_for, configured)
        self.made_for, self.configured = made_for, configured

    def message(self, call: CallContext) -> str:
        return (
            f"The stored JobMojito sign-in was made for {self.made_for}, but this server is set to call "
            f"{self.configured} (JOBMOJITO_BASE_URL); a sign-in is only ever sent to the API it was made "
            "for, so nothing was sent. Correct JOBMOJITO_BASE_URL, or run `jobmojito-mcp login` for that API."
        )


class SignInUnavailable(JobMojitoError):
    """Renewing the access token failed for a reason that may pass (auth server unreachable, a lock held)."""

    def message(self, call: CallContext) -> str:
        return (
            f"Could not renew the JobMojito access token ({self}). Nothing was sent to JobMojito; "
            "it is safe to try again in a minute."
        )


class TransportError(JobMojitoError):
    """The HTTP exchange failed below the level of a status code."""


class ConnectFailed(TransportError):
    def message(self, call: CallContext) -> str:
        return (
            f"Could not connect to the JobMojito API ({self}). Nothing was sent. "
            "Check JOBMOJITO_BASE_URL, the network or proxy settings (HTTPS_PROXY), then try again."
        )


def _maybe_created(call: CallContext) -> str:
    if not call.creates:
        return " It is safe to try again."
    hint = f" {call.recheck_hint}" if call.recheck_hint else ""
    return (
        f" The request was sent, so JobMojito may have {call.effect} anyway. "
        f"It was NOT sent again automatically, to avoid a duplicate.{hint}"
    )


class UpstreamTimeout(TransportError):
    def message(self, call: CallContext) -> str:
        slow = (
            " AI question generation can take a while; a longer JOBMOJITO_TIMEOUT allows more."
            if call.creates and call.effect == CREATED_INTERVIEW
            else ""
        )
        return f"JobMojito did not answer in time ({self}).{slow}" + _maybe_created(call)


class ConnectionLost(TransportError):
    def message(self, call: CallContext) -> str:
        return (
            f"The connection to JobMojito broke before a complete answer arrived ({self})."
            + _maybe_created(call)
        )


class RequestNotSendable(JobMojitoError):
    def message(self, call: CallContext) -> str:
        return f"This request cannot be sent to JobMojito ({self}); nothing was sent. Shorten or simplify the arguments."


class BadResponse(JobMojitoError):
    def message(self, call: CallContext) -> str:
        return f"JobMojito sent an answer this server cannot use: {self}." + _maybe_created(call)


class UpstreamStatusError(JobMojitoError):
    """An HTTP error status, with the API's own `{"error": ..., "name": ...}` when it sent one."""

    def __init__(self, status: int, error: str | None = None, field: str | None = None) -> None:
        self.status = status
        # Upstream text is untrusted: it may even quote the bearer token back. Scrubbed, then bounded.
        self.error = excerpt(secrets.scrub(error)) if error else None
        self.field = excerpt(secrets.scrub(field), 80) if field else None
        super().__init__(f"HTTP {status}" + (f": {self.error}" if self.error else ""))

    def upstream_says(self) -> str:
        """The API's own words, naming the offending field when it did."""
        if self.error and self.field:
            return f" JobMojito says about `{self.field}`: {self.error}"
        if self.error:
            return f" JobMojito says: {self.error}"
        if self.field:
            return f" The offending field is `{self.field}`."
        return ""

    def message(self, call: CallContext) -> str:
        return f"JobMojito answered HTTP {self.status}.{self.upstream_says()}"

    def named_ids(self, call: CallContext) -> str:
        """The id the API's error names (its `name` is one of the call's id arguments), with its value."""
        return " and ".join(f"{name} {excerpt(value, 80)}" for name, value in call.ids if name == self.field)


class Unauthorized(UpstreamStatusError):
    def message(self, call: CallContext) -> str:
        return (
            "JobMojito rejected a freshly renewed access token (HTTP 401), so nothing was done: the sign-in may "
            "have been revoked everywhere or lost its access. " + _LOGIN_HINT + self.upstream_says()
        )


class StaticTokenRejected(Unauthorized):
    def message(self, call: CallContext) -> str:
        return (
            "JobMojito rejected JOBMOJITO_TOKEN (HTTP 401), so nothing was done: a fixed access token expires "
            "after about an hour and cannot renew itself. Ask the user to run `jobmojito-mcp login` once and "
            "remove JOBMOJITO_TOKEN from the server's configuration; the server then keeps its sign-in fresh "
            "by itself." + self.upstream_says()
        )


class CallerSignInRejected(Unauthorized):
    def message(self, call: CallContext) -> str:
        return (
            "JobMojito rejected your sign-in (HTTP 401: expired, or its session was signed out), so nothing "
            "was done. Your MCP client is asked to sign in again on its next request to this server; then "
            "call again." + self.upstream_says()
        )


class Forbidden(UpstreamStatusError):
    def message(self, call: CallContext) -> str:
        return (
            "JobMojito refused this action for this account (HTTP 403): the token is valid but lacks "
            "permission for it, e.g. another merchant's data." + self.upstream_says()
        )


class NotFound(UpstreamStatusError):
    def message(self, call: CallContext) -> str:
        named = self.named_ids(call)  # the id JobMojito's error names, when it names one
        given = " and ".join(f"{name} {excerpt(value, 80)}" for name, value in call.ids)
        what = f"no item with {named}" if named else "no such item"
        return (
            f"JobMojito found {what} for this account (HTTP 404): check the id, which may be wrong, deleted, "
            "or belong to another merchant."
            + (f" This call named {given}." if given and not named else "")
            + self.upstream_says()
        )


class InvalidRequest(UpstreamStatusError):
    def message(self, call: CallContext) -> str:
        return (
            f"JobMojito rejected the arguments (HTTP {self.status}); nothing was created or changed. "
            "Fix the named field and call again." + self.upstream_says()
        )


class RateLimited(UpstreamStatusError):
    def __init__(self, status: int, error: str | None, field: str | None, retry_after: float | None) -> None:
        super().__init__(status, error, field)
        self.retry_after = retry_after

    def message(self, call: CallContext) -> str:
        wait = f"retry after {self.retry_after:g} s" if self.retry_after is not None else "wait, then retry"
        return f"JobMojito is rate limiting this account (HTTP 429): {wait}." + self.upstream_says()


class ServerError(UpstreamStatusError):
    def message(self, call: CallContext) -> str:
        if self.status in (502, 503, 504):
            return (
                f"JobMojito is unavailable or overloaded (HTTP {self.status}).{self.upstream_says()}"
                + _maybe_created(call)
            )
        # The create endpoints report some validation and permission failures as 500 (unknown
        # template, knowledge base or language id; no permission), so the API's own words matter here.
        which = self.named_ids(call)
        return (
            f"JobMojito failed with HTTP {self.status}{' for ' + which if which else ''}.{self.upstream_says()} "
            "If it names a field or id, fix it and call again; otherwise try again later."
        )


def status_error(
    status: int, error: str | None, field: str | None, retry_after: float | None
) -> UpstreamStatusError:
    """The most specific error class for an HTTP error status."""
    if status == 429:
        return RateLimited(status, error, field, retry_after)
    by_status: dict[int, type[UpstreamStatusError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound}
    if status in by_status:
        return by_status[status](status, error, field)
    if status >= 500:
        return ServerError(status, error, field)
    return InvalidRequest(status, error, field)
