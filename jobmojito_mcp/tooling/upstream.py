"""The shared async HTTP layer: one pooled client per process, auth, timeouts, retries, error mapping.

Every tool call reaches JobMojito through `Upstream.call`. It owns the rules that keep calls
safe: a request that may have reached JobMojito is retried only when repeating it is harmless
(reads); a create is resent only when it provably never left (the connection was never made).
Every failure leaves here as one of the classes in `errors.py`, never as an httpx2 exception.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import platform
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, Protocol
from urllib.parse import urlencode

import anyio
import httpx2

from jobmojito_mcp import __version__, telemetry
from jobmojito_mcp.config import Settings
from jobmojito_mcp.tooling.errors import (
    BadResponse,
    ConnectFailed,
    ConnectionLost,
    JobMojitoError,
    RateLimited,
    RequestNotSendable,
    ServerError,
    Unauthorized,
    UpstreamTimeout,
    status_error,
)

logger = logging.getLogger(__name__)


class Credential(Protocol):
    """Which token a call sends, and what to do when JobMojito refuses it: the one question the client
    asks of sign-in (`signin.credentials` has the providers). Declared here, where it is used, so the
    HTTP layer depends on no sign-in code."""

    async def token(self) -> str:
        """The access token to send now; raises a `JobMojitoError` when there is none."""
        ...

    async def rejected(self, token: str, refusal: Unauthorized) -> str:
        """JobMojito answered 401 for `token`: a renewed token to resend with, or raise."""
        ...


USER_AGENT = f"jobmojito-mcp/{__version__} httpx2/{httpx2.__version__} python/{platform.python_version()}"
# Statuses that mean "not processed, try later" from a gateway or an overloaded upstream.
_TRANSIENT_STATUSES = frozenset({502, 503, 504})
_BACKOFF_CAP = 8.0


# A multipart request: its text parts, and its file parts as (file name, open stream, media type).
FileParts = Mapping[str, tuple[str, BinaryIO, str]]


@dataclass(frozen=True)
class Multipart:
    """A `multipart/form-data` body, streamed: httpx2 reads each file in 64 KiB chunks as it sends
    (rewinding it first, so a resend after a refused connection or a renewed sign-in sends it whole)."""

    fields: Mapping[str, str]
    files: FileParts


@dataclass(frozen=True)
class Endpoint:
    """One JobMojito function: how to call it and whether repeating a call is harmless."""

    method: Literal["GET", "POST"]
    path: str  # relative to the base URL, e.g. "/job-interview-create"
    safe_to_repeat: bool  # reads: retried on transient failures; writes: only when never sent


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or junk."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP-date is GMT by definition
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


class Upstream:
    """The process-wide connection to JobMojito (or the sandbox).

    One instance serves every session and every transport: connections are pooled and kept
    alive across calls. Tokens are passed per call, so one pool can serve many callers without
    ever holding one caller's credentials for another.

        async with Upstream(settings) as upstream:
            data = await upstream.call(endpoint, credential, query={"position_id": "..."})
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        base_url: str | None = None,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._base_url = (base_url or settings.base_url).rstrip("/")
        self._http: httpx2.AsyncClient | None = None
        # A slow-drip body resets the read timeout at every byte; this bounds one attempt as a whole.
        self._attempt_deadline = settings.connect_timeout + 2 * settings.timeout

    @property
    def base_url(self) -> str:
        """Where calls go (JobMojito's functions URL, or the sandbox's): its origin also serves recordings."""
        return self._base_url

    async def __aenter__(self) -> Upstream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    @property
    def _client(self) -> httpx2.AsyncClient:
        """The pooled client, made on first use: creating it (CA bundle, 50 modules) would add ~50 ms
        to every start, and a stdio server is started for every desktop session."""
        if self._http is None:
            settings = self._settings
            self._http = httpx2.AsyncClient(
                base_url=self._base_url,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                timeout=httpx2.Timeout(
                    settings.timeout, connect=settings.connect_timeout, pool=settings.connect_timeout
                ),
                # Every connection may stay pooled: a burst reuses them instead of reconnecting.
                limits=httpx2.Limits(
                    max_connections=settings.max_connections,
                    max_keepalive_connections=settings.max_connections,
                    keepalive_expiry=30.0,
                ),
                transport=self._transport,
                trust_env=True,  # HTTPS_PROXY / NO_PROXY, SSL_CERT_FILE / SSL_CERT_DIR
                follow_redirects=False,
            )
        return self._http

    async def reachable(self, probe_timeout: float = 3.0) -> bool:
        """Whether JobMojito answers HTTP at all (any status counts): the readiness probe's question."""
        try:
            await self._client.get("/", timeout=probe_timeout)
        except httpx2.HTTPError:
            return False
        return True

    async def download(self, url: str) -> bytes:
        """A file JobMojito linked to (a signed report URL), through the same pool (and, for the
        sandbox, the same in-process simulator). Signed URLs carry their own authority: no token is
        sent. `BadResponse` for any status but 200; httpx2.HTTPError when it cannot be reached."""
        async with self._client.stream("GET", url, headers={"Accept": "*/*"}) as response:
            body = await self._read_capped(response)
            if response.status_code != 200:
                raise BadResponse(f"HTTP {response.status_code} for the linked file: {body[:200]!r}")
        return body

    async def call(
        self,
        endpoint: Endpoint,
        credential: Credential,
        *,
        query: dict[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one request (retrying where safe) and return the decoded JSON of a 2xx answer. `body`
        is sent as JSON, or as the multipart form it is when a `Multipart`.

        A 401 is answered by renewing the credential and sending once more, whatever the endpoint:
        JobMojito refuses an unauthenticated request before doing anything, so nothing is repeated.
        """
        token = await credential.token()
        try:
            return await self._send(endpoint, token, query, body)
        except Unauthorized as refusal:
            renewed = await credential.rejected(token, refusal)
        return await self._send(endpoint, renewed, query, body)

    async def _send(self, endpoint: Endpoint, token: str, query: dict[str, str] | None, body: Any) -> Any:
        retries = 0
        while True:
            try:
                return await self._attempt(endpoint, token, query, body, retries)
            except JobMojitoError as failure:
                delay = self._retry_delay(endpoint, failure, retries)
                if delay is None:
                    raise
                retries += 1
                logger.info(
                    "retrying %s %s in %.2fs (attempt %d): %s",
                    endpoint.method,
                    endpoint.path,
                    delay,
                    retries + 1,
                    type(failure).__name__,
                )
                await anyio.sleep(delay)

    def _retry_delay(self, endpoint: Endpoint, failure: JobMojitoError, retries: int) -> float | None:
        """How long to wait before the next attempt, or None when this failure must not be retried."""
        if retries >= self._settings.max_retries:
            return None
        backoff = min(_BACKOFF_CAP, self._settings.retry_backoff * 2.0**retries)
        jittered = backoff * (0.5 + random.random() / 2)
        if isinstance(failure, ConnectFailed):
            return jittered  # nothing was sent: safe for every endpoint
        if not endpoint.safe_to_repeat:
            return None
        if isinstance(failure, RateLimited):
            if failure.retry_after is None:
                return jittered
            if failure.retry_after > self._settings.retry_after_cap:
                return None  # longer than we block a tool call: tell the agent when to come back
            return failure.retry_after
        if isinstance(failure, ServerError) and failure.status in _TRANSIENT_STATUSES:
            return jittered
        if isinstance(failure, ConnectionLost):
            return jittered  # typically a pooled keep-alive connection the server had closed
        return None

    async def _attempt(
        self, endpoint: Endpoint, token: str, query: dict[str, str] | None, body: Any, retry: int = 0
    ) -> Any:
        # A span per attempt (with the W3C trace context it sends), its duration and status: telemetry.
        with telemetry.upstream_attempt(endpoint.method, endpoint.path, self._base_url, retry) as attempt:
            return await self._exchange(endpoint, token, query, body, attempt)

    async def _exchange(
        self,
        endpoint: Endpoint,
        token: str,
        query: dict[str, str] | None,
        body: Any,
        attempt: telemetry.Attempt,
    ) -> Any:
        # An absolute URL, query encoded here: the same bytes as `params=`, for ~40 us less per call
        # than httpx2 joining the base URL and encoding the parameters itself.
        url = self._base_url + endpoint.path + (f"?{urlencode(query)}" if query else "")
        headers = {**attempt.headers, "Authorization": f"Bearer {token}"}
        try:
            if isinstance(body, Multipart):
                request = self._client.build_request(
                    endpoint.method, url, data=dict(body.fields), files=dict(body.files), headers=headers
                )
            else:
                request = self._client.build_request(
                    endpoint.method, url, json=body if endpoint.method == "POST" else None, headers=headers
                )
        except (httpx2.InvalidURL, ValueError) as exc:  # a URL over the length limit; a body JSON cannot hold
            raise RequestNotSendable(_describe(exc, "invalid request")[:120]) from None
        started = time.perf_counter()
        try:
            with anyio.fail_after(self._attempt_deadline):
                response = await self._client.send(request, stream=True)
                try:
                    content = await self._read_capped(response)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise UpstreamTimeout(f"no complete answer within {self._attempt_deadline:g} s") from None
        except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout) as exc:
            raise ConnectFailed(_describe(exc, "connection failed")) from None
        except (httpx2.ReadTimeout, httpx2.WriteTimeout) as exc:
            raise UpstreamTimeout(_describe(exc, f"no answer within {self._settings.timeout:g} s")) from None
        except httpx2.TransportError as exc:
            raise ConnectionLost(_describe(exc, "connection closed")) from None
        attempt.answered(response.status_code)
        logger.debug(
            "%s %s -> %d (%d bytes, %.0f ms)",
            endpoint.method,
            endpoint.path,
            response.status_code,
            len(content),
            (time.perf_counter() - started) * 1000,
        )
        if response.is_success:
            return _decode(content, response)
        error, field = _error_body(content)
        raise status_error(
            response.status_code, error, field, parse_retry_after(response.headers.get("Retry-After"))
        )

    async def _read_capped(self, response: httpx2.Response) -> bytes:
        limit = self._settings.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BadResponse(f"a body of {int(declared):,} bytes, over the {limit:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise BadResponse(f"a body over the {limit:,}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)


def _describe(exc: Exception, fallback: str) -> str:
    # httpx2 messages name the host and the OS error, never headers: safe to show, minus noise.
    text = " ".join(str(exc).split())
    return text[:200] if text else fallback


def _decode(content: bytes, response: httpx2.Response) -> Any:
    if not content.strip():
        raise BadResponse(f"an empty body with HTTP {response.status_code}")
    try:
        return json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        pass
    head = content.lstrip()[:1]
    if head in (b"{", b"["):
        raise BadResponse("a truncated or malformed JSON body") from None
    kind = response.headers.get("Content-Type", "unknown type").split(";")[0]
    raise BadResponse(f"a non-JSON body ({kind})") from None


def _error_body(content: bytes) -> tuple[str | None, str | None]:
    """The API's `{"error": ..., "name": ...}`, tolerating anything else an error page may hold."""
    try:
        parsed = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None, None
    if not isinstance(parsed, dict):
        return None, None
    error, field = parsed.get("error"), parsed.get("name")
    if not isinstance(error, str):
        error = parsed.get("message") if isinstance(parsed.get("message"), str) else None
    return error, field if isinstance(field, str) else None
