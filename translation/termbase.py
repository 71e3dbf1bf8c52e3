"""A small curated English <-> Chinese term base (translation/data/termbase.tsv).

Dishes, drinks, places, slang and platform idiom, cosmetics and everyday things, each with its
Simplified Chinese forms and English renderings. Search uses it to look for a query's counterpart in
the other language ("hot pot" <-> 火锅, translation/query.py); it is data, loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.text import fold_script

DATA = Path(__file__).resolve().parent / "data" / "termbase.tsv"


@dataclass(frozen=True)
class Term:
    category: str
    zh: tuple[str, ...]  # Simplified; the first is the preferred form
    en: tuple[str, ...]  # lower case; the first is the preferred rendering

    @property
    def forms(self) -> tuple[str, ...]:
        return self.zh + self.en


def _key(text: str) -> str:
    """How a term is looked up: one script, lower case, single spaces, no hyphens between words."""
    return " ".join(fold_script(text).casefold().replace("-", " ").split())


@dataclass(frozen=True)
class TermBase:
    terms: tuple[Term, ...]
    index: dict[str, tuple[Term, ...]]
    longest: int  # the most words in an English form

    def lookup(self, text: str) -> tuple[Term, ...]:
        return self.index.get(_key(text), ())


def parse(lines: list[str]) -> TermBase:
    terms = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise ValueError(f"termbase line {number}: expected category, Chinese, English separated by tabs")
        category, zh, en = parts
        terms.append(
            Term(
                category=category.strip(),
                zh=tuple(fold_script(z.strip()) for z in zh.split("|") if z.strip()),
                en=tuple(e.strip().casefold() for e in en.split("|") if e.strip()),
            )
        )
    index: dict[str, list[Term]] = {}
    for term in terms:
        for form in term.forms:
            bucket = index.setdefault(_key(form), [])
            if term not in bucket:
                bucket.append(term)
    longest = max((len(e.split()) for t in terms for e in t.en), default=1)
    return TermBase(terms=tuple(terms), index={k: tuple(v) for k, v in index.items()}, longest=longest)


@lru_cache(maxsize=1)
def termbase() -> TermBase:
    return parse(DATA.read_text(encoding="utf-8").splitlines())
