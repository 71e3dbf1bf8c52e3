"""Marking what a search matched in the original text of a result.

The index is folded (one Chinese script, lower case), and a query may have been expanded into the
other language ("hot pot" also finds 火锅), so the match is found in a folded copy of the text that
keeps every character's position (core.text.fold_for_match) and marked in the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.text import fold_for_match, has_cjk

TITLE_CHARS = 60
SNIPPET_CHARS = 70


def _pattern(term: str) -> re.Pattern[str] | None:
    words = fold_for_match(term).replace("-", " ").split()
    if not words:
        return None
    if has_cjk("".join(words)):
        return re.compile(r"\s*".join(map(re.escape, words)))
    # Whole words only: the index matched words, "pot" is no match in "potato".
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, words)) + r"(?!\w)")


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where any of ``terms`` occurs in ``text`` (across scripts and case), merged, in order."""
    folded = fold_for_match(text)
    spans = []
    for term in terms:
        pattern = _pattern(term)
        if pattern is not None:
            spans += [(m.start(), m.end()) for m in pattern.finditer(folded) if m.end() > m.start()]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, terms: Sequence[str]) -> SafeString:
    """``text`` escaped, with every match in ``<mark>``."""
    out, cursor = [], 0
    for start, end in match_spans(text, terms):
        out += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece of user text above is escaped)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class CardMatch:
    """A search result card: its title as written with the match marked, and, when the match is not in
    the title, the part of the text (or the tag) that matched."""

    title: SafeString
    snippet: SafeString


def card_match(title: str, body: str, tags: Sequence[str], terms: Sequence[str]) -> CardMatch:
    shown = _cut(title or body, TITLE_CHARS)
    if match_spans(shown, terms):
        return CardMatch(mark(shown, terms), mark_safe(""))
    for text in (body, title):
        spans = match_spans(text, terms)
        if spans:
            start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
            piece = text[start : start + SNIPPET_CHARS]
            if start + SNIPPET_CHARS < len(text):
                piece = piece.rstrip() + "…"
            return CardMatch(mark(shown, terms), mark(("…" if start else "") + piece, terms))
    for tag in tags:
        if match_spans(tag, terms):
            return CardMatch(mark(shown, terms), mark(f"#{tag}", terms))
    return CardMatch(mark(shown, terms), mark_safe(""))
