"""The sandbox's ASGI app: ``/functions/v1/<endpoint>`` as JobMojito serves it, ``/_sandbox`` admin.

Every call under ``/functions/v1`` goes through the same steps, in this order, because each step
must see what the previous one let through:

1. read the body and record the request in the journal (so 401s and faulted calls show too);
2. wait the configured latency;
3. play an injected fault, if one is armed for this endpoint;
4. check the bearer token (401, or where the endpoint documents no 401: 422, and 500 for the
   knowledge-base upload, whose documented 500 covers authorization failures; a JWT must be live at
   the sandbox's auth server);
5. find the endpoint (404) and method (405), parse the body: JSON (400 when malformed), or a
   ``multipart/form-data`` form (parsed with python-multipart, Starlette's own parser; file parts
   become :class:`UploadedFile`) where the contract lists one;
6. validate against the contract (422; a multipart file part as a binary string), move the sandbox's clock on (``takes.catch_up``), then
   let the handler answer.

Signed file links (reports) are served at Supabase Storage's path, ``/storage/v1/object/sign``.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Router
from starlette.types import Receive, Scope, Send

from jobmojito_mcp.sandbox import takes, validation
from jobmojito_mcp.sandbox.admin import admin_guard, admin_routes
from jobmojito_mcp.sandbox.auth import authenticate
from jobmojito_mcp.sandbox.documents import MAX_UPLOAD_BYTES, UploadedFile
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.handlers import ROUTES, Route
from jobmojito_mcp.sandbox.journal import RecordedRequest
from jobmojito_mcp.sandbox.oauth_routes import oauth_routes
from jobmojito_mcp.sandbox.spec import CONTRACT
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.storage import request_origin, storage_routes
from jobmojito_mcp.sandbox.wire import Connection, play

BASE_PATH = "/functions/v1"
# How an endpoint that documents no 401 answers an unauthenticated caller, where not 422.
_UNAUTHENTICATED = {"upload_knowledge_base_document": 500}


def create_app(state: SandboxState, admin_hosts: frozenset[str] = frozenset()) -> Starlette:
    """The sandbox as an ASGI app; serve it with uvicorn or call it in-process via ASGITransport.
    `admin_hosts`: names besides loopback its admin API answers to (the host it is served on)."""
    return Starlette(
        routes=[
            Mount(BASE_PATH, app=FunctionsAPI(state)),
            Mount("/_sandbox", app=admin_guard(Router(routes=admin_routes(state)), admin_hosts)),
            *storage_routes(state.files),
            *oauth_routes(state.auth),
        ]
    )


class FunctionsAPI:
    """The ASGI app mounted at ``/functions/v1`` (see the module docstring for the steps)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # websockets: nothing to serve
            return
        request = Request(scope, receive)
        body = await request.body()
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            endpoint=request.url.path.removeprefix(BASE_PATH).strip("/"),
            query=dict(request.query_params),
            headers={name: ", ".join(request.headers.getlist(name)) for name in request.headers},
            body=body,
        )
        self.state.journal.record(recorded)
        parts = await _multipart(request, body)

        conn = Connection(scope, receive, send, self.state.stopping)
        if self.state.latency > 0 and not await conn.sleep(self.state.latency):
            await conn.drop()
            return
        respond = partial(self._respond, recorded, parts, scope, receive)
        fault = self.state.faults.take(recorded.endpoint)
        if fault is None:
            await respond(send)
        else:
            await play(fault, conn, respond)

    async def _respond(
        self, call: RecordedRequest, parts: Parts, scope: Scope, receive: Receive, send: Send
    ) -> None:
        headers: dict[str, str] = {}
        try:
            answer: Any = self._answer(call, parts)
            status = 200
        except ApiError as error:
            answer, status = error.body(), error.status
            if status == 405:
                headers["allow"] = ", ".join(sorted(ROUTES[call.endpoint].methods))
        await JSONResponse(answer, status_code=status, headers=headers)(scope, receive, send)

    def _answer(self, call: RecordedRequest, parts: Parts) -> Any:
        route = ROUTES.get(call.endpoint)
        try:
            authenticate(call.headers.get("authorization"), self.state.tokens, self.state.auth)
        except ApiError as refusal:
            # invite-users documents no 401: an unauthenticated caller gets 422 there; the
            # knowledge-base upload documents its authorization failures as 500s.
            if route is not None and "401" not in CONTRACT[route.tool]["responses"]:
                status = _UNAUTHENTICATED.get(route.tool, 422)
                raise ApiError(status, f"Not authenticated: {refusal.message}", refusal.name) from None
            raise
        if route is None:
            raise ApiError(404, "Requested function was not found.")
        if call.method not in route.methods:
            raise ApiError(405, "Method not allowed.")
        params = _params(route, call, parts)
        validation.validate(route.tool, params, _media_type(call))
        takes.catch_up(self.state)
        origin = request_origin.set(_origin(call))
        try:
            return route.handle(self.state, params)
        finally:
            request_origin.reset(origin)


def _origin(call: RecordedRequest) -> str:
    """Where the caller reached the sandbox (its Host header), for links that must work from there."""
    return f"http://{call.headers.get('host') or 'sandbox.invalid'}"


def _params(route: Route, call: RecordedRequest, parts: Parts) -> Any:
    """The call's parameters: the coerced query for query tools (plus a JSON body on POST), a
    multipart form's parts where the contract takes one, else the JSON body."""
    spec = CONTRACT[route.tool]
    if "query" not in spec and "body" not in spec:  # no parameters (platform-languages-list)
        return dict(call.query)
    if _media_type(call) == "multipart/form-data":
        if spec.get("body_content_type") != "multipart/form-data":
            raise ApiError(400, "Request body is not valid JSON.")
        if parts is None:
            raise ApiError(400, "Malformed multipart/form-data body.")
        return parts
    if spec.get("body_content_type") == "multipart/form-data" and "application/json" not in spec.get(
        "body_alternatives", {}
    ):
        raise ApiError(422, "Send the request as multipart/form-data.")
    is_query_tool = "query" in spec
    if is_query_tool:
        params = validation.coerce_query(route.tool, call.query)
        if call.method == "POST" and call.body.strip():
            body = _json_body(call.body)
            if not isinstance(body, dict):
                raise ApiError(422, "Request body must be a JSON object.")
            params.update(body)
        return params
    return _json_body(call.body)


Parts = dict[str, "str | UploadedFile"] | None


def _media_type(call: RecordedRequest) -> str:
    return call.headers.get("content-type", "").split(";")[0].strip().lower()


async def _multipart(request: Request, body: bytes) -> Parts:
    """A multipart/form-data body's parts (the body is already read: Starlette parses the cached
    bytes), bounded; None when it is not multipart or does not parse."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return None
    if len(body) > MAX_UPLOAD_BYTES:
        return None
    try:
        form = await request.form(max_files=4, max_fields=32)
    except MultiPartException:
        return None
    parts: dict[str, str | UploadedFile] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                parts[name] = UploadedFile(value.filename or "", value.content_type or "", data)
            else:
                parts[name] = value
    finally:
        await form.close()
    return parts


def _json_body(raw: bytes) -> Any:
    """Parse a request body as strict JSON (no NaN or Infinity); 400 when it is not JSON."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "Request body is not valid JSON.") from None
