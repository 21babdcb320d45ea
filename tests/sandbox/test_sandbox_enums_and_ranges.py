"""Every enum value and every range boundary of every request body schema, driven by the contract
(the query enums of the list endpoints are covered beside their endpoints)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from sandbox_support import CONTRACT, call, error, ok

BODY_FIXTURE = {
    "create_interview": "interview_body",
    "create_interview_from_questions": "questions_body",
    "create_interview_for_candidate": "candidate_body",
    "update_interview": "update_body",
}
CREATES = ("create_interview", "create_interview_from_questions", "create_interview_for_candidate")
Path = tuple[str | int, ...]


def enum_fields(schema: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path, schema) of every enum-bearing field, walking objects and the first array item."""
    if "enum" in schema:
        yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from enum_fields(sub, (*path, name))
    if "items" in schema:
        yield from enum_fields(schema["items"], (*path, 0))


ENUM_CASES = [
    pytest.param(tool, path, value, id=f"{tool}:{'.'.join(map(str, path))}={value}")
    for tool in BODY_FIXTURE
    for path, schema in enum_fields(CONTRACT[tool]["body"])
    for value in schema["enum"]
]
ENUM_FIELDS = [
    pytest.param(tool, path, schema.get("nullable", False), id=f"{tool}:{'.'.join(map(str, path))}")
    for tool in BODY_FIXTURE
    for path, schema in enum_fields(CONTRACT[tool]["body"])
]


def with_value(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target: Any = body
    for step in path[:-1]:
        target = target.setdefault(step, {}) if isinstance(step, str) else target[step]
    target[path[-1]] = value
    return body


def field_name(path: Path) -> str:
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name


@pytest.mark.parametrize(("tool", "path", "value"), ENUM_CASES)
def test_every_enum_value_is_accepted(
    request: pytest.FixtureRequest, client: httpx2.Client, tool: str, path: Path, value: str
) -> None:
    base = request.getfixturevalue(BODY_FIXTURE[tool])
    ok(call(client, tool, with_value(base, path, value)))


@pytest.mark.parametrize(("tool", "path", "nullable"), ENUM_FIELDS)
def test_values_outside_an_enum_are_refused(
    request: pytest.FixtureRequest, client: httpx2.Client, tool: str, path: Path, nullable: bool
) -> None:
    base = request.getfixturevalue(BODY_FIXTURE[tool])
    error(call(client, tool, with_value(base, path, "not-a-value")), 422, field_name(path))
    response = call(client, tool, with_value(base, path, None))
    # Nullable, but required by a cross-field rule when no position_def_set_id is given.
    position_language = (tool, path) == ("create_interview_for_candidate", ("mojito_language_code",))
    if nullable and not position_language:
        ok(response)
    else:
        error(response, 422, field_name(path))


def test_there_are_34_languages() -> None:
    codes = CONTRACT["create_interview"]["body"]["properties"]["mojito_language_code"]["enum"]
    assert len(codes) == len(set(codes)) == 34


# (tool, field, valid boundary values, invalid values just outside)
RANGES: list[tuple[str, str, list[float], list[float]]] = [
    ("create_interview", "interview_attempts", [1, 20], [0, 21]),
    ("create_interview", "max_followups", [0, 999], [-1, 1000]),
    ("create_interview", "questions_random_subset", [0.01, 0.9], [0.009, 0.91]),
    ("create_interview_from_questions", "max_followups", [0, 999], [-1, 1000]),
    ("create_interview_for_candidate", "interview_attempts", [1, 20], [0, 21]),
    ("create_interview_for_candidate", "max_followups", [0, 999], [-1, 1000]),
    ("create_interview_for_candidate", "questions_random_subset", [0.01, 0.9], [0.009, 0.91]),
    ("update_interview", "interview_attempts", [1, 20], [0, 21]),
    ("update_interview", "max_followups", [0, 999], [-1, 1000]),
    ("update_interview", "questions_random_subset", [0.01, 0.9], [0.009, 0.91]),
]


def test_range_table_covers_the_contract() -> None:
    ranged = {
        (tool, name)
        for tool in BODY_FIXTURE
        for name, schema in CONTRACT[tool]["body"]["properties"].items()
        if "minimum" in schema or "maximum" in schema
    }
    assert ranged == {(tool, field) for tool, field, _, _ in RANGES}


@pytest.mark.parametrize(
    ("tool", "field", "value", "valid"),
    [
        pytest.param(tool, field, value, valid, id=f"{tool}:{field}={value}")
        for tool, field, good, bad in RANGES
        for values, valid in ((good, True), (bad, False))
        for value in values
    ],
)
def test_range_boundaries(
    request: pytest.FixtureRequest, client: httpx2.Client, tool: str, field: str, value: float, valid: bool
) -> None:
    body = {**request.getfixturevalue(BODY_FIXTURE[tool]), field: value}
    response = call(client, tool, body)
    if valid:
        ok(response)
    else:
        error(response, 422, field)


@pytest.mark.parametrize("tool", CREATES)
@pytest.mark.parametrize("field", ["max_followups", "interview_attempts", "questions_random_subset"])
def test_numeric_fields_are_nullable(
    request: pytest.FixtureRequest, client: httpx2.Client, tool: str, field: str
) -> None:
    ok(call(client, tool, {**request.getfixturevalue(BODY_FIXTURE[tool]), field: None}))
