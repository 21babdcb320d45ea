"""State shared by the replicas of a hosted endpoint, in Redis (or Valkey): quotas and refused tokens.

Without `--state-url` nothing here runs: every count lives in the process (quotas.py), as on one
machine. With it, each per-caller quota is ALSO enforced across all replicas:

    leases    sessions, streams, requests and calls in progress: one sorted set per caller and kind,
              a member per thing held, scored by its expiry (Redis server time, so replicas' clocks
              do not matter). Taking one is a Lua script (drop the expired, count, add if below the
              limit: atomic). Each replica renews what it holds every third of `lease` seconds, so a
              replica that dies stops renewing and its counts expire within `lease` seconds.
    rate      a token bucket per caller (a hash: tokens, stamp), in the same script as the request
              lease: one round trip per HTTP request.
    refused   digests (SHA-256, never a token) of callers' tokens JobMojito refused, in one sorted set
              scored by the token's expiry, bounded like the in-process memory (the soonest to expire
              are dropped first beyond the bound).
    toolsets  with --dynamic-toolsets, the toolsets each caller enabled (a set per caller, forgotten
              `memory` seconds after the caller's last request, as in the process): enabled through
              one replica, listed by all of them (`discovery.EnabledToolsets`).

The store failing is a decision: every call waits at most `timeout` (socket and overall); on an
error or a timeout the decision is taken by this replica alone (its in-process counts, which are
always kept: the per-replica limits of one machine), Redis is left alone for a second, a warning is
logged at most once a minute, /readyz says so, and `jobmojito.state.fallbacks` counts each decision
taken without it. When Redis answers again, the next renewal writes back everything this replica
holds (also what it took meanwhile, and all of it after a Redis restart that lost its data), so the
shared counts converge to the truth within one renewal.

A lease released while its renewal is in flight may be written back once: it then expires within
`lease` seconds. Counts can exceed a limit by what replicas took while Redis was away (documented
tolerance: see docs/hosting.md); new takes are refused until they drop below it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jobmojito_mcp import telemetry
from jobmojito_mcp.signin.credentials import RefusedTokens

logger = logging.getLogger(__name__)

T = TypeVar("T")

_PREFIX = "jobmojito-mcp"
_PAUSE_AFTER_FAILURE = 1.0  # seconds Redis is left alone after a failure (no timeout paid per request)
_LOG_EVERY = 60.0
_RENEW_BATCH = 500

# Lease: KEYS[1] the caller's set for one kind; ARGV limit, lease ms, member. -> {taken (0/1), held}
_TAKE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[1]) then return {0, held} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, held + 1}
"""

