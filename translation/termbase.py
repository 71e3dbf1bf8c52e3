"""A small curated English <-> Chinese term base (translation/data/termbase.tsv).

Dishes, drinks, places, slang and platform idiom, cosmetics and everyday things, each with its
Simplified Chinese forms and English renderings. Search uses it to look for a query's counterpart in
the other language ("hot pot" <-> 火锅, translation/query.py); the LLM engine puts the terms a post
contains into its prompt ("种草 = got me wanting to buy it", ``hints``) and checks afterwards that their
renderings arrived (translation/validation.py). It is data, loaded once per process.

Which direction an entry serves in a prompt depends on its category: ``slang`` entries are Chinese
platform idiom (the English side is how to render it, too loose to read back: "avoid" is not always
避雷), ``en-slang`` entries English idiom (the Chinese side renders it); every other category
(dishes, places, cosmetics, everyday things, address, units) works both ways. An optional fourth
column is the rendering a prompt gives when the search forms would mislead a translator
(种草: search "wishlist", prompt "got me wanting to buy it").

Amounts of money are not entries (块 alone is as often "a piece" as "a yuan"): ``amounts`` finds
"两百块", "30元", "$12", "8 bucks" and renders them in the target's own way ("200 yuan", never "$200").
"""

from __future__ import annotations

import re
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
    prompt_en: str = ""  # the rendering a zh->en prompt gives, when not en[0]

    @property
    def english(self) -> str:
        return self.prompt_en or self.en[0]

    def serves(self, source_family: str) -> bool:
        """Whether a post in ``source_family`` ("zh" or "en") gets this term in its prompt."""
        if self.category == "slang":
            return source_family == "zh"
        if self.category == "en-slang":
            return source_family == "en"
        return True

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
    zh_forms: tuple[tuple[str, Term], ...] = ()  # (Chinese form, term), longest form first

    def lookup(self, text: str) -> tuple[Term, ...]:
        return self.index.get(_key(text), ())

    def find(self, text: str) -> list[tuple[str, Term]]:
        """(form as found, term) for each term ``text`` contains, in order, without overlaps: Chinese
        forms anywhere (longest first: 北京烤鸭 before 烤鸭), English forms as whole words (longest
        phrase first)."""
        folded = fold_script(text).casefold()
        taken = [False] * len(folded)
        found: list[tuple[int, str, Term]] = []
        for form, term in self.zh_forms:
            start = folded.find(form)
            while start >= 0:
                end = start + len(form)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    found.append((start, form, term))
                start = folded.find(form, end)
        words = [(m.start(), m.end(), m.group(0)) for m in _EN_WORD.finditer(folded)]
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                phrase = " ".join(w for _, _, w in words[i : i + size])
                terms = [t for t in self.index.get(phrase, ()) if any(_key(e) == phrase for e in t.en)]
                if terms and not any(taken[words[i][0] : words[i + size - 1][1]]):
                    found.append((words[i][0], text[words[i][0] : words[i + size - 1][1]], terms[0]))
                    i += size
                    break
            else:
                i += 1
        return [(form, term) for _, form, term in sorted(found, key=lambda f: f[0])]


def parse(lines: list[str]) -> TermBase:
    terms = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) not in (3, 4) or not all(p.strip() for p in parts):
            raise ValueError(
                f"termbase line {number}: expected category, Chinese, English (and a prompt rendering) "
                "separated by tabs"
            )
        category, zh, en = parts[:3]
        terms.append(
            Term(
                category=category.strip(),
                zh=tuple(fold_script(z.strip()) for z in zh.split("|") if z.strip()),
                en=tuple(e.strip().casefold() for e in en.split("|") if e.strip()),
                prompt_en=parts[3].strip() if len(parts) == 4 else "",
            )
        )
    index: dict[str, list[Term]] = {}
    for term in terms:
        for form in term.forms:
            bucket = index.setdefault(_key(form), [])
            if term not in bucket:
                bucket.append(term)
    longest = max((len(e.split()) for t in terms for e in t.en), default=1)
    zh_forms = sorted(((z, t) for t in terms for z in t.zh), key=lambda f: -len(f[0]))
    return TermBase(
        terms=tuple(terms), index={k: tuple(v) for k, v in index.items()}, longest=longest, zh_forms=tuple(zh_forms)
    )


