"""Refuse bad input before anything is sent: a tool's arguments validated against its model, and every
problem worded so an agent can fix the call (the field, what is allowed, a likely meant name).

Refusals leave as `ToolFailure`, a `ToolError` whose text is what the agent reads.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Mapping
from typing import Any, TypeVar, get_args

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ValidationError

from jobmojito_mcp.tooling.errors import excerpt
from jobmojito_mcp.tooling.spec import ToolSpec

Args = TypeVar("Args", bound=BaseModel)

# A refusal lists at most this many problems: enough to fix a call, too few to flood a context.
_MAX_PROBLEMS = 20


class ToolFailure(ToolError):
    """A ToolError (its text is what the agent reads) that also says what kind of failure it was:
    `invalid_arguments`, `unexpected_response` or the JobMojitoError class, for telemetry."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def validate_arguments(spec: ToolSpec[Args, Any], raw: Mapping[str, Any]) -> Args:
    """The validated argument model, or a ToolError naming every offending field."""
    try:
        return spec.arguments.model_validate(_parse_stringified_json(spec.arguments, raw))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = [f"- {_explain(err, spec.arguments)}" for err in errors[:_MAX_PROBLEMS]]
        if len(errors) > _MAX_PROBLEMS:
            problems.append(f"- ... and {len(errors) - _MAX_PROBLEMS} more")
        joined = "\n".join(problems)
        raise ToolFailure(
            f"Invalid arguments; nothing was sent to JobMojito.\n{joined}", "invalid_arguments"
        ) from None


_TEXT = (str, str | None)


def _parse_stringified_json(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, Any]:
    # Some clients send list and object arguments as JSON text; accept it where a string is not allowed.
    parsed = dict(raw)
    for name, value in raw.items():
        if (
            not isinstance(value, str)
            or (field := model.model_fields.get(name)) is None
            or field.annotation in _TEXT
        ):
            continue
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            with contextlib.suppress(ValueError, RecursionError):
                parsed[name] = json.loads(stripped)
    return parsed


_MAX_PATH = 256  # room for a short name fully escaped; a megabyte-long name still gives a short line


def field_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        # Past the first (always a field name, whatever it spells), pydantic adds validator labels.
        elif index == 0 or not part.startswith(("function-", "constrained-", "json-or-python", "lax-")):
            shown = _shown_name(part)
            path += f".{shown}" if path else shown
    # Every part is already printable and unambiguous: shorten, but never respace.
    return (path if len(path) <= _MAX_PATH else path[: _MAX_PATH - 1] + "…") or "(arguments)"


def _shown_name(name: str) -> str:
    """An argument name as a message quotes it: raw when that is unambiguous, else as a JSON string
    (`" "`, `"a\\u0060b"`), so a blank, padded or unprintable name, or one with a backtick that would
    end the quote, is still named exactly."""
    if name and name.isprintable() and name == " ".join(name.split()) and "`" not in name and '"' not in name:
        return name
    return json.dumps(name).replace("`", "\\u0060")


def _suggest(unknown: str, known: list[str]) -> str | None:
    """The known name an unknown one most likely meant: a near spelling, else the one name it is part
    of (`size` -> `company_size`)."""
    close = difflib.get_close_matches(unknown, known, n=1)
    if close:
        return close[0]
    containing = [name for name in known if unknown.lower() in name.split("_")]
    return containing[0] if len(containing) == 1 else None


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the (nested) model at `loc`, e.g. ("hiring_for_company",) -> HiringCompany's."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if isinstance(part, int):
            continue  # a list index: the item model is found from the list field's annotation
        nested = _model_in(field.annotation) if field is not None else None
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as `HiringCompany | None` or `list[Question]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in get_args(annotation) if (found := _model_in(arg)) is not None), None)


def _explain(err: Any, model: type[BaseModel]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    field = ctx.get("field") or field_path(err["loc"])
    got = f" (got {excerpt(repr(err['input']), 60)})" if "input" in err and kind != "missing" else ""
    if kind == "missing":
        return f"`{field}`: required"
    if kind == "extra_forbidden":
        close = _suggest(str(err["loc"][-1]), _fields_at(model, err["loc"][:-1]))
        hint = f"; did you mean `{close}`?" if close else ""
        return f"`{field}`: unknown argument{hint}"
    if kind == "literal_error":
        return f"`{field}`: must be one of {ctx['expected']}{got}"
    if kind == "field_rule":
        return f"`{field}`: {ctx['message']}"
    if kind == "string_too_short":
        return f"`{field}`: must not be empty"
    if kind == "too_short":
        return f"`{field}`: needs at least {ctx.get('min_length', 1)} item(s)"
    message = str(err["msg"]).removeprefix("Value error, ")
    message = message.replace("Input should be", "must be").replace("Input ", "")
    return f"`{field}`: {message}{got}"
