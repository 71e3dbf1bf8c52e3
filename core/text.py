"""Text utilities shared by every domain: normalisation, tags, mentions, segmentation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that render as nothing and are used to hide words from filters or to break layouts.
_INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x2060,
        0xFEFF,
        0x00AD,
        0x180E,
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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TAG_RE = re.compile(r"(?<![\w/#])#([\w\u4e00-\u9fff\u3400-\u4dbf\u0e00-\u0e7f]{1,50})(?:#)?", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{1,30})(?![\w@])")


def clean_user_text(text: str) -> str:
    """Normalise text a user typed: NFC, no control or bidi-override characters, tidy line ends."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    return text.translate(_INVISIBLE).strip()


def normalize_tag(raw: str) -> str:
    """The key a tag is stored under: NFKC, case-folded, no leading '#', no spaces."""
    tag = unicodedata.normalize("NFKC", raw).strip().lstrip("#").casefold()
    return re.sub(r"\s+", "", tag)[:50]


def extract_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in TAG_RE.finditer(text):
        key = normalize_tag(match.group(1))
        if key:
            seen.setdefault(key, None)
    return list(seen)


def extract_mentions(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).lower() for m in MENTION_RE.finditer(text)))


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def segment(text: str) -> str:
    """Text made searchable: Chinese split into words (jieba, search mode), everything lower-cased.

    Both SQLite FTS5 and PostgreSQL's ``simple`` configuration split on spaces and punctuation, so
    segmenting Chinese into space-separated words lets one index serve English and Chinese alike.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not has_cjk(text):
        return text
    jieba = _jieba()
    words = jieba.cut_for_search(text)  # type: ignore[attr-defined]
    return " ".join(w.strip() for w in words if w.strip())
