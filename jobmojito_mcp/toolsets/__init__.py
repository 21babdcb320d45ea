"""The registry of toolsets: every tool the server has, grouped as a deployment (`--toolsets`) or a
request (`X-MCP-Toolsets`) can narrow them.

One module per toolset, each holding its tools' models, summaries and table entries (`ToolSpec`s)
side by side; `common` holds what several share. A new toolset is a new module here, one line in
`_REGISTRY` and one in `ABOUT` (and in `OFF_BY_DEFAULT` if a first session does not need it); the
order below is the order of `tools/list`.
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets import account, candidates, coaching, interviews, knowledge, results, screening

_REGISTRY: dict[str, tuple[ToolSpec[Any, Any], ...]] = {
    "interviews": interviews.TOOLS,
    "candidates": candidates.TOOLS,
    "results": results.TOOLS,
    "account": account.TOOLS,
    "screening": screening.TOOLS,
    "knowledge": knowledge.TOOLS,
    "coaching": coaching.TOOLS,
}

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

TOOLSETS: tuple[str, ...] = tuple(_REGISTRY)
DEFAULT_TOOLSETS: tuple[str, ...] = tuple(name for name in TOOLSETS if name not in OFF_BY_DEFAULT)
TOOLS: tuple[ToolSpec[Any, Any], ...] = tuple(spec for specs in _REGISTRY.values() for spec in specs)
TOOLS_BY_NAME: dict[str, ToolSpec[Any, Any]] = {spec.name: spec for spec in TOOLS}

assert len(TOOLS_BY_NAME) == len(TOOLS), "tool names are unique"
assert set(TOOLSETS) <= ABOUT.keys(), "every toolset says what it is for"
assert all(spec.toolset == name for name, specs in _REGISTRY.items() for spec in specs), (
    "each tool declares the toolset whose module holds it"
)
