"""The seeded avatar-template catalogue and language table: fixed data tests and docs can name.

Every avatar ``type`` is present (the legacy ones too, since they must be refused on create), in
several languages and states, plus one public platform template (the default template of the
for-candidate flow). The ids are fixed so that tests, docs and demos can use them directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SANDBOX_MERCHANT_ID = "5a0d8b3e-0000-4000-8000-00000000beef"
"""The merchant every sandbox caller acts as."""
PLATFORM_MERCHANT_ID = "5a0d8b3e-0000-4000-8000-00000000f00d"
"""Owner of the public platform templates."""

DEFAULT_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000001"
"""Active ``interactive_heygen`` template, English: the one to use unless a test needs another."""
VOICE_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000002"
"""Active ``interactive_elevenlabs`` (voice-only) template, English."""
OFFLINE_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000003"
"""Active ``offline_heygen`` (pre-recorded) template, German."""
LEGACY_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000004"
"""Active ``offline_elai`` template: legacy, refused by the create endpoints."""
LEGACY_SYNTHESIA_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000005"
"""Active ``offline_synthesia`` template: legacy, refused by the create endpoints."""
ARCHIVED_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000006"
"""Archived ``interactive_heygen`` template, Spanish: listed only with ``include_archived``."""
DRAFT_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000007"
"""Draft ``interactive_elevenlabs`` template, French."""
PLATFORM_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000008"
"""Public ``interactive_heygen`` platform template, English: the for-candidate default."""
DELETED_TEMPLATE_ID = "5a0d8b3e-0001-4000-8000-000000000009"
"""Deleted template: listed only with ``status=deleted``; unknown to the create endpoints."""
KNOWLEDGE_BASE_ID = "5a0d8b3e-0002-4000-8000-000000000001"
"""The one knowledge base the sandbox knows; any other knowledge-base id is unknown."""

LEGACY_TYPES = frozenset({"offline_elai", "offline_synthesia"})

# mojito_language_code -> (language name, speech language code); the 34 codes of the contract.
LANGUAGES: dict[str, tuple[str, str]] = {
    "ar": ("Arabic", "ar-SA"),
    "bg": ("Bulgarian", "bg-BG"),
    "zh": ("Chinese", "zh-CN"),
    "hr": ("Croatian", "hr-HR"),
    "cs": ("Czech", "cs-CZ"),
    "da": ("Danish", "da-DK"),
    "nl": ("Dutch", "nl-NL"),
    "en": ("English", "en-US"),
    "fil": ("Filipino", "fil-PH"),
    "fi": ("Finnish", "fi-FI"),
    "fr": ("French", "fr-FR"),
    "de": ("German", "de-DE"),
    "el": ("Greek", "el-GR"),
    "hi": ("Hindi", "hi-IN"),
    "hu": ("Hungarian", "hu-HU"),
    "id": ("Indonesian", "id-ID"),
    "it": ("Italian", "it-IT"),
    "ja": ("Japanese", "ja-JP"),
    "ko": ("Korean", "ko-KR"),
    "ms": ("Malay", "ms-MY"),
    "no": ("Norwegian", "nb-NO"),
    "pl": ("Polish", "pl-PL"),
    "pt": ("Portuguese", "pt-PT"),
    "br": ("Portuguese (Brazil)", "pt-BR"),
    "ro": ("Romanian", "ro-RO"),
    "ru": ("Russian", "ru-RU"),
    "sk": ("Slovak", "sk-SK"),
    "es": ("Spanish", "es-ES"),
    "sv": ("Swedish", "sv-SE"),
    "ta": ("Tamil", "ta-IN"),
    "th": ("Thai", "th-TH"),
    "tr": ("Turkish", "tr-TR"),
    "uk": ("Ukrainian", "uk-UA"),
    "vi": ("Vietnamese", "vi-VN"),
}


@dataclass(frozen=True)
class Template:
    """An avatar template, with the fields ``merchant-avatar-list`` returns."""

    id: str
    name: str
    type: str
    status: str
    mojito_language_code: str
    updated_at: str
    merchant_id: str = SANDBOX_MERCHANT_ID
    visibility: str = "merchant"
    created_at: str = "2024-01-15T09:00:00+00:00"

    @property
    def usable(self) -> bool:
        """Can interviews be created with it? Deleted ones are unknown; legacy types are refused."""
        return self.status != "deleted" and self.type not in LEGACY_TYPES

    def as_json(self) -> dict[str, Any]:
        media = f"https://sandbox.jobmojito.invalid/media/{self.id}"
        return {
            **asdict(self),
            "video_voice_language_name": LANGUAGES[self.mojito_language_code][0],
            "media_url": f"{media}/intro.mp4",
            "background_url": f"{media}/background.jpg",
            "background_blur": 0,
            "video_background_remove": self.type == "interactive_heygen",
            "video_avatar_image_url": None
            if self.type == "interactive_elevenlabs"
            else f"{media}/avatar.png",
            "video_avatar_aspect_ratio": None if self.type == "interactive_elevenlabs" else "16:9",
        }


def _template(number: int, name: str, type_: str, status: str, language: str, **extra: str) -> Template:
    # Higher numbers are updated later, so the listing order (newest first) is easy to predict.
    return Template(
        id=f"5a0d8b3e-0001-4000-8000-{number:012d}",
        name=name,
        type=type_,
        status=status,
        mojito_language_code=language,
        updated_at=f"2025-0{1 + number // 10}-{1 + number % 10:02d}T10:00:00+00:00",
        **extra,
    )


TEMPLATES: tuple[Template, ...] = (
    _template(1, "Ava - live interviewer", "interactive_heygen", "active", "en"),
    _template(2, "Sam - voice interviewer", "interactive_elevenlabs", "active", "en"),
    _template(3, "Lena - recorded interviewer", "offline_heygen", "active", "de"),
    _template(4, "Max - legacy Elai presenter", "offline_elai", "active", "en"),
    _template(5, "Chloé - legacy Synthesia presenter", "offline_synthesia", "active", "fr"),
    _template(6, "Lucía - archived live interviewer", "interactive_heygen", "archived", "es"),
    _template(7, "Hugo - voice interviewer (draft)", "interactive_elevenlabs", "draft", "fr"),
    _template(
        8,
        "JobMojito platform interviewer",
        "interactive_heygen",
        "active",
        "en",
        merchant_id=PLATFORM_MERCHANT_ID,
        visibility="public",
    ),
    _template(9, "Old deleted interviewer", "interactive_heygen", "deleted", "en"),
    _template(10, "Yui - live interviewer", "interactive_heygen", "active", "ja"),
    _template(11, "Rafael - recorded interviewer", "offline_heygen", "active", "br"),
    _template(12, "Noor - voice interviewer (archived)", "interactive_elevenlabs", "archived", "nl"),
)
_BY_ID = {template.id: template for template in TEMPLATES}


def find_template(template_id: str | None) -> Template | None:
    """The seeded template with this id (any status), or None."""
    return None if template_id is None else _BY_ID.get(template_id)


def list_templates(query: dict[str, Any]) -> dict[str, Any]:
    """The ``merchant-avatar-list`` answer for an already validated query.

    ``status`` filters exactly; without it archived templates need ``include_archived`` and
    deleted ones never show. Public templates need ``include_public``. ``filter_text`` is a
    case-insensitive substring of the name. Newest-updated first.
    """

    def wanted(t: Template) -> bool:
        if query.get("status") is not None:
            if t.status != query["status"]:
                return False
        elif t.status == "deleted" or (t.status == "archived" and query.get("include_archived") != "true"):
            return False
        if t.visibility == "public" and query.get("include_public") != "true":
            return False
        text = query.get("filter_text")
        return (
            query.get("type") in (None, t.type)
            and query.get("mojito_language_code") in (None, t.mojito_language_code)
            and (not text or text.casefold() in t.name.casefold())
        )

    matches = sorted((t for t in TEMPLATES if wanted(t)), key=lambda t: (t.updated_at, t.id), reverse=True)
    return page_of([t.as_json() for t in matches], query)


def page_of(matches: list[dict[str, Any]], query: dict[str, Any]) -> dict[str, Any]:
    """One page of a list answer, as every ``merchant-*-list`` endpoint pages: ``limit`` (default 50)
    rows from ``offset`` (default 0), and ``pagination`` = ``{total, limit, offset, has_more}``."""
    limit = query.get("limit", 50)
    offset = query.get("offset") or 0
    page = matches[offset : offset + limit]
    return {
        "data": page,
        "pagination": {
            "total": len(matches),
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(page) < len(matches),
        },
    }