# One HTTP request: the rate (token bucket in KEYS[1]) then a request lease (KEYS[2]).
# ARGV rate/s, burst, request limit, lease ms, member. -> {'wait', seconds} | {'busy', held} | {'ok', held}
_ADMIT = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(saved[1]) or burst
local stamp = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
if wait > 0 then return {'wait', tostring(wait)} end
local ms = math.floor(now * 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms)
local held = redis.call('ZCARD', KEYS[2])
if held >= tonumber(ARGV[3]) then return {'busy', tostring(held)} end
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return {'ok', tostring(held + 1)}
"""

# Renewal (also a write-back after Redis came back): KEYS[1] a set, ARGV lease ms, member.
_RENEW = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

# A refused token's digest: KEYS[1] the set; ARGV digest, until (unix s), bound.
_REFUSE = """
local now = redis.call('TIME')[1]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over > 0 then redis.call('ZPOPMIN', KEYS[1], over) end
return 1
"""


class _Down:
    """What an operation returns when Redis did not answer in time: decide locally."""


DOWN = _Down()


@dataclass(eq=False)
class Lease:
    """One thing a caller holds (a session, a stream, a request, a call), across replicas."""

    key: str
    member: str = field(default_factory=lambda: uuid.uuid4().hex)


class SharedState:
    """The Redis side of the quotas and the refused-token memory (see the module docstring)."""

    def __init__(self, url: str, *, lease: float = 30.0, timeout: float = 0.25) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.lease_ms = max(1000, int(lease * 1000))
        self.timeout = timeout
        # No retries of its own: a failure is our decision (fall back), never a longer wait.
        self._redis: Any = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
            decode_responses=True,
        )
        self._take = self._redis.register_script(_TAKE)
        self._admit = self._redis.register_script(_ADMIT)
        self._renew = self._redis.register_script(_RENEW)
        self._refuse = self._redis.register_script(_REFUSE)
        self._held: set[Lease] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._renewer: asyncio.Task[None] | None = None
        self._paused_until = 0.0
        self._down_since: float | None = None
        self._logged_at = -_LOG_EVERY
        self.fallbacks = 0

    # -- lifetime ------------------------------------------------------------------------------

    async def start(self) -> None:
        if await self._call(self._redis.ping) is DOWN:
            logger.warning("shared state: Redis does not answer at start; per-replica limits until it does")
        self._renewer = asyncio.get_running_loop().create_task(self._renew_forever())

    async def aclose(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
        # What this replica holds is released at once rather than left to expire.
        held, self._held = list(self._held), set()
        if held and self.reachable:

            async def release_all() -> Any:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for lease in held:
                        pipe.zrem(lease.key, lease.member)
                    return await pipe.execute()

            await self._call(release_all, decision=False)
        for task in list(self._tasks):
            task.cancel()
        await self._redis.aclose()

    # -- health --------------------------------------------------------------------------------

    @property
    def reachable(self) -> bool:
        return self._down_since is None

    def status(self) -> dict[str, Any]:
        """For /readyz: where quotas are kept now."""
        if self._down_since is None:
            return {"state": "shared (redis)"}
        return {
            "state": "per-replica (redis unreachable)",
            "state_unreachable_for": round(time.monotonic() - self._down_since, 1),
            "state_fallbacks": self.fallbacks,
        }

    async def _call(self, operation: Callable[[], Awaitable[T]], *, decision: bool = True) -> T | _Down:
        """`operation` within `timeout`, or DOWN (and the failure noted) on any error or delay.
        `decision`: a quota or refusal decided without Redis if DOWN (counted); else book-keeping."""
        now = time.monotonic()
        if now < self._paused_until:
            if decision:
                self._fell_back()
            return DOWN
        try:
            async with asyncio.timeout(self.timeout * 2):
                result = await operation()
        except Exception as problem:  # any failure of the store is the same decision
            self._failed(problem, decision)
            return DOWN
        if self._down_since is not None:
            logger.warning(
                "shared state: Redis answers again after %.0f s; shared limits resume",
                time.monotonic() - self._down_since,
            )
            self._down_since = None
            self._spawn(self._renew_all())  # write back what this replica holds
        return result

    def _failed(self, problem: BaseException, decision: bool) -> None:
        now = time.monotonic()
        self._paused_until = now + _PAUSE_AFTER_FAILURE
        if self._down_since is None:
            self._down_since = now
        if decision:
            self._fell_back()
        if now - self._logged_at >= _LOG_EVERY:
            self._logged_at = now
            logger.warning(
                "shared state: Redis unreachable (%s); enforcing per-replica limits (%d decisions so far)",
                type(problem).__name__,
                self.fallbacks,
            )

    def _fell_back(self) -> None:
        self.fallbacks += 1
        telemetry.state_fallback()

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- quotas --------------------------------------------------------------------------------

    def _key(self, kind: str, caller: str) -> str:
        return lease_key(kind, caller)

    async def admit(self, caller: str, rate: float, burst: float, requests: int) -> tuple[str, float, Lease]:
        """One HTTP request: ('wait', seconds, _) over the rate; ('busy', held, _) at the request limit;
        ('ok', held, lease) admitted; ('down', 0, lease) decided without Redis (admitted here)."""
        lease = Lease(self._key("requests", caller))
        answer = await self._call(
            lambda: self._admit(
                keys=[self._key("rate", caller), lease.key],
                args=[repr(rate), repr(burst), requests, self.lease_ms, lease.member],
            )
        )
        if isinstance(answer, _Down):
            self._held.add(lease)
            return "down", 0.0, lease
        verdict, value = str(answer[0]), float(answer[1])
        if verdict == "ok":
            self._held.add(lease)
        return verdict, value, lease

    async def take(self, kind: str, caller: str, limit: int) -> Lease | int:
        """A lease of `kind` (sessions, streams, calls) if the caller holds fewer than `limit` across
        all replicas, else how many it holds. Without Redis: a lease, written back when it returns."""
        lease = Lease(self._key(kind, caller))
        answer = await self._call(
            lambda: self._take(keys=[lease.key], args=[limit, self.lease_ms, lease.member])
        )
        if not isinstance(answer, _Down) and not int(answer[0]):
            return int(answer[1])
        self._held.add(lease)
        return lease

    def release(self, lease: Lease) -> None:
        """Give a lease back (from synchronous code too: the removal runs in the background)."""
        if lease in self._held:
            self._held.discard(lease)
            self._spawn(self._call(lambda: self._redis.zrem(lease.key, lease.member), decision=False))

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            await self._renew_all()

    async def _renew_all(self) -> None:
        held = list(self._held)
        for start in range(0, len(held), _RENEW_BATCH):
            batch = held[start : start + _RENEW_BATCH]

            async def renew(batch: list[Lease] = batch) -> Any:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for lease in batch:
                        await self._renew(keys=[lease.key], args=[self.lease_ms, lease.member], client=pipe)
                    return await pipe.execute()

            if await self._call(renew, decision=False) is DOWN:
                return

    # -- refused tokens ------------------------------------------------------------------------

    async def refuse(self, digest: str, until: float, bound: int) -> None:
        await self._call(
            lambda: self._refuse(keys=[f"{_PREFIX}:refused"], args=[digest, int(until), bound]),
            decision=False,
        )

    async def is_refused(self, digest: str) -> bool:
        score = await self._call(lambda: self._redis.zscore(f"{_PREFIX}:refused", digest))
        return isinstance(score, float | int) and score > time.time()

    def refuse_soon(self, digest: str, until: float, bound: int) -> None:
        self._spawn(self.refuse(digest, until, bound))

    # -- toolsets enabled (--dynamic-toolsets) --------------------------------------------------

    async def enabled_toolsets(self, caller: str, memory: float) -> frozenset[str] | None:
        """The toolsets `caller` enabled through any replica (their memory renewed: the caller is
        here); None when Redis does not answer (this replica then goes by what it knows)."""
        key = lease_key("toolsets", caller)

        async def read() -> Any:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.smembers(key)
                pipe.expire(key, max(1, int(memory)))
                return await pipe.execute()

        found = await self._call(read)  # what this request is shown: a decision, counted when Redis is away
        return None if isinstance(found, _Down) else frozenset(found[0])

    async def enable_toolset(self, caller: str, toolset: str, memory: float) -> None:
        key = lease_key("toolsets", caller)

        async def write() -> Any:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.sadd(key, toolset)
                pipe.expire(key, max(1, int(memory)))
                return await pipe.execute()

        await self._call(write, decision=False)


def lease_key(kind: str, caller: str) -> str:
    """Where a caller's counts of one kind are kept (the caller by digest: an API key's fingerprint or
    a user id never appears in Redis). The hash tag keeps a caller's keys in one Redis Cluster slot
    (the admit script uses two)."""
    return f"{_PREFIX}:{{{_digest(caller)}}}:{kind}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SharedRefusedTokens(RefusedTokens):
    """The refused-token memory of one replica, written through to Redis and read from it on a miss:
    a token JobMojito refused via one replica is answered 401 by all of them."""

    def __init__(self, shared: SharedState, limit: int = 100_000) -> None:
        super().__init__(limit)
        self._shared = shared

    def add(self, token: str) -> None:
        super().add(token)
        until = self.until(token)
        if until is not None:
            self._shared.refuse_soon(hashlib.sha256(token.encode()).hexdigest(), until, self.limit)

    async def holds(self, token: str) -> bool:
        if token in self:
            return True
        return await self._shared.is_refused(hashlib.sha256(token.encode()).hexdigest())
