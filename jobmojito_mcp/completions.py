"""Argument completions (`completion/complete`): the values a person may pick while filling in a
prompt's arguments or a resource template's parameters (Claude Desktop offers them as they type).

Which values an argument takes is said once, by the argument's name, in `COMPLETED_ARGUMENTS`: a
prompt added later whose argument is called `interview` or `mojito_language_code` is completed
without touching this module. The values come from the tools an agent would call (list_interviews,
list_avatars, list_interview_results), run through the same boundary and upstream client as every
tool call, as the caller. They are cached briefly per caller, keyed by the bearer that went upstream
(what JobMojito answers is exactly what that token may see), so one caller's interviews are never
offered to another. Whatever fails upstream, the person typing gets an empty list, never an error.

The SDK's completion handler is given no request context; the small middleware here hands it the
request it answers (whose caller, which narrowing headers) through a context variable.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from jobmojito_mcp.exposure import Exposure, narrowing_of
from jobmojito_mcp.guides import TEMPLATES_URI
from jobmojito_mcp.tooling.run import run_tool
from jobmojito_mcp.tooling.upstream import Credential, Upstream
from jobmojito_mcp.toolsets import cards_by_name, spec_named
from jobmojito_mcp.toolsets.languages import LANGUAGE_NAMES

logger = logging.getLogger(__name__)

MAX_VALUES = 100  # the most a completion may carry (the MCP specification)
CACHE_SECONDS = 30.0  # long enough for a person's keystrokes, short enough to see a new interview soon
CACHE_ENTRIES = 1024  # callers x lists remembered; the least recently used go first
FETCH_DEADLINE = 5.0  # a person is waiting: a slower upstream answers with nothing rather than late
ROWS = 1000  # one page of the largest size the list tools accept


@dataclass(frozen=True)
class Choice:
    """One value an argument may take; `label` is matched too (a language's name, an id's name)."""

    value: str
    label: str = ""


@dataclass(frozen=True)
class Listing:
    choices: tuple[Choice, ...]
    complete: bool = True  # False: JobMojito holds more rows than were fetched


@dataclass(frozen=True)
class Source:
    """Where an argument's values come from: a read tool, and how its answer becomes choices.

    `known` is what is known without asking (the documented languages): used when the tool is not in
    the table or not shown to the request, fails, or lists nothing.
    """

    tool: str | None
    parse: Callable[[Any], Listing] = lambda _answer: Listing(())
    arguments: Callable[[Mapping[str, str]], dict[str, Any]] = lambda _context: {}
    known: Listing | None = None


def _rows(answer: Any, key: str = "data") -> list[Mapping[str, Any]]:
    rows = answer.get(key) if isinstance(answer, Mapping) else None
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def _more(answer: Any) -> bool:
    paging = answer.get("pagination") if isinstance(answer, Mapping) else None
    return bool(isinstance(paging, Mapping) and paging.get("has_more")) or (
        isinstance(answer, Mapping) and answer.get("next_offset") is not None
    )


def _named_rows(id_field: str, *label_fields: str) -> Callable[[Any], Listing]:
    """A list tool's page as (id, label) choices; `label_fields` joined by spaces."""

    def parse(answer: Any) -> Listing:
        choices = tuple(
            Choice(str(row[id_field]), " ".join(str(row[f]) for f in label_fields if row.get(f)))
            for row in _rows(answer)
            if row.get(id_field)
        )
        return Listing(choices, complete=not _more(answer))

    return parse


def _languages(answer: Any) -> Listing:
    """list_languages' answer (`languages[]`: code, name_english), once that tool is in the table."""
    rows = _rows(answer, "languages") or _rows(answer)
    return Listing(
        tuple(Choice(str(r["code"]), str(r.get("name_english") or "")) for r in rows if r.get("code"))
    )


DOCUMENTED_LANGUAGES = Listing(tuple(Choice(code, name) for code, name in LANGUAGE_NAMES.items()))
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _results_of(context: Mapping[str, str]) -> dict[str, Any]:
    """Results of the interview already chosen in the same prompt (when it is an id), else of all."""
    chosen = next((context[k] for k in ("interview_id", "interview", "position_id") if k in context), "")
    return {"limit": ROWS} | ({"interview_id": chosen} if _UUID.fullmatch(chosen) else {})


