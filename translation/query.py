"""A search query in the other language too: "hot pot" also looks for 火锅, 火锅 for "hot pot".

The notes app searches (notes/search.py) and knows nothing of translation; the delivery layers (web,
api) ask this module to expand a query and hand the result to ``search_note_ids(groups=...)``. Each
word of the query (or phrase the term base knows) becomes a group of alternatives:

- the curated term base (translation/termbase.py): "hot pot" -> 火锅, hotpot; 火鍋 (folded to 火锅) ->
  hot pot, hotpot; phrases of up to four English words;
- the translation memory: a word that was translated before as a whole text (a tag such as #火锅 read
  by an English reader) brings its real translations (never a gloss), when they are short.

``highlight`` is every form searched for, so the results can mark the match in the original text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.text import fold_script, has_cjk
from notes.search import query_tokens
from translation.models import TranslationMemory, text_hash
from translation.termbase import termbase

MAX_MEMORY_WORDS = 4
MAX_ALTERNATIVES = 8


@dataclass
class ExpandedQuery:
    groups: list[list[str]]
    also: list[str] = field(default_factory=list)  # the forms added from the other language

    @property
    def highlight(self) -> list[str]:
        return list(dict.fromkeys(form for group in self.groups for form in group))


def _from_term_base(tokens: list[str]) -> list[list[str]]:
    tb = termbase()
    groups: list[list[str]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(tb.longest, len(tokens) - i), 0, -1):
            words = tokens[i : i + size]
            if size > 1 and has_cjk("".join(words)):
                continue  # Chinese comes segmented: one token is one word
            phrase = " ".join(words)
            terms = tb.lookup(phrase)
            if terms:
                forms = [phrase] + [form for term in terms for form in term.forms]
                groups.append(list(dict.fromkeys(forms))[:MAX_ALTERNATIVES])
                i += size
                break
        else:
            groups.append([tokens[i]])
            i += 1
    return groups


def _memory_translations(texts: list[str]) -> dict[str, list[str]]:
    """Stored real translations (never glosses) of exact texts, short enough to search for (one query)."""
    by_hash: dict[str, str] = {}
    for text in texts:
        for spelling in {text, text.capitalize(), text.upper()}:
            by_hash[text_hash(spelling)] = text
    rows = TranslationMemory.objects.filter(source_hash__in=list(by_hash), is_gloss=False).values_list(
        "source_hash", "text"
    )[:50]
    found: dict[str, list[str]] = {}
    for digest, translated in rows:
        translated = " ".join(translated.casefold().split())
        if translated and len(translated.split()) <= MAX_MEMORY_WORDS and query_tokens(translated):
            found.setdefault(by_hash[digest], []).append(translated)
    return {text: list(dict.fromkeys(alts))[: MAX_ALTERNATIVES - 1] for text, alts in found.items()}


def expand_query(query: str) -> ExpandedQuery:
    tokens = query_tokens(query)
    groups = _from_term_base(tokens)
    whole = " ".join(fold_script(query).split())
    lonely = [g[0] for g in groups if len(g) == 1]
    known = _memory_translations([*lonely, whole]) if lonely else {}
    if whole in known and all(len(g) == 1 for g in groups):
        # The query as a whole was translated before (a tag, a title): one group, its words or that.
        groups = [[whole, *known[whole]]]
    else:
        for group in groups:
            if len(group) == 1 and group[0] in known:
                group.extend(known[group[0]])
    original = set(tokens) | {whole}
    also = [form for group in groups for form in group[1:] if form not in original]
    return ExpandedQuery(groups=groups, also=list(dict.fromkeys(also)))
