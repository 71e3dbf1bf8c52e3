"""Folding text against filter evasion: the first step shared by review's screening and the payload
extractor (``core.payloads``), which trust reads too.

NFKC (full-width, maths letters, ligatures), invisible characters, Latin diacritics, homoglyphs (Cyrillic
and Greek letters that look Latin), case, and Traditional Chinese to Simplified (OpenCC, when installed).
Moved from ``review.normalize``, which builds its tokens on it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0x2061,
        0x2062,
        0x2063,
        0x2064,
        0xFEFF,
        0x00AD,
        0x180E,
        0x034F,
        0x115F,
        0x1160,
        0x3164,
        0xFFA0,
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
    ]
)
_INVISIBLE.update(dict.fromkeys(range(0xFE00, 0xFE10)))  # variation selectors

HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ɡ": "g",
        "һ": "h",
        "ո": "n",
        "ս": "u",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "γ": "y",
        # Latin look-alikes outside ASCII
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
    }
)
_CJK_THAI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
MAX_SCREEN_CHARS = 20_000


@lru_cache(maxsize=1)
def _opencc():  # type: ignore[no-untyped-def]
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:
        return None


def opencc_available() -> bool:
    return _opencc() is not None


def is_cjk_or_thai(text: str) -> bool:
    return bool(_CJK_THAI.search(text))


def _strip_latin_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Only the combining diacritics block: Thai vowel and tone marks are combining too, and must stay.
    kept = "".join(ch for ch in decomposed if not 0x0300 <= ord(ch) <= 0x036F)
    return unicodedata.normalize("NFC", kept)


def base_fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_SCREEN_CHARS]).translate(_INVISIBLE)
    text = _strip_latin_marks(text).casefold().translate(HOMOGLYPHS)
    converter = _opencc()
    if converter is not None and _CJK_THAI.search(text):
        text = converter.convert(text)
    return text


def light_fold(text: str) -> str:
    """For the sentence encoder: NFKC, invisible characters removed, Traditional to Simplified. Case,
    punctuation and spacing are kept: the model reads them, and its prototypes are written that way."""
    text = unicodedata.normalize("NFKC", text[:MAX_SCREEN_CHARS]).translate(_INVISIBLE)
    converter = _opencc()
    if converter is not None and _CJK_THAI.search(text):
        text = converter.convert(text)
    return " ".join(text.split())
