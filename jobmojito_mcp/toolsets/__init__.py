"""The registry of toolsets: every tool the server has, grouped as a deployment (`--toolsets`) or a
request (`X-MCP-Toolsets`) can narrow them.

One module per toolset, each holding its tools' models, summaries and table entries (`ToolSpec`s)
side by side; `common` holds what several share. A new toolset is a new module here and one line
in `TOOLSETS`; the order below is the order of `tools/list`.
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets import account, candidates, interviews, knowledge, results, screening

_REGISTRY: dict[str, tuple[ToolSpec[Any, Any], ...]] = {
    "interviews": interviews.TOOLS,
    "candidates": candidates.TOOLS,
    "results": results.TOOLS,
    "account": account.TOOLS,
    "screening": screening.TOOLS,
    "knowledge": knowledge.TOOLS,
}

TOOLSETS: tuple[str, ...] = tuple(_REGISTRY)
TOOLS: tuple[ToolSpec[Any, Any], ...] = tuple(spec for specs in _REGISTRY.values() for spec in specs)
TOOLS_BY_NAME: dict[str, ToolSpec[Any, Any]] = {spec.name: spec for spec in TOOLS}

assert len(TOOLS_BY_NAME) == len(TOOLS), "tool names are unique"
assert all(spec.toolset == name for name, specs in _REGISTRY.items() for spec in specs), (
    "each tool declares the toolset whose module holds it"
)
