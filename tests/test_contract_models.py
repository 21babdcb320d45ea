"""The pydantic models agree with the API contract, field by field.

The contract JSON shipped with the sandbox is the oracle: every documented request field is an
argument with the same name, required where documented, with the same enum values and ranges
(published, or accepted and listed in docs/arguments.md); every documented response field is in
the response model.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from jobmojito_mcp.tooling.files import SOURCE_FIELDS
from jobmojito_mcp.tooling.schemas import accepted_schema, published_schema
from jobmojito_mcp.tooling.spec import LOCAL_OPTIONS
from jobmojito_mcp.toolsets import TOOLS, TOOLS_BY_NAME

CONTRACT: dict[str, Any] = json.loads(
    resources.files("jobmojito_mcp.sandbox").joinpath("contract.json").read_text("utf-8")
)


# Tools named otherwise than the contract's operation (an MCP argument cannot carry raw bytes: the
# "binary" upload takes a file as base64 or a path).
CONTRACT_NAME = {"pre_screen_resume_file": "pre_screen_resume_binary"}


def _request_schema(tool: str) -> tuple[dict[str, Any], set[str]]:
    entry = CONTRACT[CONTRACT_NAME.get(tool, tool)]
    if TOOLS_BY_NAME[tool].file_part is not None:
        # The file part is given as the file arguments (tooling/files.py: inline or a path, one of
        # them required by a rule, so none is required by the schema).
        part = TOOLS_BY_NAME[tool].file_part
        properties = {k: v for k, v in entry["body"]["properties"].items() if k != part}
        properties |= {name: {"type": "string"} for name in SOURCE_FIELDS}
        return properties, set(entry["body"].get("required", [])) - {part}
    if "body" in entry:
        return entry["body"]["properties"], set(entry["body"].get("required", []))
    query = entry.get("query", [])  # neither: an endpoint without parameters (platform-languages-list)
    params = {p["name"]: p["schema"] for p in query}
    return params, {p["name"] for p in query if p.get("required")}


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(root["$defs"][schema["$ref"].split("/")[-1]], root)
    return schema


def _variants(prop: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    prop = _resolve(prop, root)
    if "anyOf" in prop:
        return [_resolve(v, root) for v in prop["anyOf"]]
    return [prop]


def _enum(prop: dict[str, Any], root: dict[str, Any]) -> set[str] | None:
    for variant in _variants(prop, root):
        if "enum" in variant:
            return set(variant["enum"]) - {None}  # a nullable enum lists null among its values
    return None


def _bounds(prop: dict[str, Any], root: dict[str, Any]) -> tuple[Any, Any]:
    for variant in _variants(prop, root):
        low = variant.get("minimum", variant.get("exclusiveMinimum"))
        high = variant.get("maximum", variant.get("exclusiveMaximum"))
        if low is not None or high is not None:
            return low, high
    return None, None


def _nullable(prop: dict[str, Any], root: dict[str, Any]) -> bool:
    types = [v.get("type") for v in _variants(prop, root)]
    return any(t == "null" or (isinstance(t, list) and "null" in t) for t in types)


# Arguments a tool requires although the API does not, on purpose: JobMojito documents no default for
# send_email, and e-mailing people must never happen by an omission.
REQUIRED_ON_PURPOSE = {
    "register_users_for_interview": {"send_email"},
    # Omitted, JobMojito picks the coaching product: a recruiter's role-play must say so on purpose.
    "create_persona": {"portal"},
    # No default is stated for either: a new public page's status and audience are said, not guessed.
    "create_catalogue_directory": {"status", "visibility"},
}


@pytest.mark.parametrize("tool", [spec.name for spec in TOOLS])
def test_arguments_are_exactly_the_documented_fields(tool: str) -> None:
    documented, required = _request_schema(tool)
    ours = accepted_schema(TOOLS_BY_NAME[tool].arguments)
    # Plus only the tool's own options (e.g. `view`, `clear_fields`), which are never sent upstream as such.
    assert set(ours["properties"]) - LOCAL_OPTIONS == set(documented)
    assert set(ours.get("required", [])) == required | REQUIRED_ON_PURPOSE.get(tool, set())
    assert ours["additionalProperties"] is False, "a misspelt argument must be refused, not dropped"
    published = published_schema(TOOLS_BY_NAME[tool].arguments, arguments=True)
    assert set(published.get("required", [])) == required | REQUIRED_ON_PURPOSE.get(tool, set()), (
        "a required argument is always published"
    )


@pytest.mark.parametrize("tool", [spec.name for spec in TOOLS])
def test_argument_enums_and_ranges_match_the_contract(tool: str) -> None:
    documented, _ = _request_schema(tool)
    ours = accepted_schema(TOOLS_BY_NAME[tool].arguments)
    for name, spec in documented.items():
        prop = ours["properties"][name]
        if "enum" in spec and spec["enum"] != ["true", "false"]:  # flags are typed boolean for agents
            assert _enum(prop, ours) == set(spec["enum"]), name
        if "minimum" in spec or "maximum" in spec:
            assert _bounds(prop, ours) == (spec.get("minimum"), spec.get("maximum")), name
        if spec.get("minLength") == 1:
            assert any(v.get("minLength") == 1 or v.get("format") == "uuid" for v in _variants(prop, ours)), (
                name
            )
        if spec.get("nullable") and name not in _request_schema(tool)[1] | REQUIRED_ON_PURPOSE.get(
            tool, set()
        ):
            assert _nullable(prop, ours) or "default" in prop, name


@pytest.mark.parametrize("tool", ["create_interview_from_questions", "update_interview"])
def test_question_items_match_the_contract(tool: str) -> None:
    documented = CONTRACT[tool]["body"]["properties"]["questions"]["items"]
    ours = accepted_schema(TOOLS_BY_NAME[tool].arguments)
    item = ours["$defs"]["Question"]
    assert set(item["properties"]) == set(documented["properties"])
    assert set(item["required"]) == set(documented["required"])
    assert item.get("additionalProperties", True) is not False, "the API accepts extra question fields"


def _model_fields(model: Any) -> set[str]:
    """A model's fields; for a list answer (a RootModel of rows), its rows' fields."""
    root = model.model_fields.get("root")
    if root is not None:
        return set(root.annotation.__args__[0].model_fields)
    return set(model.model_fields)


@pytest.mark.parametrize("tool", [spec.name for spec in TOOLS])
def test_results_cover_every_documented_response_field(tool: str) -> None:
    documented = CONTRACT[CONTRACT_NAME.get(tool, tool)]["responses"]["200"]
    if documented.get("type") == "array":
        documented = documented["items"]
    variants = documented.get("anyOf", [documented])
    fields = {name for variant in variants for name in variant.get("properties", {})}  # none: a bare value
    assert not fields or fields <= _model_fields(TOOLS_BY_NAME[tool].response)
    # The output model describes the default view; what only `view: "full"` returns passes as extra.
    assert TOOLS_BY_NAME[tool].output_model.model_config.get("extra") == "allow"


@pytest.mark.parametrize("tool", [spec.name for spec in TOOLS])
def test_result_schemas_are_never_stricter_than_the_api(tool: str) -> None:
    """Clients reject structuredContent that fails outputSchema, so the schema must admit any answer."""
    schema = published_schema(TOOLS_BY_NAME[tool].output_model)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert "enum" not in node, "response enums must stay open: new values appear"
            assert node.get("additionalProperties", True) is not False, "new response fields must pass"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
