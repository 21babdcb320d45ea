"""What `tools/list` says about each tool, without importing the tool: `ToolCard`.

A stdio server is started for one conversation, often several times a day, and its first tools/list
is on the user's clock. Importing the toolsets' modules (136 pydantic model classes for thirty tools)
cost ~80 ms of a ~650 ms start, more than all the rest of the server. So the server lists and
registers every tool from its card, packaged ahead of time in `listing.json` (generated from the
specs; `tests/test_tool_schemas.py` keeps the two equal, and rewrites the file with
UPDATE_SNAPSHOTS=1), and imports a toolset's module, models and all, at the first call of one of
its tools (`toolsets.spec_named`). A card is everything the listing, the narrowing flags and headers,
the discovery tools and the telemetry labels need: nothing that validates or runs a call.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from mcp_types import ToolAnnotations

if TYPE_CHECKING:
    from jobmojito_mcp.tooling.spec import ToolSpec

LISTING_FILE = "listing.json"


@dataclass(frozen=True)
class ToolCard:
    """One tool as agents see it listed, and as the server narrows and registers it."""

    name: str
    toolset: str
    title: str
    description: str
    annotations: ToolAnnotations
    # The spec has a `confirm`: a question may be put to the user before the call (the SDK resolver
    # that asks is registered with the tool, so it must be known before the module is imported).
    asks_first: bool
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.read_only_hint)

    def to_json(self) -> dict[str, Any]:
        """The card's entry in `listing.json` (keyed by its name)."""
        return {
            "toolset": self.toolset,
            "title": self.title,
            "description": self.description,
            "annotations": self.annotations.model_dump(mode="json", by_alias=True, exclude_none=True),
            "asks_first": self.asks_first,
            "input": self.input_schema,
            "output": self.output_schema,
        }

    @classmethod
    def from_json(cls, name: str, entry: dict[str, Any]) -> ToolCard:
        return cls(
            name=name,
            toolset=entry["toolset"],
            title=entry["title"],
            description=entry["description"],
            annotations=ToolAnnotations.model_validate(entry["annotations"]),
            asks_first=entry["asks_first"],
            input_schema=entry["input"],
            output_schema=entry["output"],
        )


def card_of(spec: ToolSpec[Any, Any]) -> ToolCard:
    """A spec's card, its schemas generated from its models now (the slow way `listing.json` saves)."""
    from jobmojito_mcp.tooling.schemas import generated_schemas

    input_schema, output_schema = generated_schemas(spec)
    return ToolCard(
        name=spec.name,
        toolset=spec.toolset,
        title=spec.title,
        description=spec.description,
        annotations=spec.annotations,
        asks_first=spec.confirm is not None,
        input_schema=input_schema,
        output_schema=output_schema,
    )


def render_listing(cards: tuple[ToolCard, ...]) -> str:
    """`listing.json`'s text for these cards, in listing order (the order of `tools/list`)."""
    # Not key-sorted: the order of properties is what agents read (required first).
    return json.dumps({card.name: card.to_json() for card in cards}, indent=1, ensure_ascii=False) + "\n"


@functools.cache
def packaged_cards() -> tuple[ToolCard, ...] | None:
    """Every tool's card as packaged, in listing order; None if the file is missing (a checkout that
    deleted it: the registry then builds the cards from the specs, slowly but truly)."""
    try:
        text = resources.files("jobmojito_mcp.tooling").joinpath(LISTING_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    entries: dict[str, dict[str, Any]] = json.loads(text)
    return tuple(ToolCard.from_json(name, entry) for name, entry in entries.items())
