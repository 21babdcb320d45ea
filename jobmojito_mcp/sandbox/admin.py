"""The admin API under ``/_sandbox`` (no auth): lets out-of-process users drive the sandbox.

=======================  ===========================================================
GET    /_sandbox/health    ``{"status": "ok", "interviews": n}``
GET    /_sandbox/requests  the journal as JSON (``?endpoint=`` filters)
DELETE /_sandbox/requests  empty the journal
GET    /_sandbox/faults    the faults still armed
POST   /_sandbox/faults    arm a fault: ``{"endpoint", "kind", "times", "status", "body",
                           "headers", "delay", "size"}`` (see :mod:`.faults`)
DELETE /_sandbox/faults    disarm all faults
POST   /_sandbox/reset     forget interviews, journal and faults
GET    /_sandbox/auth      the auth server: event counts (refresh, reuse, ...), live sessions, knobs
POST   /_sandbox/auth      change knobs: ``{"token_ttl", "consent", "reuse_interval", "clock_skew",
                           "metadata_patch"}`` (any subset)
POST   /_sandbox/auth/sign-out  end sessions: ``{"session_id"}``, ``{"subject"}`` or ``{}`` (all)
POST   /_sandbox/take      a candidate takes the interview: ``{"link", "score", "finish", "delay"}``
POST   /_sandbox/decide    a recruiter decides: ``{"interview_result_id", "decision_status",
                           "recruiter_shortlist"}``
GET    /_sandbox/outbox    the invitation e-mails "sent"
GET    /_sandbox/knowledge the knowledge-base documents uploaded (``?store=`` filters)
GET    /_sandbox/account   credits, invitations, the ledger
POST   /_sandbox/account   set balances: any of ``account.KNOBS``
=======================  ===========================================================

It has no auth (a test tool on loopback), so it keeps web pages out as `/mcp` does (`admin_guard`):
a Host that is not a loopback name (or the name the sandbox was told to serve as) is 421, which
defeats DNS rebinding; a browser's Origin that is not one of those is 403; a body must be JSON
(`application/json`), which a cross-site form or `text/plain` fetch cannot send without a preflight
nobody answers. Before, a page could re-point the sandbox's token endpoint and collect the next
refresh token.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from jobmojito_mcp.sandbox import account as accounts
from jobmojito_mcp.sandbox import takes
from jobmojito_mcp.sandbox.faults import make_fault
from jobmojito_mcp.sandbox.state import SandboxState

_FAULT_FIELDS = frozenset({"endpoint", "kind", "times", "status", "body", "headers", "delay", "size"})


def admin_routes(state: SandboxState) -> list[Route]:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "interviews": len(state.interviews.all())})

    async def requests(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            state.journal.clear()
            return JSONResponse({"success": True})
        entries = state.journal.snapshot(request.query_params.get("endpoint"))
        return JSONResponse({"requests": [entry.to_dict() for entry in entries]})

    async def faults(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse({"faults": state.faults.pending()})
        if request.method == "DELETE":
            state.faults.clear()
            return JSONResponse({"success": True})
        try:
            spec = await request.json()
            _arm(state, spec)
        except ValueError as error:  # includes malformed JSON
            return JSONResponse({"error": str(error)}, status_code=422)
        return JSONResponse({"success": True}, status_code=201)

    async def knowledge(request: Request) -> JSONResponse:
        documents = [doc.to_json() for doc in state.knowledge.all()]
        store = request.query_params.get("store")
        return JSONResponse({"documents": [doc for doc in documents if store in (None, doc["store_id"])]})

    async def reset(request: Request) -> JSONResponse:
        state.reset()
        return JSONResponse({"success": True})

    async def auth(request: Request) -> JSONResponse:
        server = state.auth
        if request.method == "POST":
            try:
                _configure_auth(state, await request.json())
            except ValueError as error:
                return JSONResponse({"error": str(error)}, status_code=422)
        return JSONResponse(
            {
                "events": dict(server.events),
                "live_sessions": len(server.live_session_ids()),
                "token_ttl": server.token_ttl,
                "consent": server.consent,
                "reuse_interval": server.reuse_interval,
                "clock_skew": server.clock_skew,
                "metadata_patch": server.metadata_patch,
            }
        )

    async def sign_out(request: Request) -> JSONResponse:
        try:
            which = await request.json()
        except ValueError:
            which = None
        if not isinstance(which, dict) or set(which) - {"session_id", "subject"}:
            return JSONResponse({"error": 'send {}, {"session_id": ...} or {"subject": ...}'}, 422)
        ended = state.auth.sign_out(session_id=which.get("session_id"), subject=which.get("subject"))
        return JSONResponse({"signed_out": ended})

    async def take(request: Request) -> JSONResponse:
        try:
            spec = await request.json()
            if (
                not isinstance(spec, dict)
                or set(spec) - _TAKE_FIELDS
                or not isinstance(spec.get("link"), str)
            ):
                raise takes.TakeRefused(
                    422, f'send {{"link": <interview_url>}} and any of {sorted(_TAKE_FIELDS)}'
                )
            takes.catch_up(state)
            row = takes.take(
                state,
                spec["link"],
                score=_number(spec.get("score"), "score"),
                finish=spec.get("finish", True) is not False,
                delay=_number(spec.get("delay"), "delay") or 0.0,
            )
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=422)
        except takes.TakeRefused as refused:
            return JSONResponse({"error": refused.message}, status_code=refused.status)
        return JSONResponse(taken(row))

    async def decide(request: Request) -> JSONResponse:
        try:
            spec = await request.json()
            if not isinstance(spec, dict) or not isinstance(spec.get("interview_result_id"), str):
                raise takes.TakeRefused(422, 'send {"interview_result_id": ...} and the decision')
            changes = {key: value for key, value in spec.items() if key != "interview_result_id"}
            row = takes.decide(state, spec["interview_result_id"], changes)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=422)
        except takes.TakeRefused as refused:
            return JSONResponse({"error": refused.message}, status_code=refused.status)
        return JSONResponse(takes.list_row(row))

    async def outbox(request: Request) -> JSONResponse:
        return JSONResponse({"emails": [email.to_json() for email in state.outbox.all()]})

    async def account(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                _configure_account(state, await request.json())
            except ValueError as error:
                return JSONResponse({"error": str(error)}, status_code=422)
        current = state.account
        return JSONResponse(
            current.to_json()
            | {
                "available": current.available,
                "invitations_limit": current.invitations_limit,
                "invitations_available": current.invitations_available,
            }
        )

    return [
        Route("/take", take, methods=["POST"]),
        Route("/decide", decide, methods=["POST"]),
        Route("/outbox", outbox, methods=["GET"]),
        Route("/knowledge", knowledge, methods=["GET"]),
        Route("/account", account, methods=["GET", "POST"]),
        Route("/auth", auth, methods=["GET", "POST"]),
        Route("/auth/sign-out", sign_out, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/requests", requests, methods=["GET", "DELETE"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/reset", reset, methods=["POST"]),
    ]


# The names the sandbox answers to: loopback, and the in-process transport's (`.invalid` never resolves).
ADMIN_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "sandbox.invalid"})


def admin_guard(app: ASGIApp, also: frozenset[str] = frozenset()) -> ASGIApp:
    """Host, Origin and JSON-only checks around the admin API (see the module docstring)."""
    names = ADMIN_HOSTS | {name.strip("[]") for name in also}

    def named(host: str) -> bool:
        bare = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        return bare.lower() in names

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
            origin = headers.get("origin")
            if not named(headers.get("host", "")):
                await PlainTextResponse("Invalid Host header", 421)(scope, receive, send)
                return
            if origin is not None and not (
                origin.startswith(("http://", "https://")) and named(origin.split("://", 1)[1])
            ):
                await PlainTextResponse("Invalid Origin header", 403)(scope, receive, send)
                return
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            if has_body and kind != "application/json":
                await PlainTextResponse("The admin API takes JSON (application/json) only", 415)(
                    scope, receive, send
                )
                return
        await app(scope, receive, send)

    return guarded


def _arm(state: SandboxState, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ValueError("the fault must be a JSON object")
    unknown = set(spec) - _FAULT_FIELDS
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if not isinstance(spec.get("endpoint"), str) or not isinstance(spec.get("kind"), str):
        raise ValueError("endpoint and kind are required strings")
    headers = spec.get("headers")
    if headers is not None and not isinstance(headers, dict):
        raise ValueError("headers must be an object")
    fault = make_fault(
        spec["kind"],
        status=spec.get("status"),
        body=spec.get("body"),
        headers=headers,
        delay=spec.get("delay"),
        size=spec.get("size"),
    )
    state.faults.add(spec["endpoint"], fault, times=spec.get("times", 1))


_AUTH_KNOBS: dict[str, type | tuple[type, ...]] = {
    "token_ttl": int,
    "consent": bool,
    "reuse_interval": (int, float),
    "clock_skew": int,
    "metadata_patch": dict,
}


def _configure_auth(state: SandboxState, knobs: Any) -> None:
    if not isinstance(knobs, dict):
        raise ValueError("send a JSON object")
    for name, value in knobs.items():
        expected = _AUTH_KNOBS.get(name)
        if expected is None:
            raise ValueError(f"unknown knob {name!r}; known: {sorted(_AUTH_KNOBS)}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{name} has the wrong type")
    for name, value in knobs.items():
        setattr(state.auth, name, value)


_TAKE_FIELDS = frozenset({"link", "score", "finish", "delay"})


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return float(value)


def taken(row: Any) -> dict[str, Any]:
    """What the take control answers: the ids a test needs next, and where the session stands."""
    return {
        "interview_result_id": row.interview_result_id,
        "profile_interview_id": row.profile_interview_id,
        "interview_id": row.interview_id,
        "status": (row.details or {}).get("status"),
        "score": (row.details or {}).get("score"),
        "completes_at": row.completes_at,
    }


def _configure_account(state: SandboxState, knobs: Any) -> None:
    if not isinstance(knobs, dict):
        raise ValueError("send a JSON object")
    current = state.account
    for name, value in knobs.items():
        expected = accounts.KNOBS.get(name)
        if expected is None:
            raise ValueError(f"unknown field {name!r}; known: {sorted(accounts.KNOBS)}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError(f"{name} has the wrong type")
        setattr(current, name, value)
    state.save_account(current)
