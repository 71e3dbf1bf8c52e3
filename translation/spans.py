"""Protected spans: the parts of a post that a translation must carry through unchanged.

Hashtags, @mentions, URLs, emoji and numbers are swapped for numbered placeholders before a text goes
to an engine and swapped back afterwards. The engine never sees them, so it cannot translate a hashtag,
"correct" a handle, break a link or replace one emoji with another; and a placeholder that comes back
missing, doubled or invented shows that the output cannot be trusted.

A placeholder looks like ``⟦3⟧``. Brackets of that kind do not occur in ordinary posts; if a user types
one anyway, that text is protected as a span itself, so restoring can never be confused by user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.language_detection import EMOJI_RE, HASHTAG_RE, MENTION_RE, URL_RE

OPEN, CLOSE = "⟦", "⟧"
PLACEHOLDER_RE = re.compile(r"[⟦\[【〔{]\s*(\d{1,3})\s*[⟧\]】〕}]")
# Anything a user typed that could pass for a placeholder ("[2]", "{3}", a stray "⟦") is protected itself.
_USER_BRACKETS_RE = re.compile(PLACEHOLDER_RE.pattern + r"|[⟦⟧]")
# Numbers worth keeping exact: times, dates, decimals, percentages, prices, anything of 3+ digits.
# One- and two-digit integers are left to the model, which writes "November 28" as "11月28日" and "3
# months" as "三个月" (protecting them made dates read "十一月 28" in the evaluation).
NUMBER_RE = re.compile(r"(?<![A-Za-z0-9_.])[+-]?(?:\d+(?:[.,:/\-]\d+)+%?|\d+%|\d{3,})(?![A-Za-z0-9_])")

# Our prompt delimiter and chat-template control tokens: a user typing "</post>" or "<|im_start|>" must
# never reach the model as markup (the tokenizer would read the latter as a real control token).
MARKUP_RE = re.compile(r"<\s*/?\s*post\s*>|<\|[^|<>]{0,40}\|>|\[/?INST\]|<</?SYS>>", re.IGNORECASE)

# Earlier patterns win where spans overlap: a URL containing digits is one URL, not a URL and numbers.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("markup", MARKUP_RE),
    ("bracket", _USER_BRACKETS_RE),
    ("url", URL_RE),
    ("mention", MENTION_RE),
    ("hashtag", HASHTAG_RE),
    ("emoji", EMOJI_RE),
    ("number", NUMBER_RE),
]


ALL_KINDS = ("markup", "bracket", "url", "mention", "hashtag", "emoji", "number")


def placeholder(n: int) -> str:
    return f"{OPEN}{n}{CLOSE}"


@dataclass
class Protected:
    text: str
    spans: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def restore(self, translated: str) -> str:
        """``translated`` with every placeholder put back; call ``check`` first to know it is safe."""
        return PLACEHOLDER_RE.sub(lambda m: self._span(int(m.group(1))) or m.group(0), translated)

    def _span(self, n: int) -> str | None:
        return self.spans[n - 1] if 1 <= n <= len(self.spans) else None

    def reattach_edges(self, translated: str) -> str:
        """Put back placeholders the engine dropped from the very start or end of the text.

        Small models often drop a trailing emoji or hashtag; where it sat is unambiguous at the edges,
        so it can be restored. A placeholder dropped from the middle is not guessed: that still fails.
        """
        found = {int(m.group(1)) for m in PLACEHOLDER_RE.finditer(translated)}
        head = re.match(r"^(?:\s*⟦\d+⟧)+", self.text)
        tail = re.search(r"(?:⟦\d+⟧\s*)+[\s.!?。！？~…]*$", self.text)
        lead = [int(n) for n in re.findall(r"⟦(\d+)⟧", head.group(0))] if head else []
        trail = [int(n) for n in re.findall(r"⟦(\d+)⟧", tail.group(0))] if tail else []
        missing_lead = [n for n in lead if n not in found]
        missing_trail = [n for n in trail if n not in found and n not in missing_lead]
        if missing_lead:
            translated = " ".join(placeholder(n) for n in missing_lead) + " " + translated.lstrip()
        if missing_trail:
            translated = translated.rstrip() + " " + " ".join(placeholder(n) for n in missing_trail)
        return translated

    def reinsert_decorations(self, translated: str) -> str:
        """Put dropped emoji and hashtags back near where they stood (same relative position, at a word
        or punctuation boundary). They decorate rather than carry the sentence, and small models drop
        them often; losing one silently (or seeing it swapped) is worse than a slightly moved one.
        Mentions, links and numbers are not guessed: missing, they still fail validation."""
        found = {int(m.group(1)) for m in PLACEHOLDER_RE.finditer(translated)}
        for n, kind in enumerate(self.kinds, start=1):
            if n in found or kind not in ("emoji", "hashtag"):
                continue
            where = self.text.find(placeholder(n))
            if where < 0:
                continue
            clause_end = _clause_end_index(self.text, where + len(placeholder(n)))
            marks = list(_CLAUSE_MARK.finditer(translated))
            if clause_end is not None and clause_end < len(marks):
                # It closed a clause ("西湖🌸，人超多"): close the same clause of the translation with it.
                cut = marks[clause_end].start()
            else:
                target = round(where / max(1, len(self.text)) * len(translated))
                cut = _nearest_boundary(translated, target)
            left, right = translated[:cut], translated[cut:]
            pad_left = "" if not left or left[-1].isspace() else " "
            pad_right = "" if not right or right[:1].isspace() or right[:1] in ",.!?，。！？" else " "
            translated = f"{left}{pad_left}{placeholder(n)}{pad_right}{right}"
        return translated

    def check_verbatim(self, translated: str) -> list[str]:
        """For output made without placeholders: every protected span must appear unchanged."""
        missing = [span for span in self.spans if span not in translated]
        return [f"protected spans changed or lost: {missing[:3]}"] if missing else []

    def check(self, translated: str) -> list[str]:
        """Problems with the placeholders in an engine's output: each must come back exactly once."""
        found = [int(m.group(1)) for m in PLACEHOLDER_RE.finditer(translated)]
        problems = []
        expected = set(range(1, len(self.spans) + 1))
        # A small plain number may come back written as a word ("3 months" -> "三个月"): not an error.
        optional = {
            i + 1
            for i, (span, kind) in enumerate(zip(self.spans, self.kinds, strict=False))
            if kind == "number" and span.isdigit() and int(span) <= 100
        }
        missing = expected - set(found) - optional
        if missing:
            problems.append(f"placeholders missing: {sorted(missing)}")
        invented = set(found) - expected
        if invented:
            problems.append(f"placeholders invented: {sorted(invented)}")
        doubled = sorted({n for n in found if found.count(n) > 1})
        if doubled:
            problems.append(f"placeholders repeated: {doubled}")
        return problems


