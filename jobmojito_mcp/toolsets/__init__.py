"""The registry of toolsets: every tool the server has, grouped as a deployment (`--toolsets`) or a
request (`X-MCP-Toolsets`) can narrow them.

One module per toolset, each holding its tools' models, summaries and table entries (`ToolSpec`s)
side by side; `common` holds what several share. A new toolset is a new module here, one entry in
`TOOLSETS` and one in `ABOUT` (and in `OFF_BY_DEFAULT` if a first session does not need it); the
order below is the order of `tools/list`.

Nothing here imports a toolset's module until a tool of it runs: a server lists, narrows and registers
its tools from their cards (`tooling/listing.py`: packaged, since importing every model cost a stdio
start ~80 ms), and `spec_named` imports the one toolset a call needs. `TOOLS` and `TOOLS_BY_NAME`, the
whole specs of every tool, import them all on first use (commands, tests).
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

from jobmojito_mcp.tooling.listing import ToolCard, card_of, packaged_cards

if TYPE_CHECKING:
    from jobmojito_mcp.tooling.spec import ToolSpec

    TOOLS: tuple[ToolSpec[Any, Any], ...]
    TOOLS_BY_NAME: dict[str, ToolSpec[Any, Any]]

# The toolsets, in the order of `tools/list`: each the module of that name in this package.
TOOLSETS: tuple[str, ...] = (
    "interviews",
    "candidates",
    "results",
    "account",
    "screening",
    "knowledge",
    "coaching",
)

# What each toolset is for: what `list_available_toolsets` tells an agent deciding what to enable.
ABOUT: dict[str, str] = {
    "interviews": "Create, find, read, change and publish interviews; the avatar templates.",
    "candidates": "Enrol and invite candidates; their links and attempts.",
    "results": "Candidates' results, details and PDF reports.",
    "account": "Credits, invitations left, languages, analytics, team.",
    "screening": "Pre-screening questions and résumé screening.",
    "knowledge": "Upload documents to an interview's knowledge base.",
    "coaching": "Coaching portal: personas and catalogue directories.",
}

# The toolsets a server offers when started without --toolsets: what a recruiter needs in a first
# session (make and publish an interview, bring candidates in, review the results, check credits;
# create_interview_for_candidate already screens a résumé on the way in). Off: `screening` (rule-based
# pre-screening positions and résumé runs that spend credits: a set-up a recruiter does once, later),
# `knowledge` (documents are added to an interview later, if at all) and `coaching` (another product,
# the coaching portal, which most recruiters never open). Every byte listed is paid in every agent's
# context: with `screening` on, the default listing is ~35,200 bytes, over its 30,000 budget.
# `--toolsets all` (or naming them, or `enable_toolset` with --dynamic-toolsets) turns them on.
OFF_BY_DEFAULT = frozenset({"screening", "knowledge", "coaching"})

DEFAULT_TOOLSETS: tuple[str, ...] = tuple(name for name in TOOLSETS if name not in OFF_BY_DEFAULT)

assert set(TOOLSETS) <= ABOUT.keys(), "every toolset says what it is for"


def toolset_specs(toolset: str) -> tuple[ToolSpec[Any, Any], ...]:
    """One toolset's specs, importing its module (and its models) the first time."""
    specs: tuple[ToolSpec[Any, Any], ...] = importlib.import_module(f"{__name__}.{toolset}").TOOLS
    assert all(spec.toolset == toolset for spec in specs), (
        "each tool declares the toolset whose module holds it"
    )
    return specs


def __getattr__(name: str) -> Any:
    """`TOOLS` and `TOOLS_BY_NAME`, made (every toolset imported) the first time either is asked for."""
    if name not in ("TOOLS", "TOOLS_BY_NAME"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    tools = tuple(spec for toolset in TOOLSETS for spec in toolset_specs(toolset))
    by_name = {spec.name: spec for spec in tools}
    assert len(by_name) == len(tools), "tool names are unique"
    globals().update(TOOLS=tools, TOOLS_BY_NAME=by_name)
    return globals()[name]


@functools.cache
def cards() -> tuple[ToolCard, ...]:
    """Every tool's card, in listing order: packaged, else (the file deleted) made from the specs."""
    return packaged_cards() or tuple(card_of(spec) for spec in __getattr__("TOOLS"))


@functools.cache
def cards_by_name() -> dict[str, ToolCard]:
    return {card.name: card for card in cards()}


def spec_named(name: str) -> ToolSpec[Any, Any]:
    """A tool's whole spec (models, summary, confirmation), importing only its toolset's module.
    KeyError for a name the registry does not have."""
    loaded: dict[str, ToolSpec[Any, Any]] | None = globals().get("TOOLS_BY_NAME")
    if loaded is not None:
        return loaded[name]
    card = cards_by_name()[name]
    return next(spec for spec in toolset_specs(card.toolset) if spec.name == name)
