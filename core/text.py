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


TAG_NAME_RE = re.compile(r"[\w\u4e00-\u9fff\u3400-\u4dbf\u0e00-\u0e7f]{1,50}", re.UNICODE)


def is_tag_name(raw: str) -> bool:
    """Whether ``raw`` (a leading '#' allowed) is a whole tag name as ``TAG_RE`` would read it from
    text: 1 to 50 word characters, nothing else. Names from a URL or a form are checked with this
    instead of being truncated or stripped into some other tag."""
    return isinstance(raw, str) and TAG_NAME_RE.fullmatch(raw.removeprefix("#")) is not None


def extract_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in TAG_RE.finditer(text):
        key = normalize_tag(match.group(1))
        if key:
            seen.setdefault(key, None)
    return list(seen)


def extract_mentions(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).lower() for m in MENTION_RE.finditer(text)))


_LINKABLE = re.compile(f"{TAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)


def linkable_spans(text: str) -> list[tuple[str, str, str]]:
    """``text`` cut into (kind, text, key) pieces, in order: ``("text", ...)`` for plain text,
    ``("tag", "#name", key)`` and ``("mention", "@name", username)`` for what a page links. The caller
    escapes every piece; a RedNote-style closing '#' ("#tag#") stays plain text after its tag."""
    out: list[tuple[str, str, str]] = []
    last = 0
    for match in _LINKABLE.finditer(text):
        if match.start() > last:
            out.append(("text", text[last : match.start()], ""))
        tag, user = match.group(1), match.group(2)
        if tag is not None:
            key = normalize_tag(tag)
            out.append(("tag", f"#{tag}", key) if key else ("text", f"#{tag}", ""))
            if len(match.group(0)) > len(tag) + 1:
                out.append(("text", "#", ""))
        else:
            out.append(("mention", f"@{user}", user.lower()))
        last = match.end()
    if last < len(text):
        out.append(("text", text[last:], ""))
    return out


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=2)
def _opencc(config: str) -> object:
    import opencc

    return opencc.OpenCC(config)


def _to_simplified() -> object:
    return _opencc("t2s")


def script_variants(text: str) -> list[str]:
    """``text`` as typed, in Simplified and in Traditional script (for lookups by exact prefix, such as
    tag names, which are stored as typed)."""
    if not has_cjk(text):
        return [text]
    simplified = str(_opencc("t2s").convert(text))  # type: ignore[attr-defined]
    traditional = str(_opencc("s2t").convert(text))  # type: ignore[attr-defined]
    return list(dict.fromkeys([text, simplified, traditional]))


def fold_script(text: str) -> str:
    """Chinese in one script (Simplified, by OpenCC ``t2s``), so 火鍋 and 火锅 are one word to search.

    Only for matching: what users wrote is stored and shown as written.
    """
    if not has_cjk(text):
        return text
    return str(_to_simplified().convert(text))  # type: ignore[attr-defined]


def fold_for_match(text: str) -> str:
    """``text`` folded (script, case, width) keeping its length, so that an offset in the result is an
    offset in ``text``: the basis of highlighting a match in the original."""
    folded = fold_script(text)
    if len(folded) != len(text):  # a phrase conversion changed the length: fold character by character
        folded = "".join(c if len(f := fold_script(c)) != 1 else f for c in text)
    out = []
    for c in folded:
        f = unicodedata.normalize("NFKC", c).casefold()
        out.append(f if len(f) == 1 else c.lower())
    return "".join(out)


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
