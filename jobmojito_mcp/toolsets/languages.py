"""The API's language codes (`mojito_language_code`) and their names.

No models here: prompts, resources and completions name the languages without importing a toolset's
models (a stdio start imports none: `tooling/listing.py`); the toolsets' models take `LanguageCode`
from here through `common`.
"""

from __future__ import annotations

from typing import Literal, get_args

LanguageCode = Literal[
    "ar", "bg", "zh", "hr", "cs", "da", "nl", "en", "fil", "fi", "fr", "de", "el", "hi", "hu", "id", "it",
    "ja", "ko", "ms", "no", "pl", "pt", "br", "ro", "ru", "sk", "es", "sv", "ta", "th", "tr", "uk", "vi",
]  # fmt: skip

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "zh": "Chinese", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "fil": "Filipino", "fi": "Finnish", "fr": "French", "de": "German",
    "el": "Greek", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "ms": "Malay", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "br": "Portuguese (Brazil)", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "es": "Spanish",
    "sv": "Swedish", "ta": "Tamil", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
}  # fmt: skip
assert set(LANGUAGE_NAMES) == set(get_args(LanguageCode)), "every API language code has a name"
