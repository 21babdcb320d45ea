"""The one boundary every tool call goes through: `run_tool` validates (refusing before anything is
sent), calls JobMojito, checks the answer's shape and presents it. Failures leave as `ToolFailure`
with a message an agent can act on; nothing else escapes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from jobmojito_mcp import telemetry
from jobmojito_mcp.logs import payloads_logged
from jobmojito_mcp.tooling.errors import CREATED_INTERVIEW, JobMojitoError, UpstreamStatusError
from jobmojito_mcp.tooling.files import SOURCE_FIELDS, FileAccess, OpenedFile, open_file
from jobmojito_mcp.tooling.spec import LOCAL_OPTIONS, ToolSpec, as_sent
from jobmojito_mcp.tooling.upstream import Credential, Multipart, Upstream
from jobmojito_mcp.tooling.validation import ToolFailure, field_path, validate_arguments

Args = TypeVar("Args", bound=BaseModel)
Response = TypeVar("Response", bound=BaseModel)

logger = logging.getLogger(__name__)

# While a create waits on JobMojito, clients that asked for progress hear from us this often.
PROGRESS_INTERVAL = 1.0


def request_of(spec: ToolSpec[Args, Any], args: Args, upload: OpenedFile | None = None) -> dict[str, Any]:
    """The query (GET), JSON body (POST) or multipart form (a file tool): exactly the fields the caller
    gave, under the API's names."""
    if spec.file_part is not None and upload is not None:
        values = args.model_dump(
            mode="json", exclude_none=True, exclude_unset=True, exclude=set(LOCAL_OPTIONS | SOURCE_FIELDS)
        )
        fields = {key: _part_value(value) for key, value in values.items()}
        return {"body": Multipart(fields, {spec.file_part: upload.part()})}
    if spec.method == "GET":
        values = args.model_dump(
            mode="json", exclude_none=True, exclude_unset=True, exclude=set(LOCAL_OPTIONS)
        )
        return {"query": {key: _query_value(value) for key, value in values.items()}}
    return {"body": args.model_dump(mode="json", exclude_unset=True, exclude=set(LOCAL_OPTIONS))}