@lru_cache(maxsize=1)
def termbase() -> TermBase:
    return parse(DATA.read_text(encoding="utf-8").splitlines())


_EN_WORD = re.compile(r"[a-z0-9\u00c0-\u024f]+(?:['\u2019][a-z]+)?")
# Hints are only for English forms long enough to mean one thing ("uk", "spf" are left alone), except
# English internet slang, which is what it is at any length ("ngl", "tbh").
MIN_EN_HINT = 4


def hints(text: str, source_family: str, target_family: str) -> list[tuple[str, str]]:
    """(as written in the post, rendering) for the terms and amounts of money in ``text``, for a
    prompt translating from ``source_family`` to ``target_family`` (English <-> Chinese only)."""
    if {source_family, target_family} != {"en", "zh"}:
        return []
    out: dict[str, str] = {}
    for form, term in termbase().find(text):
        if not term.serves(source_family):
            continue
        if source_family == "zh":
            out.setdefault(form, term.english)
        elif len(form) >= MIN_EN_HINT or term.category == "en-slang":  # "ngl", "tbh" are slang only
            out.setdefault(form, term.zh[0])
    for written, rendering in amounts(text, source_family):
        out[written] = rendering
    return list(out.items())


# Amounts of money. A number is digits (or a placeholder standing for digits, see translation/spans.py)
# or Chinese numerals.
_NUM = r"(⟦\d+⟧|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
_ZH_YUAN = re.compile(_NUM + r"\s*(?:块钱|元钱|元|块(?![\u4e00-\u9fff])|块(?=[买的左多一]))")
_ZH_DOLLAR = re.compile(_NUM + r"\s*(?:美元|美金|刀(?![\u4e00-\u9fff]))")
_EN_DOLLAR = re.compile(
    r"\$\s?" + r"(⟦\d+⟧|\d+(?:\.\d+)?)|(⟦\d+⟧|\d+(?:\.\d+)?)\s*(?:us\s*)?(?:dollars?|bucks|usd)\b", re.I
)
_EN_YUAN = re.compile(r"(?:¥|rmb\s?)(⟦\d+⟧|\d+(?:\.\d+)?)|(⟦\d+⟧|\d+(?:\.\d+)?)\s*(?:yuan|rmb|kuai|cny)\b", re.I)
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """The value of Chinese numerals up to the ten thousands ("两百" 200, "十二" 12, "三千五" 3500)."""
    if not text or any(c not in _DIGITS and c not in _UNITS and c != "万" for c in text):
        return None
    total, section, digit = 0, 0, None
    last_unit = 10
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            last_unit = _UNITS[c]
            section += (1 if digit is None else digit) * last_unit
            digit = None
    if digit is not None:
        # "三千五" is 3500: a last digit after a unit counts in the next unit down.
        section += digit * (last_unit // 10 if section and text[-2] in _UNITS and last_unit > 10 else 1)
    return total + section


def number_value(written: str) -> str:
    """A number as digits ("两百" -> "200"); placeholders and digits as they are."""
    if written[:1].isdigit() or written.startswith("⟦"):
        return written
    value = chinese_number(written)
    return str(value) if value is not None else written


def amounts(text: str, source_family: str) -> list[tuple[str, str]]:
    """(as written, rendering in the other language) for each amount of money in ``text``."""
    out: list[tuple[str, str]] = []
    if source_family == "zh":
        for m in _ZH_YUAN.finditer(text):
            out.append((m.group(0), f"{number_value(m.group(1))} yuan"))
        for m in _ZH_DOLLAR.finditer(text):
            out.append((m.group(0), f"{number_value(m.group(1))} US dollars"))
    elif source_family == "en":
        for m in _EN_DOLLAR.finditer(text):
            out.append((m.group(0), f"{m.group(1) or m.group(2)}美元"))
        for m in _EN_YUAN.finditer(text):
            out.append((m.group(0), f"{m.group(1) or m.group(2)}元"))
    return out
