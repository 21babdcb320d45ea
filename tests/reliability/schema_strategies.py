"""Hypothesis strategies drawn from the JSON Schemas the server publishes (`inputSchema` of tools/list).

Only the subset those schemas use is understood: `type` (object, string, integer, number, boolean,
array, null), `properties`, `required`, `additionalProperties`, `$defs`/`$ref`, `anyOf`, `enum`,
`minLength`, `minimum`, `maximum`, `exclusiveMinimum`, `minItems` and `format` uuid and date. Keywords
outside JSON Schema are ignored, exactly as a JSON Schema validator ignores them.

`valid()` draws values the schema accepts (unicode, control characters, huge strings, extreme
numbers, extra keys where the schema allows them). `invalid()` draws one valid value and breaks it
in exactly one place, returning the broken value and a `Mutation` saying where and how, so a test
can check that the refusal names that place. Every broken value is refused by the schema and, by
construction, by pydantic's lax mode too: no numeric strings for numbers, no 0/1 for booleans, no
JSON text for lists (the server deliberately accepts those).
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from jsonschema import Draft202012Validator

Json = Any
Schema = Mapping[str, Any]
Path = tuple[str | int, ...]

# Sizes that keep one example cheap; the protocol suite sends the multi-megabyte arguments.
MAX_TEXT = 40
MAX_ITEMS = 4
HUGE_ASCII = 8_000
# A GET query must stay under httpx2's 64 KiB URL cap: 2_000 three-byte characters percent-encode
# to 18_000 bytes. Past the cap the server refuses the call, sending nothing:
# test_fuzz_tools.py::test_a_query_over_the_url_limit_is_refused_not_crashed covers that case.
HUGE_UNICODE = 2_000
NEST_DEPTH = 60

# Strings that are valid wherever any string is: they probe quoting, parsing and echoing.
TRICKY_STRINGS = (
    "",
    " ",
    "null",
    "None",
    "true",
    "0",
    "-1",
    "NaN",
    "[1, 2]",
    '{"a": 1}',
    "'; DROP TABLE interviews; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00%0d%0a",
    "a\x00b",
    "line\nbreak\r\n",
    "\t",
    "\u202eRTL override",
    "\ufeffBOM",
    "zero\u200bwidth",
    "emoji 🧑\u200d💻 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ÅÄÖ ß 中文 日本語 العربية",
    "`backticks` and **markdown**",
    "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
)

# pydantic's lax mode turns these strings into booleans or numbers, so a "wrong type" string must avoid them.
_LAX_WORDS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "nan", "inf", "infinity", "-inf", "+inf"}
)
# Names pydantic uses inside error locations; the server drops them from field paths, so an unknown
# argument named like one is misreported: see test_fuzz_tools.py::test_unknown_argument_is_named_whatever_its_name.
INTERNAL_LOC_PREFIXES = ("function-", "constrained-", "json-or-python", "lax-")


@dataclass(frozen=True)
class Mutation:
    """One way a valid value was broken: `kind` at `path`."""

    kind: str  # missing, extra, wrong_type, null, out_of_range, not_in_enum, empty, bad_format, too_few
    path: Path

    @property
    def field(self) -> str:
        """The path as the server names fields: `questions[0].duration`."""
        name = ""
        for part in self.path:
            shown = f"[{part}]" if isinstance(part, int) else _as_named(part)
            name += shown if isinstance(part, int) or not name else f".{shown}"
        return name


def _as_named(name: str) -> str:
    """A name as the server quotes it: raw when unambiguous, else a JSON string with backticks escaped."""
    if name and name.isprintable() and name == " ".join(name.split()) and not {"`", '"'} & set(name):
        return name
    return json.dumps(name).replace("`", "\\u0060")


def any_json(max_leaves: int = 8) -> SearchStrategy[Json]:
    """Any JSON value (finite numbers, no surrogates), small."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=MAX_TEXT),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def deep_junk(container: str) -> SearchStrategy[Json]:
    """A deeply nested list (or dict) of lists (or dicts), NEST_DEPTH levels at most."""

    def nest(depth: int) -> Json:
        value: Json = "bottom"
        for _ in range(depth):
            value = [value] if container == "list" else {"deeper": value}
        return value

    return st.integers(min_value=2, max_value=NEST_DEPTH).map(nest)


