"""The schemas agents read: each tool's published input and output schema, derived from its models.

The models say everything the server accepts and returns; agents pay for every byte of
`tools/list` and some clients map the schemas onto dialects far narrower than JSON Schema
(Gemini's function declarations take one `type` per node, no `$ref`). So the published form is
the same meaning, written small and plain:

- no titles, no `$defs`/`$ref` (inlined), no `additionalProperties: true` (the default);
- inputs: no null (leave a field out to not set it; a null sent anyway is dropped by the
  models), and the fields a tool's `unpublished` names left out (still accepted and validated;
  docs/arguments.md says why each), which makes `additionalProperties: false` untrue there, so
  it is dropped too (the server still refuses unknown names);
- outputs: no null either, because structured content never carries one (`spec.as_sent`
  and the compact views leave nulls out), and no defaults;
- outputs: fields named at the top level only; an object inside (a page's rows, a transcript's
  entries, a nested answer) is published as an open `object`. Clients validate structured content
  against the output schema, which stays true (never stricter); agents read the rows' fields in
  the result itself and its summary, and every listing byte is paid in every agent's context;

`accepted_schema` is the whole truth (every accepted field, nulls allowed), for tests and fuzzing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from jobmojito_mcp.tooling.spec import ToolSpec


def accepted_schema(arguments: type[BaseModel]) -> dict[str, Any]:
    """Everything an argument model accepts, unpublished fields included, as JSON Schema (with `$defs`).

    A null for any optional argument is accepted (and dropped: `toolsets.common.StrictModel`), so each says so.
    """
    schema: dict[str, Any] = _strip(arguments.model_json_schema())
    required = set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        if name not in required and not _admits_null(prop):
            schema["properties"][name] = {"anyOf": [prop, {"type": "null"}]}
    return schema


def _admits_null(node: dict[str, Any]) -> bool:
    return node.get("type") == "null" or any(_admits_null(branch) for branch in node.get("anyOf", []))


def _strip(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    # A "title" that is a schema is a field of that name inside "properties".
    return {
        key: _strip(value) for key, value in node.items() if not (key == "title" and isinstance(value, str))
    }


def published_schema(
    model: type[BaseModel], *, arguments: bool = False, unpublished: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The schema agents get for `model`: its arguments (`arguments=True`) or its result.

    `unpublished`: argument paths to leave out, nested ones written `questions[].label`.
    """
    raw = model.model_json_schema()
    inlined = _inline(raw, raw.get("$defs", {}))
    inlined.pop("description", None)  # the model's docstring: written for maintainers
    schema: dict[str, Any] = _publish(inlined, arguments, unpublished, "")
    return schema


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = dict(defs[node["$ref"].rsplit("/", 1)[-1]])
        target.pop("description", None)  # the nested model's docstring; the field says what it is for
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _inline(target | siblings, defs)
    return {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}


def _publish(node: Any, arguments: bool, unpublished: frozenset[str], path: str) -> Any:
    if isinstance(node, list):
        return [_publish(item, arguments, unpublished, path) for item in node]
    if not isinstance(node, dict):
        return node
    node = _without_null(node)
    if not arguments and path and node.get("type") == "object":
        return {key: node[key] for key in ("description", "type") if key in node}
    published: dict[str, Any] = {}
    for key, value in node.items():
        if (
            (key == "title" and isinstance(value, str))
            or (key == "default" and (value is None or not arguments))
            or (key == "additionalProperties" and value is True)
        ):
            continue
        if key == "properties":
            value = {
                name: _publish(prop, arguments, unpublished, inner)
                for name, prop in value.items()
                if (inner := f"{path}.{name}" if path else name) not in unpublished
            }
        elif key == "items":
            value = _publish(value, arguments, unpublished, path + "[]")
        elif key not in ("enum", "required", "default"):
            value = _publish(value, arguments, unpublished, path)
        published[key] = value
    if arguments and "required" in published:
        # Required arguments first: what an agent must fill in is what it reads first.
        kept = published["properties"]
        published["properties"] = {name: kept[name] for name in published["required"] if name in kept} | kept
    if "properties" in node and len(published["properties"]) < len(node["properties"]):
        kept = published["properties"]
        if published.get("additionalProperties") is False:
            del published["additionalProperties"]  # hidden fields are accepted: "no others" would be untrue
        if "required" in published:
            published["required"] = [name for name in published["required"] if name in kept]
    return published


def _without_null(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [T, null]` as plain T, `null` out of enums: null is never needed (see the module docs)."""
    branches = node.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        rest = [branch for branch in branches if branch != {"type": "null"}]
        node = {key: value for key, value in node.items() if key != "anyOf"}
        node = node | rest[0] if len(rest) == 1 else node | {"anyOf": rest}
    if "enum" in node and None in node["enum"]:
        node = node | {"enum": [value for value in node["enum"] if value is not None]}
    return node


def generated_schemas(spec: ToolSpec[Any, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(input schema, output schema) for a tool, generated from its models now."""
    arguments = published_schema(spec.arguments, arguments=True, unpublished=spec.unpublished)
    return arguments, published_schema(spec.output_model)
