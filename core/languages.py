"""Language codes the translation app speaks, and how they map to other vocabularies.

Inside Notebridge a content language is one of ``settings.CONTENT_LANGUAGES`` (BCP-47: "en", "zh-Hans",
"zh-Hant", "th", "ja", "ko"). Users, clients and remote engines use looser spellings ("zh", "zh-TW",
"zh_hans", "EN-US"); ``normalize`` folds them onto ours.
"""

from __future__ import annotations

from django.conf import settings

NAMES = {
    "en": "English",
    "zh-Hans": "Simplified Chinese",
    "zh-Hant": "Traditional Chinese",
    "th": "Thai",
    "ja": "Japanese",
    "ko": "Korean",
}

_ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
}


def content_languages() -> list[str]:
    return list(settings.CONTENT_LANGUAGES)


def normalize(code: str | None) -> str:
    """Our code for ``code``, or "" when it is empty or not a content language of this instance."""
    if not code or not isinstance(code, str) or len(code) > 35:
        return ""
    key = code.strip().replace("_", "-").lower()
    if key in _ALIASES:
        found = _ALIASES[key]
    else:
        found = key.split("-", 1)[0]
    return found if found in settings.CONTENT_LANGUAGES else ""


def is_chinese(code: str) -> bool:
    return code in ("zh-Hans", "zh-Hant")


def family(code: str) -> str:
    """ "zh" for both Chinese scripts, the code itself otherwise (what a detector can tell apart)."""
    return "zh" if is_chinese(code) else code


_MASTODON = {"zh-Hans": "zh", "zh-Hant": "zh-TW"}


def mastodon_code(code: str) -> str:
    """How Mastodon clients spell a content language: ISO 639-1, with "zh-TW" for Traditional Chinese."""
    return _MASTODON.get(code, code)


def name(code: str) -> str:
    return NAMES.get(code, code)