def _part_value(value: Any) -> str:
    """A multipart text part: objects and lists as JSON strings (the API's `form` part), flags spelt out."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _query_value(value)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # the API's documented spelling for its flags
    return str(value)


@dataclass(frozen=True)
class CallHooks:
    """What the client connection offers a call while it runs."""

    progress: Callable[[float, str], Awaitable[None]] | None = None  # a no-op unless the client asked
    # What files this connection's calls may send: local paths only on stdio, inside the allowed roots.
    files: FileAccess = field(default_factory=FileAccess)


NO_HOOKS = CallHooks()


async def run_tool(
    spec: ToolSpec[Args, Response],
    raw: Mapping[str, Any],
    upstream: Upstream,
    credential: Credential,
    hooks: CallHooks = NO_HOOKS,
) -> CallToolResult:
    """Validate, call JobMojito, check the answer, present it: the whole life of a tool call."""
    started = time.perf_counter()
    with telemetry.tool_call(spec.name):  # outcome, refusals, calls in flight; a no-op unless enabled
        try:
            result = await _run(spec, raw, upstream, credential, hooks)
        except ToolFailure as failure:
            # The kind, never the text: that quotes the caller's values and JobMojito's answer.
            logger.info("%s failed: %s", spec.name, failure.kind)
            _log_call(spec, raw, started, failure.kind, None)
            raise
    _log_call(spec, raw, started, "ok", result)
    return result


def _log_call(
    spec: ToolSpec[Any, Any],
    raw: Mapping[str, Any],
    started: float,
    outcome: str,
    result: CallToolResult | None,
) -> None:
    """At DEBUG: the tool, its outcome, time, sizes and the ids it was given, never the arguments or the
    result (candidates' names, e-mails, résumés) unless `--log-payloads`."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    arguments = json.dumps(raw, default=str, ensure_ascii=False)
    answer = "" if result is None else json.dumps(result.structured_content, default=str, ensure_ascii=False)
    ids = ", ".join(
        f"{name}={value}"
        for name, value in raw.items()
        if name.endswith("_id") and isinstance(value, str) and len(value) <= 64
    )
    logger.debug(
        "%s -> %s in %.0f ms (arguments %d bytes, result %d bytes%s)",
        spec.name,
        outcome,
        (time.perf_counter() - started) * 1000,
        len(arguments.encode()),
        len(answer.encode()),
        f"; {ids}" if ids else "",
    )
    if payloads_logged():
        logger.debug("%s arguments: %s; result: %s", spec.name, arguments, answer or outcome)


async def _run(
    spec: ToolSpec[Args, Response],
    raw: Mapping[str, Any],
    upstream: Upstream,
    credential: Credential,
    hooks: CallHooks,
) -> CallToolResult:
    args = validate_arguments(spec, raw)
    # Opened and checked here, before anything is sent (off the event loop: it reads the disk).
    upload = await anyio.to_thread.run_sync(_open_upload, spec, args, hooks.files) if spec.file_part else None
    try:
        data = await _call_upstream(spec, args, upstream, credential, hooks, upload)
    except JobMojitoError as failure:
        hint = spec.hints.get(failure.status) if isinstance(failure, UpstreamStatusError) else None
        message = failure.message(spec.context_for(args)) + (f" {hint}" if hint else "")
        raise ToolFailure(message, type(failure).__name__) from None
    finally:
        if upload is not None:
            upload.close()
    try:
        answer = spec.response.model_validate(data)
    except ValidationError as exc:
        fields = sorted({field_path(err["loc"]) for err in exc.errors()})
        maybe = (
            f" JobMojito may have {spec.effect}; check before retrying." if spec.call_context.creates else ""
        )
        raise ToolFailure(
            f"JobMojito answered with an unexpected shape (problem in: {', '.join(fields)[:200]}).{maybe}",
            "unexpected_response",
        ) from None
    # Built from the validated answer, not the raw one: a loosely typed value ("8" for 8) was
    # coerced above, and the client checks structuredContent against the output schema.
    attached = spec.attach(args, answer) if spec.attach else []
    text = spec.summarize(args, answer)
    structured = spec.present(args, answer) if spec.present else as_sent(answer)
    if upload is not None:  # the tool says which file it sent, and how it got it
        text += "\n" + upload.sentence()
        structured = {**structured, "file": upload.described()}
    return CallToolResult(
        content=[TextContent(type="text", text=text), *attached], structured_content=structured
    )


def _open_upload(spec: ToolSpec[Args, Any], args: Args, access: FileAccess) -> OpenedFile | None:
    if spec.file_part is None:
        return None
    given = args.model_dump(include=set(SOURCE_FIELDS), exclude_none=True)
    return open_file(access, **given)


async def _call_upstream(
    spec: ToolSpec[Args, Any],
    args: Args,
    upstream: Upstream,
    credential: Credential,
    hooks: CallHooks,
    upload: OpenedFile | None = None,
) -> Any:
    call = upstream.call(spec.endpoint, credential, **request_of(spec, args, upload))
    creates = spec.call_context.creates
    try:
        if not (creates and hooks.progress):
            return await call
        slow = " (AI generation can take a while)" if spec.effect == CREATED_INTERVIEW else ""
        return await _with_progress(call, hooks.progress, slow)
    except anyio.get_cancelled_exc_class():
        if creates:
            # The client stopped waiting; JobMojito may not have. Nobody will be told but the log.
            logger.warning(
                "%s was cancelled after it was sent: JobMojito may still have %s", spec.name, spec.effect
            )
        raise


async def _with_progress(
    call: Awaitable[Any], report: Callable[[float, str], Awaitable[None]], because: str = ""
) -> Any:
    """Await `call` while reporting, every PROGRESS_INTERVAL, how long JobMojito has been working."""

    async def tick() -> None:
        started = anyio.current_time()
        while True:
            elapsed = anyio.current_time() - started
            await report(round(elapsed, 1), f"Waiting for JobMojito: {elapsed:.0f} s{because}")
            await anyio.sleep(PROGRESS_INTERVAL)

    async with anyio.create_task_group() as group:
        group.start_soon(tick)
        try:
            outcome: tuple[bool, Any] = (True, await call)
        except JobMojitoError as failure:  # raised outside the group, not wrapped in an ExceptionGroup
            outcome = (False, failure)
        finally:
            group.cancel_scope.cancel()
    if not outcome[0]:
        raise outcome[1]
    return outcome[1]
