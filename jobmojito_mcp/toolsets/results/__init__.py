"""The results toolset: reviewing candidates' results (`review`) and reporting on them (`reports`).
`TOOLS` is the toolset's order in `tools/list`."""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets.results import reports, review

TOOLS: tuple[ToolSpec[Any, Any], ...] = (
    review.LIST_INTERVIEW_RESULTS,
    review.GET_INTERVIEW_RESULT_DETAILS,
    reports.GENERATE_INTERVIEW_REPORT,
)
