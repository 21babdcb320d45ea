"""The interviews toolset: templates, creating interviews, reading and changing them.

The largest toolset, so it spans three modules by what a tool does (`read`, `create`, `change`),
plus `settings`, the interview settings the create and change tools share. `TOOLS` is the
toolset's order in `tools/list`.
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets.interviews import change, create, read

TOOLS: tuple[ToolSpec[Any, Any], ...] = (
    read.LIST_AVATARS,
    create.CREATE_INTERVIEW,
    create.CREATE_INTERVIEW_FROM_QUESTIONS,
    create.CREATE_INTERVIEW_FOR_CANDIDATE,
    change.SET_INTERVIEW_STATE,
    read.GET_INTERVIEW_DEFINITION,
    read.LIST_INTERVIEWS,
    change.UPDATE_INTERVIEW,
)
