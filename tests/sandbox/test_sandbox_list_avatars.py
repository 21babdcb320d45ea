"""merchant-avatar-list: the seeded catalogue, every filter, paging and ordering."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest
from sandbox_support import CONTRACT, call, error, ok

from jobmojito_mcp.sandbox import (
    ARCHIVED_TEMPLATE_ID,
    DEFAULT_TEMPLATE_ID,
    DELETED_TEMPLATE_ID,
    DRAFT_TEMPLATE_ID,
    LEGACY_SYNTHESIA_TEMPLATE_ID,
    LEGACY_TEMPLATE_ID,
    OFFLINE_TEMPLATE_ID,
    PLATFORM_MERCHANT_ID,
    PLATFORM_TEMPLATE_ID,
    SANDBOX_MERCHANT_ID,
    VOICE_TEMPLATE_ID,
)

TOOL = "list_avatars"
QUERY = {p["name"]: p["schema"] for p in CONTRACT[TOOL]["query"]}


def listing(client: httpx2.Client, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ok(call(client, TOOL, params))
    return answer


def ids(answer: dict[str, Any]) -> list[str]:
    return [item["id"] for item in answer["data"]]


def everything(client: httpx2.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for status in QUERY["status"]["enum"]:
        items += listing(client, status=status, include_public="true")["data"]
    return items


def test_default_listing(client: httpx2.Client) -> None:
    answer = listing(client)
    statuses = {item["status"] for item in answer["data"]}
    assert statuses == {"active", "draft"}  # archived needs include_archived; deleted never shows
    assert all(
        item["merchant_id"] == SANDBOX_MERCHANT_ID for item in answer["data"]
    )  # public needs include_public
    assert answer["pagination"] == {"total": len(answer["data"]), "limit": 50, "offset": 0, "has_more": False}
    updated = [item["updated_at"] for item in answer["data"]]
    assert updated == sorted(updated, reverse=True)  # newest-updated first


def test_catalogue_covers_every_type_and_several_languages(client: httpx2.Client) -> None:
    items = everything(client)
    assert {item["type"] for item in items} == set(QUERY["type"]["enum"])
    assert len({item["mojito_language_code"] for item in items}) >= 5
    assert {item["status"] for item in items} == {"active", "draft", "archived", "deleted"}
    assert any(item["visibility"] == "public" for item in items)


@pytest.mark.parametrize(
    ("template_id", "type_", "status", "language"),
    [
        (DEFAULT_TEMPLATE_ID, "interactive_heygen", "active", "en"),
        (VOICE_TEMPLATE_ID, "interactive_elevenlabs", "active", "en"),
        (OFFLINE_TEMPLATE_ID, "offline_heygen", "active", "de"),
        (LEGACY_TEMPLATE_ID, "offline_elai", "active", "en"),
        (LEGACY_SYNTHESIA_TEMPLATE_ID, "offline_synthesia", "active", "fr"),
        (ARCHIVED_TEMPLATE_ID, "interactive_heygen", "archived", "es"),
        (DRAFT_TEMPLATE_ID, "interactive_elevenlabs", "draft", "fr"),
        (PLATFORM_TEMPLATE_ID, "interactive_heygen", "active", "en"),
        (DELETED_TEMPLATE_ID, "interactive_heygen", "deleted", "en"),
    ],
)
def test_seeded_ids(client: httpx2.Client, template_id: str, type_: str, status: str, language: str) -> None:
    item = next(item for item in everything(client) if item["id"] == template_id)
    assert (item["type"], item["status"], item["mojito_language_code"]) == (type_, status, language)


def test_platform_template_is_public(client: httpx2.Client) -> None:
    assert PLATFORM_TEMPLATE_ID not in ids(listing(client))
    public = listing(client, include_public="true")
    assert PLATFORM_TEMPLATE_ID in ids(public)
    item = next(item for item in public["data"] if item["id"] == PLATFORM_TEMPLATE_ID)
    assert (item["visibility"], item["merchant_id"]) == ("public", PLATFORM_MERCHANT_ID)


@pytest.mark.parametrize("type_", QUERY["type"]["enum"])
def test_type_filter(client: httpx2.Client, type_: str) -> None:
    answer = listing(client, type=type_, include_archived="true")
    assert answer["data"]
    assert {item["type"] for item in answer["data"]} == {type_}


@pytest.mark.parametrize("status", QUERY["status"]["enum"])
def test_status_filter(client: httpx2.Client, status: str) -> None:
    answer = listing(client, status=status)
    assert answer["data"]
    assert {item["status"] for item in answer["data"]} == {status}


@pytest.mark.parametrize(("flag", "archived"), [("true", True), ("false", False)])
def test_include_archived(client: httpx2.Client, flag: str, archived: bool) -> None:
    assert (ARCHIVED_TEMPLATE_ID in ids(listing(client, include_archived=flag))) is archived


@pytest.mark.parametrize(("flag", "public"), [("true", True), ("false", False)])
def test_include_public(client: httpx2.Client, flag: str, public: bool) -> None:
    assert (PLATFORM_TEMPLATE_ID in ids(listing(client, include_public=flag))) is public


def test_language_filter(client: httpx2.Client) -> None:
    answer = listing(client, mojito_language_code="fr", include_archived="true")
    assert set(ids(answer)) == {LEGACY_SYNTHESIA_TEMPLATE_ID, DRAFT_TEMPLATE_ID}
    assert listing(client, mojito_language_code="vi")["data"] == []


@pytest.mark.parametrize(("text", "expected"), [("VOICE", 2), ("interviewer", 6), ("zzz", 0), ("", 8)])
def test_filter_text_is_a_case_insensitive_name_substring(
    client: httpx2.Client, text: str, expected: int
) -> None:
    answer = listing(client, filter_text=text)
    assert answer["pagination"]["total"] == expected
    assert all(text.casefold() in item["name"].casefold() for item in answer["data"])


def test_merchant_id(client: httpx2.Client) -> None:
    assert ids(listing(client, merchant_id=SANDBOX_MERCHANT_ID)) == ids(listing(client))
    error(call(client, TOOL, {"merchant_id": str(uuid.uuid4())}), 403, "merchant_id")
    error(call(client, TOOL, {"merchant_id": "acme"}), 422, "merchant_id")


def test_paging(client: httpx2.Client) -> None:
    full = ids(listing(client, include_archived="true", include_public="true"))
    pages: list[str] = []
    offset = 0
    while True:
        answer = listing(client, include_archived="true", include_public="true", limit=3, offset=offset)
        pages += ids(answer)
        assert answer["pagination"]["limit"] == 3
        assert answer["pagination"]["offset"] == offset
        assert answer["pagination"]["total"] == len(full)
        assert answer["pagination"]["has_more"] is (offset + 3 < len(full))
        if not answer["pagination"]["has_more"]:
            break
        offset += 3
    assert pages == full
    beyond = listing(client, offset=100)
    assert beyond["data"] == [] and beyond["pagination"]["has_more"] is False


@pytest.mark.parametrize(
    ("params", "valid"),
    [
        ({"limit": 1}, True),
        ({"limit": 1000}, True),
        ({"limit": 0}, False),
        ({"limit": 1001}, False),
        ({"limit": "ten"}, False),
        ({"limit": 2.5}, False),
        ({"offset": 0}, True),
        ({"offset": -1}, False),
        ({"offset": ""}, True),  # nullable: empty means default
        ({"type": "interactive_spatius"}, False),
        ({"status": "gone"}, False),
        ({"include_archived": "yes"}, False),
        ({"include_public": "TRUE"}, False),
    ],
)
def test_query_validation(client: httpx2.Client, params: dict[str, Any], valid: bool) -> None:
    response = call(client, TOOL, params)
    if valid:
        ok(response)
    else:
        error(response, 422, next(iter(params)))


def test_limit_one_pages_one_item(client: httpx2.Client) -> None:
    answer = listing(client, limit=1)
    assert len(answer["data"]) == 1 and answer["pagination"]["has_more"] is True
