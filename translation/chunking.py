"""Splitting long texts into pieces a small model translates well, and joining them back."""

from __future__ import annotations

import re

MAX_CHUNK = 360
_SENTENCE_END = re.compile(r"(?<=[.!?。！？…])\s*")


def split(text: str, max_chunk: int = MAX_CHUNK) -> list[tuple[str, str]]:
    """``(piece, separator_after)`` pairs; joining ``piece + separator`` gives back ``text``."""
    out: list[tuple[str, str]] = []
    for para, sep in _split_keep(text, re.compile(r"\n+")):
        if len(para) <= max_chunk:
            out.append((para, sep))
            continue
        pieces = _split_keep(para, _SENTENCE_END)
        buf = ""
        for sentence, s_sep in pieces:
            if buf and len(buf) + len(sentence) > max_chunk:
                out.append((buf.rstrip(), buf[len(buf.rstrip()) :]))
                buf = ""
            buf += sentence + s_sep
            while len(buf) > max_chunk:  # one very long sentence: cut at a space if there is one
                cut = buf.rfind(" ", 0, max_chunk)
                cut = cut if cut > max_chunk // 2 else max_chunk
                out.append((buf[:cut], ""))
                buf = buf[cut:]
        if buf:
            out.append((buf.rstrip(), buf[len(buf.rstrip()) :]))
        if out:
            piece, last_sep = out[-1]
            out[-1] = (piece, last_sep + sep)
    return out


_SENTENCE_OR_LINE = re.compile(r"\n+|(?<=[.!?。！？…])\s*")


def sentences(text: str) -> list[tuple[str, str]]:
    """``(sentence, separator_after)`` pairs for every sentence and line; joining gives back ``text``."""
    return _split_keep(text, _SENTENCE_OR_LINE)


def _split_keep(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    cursor = 0
    for match in pattern.finditer(text):
        if match.start() == match.end() and match.start() in (0, len(text)):
            continue
        result.append((text[cursor : match.start()], match.group(0)))
        cursor = match.end()
    result.append((text[cursor:], ""))
    return [(piece, sep) for piece, sep in result if piece or sep]