# The value sources. Languages are the documented codes until `list_languages` is in the table (then
# the account's own list, falling back to the documented codes if it fails).
SOURCES: dict[str, Source] = {
    "languages": Source("list_languages", _languages, known=DOCUMENTED_LANGUAGES),
    "interviews": Source("list_interviews", _named_rows("id", "name"), lambda _c: {"limit": ROWS}),
    "templates": Source("list_avatars", _named_rows("id", "name"), lambda _c: {"limit": ROWS}),
    "yes_no": Source(None, known=Listing((Choice("yes"), Choice("no")))),
    "results": Source(
        "list_interview_results",
        _named_rows("interview_result_id", "candidate_name", "candidate_email"),
        _results_of,
    ),
}


@dataclass(frozen=True)
class Completes:
    """An argument completed from `source`; `names`: it takes a name as well as an id (the prompt
    looks the name up), so names are offered as values too, before the ids."""

    source: str
    names: bool = False


# Argument (or URI template parameter) name -> where its values come from. Add a row for a new name.
COMPLETED_ARGUMENTS: dict[str, Completes] = {
    "language": Completes("languages"),
    "mojito_language_code": Completes("languages"),
    "interview": Completes("interviews", names=True),
    "position": Completes("interviews", names=True),
    "interview_id": Completes("interviews"),
    "position_id": Completes("interviews"),
    "position_def_set_id": Completes("interviews"),
    "interview_def_set_id": Completes("interviews"),
    "template": Completes("templates", names=True),
    "avatar": Completes("templates", names=True),
    "interview_template_id": Completes("templates"),
    "template_id": Completes("templates"),
    "email_them": Completes("yes_no"),
    "result": Completes("results"),
    "interview_result_id": Completes("results"),
}

# Values one prompt or resource template takes beyond its source's (templates/{language}: `any`).
EXTRA_VALUES: dict[str, dict[str, tuple[str, ...]]] = {TEMPLATES_URI: {"language": ("any",)}}


def ranked(choices: Sequence[Choice], typed: str) -> list[str]:
    """The values matching `typed` (any case): prefix matches of the value first, then of its label,
    then the value containing it, then the label; in the source's order within each."""
    needle = typed.casefold()
    tiers: tuple[list[str], ...] = ([], [], [], [])
    seen: set[str] = set()
    for choice in choices:
        if choice.value in seen:
            continue
        value, label = choice.value.casefold(), choice.label.casefold()
        if value.startswith(needle):
            tier = 0
        elif label and label.startswith(needle):
            tier = 1
        elif needle in value:
            tier = 2
        elif label and needle in label:
            tier = 3
        else:
            continue
        seen.add(choice.value)
        tiers[tier].append(choice.value)
    return [value for tier in tiers for value in tier]


def as_values(listing: Listing, completes: Completes) -> tuple[Choice, ...]:
    if not completes.names:
        return listing.choices
    names = tuple(Choice(c.label) for c in listing.choices if c.label)
    return names + tuple(Choice(c.value) for c in listing.choices)


def completion_of(matches: list[str], complete: bool) -> Completion:
    """At most MAX_VALUES; `total` only when every row was seen, `hasMore` when any match is left out."""
    return Completion(
        values=matches[:MAX_VALUES],
        total=len(matches) if complete else None,
        has_more=len(matches) > MAX_VALUES or not complete,
    )


EMPTY = Completion(values=[], total=0, has_more=False)


class ListingCache:
    """Listings per (caller, source, arguments) for CACHE_SECONDS, at most CACHE_ENTRIES; one fetch at a
    time per key (a burst of keystrokes waits for the first). Failures are not kept."""

    def __init__(
        self,
        seconds: float = CACHE_SECONDS,
        entries: int = CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds, self._entries, self._clock = seconds, entries, clock
        self._kept: OrderedDict[tuple[str, ...], tuple[float, Listing]] = OrderedDict()
        self._loading: dict[tuple[str, ...], anyio.Event] = {}

    def _fresh(self, key: tuple[str, ...]) -> Listing | None:
        found = self._kept.get(key)
        if found is None or found[0] <= self._clock():
            return None
        self._kept.move_to_end(key)
        return found[1]

    async def get(self, key: tuple[str, ...], load: Callable[[], Awaitable[Listing]]) -> Listing:
        if (kept := self._fresh(key)) is not None:
            return kept
        while (pending := self._loading.get(key)) is not None:
            await pending.wait()
            if (kept := self._fresh(key)) is not None:
                return kept
        done = self._loading[key] = anyio.Event()
        try:
            listing = await load()
            self._kept[key] = (self._clock() + self._seconds, listing)
            self._kept.move_to_end(key)
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)
            return listing
        finally:
            del self._loading[key]
            done.set()


