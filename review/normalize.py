"""Text normalisation against filter evasion, applied before any rule or classifier sees the text.

Folds: NFKC (full-width, maths letters, ligatures), invisible characters, Latin diacritics, homoglyphs
(Cyrillic and Greek letters that look Latin), leetspeak inside words, s p a c e d or d.o.t.t.e.d
letters, long letter runs, and Traditional Chinese to Simplified (OpenCC, when installed).

Two forms come out: ``text`` (readable, lower-case, one space between tokens) for phrases and
patterns, and ``squashed`` (CJK and Thai with every non-letter removed) for substring lists, so
"傻 逼", "傻.逼" and "傻​逼" all match "傻逼".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
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
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "€": "e",
        "8": "b",
        "9": "g",
        "+": "t",
    }
)
# Characters people put inside a word to break it up ("f*ck", "k.i.l.l", "id-iot").
_INNER_JUNK = re.compile(r"(?<=[a-z])[*_.\-'`~^]+(?=[a-z])")
_TOKEN = re.compile(r"[a-z0-9@$!|€+]+(?:['’][a-z]+)?")
_LATINISH = re.compile(r"[a-z]")
_CJK_THAI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
# Single letters separated by a space or punctuation, at least three in a row: "k i l l", "k.i.l.l".
_SPACED = re.compile(r"(?<![a-z])(?:[a-z][ .\-_*]){2,}[a-z](?![a-z])")
_RUNS = re.compile(r"(.)\1{2,}")
_NON_WORD_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7fa-z0-9]+")
_URL = re.compile(r"(?:https?://|www\.)([^\s/?#]+)", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|net|org|io|xyz|top|vip|cc|me|link|test|info|biz|co|app))\b")
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


def _fold_token(token: str) -> str:
    if _LATINISH.search(token) and any(ch in token for ch in "0134578@$!|€9+"):
        token = token.translate(LEET)
    return _RUNS.sub(r"\1\1", token)


def dedupe_runs(token: str) -> str:
    """Latin letter runs to one letter: the key words are stored and looked up under. Chinese and
    Thai keep their doubled characters ("ออนไลน์", "哈哈")."""
    if _CJK_THAI.search(token):
        return token
    return re.sub(r"(.)\1+", r"\1", token)


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


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str  # folded, tokens separated by single spaces (CJK and Thai kept in place)
    tokens: tuple[str, ...]
    squashed: str  # only letters, digits, CJK and Thai; no separators at all
    domains: tuple[str, ...]
    mixed_script: bool


def normalize(text: str) -> Normalized:
    folded = base_fold(text)
    domains = tuple(dict.fromkeys(m.group(1).lower().rstrip(".") for m in _URL.finditer(folded))) + tuple(
        m.group(1) for m in _BARE_DOMAIN.finditer(folded)
    )
    folded = _INNER_JUNK.sub("", folded)
    folded = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), folded)
    tokens = tuple(_fold_token(t) for t in _TOKEN.findall(folded))
    # Keep CJK/Thai runs as their own tokens so phrases over mixed text still line up.
    parts: list[str] = []
    for chunk in re.findall(
        r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+",
        folded,
    ):
        if _CJK_THAI.match(chunk):
            parts.append(chunk)
        else:
            parts.extend(_fold_token(t) for t in _TOKEN.findall(chunk))
    joined = " ".join(p for p in parts if p)
    squashed = _NON_WORD_CJK.sub("", joined)
    scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha()}
    return Normalized(
        original=text,
        text=joined,
        tokens=tokens,
        squashed=squashed,
        domains=tuple(dict.fromkeys(domains)),
        mixed_script=len(scripts & {"LATIN", "CYRILLIC", "GREEK"}) > 1,
    )


def fold_word(word: str) -> str:
    tokens = normalize(word).tokens
    return dedupe_runs(tokens[0]) if tokens else ""


def fold_phrase(phrase: str) -> str:
    """A phrase as matched: folded, each token's letter runs collapsed (see ``dedupe_runs``)."""
    return " ".join(dedupe_runs(t) for t in normalize(phrase).text.split())


def fold_substring(entry: str) -> str:
    """A Chinese or Thai list entry as matched against ``Normalized.squashed``."""
    return normalize(entry).squashed


def match_text(norm: Normalized) -> str:
    """The normalised text in the form phrases are matched against, padded with spaces."""
    return " " + " ".join(dedupe_runs(t) for t in norm.text.split()) + " "


def text_weight(squashed: str) -> int:
    """How much a text says, in Latin letters: a CJK character counts three (a word is one or two of
    them), a Thai character one. ``squashed`` is ``Normalized.squashed``."""
    cjk = sum(1 for ch in squashed if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    return len(squashed) + 2 * cjk