_CLAUSE_MARK = re.compile(r"[，。！？；,.!?;](?!\d)")


def _clause_end_index(text: str, after: int) -> int | None:
    """When the placeholder ending at ``after`` is followed (spaces and other placeholders aside) by a
    clause mark, the index of that mark among the text's clause marks; else None."""
    rest = re.sub(r"^(?:\s|⟦\d+⟧)*", "", text[after:])
    if not rest or not _CLAUSE_MARK.match(rest):
        return None
    return len(_CLAUSE_MARK.findall(text[:after]))


def _nearest_boundary(text: str, position: int) -> int:
    """The closest index to ``position`` just after punctuation or at a space (else ``position``)."""
    best, best_distance = position, len(text) + 1
    for i in range(len(text) + 1):
        boundary = i == len(text) or text[i].isspace() or (i > 0 and text[i - 1] in ",.!?;:，。！？；：")
        if boundary and abs(i - position) < best_distance:
            best, best_distance = i, abs(i - position)
    return min(max(best, 0), len(text))


def protect(text: str, *, kinds: tuple[str, ...] = ALL_KINDS) -> Protected:
    """Replace protected spans in ``text`` by placeholders ``⟦1⟧``, ``⟦2⟧``... in order of appearance."""
    taken: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        if kind not in kinds:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or not match.group(0).strip():
                continue
            if any(start < t_end and t_start < end for t_start, t_end, _ in taken):
                continue
            taken.append((start, end, kind))
    taken.sort()
    out: list[str] = []
    spans: list[str] = []
    span_kinds: list[str] = []
    cursor = 0
    for start, end, kind in taken:
        out.append(text[cursor:start])
        spans.append(text[start:end])
        span_kinds.append(kind)
        out.append(placeholder(len(spans)))
        cursor = end
    out.append(text[cursor:])
    return Protected(text="".join(out), spans=spans, kinds=span_kinds)


def only_spans(protected: Protected) -> bool:
    """True when nothing but placeholders, spaces and punctuation is left: nothing to translate."""
    rest = PLACEHOLDER_RE.sub("", protected.text)
    return not any(ch.isalpha() for ch in rest)
