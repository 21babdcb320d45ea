"""The thirteen tools: one declarative table, and the one boundary every call goes through.

Each `ToolSpec` holds everything about a tool: what agents see (name, title, description,
argument and result models, annotations), which JobMojito function it calls, how its result reads
as text, and the toolset it belongs to. `run_tool` is the single path from raw arguments to a
result: validate (refuse before sending anything), call upstream, check the answer's shape,
summarise. Failures leave as `ToolError` with a message an agent can act on; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, get_args

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ContentBlock, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from jobmojito_mcp import contract as c
from jobmojito_mcp import lifecycle as lc
from jobmojito_mcp import lifecycle_results as lr
from jobmojito_mcp import results as r
from jobmojito_mcp import telemetry
from jobmojito_mcp.errors import CREATED_INTERVIEW, CallContext, JobMojitoError, UpstreamStatusError, excerpt
from jobmojito_mcp.logs import payloads_logged
from jobmojito_mcp.results import LOCAL_OPTIONS
from jobmojito_mcp.upstream import Endpoint, Upstream

if TYPE_CHECKING:
    from jobmojito_mcp.credentials import Credential

logger = logging.getLogger(__name__)

Args = TypeVar("Args", bound=BaseModel)
Response = TypeVar("Response", bound=BaseModel)

# While a create waits on JobMojito, clients that asked for progress hear from us this often.
PROGRESS_INTERVAL = 1.0

# Annotation presets: reads are safe to repeat; creates are not; a state change is repeatable
# but may remove an interview. All reach JobMojito, an open world.
READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)
CREATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
CHANGE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)
# Registering candidates mints links and may e-mail people: JobMojito's own server marks every POST
# destructive, and a repeat is not harmless (new links, another e-mail).
INVITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)

# Toolsets: groups a deployment (--toolsets) or a request (X-MCP-Toolsets) can narrow the tools to.
TOOLSETS = ("interviews", "candidates", "results", "account")


@dataclass(frozen=True)
class ToolSpec(Generic[Args, Response]):
    """One tool, completely: the only place it is described."""

    name: str
    title: str
    description: str
    arguments: type[Args]  # the input schema: the API's fields (+ result options such as `view`)
    response: type[Response]  # JobMojito's answer, validated before anything is shown
    method: Literal["GET", "POST"]
    path: str
    annotations: ToolAnnotations
    summarize: Callable[[Args, Response], str]  # the text an agent reads
    # The output schema and the structured content built to fit it; default: the answer as sent.
    result: type[BaseModel] | None = None
    present: Callable[[Args, Response], dict[str, Any]] | None = None
    # For creates: how to find out whether a call that failed mid-flight went through anyway.
    recheck_hint: str = ""
    # The question to put to the user before an irreversible call, or None when no need to ask
    # (asked by the server glue, through the client, before run_tool).
    confirm: Callable[[Args], str | None] | None = None
    # What answering that question with "no" asks for instead (arguments to override), e.g. register
    # without e-mail; None: "no" refuses the call, like dismissing the question.
    if_declined: Mapping[str, Any] | None = None
    toolset: str = "interviews"  # one of TOOLSETS
    # For calls that are not repeatable: what one that went through did, for "it may have ..." messages.
    effect: str = CREATED_INTERVIEW
    # Advice added to an upstream error status's message, for what that status means for this call.
    hints: Mapping[int, str] = field(default_factory=dict)
    # Content blocks to give beside the text (a report's document), from the validated answer.
    attach: Callable[[Args, Response], list[ContentBlock]] | None = None
    # Arguments accepted and validated but left out of the published input schema (nested ones
    # as `questions[].label`): rarely worth an agent's attention, and every published byte is
    # paid in every agent's context. docs/arguments.md says why each; a test keeps them in step.
    unpublished: frozenset[str] = frozenset()

    @property
    def endpoint(self) -> Endpoint:
        # Repeating is harmless exactly when the tool is read-only: derived, never declared twice.
        return Endpoint(self.method, self.path, safe_to_repeat=bool(self.annotations.read_only_hint))

    @property
    def output_model(self) -> type[BaseModel]:
        return self.result or self.response

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.read_only_hint)

    @property
    def call_context(self) -> CallContext:
        return CallContext(
            tool=self.name,
            creates=not self.annotations.idempotent_hint,
            recheck_hint=self.recheck_hint,
            effect=self.effect,
        )

    def context_for(self, args: Args) -> CallContext:
        """The call context naming the ids this call was given, so a "not found" can say which."""
        given = args.model_dump(exclude_unset=True, exclude_none=True)
        ids = tuple(
            (name, value) for name, value in given.items() if name.endswith("_id") and isinstance(value, str)
        )
        return replace(self.call_context, ids=ids)


# A refusal lists at most this many problems: enough to fix a call, too few to flood a context.
_MAX_PROBLEMS = 20


class ToolFailure(ToolError):
    """A ToolError (its text is what the agent reads) that also says what kind of failure it was:
    `invalid_arguments`, `unexpected_response` or the JobMojitoError class, for telemetry."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------------------------------------