def _lax_safe_word(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and stripped.lower() not in _LAX_WORDS and stripped[0] not in "[{+-.0123456789"


# Values of each JSON type that no lax coercion turns into another type.
_WRONG_OF_TYPE: dict[str, SearchStrategy[Json]] = {
    "string": st.one_of(
        st.sampled_from(["xyzzy", "not a number", "Ω≈ç√", "12abc", "maybe"]),
        st.text(alphabet=string.ascii_letters + " éø", min_size=1, max_size=20).filter(_lax_safe_word),
    ),
    "integer": st.integers().filter(lambda n: n not in (0, 1)),
    "number": st.floats(min_value=-1e6, max_value=1e6).filter(lambda x: x != int(x)),
    "boolean": st.booleans(),
    "array": st.lists(st.one_of(st.integers(), st.text(max_size=5)), min_size=1, max_size=3),
    "object": st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), min_size=1, max_size=2),
}


class SchemaStrategies:
    """Strategies for one tool's input schema; `hints` offer extra values for named properties."""

    def __init__(self, schema: Schema, hints: Mapping[str, SearchStrategy[Json]] | None = None) -> None:
        self.root = schema
        self.hints = dict(hints or {})
        self._validator = Draft202012Validator(
            dict(schema), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        self._validators: dict[int, Draft202012Validator] = {}

    # -- schema navigation --------------------------------------------------------------------

    def resolve(self, node: Schema) -> Schema:
        while "$ref" in node:
            name = str(node["$ref"]).removeprefix("#/$defs/")
            node = self.root["$defs"][name]
        return node

    def branches(self, node: Schema) -> list[Schema]:
        """The alternatives of a node: its `anyOf` branches (resolved, flattened), or itself."""
        node = self.resolve(node)
        if "anyOf" in node:
            return [leaf for branch in node["anyOf"] for leaf in self.branches(branch)]
        return [node]

    def types(self, node: Schema) -> set[str] | None:
        """The JSON types a node admits; None when anything goes."""
        kinds: set[str] = set()
        for branch in self.branches(node):
            declared = branch.get("type")
            if isinstance(declared, str):
                kinds.add(declared)
            elif isinstance(declared, list):
                kinds.update(declared)
            elif "enum" in branch:
                kinds.update(_json_type(value) for value in branch["enum"])
            else:
                return None
        if "number" in kinds:
            kinds.add("integer")  # JSON Schema: every integer is a number
        return kinds

    def accepts(self, node: Schema, value: Json) -> bool:
        """Whether `value` is valid against `node` (evaluated inside this schema, so $refs resolve)."""
        validator = self._validators.get(id(node))
        if validator is None:
            schema = {"$defs": self.root.get("$defs", {}), **dict(node)}
            validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
            self._validators[id(node)] = validator
        return bool(validator.is_valid(value))

    def is_valid(self, value: Json) -> bool:
        return bool(self._validator.is_valid(value))

    # -- valid values -------------------------------------------------------------------------

    def valid(self, node: Schema | None = None) -> SearchStrategy[Json]:
        node = self.resolve(self.root if node is None else node)
        if "anyOf" in node:
            return st.one_of(*[self.valid(branch) for branch in node["anyOf"]])
        if "enum" in node:
            return st.sampled_from(list(node["enum"]))
        declared = node.get("type")
        if isinstance(declared, list):
            return st.one_of(*[self.valid({**node, "type": kind}) for kind in declared])
        makers: dict[str | None, Callable[[Schema], SearchStrategy[Json]]] = {
            "null": lambda _: st.none(),
            "boolean": lambda _: st.booleans(),
            "integer": self._integers,
            "number": self._numbers,
            "string": self._strings,
            "array": self._arrays,
            "object": self._objects,
        }
        maker = makers.get(declared)
        return maker(node) if maker else any_json()

    def _integers(self, node: Schema) -> SearchStrategy[Json]:
        low = node.get("minimum")
        if "exclusiveMinimum" in node:
            low = int(node["exclusiveMinimum"]) + 1
        high = node.get("maximum")
        return st.integers(
            min_value=None if low is None else int(low), max_value=None if high is None else int(high)
        )

    def _numbers(self, node: Schema) -> SearchStrategy[Json]:
        low, exclusive = node.get("minimum"), False
        if "exclusiveMinimum" in node:
            low, exclusive = node["exclusiveMinimum"], True
        high = node.get("maximum")
        floats = st.floats(
            min_value=low, max_value=high, exclude_min=exclusive, allow_nan=False, allow_infinity=False
        )
        int_low = None if low is None else int(low) + 1
        int_high = None if high is None else int(high)
        if int_low is not None and int_high is not None and int_low > int_high:
            return floats
        return st.one_of(floats, st.integers(min_value=int_low, max_value=int_high))

    def _strings(self, node: Schema) -> SearchStrategy[Json]:
        if node.get("format") == "uuid":
            return st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()))
        if node.get("format") == "date":  # a calendar day, YYYY-MM-DD
            return st.dates().map(lambda day: day.isoformat())
        shortest = int(node.get("minLength", 0))
        longest = int(node.get("maxLength", HUGE_ASCII))
        if "pattern" in node:  # e.g. a catalogue directory id: strings of the pattern only
            return st.from_regex(node["pattern"], fullmatch=True).filter(
                lambda s: shortest <= len(s) <= longest
            )
        return st.one_of(
            st.text(min_size=shortest, max_size=min(longest, max(shortest, MAX_TEXT))),
            st.sampled_from([s for s in TRICKY_STRINGS if shortest <= len(s) <= longest]),
            st.integers(min_value=min(longest, max(shortest, 1_000)), max_value=min(longest, HUGE_ASCII)).map(
                lambda n: "x" * n
            ),
            st.integers(min_value=min(longest, max(shortest, 100)), max_value=min(longest, HUGE_UNICODE)).map(
                lambda n: "é中" * (n // 2)
            ),
        )

    def _arrays(self, node: Schema) -> SearchStrategy[Json]:
        fewest = int(node.get("minItems", 0))
        return st.lists(self.valid(node.get("items", {})), min_size=fewest, max_size=fewest + MAX_ITEMS)

    def _property(self, name: str, node: Schema) -> SearchStrategy[Json]:
        generated = self.valid(node)
        hint = self.hints.get(name)
        return generated if hint is None else st.one_of(hint, generated)

    def _objects(self, node: Schema) -> SearchStrategy[Json]:
        properties: Mapping[str, Schema] = node.get("properties", {})
        required = set(node.get("required", ()))
        base = st.fixed_dictionaries(
            {name: self._property(name, sub) for name, sub in properties.items() if name in required},
            optional={
                name: self._property(name, sub) for name, sub in properties.items() if name not in required
            },
        )
        extra = node.get("additionalProperties", True)
        if extra is False:
            return base
        values = any_json() if extra is True else self.valid(extra)
        extras = st.dictionaries(
            st.text(min_size=1, max_size=12).filter(lambda key: key not in properties), values, max_size=2
        )
        return st.builds(lambda fixed, more: {**more, **fixed}, base, extras)

    # -- broken values ------------------------------------------------------------------------

    def invalid(self) -> SearchStrategy[tuple[dict[str, Json], Mutation]]:
        """A valid argument object broken in exactly one place, and where."""

        @st.composite
        def broken(draw: st.DrawFn) -> tuple[dict[str, Json], Mutation]:
            value = draw(self.valid())
            sites = list(self._sites(self.root, value, ()))
            path, node, kind = draw(st.sampled_from(sites))
            mutated, mutation = self._break(draw, value, path, node, kind)
            assert not self.is_valid(mutated), f"{mutation} left the arguments valid: {mutated!r}"
            return mutated, mutation

        return broken()

    def _sites(self, node: Schema, value: Json, path: Path) -> Iterator[tuple[Path, Schema, str]]:
        """Every (path, schema, mutation kind) that can break `value` at or below `path`."""
        if path:
            yield from ((path, node, kind) for kind in self._value_mutations(node))
        objects = [b for b in self.branches(node) if b.get("type") == "object"]
        arrays = [b for b in self.branches(node) if b.get("type") == "array"]
        if isinstance(value, dict) and objects:
            shape = objects[0]
            properties: Mapping[str, Schema] = shape.get("properties", {})
            for name in shape.get("required", ()):
                if name in value:
                    yield (*path, name), properties[name], "missing"
            if shape.get("additionalProperties", True) is False:
                yield (*path, "<extra>"), {}, "extra"
            for name, item in value.items():
                if name in properties:
                    yield from self._sites(properties[name], item, (*path, name))
        elif isinstance(value, list) and arrays:
            shape = arrays[0]
            if shape.get("minItems", 0) > 0:
                yield path, shape, "too_few"
            for index, item in enumerate(value):
                yield from self._sites(shape.get("items", {}), item, (*path, index))

    def _value_mutations(self, node: Schema) -> Iterator[str]:
        kinds = self.types(node)
        if kinds is None:
            return  # anything goes here: nothing is wrong
        yield "wrong_type"
        if "null" not in kinds:
            yield "null"
        concrete = [b for b in self.branches(node) if b.get("type") != "null"]
        if len(concrete) != 1:
            return
        only = concrete[0]
        if only.get("type") in ("integer", "number") and (
            {"minimum", "maximum", "exclusiveMinimum"} & set(only)
        ):
            yield "out_of_range"
        if "enum" in only and all(isinstance(v, str) for v in only["enum"]):
            yield "not_in_enum"
        if only.get("type") == "string" and "enum" not in only:
            if only.get("minLength", 0) >= 1:
                yield "empty"
            if "maxLength" in only:
                yield "too_long"
            if only.get("format") in ("uuid", "date"):
                yield "bad_format"

    def _break(
        self, draw: st.DrawFn, value: dict[str, Json], path: Path, node: Schema, kind: str
    ) -> tuple[dict[str, Json], Mutation]:
        if kind == "extra":
            known = set(self.resolve(self.root).get("properties", {}))
            parent = _get(value, path[:-1])
            name = draw(
                st.text(min_size=1, max_size=20).filter(
                    lambda key: (
                        key not in known and key not in parent and not key.startswith(INTERNAL_LOC_PREFIXES)
                    )
                )
            )
            junk = draw(st.one_of(any_json(), deep_junk("list"), deep_junk("dict"), self._strings({})))
            return _put(value, (*path[:-1], name), junk), Mutation(kind, (*path[:-1], name))
        if kind == "missing":
            return _drop(value, path), Mutation(kind, path)
        if kind == "too_few":
            return _put(value, path, []), Mutation(kind, path)
        replacement = draw(self._replacement(node, kind))
        return _put(value, path, replacement), Mutation(kind, path)

    def _replacement(self, node: Schema, kind: str) -> SearchStrategy[Json]:
        kinds = self.types(node) or set()
        if kind == "null":
            return st.none()
        if kind == "wrong_type":
            wrong = [
                strategy
                for name, strategy in _WRONG_OF_TYPE.items()
                if name not in kinds and not _lax_coercible(name, kinds)
            ]
            if "array" not in kinds:
                wrong.append(deep_junk("list"))
            elif "object" not in kinds:
                wrong.append(deep_junk("dict"))
            return st.one_of(*wrong).filter(lambda candidate: not self.accepts(node, candidate))
        only = next(b for b in self.branches(node) if b.get("type") != "null")
        if kind == "out_of_range":
            return _out_of_range(only)
        if kind == "not_in_enum":
            allowed = set(only["enum"])
            near = [
                variant
                for value in only["enum"]
                for variant in (value.upper(), f" {value}", f"{value}s", value.replace("_", "-"))
                if variant not in allowed
            ]
            words = st.text(min_size=1, max_size=24).filter(lambda text: text not in allowed)
            return st.one_of(st.sampled_from(near), words) if near else words
        if kind == "empty":
            return st.just("")
        if kind == "too_long":
            return st.integers(min_value=1, max_value=1_000).map(
                lambda extra: "x" * (int(only["maxLength"]) + extra)
            )
        if kind == "bad_format" and only.get("format") == "date":
            return st.sampled_from(["2026-02-30", "01/03/2026", "20260101", "2026-13-01", "yesterday"])
        if kind == "bad_format":
            return st.sampled_from(
                [
                    "42",
                    "not-a-uuid",
                    "5a0d8b3e00014000800000000000001",
                    "{5a0d8b3e-0001-4000-8000-000000000001}x",
                ]
            )
        raise AssertionError(f"unknown mutation {kind}")


def _json_type(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _lax_coercible(candidate: str, target: set[str]) -> bool:
    """Whether pydantic's lax mode may turn a drawn value of type `candidate` into one of `target`.

    Only booleans are at risk (True -> 1): the integers drawn are never 0 or 1, the floats never
    whole, and the strings never numeric, boolean words or JSON text.
    """
    return candidate == "boolean" and bool({"integer", "number"} & target)


def _out_of_range(node: Schema) -> SearchStrategy[Json]:
    options: list[SearchStrategy[Json]] = []
    integral = node.get("type") == "integer"
    if "minimum" in node:
        low = node["minimum"]
        below = (
            st.integers(max_value=int(low) - 1)
            if integral
            else st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False)
        )
        options.append(below)
    if "exclusiveMinimum" in node:
        low = node["exclusiveMinimum"]
        options.append(
            st.integers(max_value=int(low))
            if integral
            else st.floats(max_value=low, allow_nan=False, allow_infinity=False)
        )
    if "maximum" in node:
        high = node["maximum"]
        above = (
            st.integers(min_value=int(high) + 1)
            if integral
            else st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False)
        )
        options.append(above)
    return st.one_of(*options)


def _get(value: Json, path: Path) -> Json:
    for part in path:
        value = value[part]
    return value


def _put(value: Json, path: Path, replacement: Json) -> Json:
    if not path:
        return replacement
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        assert isinstance(head, int)
        return [_put(item, rest, replacement) if index == head else item for index, item in enumerate(value)]
    copied = dict(value)
    copied[head] = _put(value.get(head), rest, replacement) if rest else replacement
    return copied


def _drop(value: Json, path: Path) -> Json:
    if len(path) == 1:
        return {key: item for key, item in value.items() if key != path[0]}
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        return [_drop(item, rest) if index == head else item for index, item in enumerate(value)]
    return {**value, head: _drop(value[head], rest)}
