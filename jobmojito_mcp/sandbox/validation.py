"""Request validation: the contract's JSON schemas first, then the cross-field rules by hand.

Schema errors (required, type, enum, minLength, ranges, minItems, uuid format) answer 422 with
the offending field in ``name``. Nested fields are named like
``questions[1].conditional_question_main_id`` (0-based index). When several fields are wrong,
the shallowest is reported, missing fields before wrong ones, then in path order, so the answer
is deterministic.

Lookups of ids (templates, knowledge bases, positions) are not validation: the handlers do
them, because their status differs per endpoint.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.spec import CONTRACT, to_json_schema

MAX_INTERVIEW_LENGTH = 40
_INT = re.compile(r"[+-]?\d+")


@cache
def _validator(tool: str, media_type: str = "") -> Any:
    spec = CONTRACT[tool]
    if media_type in spec.get("body_alternatives", {}):  # e.g. the knowledge-base upload's JSON form
        schema = spec["body_alternatives"][media_type]
    elif "body" in spec:
        schema = spec["body"]
    else:  # query parameters, checked as one object (none at all: anything passes, as upstream)
        params = spec.get("query", [])
        schema = {
            "type": "object",
            "properties": {p["name"]: p["schema"] for p in params},
            "required": [p["name"] for p in params if p.get("required")],
        }
    return Draft202012Validator(to_json_schema(schema), format_checker=Draft202012Validator.FORMAT_CHECKER)


def coerce_query(tool: str, query: Mapping[str, str]) -> dict[str, Any]:
    """Turn query strings into the types the contract declares, so one schema check covers them.

    A value that does not parse stays a string and fails the type check; an empty value of a
    numeric parameter counts as null.
    """
    schemas = {p["name"]: p["schema"] for p in CONTRACT[tool].get("query", [])}
    out: dict[str, Any] = {}
    for name, raw in query.items():
        kind = schemas.get(name, {}).get("type")
        value: Any = raw
        if kind in ("integer", "number") and raw.strip() == "":
            value = None
        elif kind == "integer" and _INT.fullmatch(raw.strip()):
            value = int(raw)
        elif kind == "number":
            with contextlib.suppress(ValueError):
                value = float(raw)
        out[name] = value
    return out


def validate(tool: str, params: Any, media_type: str = "") -> None:
    """Check ``params`` (a JSON body, coerced query or multipart form) against the tool's contract
    schema for that media type; a multipart file part stands in as the binary string it is."""
    if not isinstance(params, dict):
        raise ApiError(422, "Request body must be a JSON object.")
    if media_type == "multipart/form-data":
        params = {name: value if isinstance(value, str) else "<binary>" for name, value in params.items()}
    errors = list(_validator(tool, media_type).iter_errors(params))
    if errors:
        raise _to_api_error(min(errors, key=_error_order))


def _error_order(error: Any) -> tuple[int, bool, str]:
    path = list(error.absolute_path)
    return len(path), error.validator != "required", _field_name(path)


def _field_name(path: Iterable[str | int]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _to_api_error(error: Any) -> ApiError:
    path = list(error.absolute_path)
    keyword, expected = error.validator, error.validator_value
    if keyword == "required":
        missing = next(field for field in expected if field not in error.instance)
        return ApiError(422, "Field is required.", _field_name([*path, missing]))
    name = _field_name(path) or None
    messages = {
        "type": lambda: f"Invalid type: expected {' or '.join(_as_list(expected))}.",
        "enum": lambda: (
            "Invalid value: expected one of " + ", ".join(str(v) for v in expected if v is not None) + "."
        ),
        "minLength": lambda: (
            "Field must not be empty." if expected == 1 else f"Must be at least {expected} characters."
        ),
        "minimum": lambda: f"Must be at least {expected}.",
        "maximum": lambda: f"Must be at most {expected}.",
        "minItems": lambda: f"Must contain at least {expected} item(s).",
        "format": lambda: f"Invalid format: expected {expected}.",
    }
    message = messages.get(keyword, lambda: "Invalid value.")()
    return ApiError(422, message, name)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# Cross-field rules ------------------------------------------------------------------------------


def interview_length(value: Any) -> int | None:
    """The requested question count: a whole number (or numeric string) >= 1, at most 40.

    More than 40 is clamped, like more than the duration cap: asking for too many is not an error.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ApiError(422, "Invalid type: expected a number of questions.", "interview_length")
    try:
        number = float(value)
    except ValueError:
        raise ApiError(422, "Invalid type: expected a number of questions.", "interview_length") from None
    if not math.isfinite(number) or number != int(number):
        raise ApiError(422, "Must be a whole number of questions.", "interview_length")
    if number < 1:
        raise ApiError(422, "Must be at least 1.", "interview_length")
    return min(int(number), MAX_INTERVIEW_LENGTH)


def check_max_duration(body: Mapping[str, Any]) -> None:
    """``max_duration`` (seconds), when given, must be positive: it sets the question cap."""
    value = body.get("max_duration")
    if value is not None and value <= 0:
        raise ApiError(422, "Must be greater than 0.", "max_duration")


def check_questions(questions: list[dict[str, Any]]) -> None:
    """Question ids are unique; a follow-up points at an earlier question; choices have options."""
    seen: set[str] = set()
    for index, question in enumerate(questions):
        main_id = question.get("conditional_question_main_id") or None  # "" counts as absent
        if question.get("is_conditional") and main_id is None:
            raise ApiError(
                422,
                "A conditional question needs the id of an earlier question.",
                f"questions[{index}].conditional_question_main_id",
            )
        if main_id is not None and main_id not in seen:
            raise ApiError(
                422,
                "Must be the id of an earlier question in the array.",
                f"questions[{index}].conditional_question_main_id",
            )
        if question.get("is_multiple_choice") and len(question.get("question_alternatives") or []) < 2:
            raise ApiError(
                422,
                "A multiple-choice question needs at least 2 alternatives.",
                f"questions[{index}].question_alternatives",
            )
        question_id = question.get("id") or None  # "" gets an id assigned, like an absent one
        if question_id is not None:
            if question_id in seen:
                raise ApiError(422, "Duplicate question id.", f"questions[{index}].id")
            seen.add(question_id)


POSITION_FIELDS = ("position_name", "position_location", "position_country_code", "mojito_language_code")


def check_for_candidate(body: Mapping[str, Any]) -> None:
    """Without ``position_def_set_id`` the position must be described (non-empty fields)."""
    if not body.get("position_def_set_id"):
        for field in POSITION_FIELDS:
            if not body.get(field):
                raise ApiError(422, "Field is required when position_def_set_id is not given.", field)
    check_max_duration(body)


def check_set_state(body: Mapping[str, Any]) -> None:
    """There must be something to change: ``status`` or ``is_embedded``."""
    if body.get("status") is None and body.get("is_embedded") is None:
        raise ApiError(422, "Give status or is_embedded (or both).", "status")