# Argument validation: refuse bad input before anything is sent, naming the field and what is allowed.


def validate_arguments(spec: ToolSpec[Args, Any], raw: Mapping[str, Any]) -> Args:
    """The validated argument model, or a ToolError naming every offending field."""
    try:
        return spec.arguments.model_validate(_parse_stringified_json(spec.arguments, raw))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = [f"- {_explain(err, spec.arguments)}" for err in errors[:_MAX_PROBLEMS]]
        if len(errors) > _MAX_PROBLEMS:
            problems.append(f"- ... and {len(errors) - _MAX_PROBLEMS} more")
        joined = "\n".join(problems)
        raise ToolFailure(
            f"Invalid arguments; nothing was sent to JobMojito.\n{joined}", "invalid_arguments"
        ) from None


_TEXT = (str, str | None)


def _parse_stringified_json(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, Any]:
    # Some clients send list and object arguments as JSON text; accept it where a string is not allowed.
    parsed = dict(raw)
    for name, value in raw.items():
        if (
            not isinstance(value, str)
            or (field := model.model_fields.get(name)) is None
            or field.annotation in _TEXT
        ):
            continue
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            with contextlib.suppress(ValueError, RecursionError):
                parsed[name] = json.loads(stripped)
    return parsed


_MAX_PATH = 256  # room for a short name fully escaped; a megabyte-long name still gives a short line


def _field_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        # Past the first (always a field name, whatever it spells), pydantic adds validator labels.
        elif index == 0 or not part.startswith(("function-", "constrained-", "json-or-python", "lax-")):
            shown = _shown_name(part)
            path += f".{shown}" if path else shown
    # Every part is already printable and unambiguous: shorten, but never respace.
    return (path if len(path) <= _MAX_PATH else path[: _MAX_PATH - 1] + "…") or "(arguments)"


def _shown_name(name: str) -> str:
    """An argument name as a message quotes it: raw when that is unambiguous, else as a JSON string
    (`" "`, `"a\\u0060b"`), so a blank, padded or unprintable name, or one with a backtick that would
    end the quote, is still named exactly."""
    if name and name.isprintable() and name == " ".join(name.split()) and "`" not in name and '"' not in name:
        return name
    return json.dumps(name).replace("`", "\\u0060")