# The request a completion answers, set by `remember_request` around the SDK's handler.
_REQUEST: ContextVar[ServerRequestContext[Any, Any] | None] = ContextVar("completion_request", default=None)


async def remember_request(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    if ctx.method != "completion/complete":
        return await call_next(ctx)
    token = _REQUEST.set(ctx)
    try:
        return await call_next(ctx)
    finally:
        _REQUEST.reset(token)


def _caller(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_PARAMETER = re.compile(r"\{([^}]+)\}")


class Completer:
    """Answers `completion/complete` for `server`'s prompts and resource templates."""

    def __init__(
        self,
        server: MCPServer,
        exposure: Exposure,
        upstream: Upstream,
        credentials: Callable[[Context[Any, Any]], Credential],
        cache: ListingCache | None = None,
    ) -> None:
        self._server, self._exposure, self._upstream = server, exposure, upstream
        self._credentials = credentials
        self.cache = cache or ListingCache()

    async def _arguments_of(self, ref: PromptReference | ResourceTemplateReference) -> set[str]:
        """The argument names of the prompt or template `ref` names; MCPError if the server has none."""
        if isinstance(ref, PromptReference):
            for prompt in await self._server.list_prompts():
                if prompt.name == ref.name:
                    return {argument.name for argument in prompt.arguments or ()}
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {ref.name}")
        for template in await self._server.list_resource_templates():
            if template.uri_template == ref.uri:
                return set(_PARAMETER.findall(ref.uri))
        raise MCPError(code=INVALID_PARAMS, message=f"Unknown resource template: {ref.uri}")

    async def complete(
        self,
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion:
        if argument.name not in await self._arguments_of(ref):
            return EMPTY
        owner = ref.name if isinstance(ref, PromptReference) else ref.uri
        completes = COMPLETED_ARGUMENTS.get(argument.name)
        extra = tuple(Choice(v) for v in EXTRA_VALUES.get(owner, {}).get(argument.name, ()))
        if completes is None and not extra:
            return EMPTY
        listing = Listing(())
        if completes is not None:
            request = _REQUEST.get()
            known = (context.arguments if context else None) or {}
            listing = await self._listing(SOURCES[completes.source], completes.source, known, request)
        matches = ranked((*extra, *(as_values(listing, completes) if completes else ())), argument.value)
        return completion_of(matches, listing.complete)

    async def _listing(
        self,
        source: Source,
        name: str,
        context: Mapping[str, str],
        request: ServerRequestContext[Any, Any] | None,
    ) -> Listing:
        fallback = source.known or Listing(())
        visible = self._exposure
        narrowing = narrowing_of(request.request) if request is not None else None
        if narrowing is not None:
            visible = visible.narrowed(narrowing)
        tool = source.tool or ""
        if tool not in cards_by_name() or tool not in visible.names or request is None:
            return fallback
        spec = spec_named(tool)
        arguments = source.arguments(context)
        try:
            credential = self._credentials(Context(request_context=request, mcp_server=self._server))
            caller = _caller(await credential.token())
            key = (caller, name, *(f"{k}={v}" for k, v in sorted(arguments.items())))

            async def load() -> Listing:
                result = await run_tool(spec, arguments, self._upstream, credential)
                return source.parse(result.structured_content)

            with anyio.fail_after(FETCH_DEADLINE):
                listing = await self.cache.get(key, load)
        except Exception as failure:  # whatever it was, the person typing sees no error
            logger.info("completion of %s values failed: %s", name, type(failure).__name__)
            return fallback
        return listing if listing.choices or source.known is None else fallback


def register_completions(
    server: MCPServer,
    exposure: Exposure,
    upstream: Upstream,
    credentials: Callable[[Context[Any, Any]], Credential],
) -> Completer:
    """Declare the `completions` capability on `server` and answer it through `upstream`."""
    completer = Completer(server, exposure, upstream, credentials)
    server.middleware.append(remember_request)
    server.completion()(completer.complete)  # type: ignore[no-untyped-call]  # the SDK's decorator is untyped
    return completer
