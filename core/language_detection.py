"""Language detection for user content, run at write time.

``lingua`` restricted to the instance's content languages is accurate on short posts. It cannot tell
Simplified from Traditional Chinese, so OpenCC decides: characters that only exist in one script are
counted both ways. URLs, mentions, hashtags, emoji and numbers carry no language and are removed first;
what is left must hold enough letters to judge, else the answer is "" (unknown), which is an answer.
Mixed text gets its dominant language: sections found by lingua are weighed by how many words they hold.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from django.conf import settings

from core import languages

# Lookbehinds are ASCII-only on purpose: Chinese writes "谢谢@小明" and "去了#成都美食#" without spaces.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。！？、（）]+(?<![.,!?;:)\]])", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@.])@\w+(?:[.\-]\w+)*(?:@\w+(?:[.\-]\w+)+)?", re.UNICODE)
HASHTAG_RE = re.compile(r"(?<![A-Za-z0-9_&#])#\w+#?", re.UNICODE)
# Emoji, pictographs, symbols, variation selectors, keycaps and skin tones.
EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"
    "\U00002600-\U000027bf"
    "\U00002300-\U000023ff"
    "\U00002b00-\U00002bff"
    "\U0001f1e6-\U0001f1ff"
    "\ufe00-\ufe0f"
    "\u200d\u20e3"
    "\U000e0020-\U000e007f"
    "]+"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")

# Fewest letters (CJK characters count as letters) from which a guess is worth making.
MIN_LETTERS = 3
MIN_CJK = 2

_LINGUA_NAMES = {"en": "ENGLISH", "zh": "CHINESE", "th": "THAI", "ja": "JAPANESE", "ko": "KOREAN"}
_lock = threading.Lock()


def strip_non_linguistic(text: str) -> str:
    """The text without URLs, mentions, hashtags, emoji and digits: what a detector should look at."""
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    text = HASHTAG_RE.sub(" ", text)
    text = EMOJI_RE.sub(" ", text)
    text = re.sub(r"\d+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _families() -> tuple[str, ...]:
    return tuple(sorted({languages.family(code) for code in settings.CONTENT_LANGUAGES}))


@lru_cache(maxsize=4)
def _detector(families: tuple[str, ...]) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, _LINGUA_NAMES[f]) for f in families if f in _LINGUA_NAMES]
    if len(langs) < 2:
        langs.append(Language.ENGLISH if Language.ENGLISH not in langs else Language.CHINESE)
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _detector_now() -> Any:
    with _lock:  # lingua builds lazily; building twice at once wastes memory
        return _detector(_families())


def _family_of(language: Any) -> str:
    code = language.iso_code_639_1.name.lower()
    return code


def _weight(section: str) -> float:
    """Roughly how many words a piece of text holds, comparable across scripts."""
    return (
        len(_LATIN_WORD.findall(section))
        + len(_HAN.findall(section)) / 1.7
        + len(_KANA.findall(section)) / 2.5
        + len(_HANGUL.findall(section)) / 2.5
        + len(_THAI.findall(section)) / 5.0
    )


def chinese_script(text: str) -> str:
    """ "zh-Hant" when the text holds enough Traditional-only characters, else "zh-Hans"."""
    to_simplified, to_traditional = _opencc("t2s"), _opencc("s2t")
    han = "".join(_HAN.findall(text))
    if not han:
        return "zh-Hans"
    simplified = to_simplified.convert(han)
    traditional = to_traditional.convert(han)
    traditional_only = sum(1 for a, b in zip(han, simplified, strict=False) if a != b)
    simplified_only = sum(1 for a, b in zip(han, traditional, strict=False) if a != b)
    # s2t also rewrites characters that are valid in both scripts (台 -> 臺), so Simplified-only counts run
    # high on Traditional text too; a Traditional-only character is strong evidence.
    return "zh-Hant" if traditional_only and traditional_only * 2 >= simplified_only else "zh-Hans"


@lru_cache(maxsize=8)
def _opencc(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def _enough_to_judge(clean: str) -> bool:
    cjk = len(_HAN.findall(clean)) + len(_KANA.findall(clean)) + len(_HANGUL.findall(clean))
    if cjk >= MIN_CJK:
        return True
    letters = sum(1 for ch in clean if ch.isalpha())
    return letters >= MIN_LETTERS and letters - cjk >= MIN_LETTERS


def detect_language(text: str) -> str:
    """The content language of ``text`` ("en", "zh-Hans", "zh-Hant", "th", "ja", "ko") or "" if unknown."""
    if not text or not isinstance(text, str):
        return ""
    # Long texts: the first few thousand characters decide; detection cost grows with length.
    clean = strip_non_linguistic(text[:4000])
    if not _enough_to_judge(clean):
        return ""
    detector = _detector_now()
    weights: dict[str, float] = {}
    for result in detector.detect_multiple_languages_of(clean):
        section = clean[result.start_index : result.end_index]
        family = _family_of(result.language)
        weights[family] = weights.get(family, 0.0) + _weight(section)
    if weights and max(weights.values()) > 0:
        family = max(weights, key=lambda k: weights[k])
    else:
        found = detector.detect_language_of(clean)
        if found is None:
            return ""
        family = _family_of(found)
    if family == "zh":
        code = chinese_script(clean)
        return code if code in settings.CONTENT_LANGUAGES else languages.normalize("zh")
    return family if family in settings.CONTENT_LANGUAGES else ""


def detect_language_cached(text: str) -> str:
    """``detect_language`` for short labels read again and again (tag names): answered from the cache.

    Tags carry no stored language; detecting one costs lingua a few milliseconds on every page view.
    """
    import hashlib

    from django.core.cache import cache

    key = "tr:lang:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    found = cache.get(key)
    if found is None:
        found = detect_language(text)
        cache.set(key, found, 60 * 60 * 24 * 7)
    return str(found)
