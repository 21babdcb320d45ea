"""The machine-readable contract (``contract.json``), loaded once: the sandbox's validation oracle.

The sandbox validates requests against the same JSON the rest of the project is generated from,
not against the server's pydantic models, so a mistake in those models cannot hide behind a
sandbox that shares it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

CONTRACT: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("contract.json").read_text("utf-8")
)

# Endpoint name (the last path segment, e.g. "job-interview-create") -> tool name in the contract.
TOOL_OF_ENDPOINT: dict[str, str] = {spec["path"].strip("/"): tool for tool, spec in CONTRACT.items()}
ENDPOINTS: frozenset[str] = frozenset(TOOL_OF_ENDPOINT)


def to_json_schema(node: Any) -> Any:
    """Translate OpenAPI 3.0 ``nullable: true`` into JSON Schema, which has no such keyword.

    ``{"type": "string", "nullable": true, "enum": [...]}`` becomes a type list with ``"null"``
    and an enum with ``None``; a bare ``{"nullable": true}`` becomes ``{}`` (anything goes).
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out