def _suggest(unknown: str, known: list[str]) -> str | None:
    """The known name an unknown one most likely meant: a near spelling, else the one name it is part
    of (`size` -> `company_size`)."""
    close = difflib.get_close_matches(unknown, known, n=1)
    if close:
        return close[0]
    containing = [name for name in known if unknown.lower() in name.split("_")]
    return containing[0] if len(containing) == 1 else None


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the (nested) model at `loc`, e.g. ("hiring_for_company",) -> HiringCompany's."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if isinstance(part, int):
            continue  # a list index: the item model is found from the list field's annotation
        nested = _model_in(field.annotation) if field is not None else None
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as `HiringCompany | None` or `list[Question]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in get_args(annotation) if (found := _model_in(arg)) is not None), None)


def _explain(err: Any, model: type[BaseModel]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    field = ctx.get("field") or _field_path(err["loc"])
    got = f" (got {excerpt(repr(err['input']), 60)})" if "input" in err and kind != "missing" else ""
    if kind == "missing":
        return f"`{field}`: required"
    if kind == "extra_forbidden":
        close = _suggest(str(err["loc"][-1]), _fields_at(model, err["loc"][:-1]))
        hint = f"; did you mean `{close}`?" if close else ""
        return f"`{field}`: unknown argument{hint}"
    if kind == "literal_error":
        return f"`{field}`: must be one of {ctx['expected']}{got}"
    if kind == "field_rule":
        return f"`{field}`: {ctx['message']}"
    if kind == "string_too_short":
        return f"`{field}`: must not be empty"
    if kind == "too_short":
        return f"`{field}`: needs at least {ctx.get('min_length', 1)} item(s)"
    message = str(err["msg"]).removeprefix("Value error, ")
    message = message.replace("Input should be", "must be").replace("Input ", "")
    return f"`{field}`: {message}{got}"


# ---------------------------------------------------------------------------------------------
# The boundary


def request_of(spec: ToolSpec[Args, Any], args: Args) -> dict[str, Any]:
    """The query (GET) or JSON body (POST): exactly the fields the caller gave, under the API's names."""
    if spec.method == "GET":
        values = args.model_dump(
            mode="json", exclude_none=True, exclude_unset=True, exclude=set(LOCAL_OPTIONS)
        )
        return {"query": {key: _query_value(value) for key, value in values.items()}}
    return {"body": args.model_dump(mode="json", exclude_unset=True, exclude=set(LOCAL_OPTIONS))}


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # the API's documented spelling for its flags
    return str(value)


@dataclass(frozen=True)
class CallHooks:
    """What the client connection offers a call while it runs."""

    progress: Callable[[float, str], Awaitable[None]] | None = None  # a no-op unless the client asked


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
    try:
        data = await _call_upstream(spec, args, upstream, credential, hooks)
    except JobMojitoError as failure:
        hint = spec.hints.get(failure.status) if isinstance(failure, UpstreamStatusError) else None
        message = failure.message(spec.context_for(args)) + (f" {hint}" if hint else "")
        raise ToolFailure(message, type(failure).__name__) from None
    try:
        answer = spec.response.model_validate(data)
    except ValidationError as exc:
        fields = sorted({_field_path(err["loc"]) for err in exc.errors()})
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
    return CallToolResult(
        content=[TextContent(type="text", text=spec.summarize(args, answer)), *attached],
        structured_content=spec.present(args, answer) if spec.present else r.as_sent(answer),
    )


async def _call_upstream(
    spec: ToolSpec[Args, Any], args: Args, upstream: Upstream, credential: Credential, hooks: CallHooks
) -> Any:
    call = upstream.call(spec.endpoint, credential, **request_of(spec, args))
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


def narrowed(
    specs: Iterable[ToolSpec[Any, Any]],
    *,
    read_only: bool = False,
    names: Iterable[str] | None = None,
    toolsets: Iterable[str] | None = None,
) -> tuple[ToolSpec[Any, Any], ...]:
    """The specs every narrowing rule lets through: read-only, named, in the named toolsets. Each rule
    only removes, so combining them (flags, then a request's headers) never widens the set."""
    wanted = None if names is None else set(names)
    sets = None if toolsets is None else set(toolsets)
    return tuple(
        spec
        for spec in specs
        if (not read_only or spec.read_only)
        and (wanted is None or spec.name in wanted)
        and (sets is None or spec.toolset in sets)
    )


def select_tools(
    read_only: bool = False, names: Iterable[str] | None = None, toolsets: Iterable[str] | None = None
) -> tuple[ToolSpec[Any, Any], ...]:
    """The tools to expose: all, the read-only ones, a named subset and/or named toolsets (never more
    than asked); unknown names are an error, so a typo cannot silently expose nothing."""
    if names is not None and (unknown := set(names) - TOOLS_BY_NAME.keys()):
        raise ValueError(f"unknown tool(s) {', '.join(sorted(unknown))}; known: {', '.join(TOOLS_BY_NAME)}")
    if toolsets is not None and (unknown := set(toolsets) - set(TOOLSETS)):
        raise ValueError(f"unknown toolset(s) {', '.join(sorted(unknown))}; known: {', '.join(TOOLSETS)}")
    return narrowed(TOOLS, read_only=read_only, names=names, toolsets=toolsets)


# ---------------------------------------------------------------------------------------------
# Confirmation


def _confirm_deletion(args: c.SetStateArgs | lc.UpdateInterviewArgs) -> str | None:
    if args.status != "deleted":
        return None
    return f"Delete interview {args.position_id} in JobMojito? This cannot be undone."


def _confirm_emails(args: lc.RegisterUsersArgs) -> str | None:
    if not args.send_email:
        return None
    shown = ", ".join(user.email for user in args.users[:5]) + (
        f" and {len(args.users) - 5} more" if len(args.users) > 5 else ""
    )
    return (
        f"E-mail interview invitations to {len(args.users)} candidate(s) ({shown}) for interview "
        f"{args.interview_id}? They get them at once, and they cannot be recalled. Yes: register and e-mail "
        "them. No: register them without e-mail (you get their links). Dismiss: register no one."
    )


# ---------------------------------------------------------------------------------------------
# The table

# JobMojito files a missing permission under HTTP 500 on some endpoints (its reference says so).
_AUTHZ_AS_500 = (
    "JobMojito also reports a missing permission for this interview as HTTP 500: if the id is right and a "
    "retry fails too, this account may not change it."
)

# Arguments accepted and validated but left out of the published schemas: docs/arguments.md says
# what each does and why it is left out. Every create tool leaves out these interview settings:
_RARELY_SET = frozenset(
    {"candidate_video_introduction", "custom_scoring", "hiring_for_company", "instructional_video",
     "instructional_video_custom_text", "interview_attempts", "interview_available_till",
     "interview_conversation_speed", "interview_department", "interview_salary", "merchant_id",
     "pdf_export_auto_config", "questions_random_subset", "recruiter_profile_id", "required_pronunciation",
     "result_enable_edit_transcript", "tags", "thank_you_message", "welcome_message"}
)  # fmt: skip
_RARELY_SET_DEFINITION = _RARELY_SET | {"additional_context", "code", "cover_image_url", "description_long"}
_AI_WRITTEN_UNPUBLISHED = _RARELY_SET_DEFINITION | {
    "include_closing_prompt", "include_rapport_question", "use_enhanced_expectations",
}  # fmt: skip
# Your own questions: what only steers AI-written ones, and the per-question extras, stay out.
_QUESTIONS_UNPUBLISHED = _RARELY_SET_DEFINITION | {
    "candidate_expectations", "candidate_expectations_json", "disable_deduplication", "interview_type",
    "knowledge_base_store_id", "seniority_level", "questions[].candidate_expectations_json",
    "questions[].external_data", "questions[].external_id", "questions[].is_candidate_asking_recruiter",
    "questions[].is_expert", "questions[].knowledge_base_id", "questions[].label",
    "questions[].mojito_language_code",
}  # fmt: skip
# Enrolling a candidate: the settings of the interview a new position gets stay out too.
_CANDIDATE_UNPUBLISHED = _RARELY_SET | {
    "candidate_external_id", "candidate_linkedin_url", "include_closing_prompt", "include_rapport_question",
    "is_embedded", "max_followups", "position_description_long", "result_view", "seniority_level",
    "use_enhanced_expectations",
}  # fmt: skip

# After creation: the same rule. Changing an interview publishes what a create does, minus the rarities;
# questions go back as get_interview_definition(view=full) gave them, so only their text is described.
_UPDATE_UNPUBLISHED = frozenset(
    {"candidate_expectations_json", "candidate_video_introduction", "coach_plan", "code", "cover_image_url",
     "custom_scoring", "description_long", "hiring_for_company", "interview_attempts", "interview_available_till",
     "interview_conversation_speed", "interview_department", "interview_salary", "interview_tone",
     "interview_type", "knowledge_base_store_id", "max_followups", "pdf_export_auto_config",
     "questions_random_subset", "recording", "recording_full_session", "recruiter_profile_id",
     "required_pronunciation", "result_enable_edit_transcript", "result_view", "seniority_level", "tags", "type",
     "type_credit"}
    | {f"questions[].{name}" for name in (
        "candidate_expectations_json", "conditional_question_main_id", "duration", "external_data", "external_id",
        "is_candidate_asking_recruiter", "is_conditional", "is_expert", "is_multiple_choice", "is_without_scoring",
        "knowledge_base_id", "label", "mojito_language_code", "question_alternatives")}
)  # fmt: skip
_REPORT_FEATURES_UNPUBLISHED = frozenset(
    f"export_features_result.{name}"
    for name in ("analytics", "files", "ai_scoring_rubric", "answer_recording", "session_recording",
                 "group_by_question", "template", "contact_details", "ai_recruiter_assessment")
)  # fmt: skip

_CREATE_RECHECK = (
    "Before calling again, look in the JobMojito dashboard for an interview with this name created just now."
)

TOOLS: tuple[ToolSpec[Any, Any], ...] = (
    ToolSpec(
        name="list_avatars",
        title="List interview templates",
        description=(
            "List this account's interview templates (avatars), newest first. A template's `id` is the "
            "interview_template_id the create tools need."
        ),
        arguments=r.ListAvatarsToolArgs,
        response=c.AvatarList,
        method="GET",
        path="/merchant-avatar-list",
        annotations=READ,
        summarize=r.summarize_avatars,
        result=r.AvatarsResult,
        present=r.present_avatars,
        unpublished=frozenset({"merchant_id"}),
    ),
    ToolSpec(
        name="create_interview",
        title="Create an AI-written interview",
        description=(
            "Create an interview for a job; JobMojito's AI writes its questions. Returns interview_def_set_id. "
            "Not idempotent: each call creates another interview."
        ),
        arguments=c.CreateInterviewArgs,
        response=c.CreatedInterview,
        method="POST",
        path="/job-interview-create",
        annotations=CREATE,
        summarize=r.summarize_created,
        recheck_hint=_CREATE_RECHECK,
        unpublished=_AI_WRITTEN_UNPUBLISHED,
    ),
    ToolSpec(
        name="create_interview_from_questions",
        title="Create an interview from your questions",
        description=(
            "Create an interview asking your own questions, in order. Returns interview_def_set_id. Not "
            "idempotent: each call creates another interview."
        ),
        arguments=c.CreateFromQuestionsArgs,
        response=c.CreatedInterview,
        method="POST",
        path="/job-interview-create-from-array",
        annotations=CREATE,
        summarize=r.summarize_from_questions,
        recheck_hint=_CREATE_RECHECK,
        unpublished=_QUESTIONS_UNPUBLISHED,
    ),
    ToolSpec(
        name="create_interview_for_candidate",
        title="Enrol a candidate, get their link",
        description=(
            "Enrol a candidate in an existing or new position, AI-screen the résumé, return a status and their "
            "personal interview_url. Not idempotent."
        ),
        arguments=c.CreateForCandidateArgs,
        response=c.CandidateInterview,
        method="POST",
        path="/job-interview-create-for-candidate-with-token",
        annotations=CREATE,
        summarize=r.summarize_candidate,
        recheck_hint=(
            "Before calling again, check the position's candidates in the JobMojito dashboard; a repeat for the "
            "same candidate and position answers already-applied."
        ),
        unpublished=_CANDIDATE_UNPUBLISHED,
    ),
    ToolSpec(
        name="set_interview_state",
        title="Publish, archive or delete an interview",
        description=(
            "Publish (active), unpublish (draft), archive or delete an interview, and/or turn iframe embedding "
            "on or off. deleted cannot be undone."
        ),
        arguments=c.SetStateArgs,
        response=c.StateChanged,
        method="POST",
        path="/job-interview-set-state",
        annotations=CHANGE,
        summarize=r.summarize_state,
        confirm=_confirm_deletion,
    ),
    ToolSpec(
        name="get_interview_definition",
        title="Get an interview's definition",
        description=(
            "Read an interview: name, status, language, template, questions (view full: every setting, questions "
            "as create_interview_from_questions takes them)."
        ),
        arguments=r.GetDefinitionToolArgs,
        response=c.InterviewDefinition,
        method="GET",
        path="/job-interview-get",
        annotations=READ,
        summarize=r.summarize_definition,
        result=r.DefinitionResult,
        present=r.present_definition,
    ),
    ToolSpec(
        name="list_interviews",
        title="Find interviews",
        description=(
            "Find this account's interviews (ids) by name, status or type; newest-updated first, paged."
        ),
        arguments=lr.ListInterviewsToolArgs,
        response=lc.InterviewList,
        method="GET",
        path="/merchant-interview-list",
        annotations=READ,
        summarize=lr.summarize_interviews,
        result=lr.InterviewsResult,
        present=lr.present_interviews,
        hints={403: "Leave merchant_id out to list your own interviews."},
        unpublished=frozenset({"show_public", "show_demo", "filter_emoji", "merchant_id"}),
    ),
    ToolSpec(
        name="update_interview",
        title="Change an interview",
        description=(
            "Change an interview; only the fields given are written. questions: the whole list, as "
            "get_interview_definition(view=full) gives it, edited. Live interviews change at once."
        ),
        arguments=lc.UpdateInterviewArgs,
        response=lc.UpdatedInterview,
        method="POST",
        path="/job-interview-update",
        annotations=CHANGE,  # JobMojito's own server: destructive (overwrites a live interview), idempotent
        summarize=lr.summarize_update,
        confirm=_confirm_deletion,
        hints={
            404: "Find the interview's id with list_interviews.",
            422: "To change the questions of an active interview with a pre-recorded (offline) avatar, set "
            "status draft first.",
            500: _AUTHZ_AS_500,
        },
        unpublished=_UPDATE_UNPUBLISHED,
    ),
    ToolSpec(
        name="register_users_for_interview",
        title="Invite candidates to an interview",
        description=(
            "Register candidates for an interview; each gets a one-time link. send_email true: JobMojito "
            "e-mails them (the user is asked first); false: only the links. Not idempotent: a repeat sends new "
            "links (and e-mails)."
        ),
        arguments=lc.RegisterUsersArgs,
        response=lc.RegisteredUsers,
        method="POST",
        path="/job-interview-register-users",
        annotations=INVITE,
        summarize=lr.summarize_registration,
        result=lr.RegistrationResult,
        present=lr.present_registration,
        confirm=_confirm_emails,
        if_declined={"send_email": False},
        toolset="candidates",
        effect="registered the candidates (and, with send_email, e-mailed them)",
        recheck_hint=(
            "Before calling again, call list_interview_results(interview_id=...): registered candidates are "
            "listed there; registering them again sends new links (and e-mails)."
        ),
        hints={
            422: "An unknown interview_id is reported as HTTP 422 here: find the id with list_interviews.",
            403: "This account's role may not invite candidates (or merchant_id names another merchant).",
        },
        unpublished=frozenset({"hide_menu", "hide_iframe", "merchant_id"}),
    ),
    ToolSpec(
        name="list_interview_results",
        title="List interview results",
        description=(
            "Candidates' results, of one interview or all, by tab; order_by=score for best first. "
            "interview_result_id is what the details and report tools take."
        ),
        arguments=lr.ListResultsToolArgs,
        response=lc.ResultList,
        method="GET",
        path="/merchant-result-list",
        annotations=READ,
        summarize=lr.summarize_results,
        result=lr.ResultsResult,
        present=lr.present_results,
        toolset="results",
        hints={403: "This account may not read these results; leave merchant_id out for your own."},
        unpublished=frozenset(
            {"step", "risks", "filter_emoji", "merchant_id", "type", "profile_interview_id"}
        ),
    ),
    ToolSpec(
        name="get_interview_result_details",
        title="Read a candidate's result",
        description=(
            "One candidate's result: score, the AI's assessment, reasons to hire or not, each answer with its "
            "score (view summary)."
        ),
        arguments=lr.ResultDetailsToolArgs,
        response=lc.ResultDetails,
        method="GET",
        path="/job-interview-details",
        annotations=READ,
        summarize=lr.summarize_details,
        result=lr.DetailsResult,
        present=lr.present_details,
        toolset="results",
        hints={
            404: "Take interview_result_id from list_interview_results (rows without one have not started)."
        },
    ),
    ToolSpec(
        name="generate_interview_report",
        title="Generate a result report",
        description=(
            "A report on one or several results, for a hiring manager: pdf (a link), html or json. Cost: 0.1 "
            "credit per result translated (export_features_result.mojito_language_code); JobMojito's own "
            "server bills every report."
        ),
        arguments=lc.ReportArgs,
        response=lc.Report,
        method="POST",
        path="/job-interview-pdf",
        annotations=CHANGE,  # JobMojito's own server: destructive (stores a file, may cost), idempotent
        summarize=lr.summarize_report,
        result=lr.ReportResult,
        present=lr.present_report,
        attach=lr.attach_report,
        toolset="results",
        hints={
            422: "Unknown or unfinished results are reported as HTTP 422 here: take ids from "
            "list_interview_results(tab=completed)."
        },
        unpublished=_REPORT_FEATURES_UNPUBLISHED,
    ),
    ToolSpec(
        name="get_merchant_status",
        title="Check credits and invitations",
        description=(
            "Credits, invitations left (check before inviting), and work waiting: results to decide, "
            "interviews in progress."
        ),
        arguments=lc.MerchantStatusArgs,
        response=lc.MerchantStatus,
        method="GET",
        path="/merchant-status",
        annotations=READ,
        summarize=lr.summarize_status,
        toolset="account",
        unpublished=frozenset({"merchant_id"}),
    ),
)

TOOLS_BY_NAME: dict[str, ToolSpec[Any, Any]] = {spec.name: spec for spec in TOOLS}
assert {spec.toolset for spec in TOOLS} == set(TOOLSETS), (
    "every toolset has tools, every tool a known toolset"
)
