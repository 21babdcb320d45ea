"""Fault injection: "the next N calls to endpoint E misbehave like this".

A client's error handling can only be trusted once it has met each failure for real, so the
sandbox can be told to answer with an error status, hang, drop the connection, cut a body short,
send non-JSON or truncated JSON, send a huge body, or drip the body out slowly. The plan lives
here; :mod:`jobmojito_mcp.sandbox.wire` acts the faults out on the socket.

Kinds and their knobs (``status``, ``body``, ``headers``, ``delay``, ``size``):

==================  ==========================================================================
``status``          answer ``status`` (default 500) with ``body`` (default an error body) and
                    ``headers`` (e.g. ``Retry-After``); the request is not handled.
``hang``            sleep ``delay`` seconds (default 3600) before handling the request normally;
                    ends early, dropping the connection, when the client leaves or the sandbox
                    stops.
``close``           close the connection without any response; the request is not handled.
``reset``           handle the request (state changes!), send the headers and ``size`` bytes
                    (default half) of the body, then close the connection.
``non_json``        answer ``status`` (default 200) with an HTML body.
``truncated_json``  answer ``status`` (default 200) with a JSON body cut off mid-value.
``huge``            answer 200 with a valid JSON body of ``size`` bytes (default 10 MiB).
``slow_drip``       handle the request, then send the body ``size`` bytes (default 16) at a
                    time, ``delay`` seconds (default 0.2) apart.
==================  ==========================================================================
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jobmojito_mcp.sandbox.spec import ENDPOINTS

ANY_ENDPOINT = "*"


class FaultKind(StrEnum):
    """What an injected fault does (see the module docstring)."""

    STATUS = "status"
    HANG = "hang"
    CLOSE = "close"
    RESET = "reset"
    NON_JSON = "non_json"
    TRUNCATED_JSON = "truncated_json"
    HUGE = "huge"
    SLOW_DRIP = "slow_drip"


@dataclass(frozen=True)
class Fault:
    """One fault's parameters; ``None`` means the kind's default."""

    kind: FaultKind
    status: int | None = None
    body: Any = None  # JSON value; str or bytes are sent as they are
    headers: tuple[tuple[str, str], ...] = ()
    delay: float | None = None
    size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        body = self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else self.body
        return {
            "kind": self.kind.value,
            "status": self.status,
            "body": body,
            "headers": dict(self.headers),
            "delay": self.delay,
            "size": self.size,
        }


def make_fault(
    kind: FaultKind | str,
    *,
    status: int | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    delay: float | None = None,
    size: int | None = None,
) -> Fault:
    """Check the knobs and build a :class:`Fault`; raises ``ValueError`` on nonsense."""
    try:
        fault_kind = FaultKind(kind)
    except ValueError:
        raise ValueError(f"unknown fault kind {kind!r}; one of {[k.value for k in FaultKind]}") from None
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code (100-599)")
    if delay is not None and not (isinstance(delay, int | float) and delay >= 0):
        raise ValueError("delay must be a number of seconds >= 0")
    if size is not None and not (isinstance(size, int) and size >= 0):
        raise ValueError("size must be a number of bytes >= 0")
    pairs = tuple((str(name), str(value)) for name, value in (headers or {}).items())
    return Fault(fault_kind, status=status, body=body, headers=pairs, delay=delay, size=size)


@dataclass
class _Rule:
    endpoint: str
    fault: Fault
    remaining: int | None  # None: every matching call until cleared


class FaultPlan:
    """Pending faults, consumed in the order they were added; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def add(self, endpoint: str, fault: Fault, *, times: int | None = 1) -> None:
        """Make the next ``times`` calls (``None``: all) to ``endpoint`` (or ``"*"``) hit ``fault``."""
        if endpoint != ANY_ENDPOINT and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(ENDPOINTS)} or '*'")
        if times is not None and not (isinstance(times, int) and times >= 1):
            raise ValueError("times must be an integer >= 1, or None for every call")
        with self._lock:
            self._rules.append(_Rule(endpoint, fault, times))

    def take(self, endpoint: str) -> Fault | None:
        """The fault for this call to ``endpoint``, if any; uses up one of its ``times``."""
        with self._lock:
            for rule in self._rules:
                if rule.endpoint in (endpoint, ANY_ENDPOINT):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    return rule.fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The rules still armed, for the admin API and for test diagnostics."""
        with self._lock:
            return [{"endpoint": r.endpoint, "times": r.remaining, **r.fault.to_dict()} for r in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
