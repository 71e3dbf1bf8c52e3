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

# The folding itself lives in core (the payload extractor, which trust reads too, starts from it); the
# names review's modules import from here stay importable.
from core.folding import _CJK_THAI
from core.folding import MAX_SCREEN_CHARS as MAX_SCREEN_CHARS
from core.folding import base_fold as base_fold
from core.folding import is_cjk_or_thai as is_cjk_or_thai
from core.folding import light_fold as light_fold
from core.folding import opencc_available as opencc_available

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
# Single letters separated by a space or punctuation, at least three in a row: "k i l l", "k.i.l.l".
_SPACED = re.compile(r"(?<![a-z])(?:[a-z][ .\-_*]){2,}[a-z](?![a-z])")
_RUNS = re.compile(r"(.)\1{2,}")
_NON_WORD_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7fa-z0-9]+")
_URL = re.compile(r"(?:https?://|www\.)([^\s/?#]+)", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|net|org|io|xyz|top|vip|cc|me|link|test|info|biz|co|app))\b")


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
