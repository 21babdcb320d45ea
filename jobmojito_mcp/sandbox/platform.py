"""What the sandbox's platform offers besides interviews: its languages (``platform-languages-list``)
and the sandbox merchant's sub-merchants (``merchant-sub-merchant-list``).

The languages are the 34 codes the API's schemas take (``mojito_language_code``), sorted by English
name as the API sorts them, with their local names, flags and speech accents. All run interviews;
coaching and the admin interface are on for a subset, so a client cannot assume every flag is set.
The two sub-merchants stand in for an agency's client accounts.
"""

from __future__ import annotations

from typing import Any

# code, English name, local name, flag country, accents (Azure speech locales)
_LANGUAGES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("ar", "Arabic", "العربية", "SA", ("ar-SA", "ar-AE", "ar-EG")),
    ("bg", "Bulgarian", "Български", "BG", ("bg-BG",)),
    ("zh", "Chinese", "中文", "CN", ("zh-CN", "zh-TW")),
    ("hr", "Croatian", "Hrvatski", "HR", ("hr-HR",)),
    ("cs", "Czech", "Čeština", "CZ", ("cs-CZ",)),
    ("da", "Danish", "Dansk", "DK", ("da-DK",)),
    ("nl", "Dutch", "Nederlands", "NL", ("nl-NL", "nl-BE")),
    ("en", "English", "English", "GB", ("en-US", "en-GB", "en-AU", "en-IN")),
    ("fil", "Filipino", "Filipino", "PH", ("fil-PH",)),
    ("fi", "Finnish", "Suomi", "FI", ("fi-FI",)),
    ("fr", "French", "Français", "FR", ("fr-FR", "fr-CA", "fr-CH")),
    ("de", "German", "Deutsch", "DE", ("de-DE", "de-AT", "de-CH")),
    ("el", "Greek", "Ελληνικά", "GR", ("el-GR",)),
    ("hi", "Hindi", "हिन्दी", "IN", ("hi-IN",)),
    ("hu", "Hungarian", "Magyar", "HU", ("hu-HU",)),
    ("id", "Indonesian", "Bahasa Indonesia", "ID", ("id-ID",)),
    ("it", "Italian", "Italiano", "IT", ("it-IT",)),
    ("ja", "Japanese", "日本語", "JP", ("ja-JP",)),
    ("ko", "Korean", "한국어", "KR", ("ko-KR",)),
    ("ms", "Malay", "Bahasa Melayu", "MY", ("ms-MY",)),
    ("no", "Norwegian", "Norsk", "NO", ("nb-NO",)),
    ("pl", "Polish", "Polski", "PL", ("pl-PL",)),
    ("pt", "Portuguese", "Português", "PT", ("pt-PT",)),
    ("br", "Portuguese (Brazil)", "Português (Brasil)", "BR", ("pt-BR",)),
    ("ro", "Romanian", "Română", "RO", ("ro-RO",)),
    ("ru", "Russian", "Русский", "RU", ("ru-RU",)),
    ("sk", "Slovak", "Slovenčina", "SK", ("sk-SK",)),
    ("es", "Spanish", "Español", "ES", ("es-ES", "es-MX", "es-AR")),
    ("sv", "Swedish", "Svenska", "SE", ("sv-SE",)),
    ("ta", "Tamil", "தமிழ்", "IN", ("ta-IN",)),
    ("th", "Thai", "ไทย", "TH", ("th-TH",)),
    ("tr", "Turkish", "Türkçe", "TR", ("tr-TR",)),
    ("uk", "Ukrainian", "Українська", "UA", ("uk-UA",)),
    ("vi", "Vietnamese", "Tiếng Việt", "VN", ("vi-VN",)),
)
_COACHING = frozenset({"en", "de", "fr", "es", "nl", "it", "pl", "cs", "pt", "br"})
_ADMIN = frozenset({"en", "de", "fr", "es", "nl", "cs"})


def _flag(country: str) -> tuple[str, str]:
    """The flag emoji of a country (regional indicator letters) and its code points, e.g. U+1F1EC U+1F1E7."""
    points = [0x1F1E6 + ord(letter) - ord("A") for letter in country]
    return "".join(map(chr, points)), " ".join(f"U+{point:X}" for point in points)


def _language(code: str, english: str, local: str, country: str, accents: tuple[str, ...]) -> dict[str, Any]:
    emoji, unicode = _flag(country)
    return {
        "code": code,
        "name_english": english,
        "name_local": local,
        "flag_image": f"https://sandbox.jobmojito.invalid/flags/{country.lower()}.svg",
        "flag_emoji": emoji,
        "flag_unicode": unicode,
        "coaching_interface": code in _COACHING,
        "interview_interface": True,
        "admin_interface": code in _ADMIN,
        "accents": [{"code": accent, "name": f"{english} ({accent[-2:]})"} for accent in accents],
    }


LANGUAGES: tuple[dict[str, Any], ...] = tuple(
    sorted((_language(*row) for row in _LANGUAGES), key=lambda language: language["name_english"])
)


def _sub_merchant(
    merchant_id: str, name: str, city: str, created_at: str, interviews: int, used_30d: float, used: float
) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    return {
        "id": merchant_id,
        "name": name,
        "status": "active",
        "contact_person": f"{city} office",
        "contact_email": f"hiring@{slug}.example",
        "billing_country": "DE",
        "business_type": "agency_client",
        "image_logo_url": None,
        "frontend_domain": None,
        "interview_frontend_domain": f"interview.{slug}.example",
        "register_domain": None,
        "info_notes": None,
        "merchant_features": {"interview": True, "coaching": False},
        "interview_subscription_status": "active",
        "interview_subscription_type": "business",
        "stripe_interview_subscription_start": created_at,
        "consumer_webanalytics": None,
        "interview_webanalytics": None,
        "admin_profiles": [],
        "users": [],
        "interview_count": interviews,
        "interview_latest": None,
        "credits_used_30d": used_30d,
        "credits_used_total": used,
        "created_at": created_at,
    }


SUB_MERCHANTS: tuple[dict[str, Any], ...] = (
    _sub_merchant(
        "7d1f3c2e-5b8a-4c6d-9e0f-1a2b3c4d5e01", "Northwind Logistics", "Hamburg",
        "2026-03-02T09:00:00+00:00", 4, 12.4, 58.0,
    ),
    _sub_merchant(
        "7d1f3c2e-5b8a-4c6d-9e0f-1a2b3c4d5e02", "Contoso Retail", "Munich",
        "2026-06-15T09:00:00+00:00", 2, 3.0, 9.2,
    ),
)  # fmt: skip
