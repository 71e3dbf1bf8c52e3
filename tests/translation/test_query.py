"""A search query also in the other language: the curated term base and the translation memory."""

from __future__ import annotations

import pytest

from translation.models import TranslationMemory, text_hash
from translation.query import expand_query
from translation.termbase import parse, termbase

pytestmark = pytest.mark.django_db


def _remember(source_text: str, text: str, *, is_gloss: bool = False, engine: str = "libretranslate") -> None:
    TranslationMemory.objects.create(
        source_hash=text_hash(source_text),
        source_language="zh-Hans",
        target_language="en",
        engine=engine,
        engine_version="api",
        text=text,
        is_gloss=is_gloss,
    )


def test_english_phrase_finds_its_chinese_term_and_the_reverse():
    assert expand_query("hot pot").groups == [["hot pot", "火锅", "hotpot"]]
    assert expand_query("Hot-Pot").groups == [["hot pot", "火锅", "hotpot"]]
    assert expand_query("火锅").groups == [["火锅", "hot pot", "hotpot"]]
    assert expand_query("火鍋").groups == [["火锅", "hot pot", "hotpot"]]  # Traditional, folded first
    assert expand_query("hot pot").also == ["火锅", "hotpot"]


def test_other_words_stay_as_they_are():
    expanded = expand_query("best hot pot in chengdu")
    assert expanded.groups == [["best"], ["hot pot", "火锅", "hotpot"], ["in"], ["chengdu", "成都"]]
    assert expanded.highlight == ["best", "hot pot", "火锅", "hotpot", "in", "chengdu", "成都"]
    assert expand_query("").groups == []


def test_translation_memory_adds_real_translations_of_single_words():
    _remember("咖喱", "Curry")
    _remember("手冲", "pour-over", is_gloss=True, engine="gloss")  # a gloss is never used
    _remember("臭鳜鱼", "mandarin fish fermented in brine until it smells strong")  # too long
    _remember("烤红薯", "Roast sweet potato")
    assert expand_query("咖喱").groups == [["咖喱", "curry"]]
    assert expand_query("手冲").groups == [["手冲"]]
    assert expand_query("臭鳜鱼").also == []
    # A query of several words that was translated as a whole: its words, or that translation.
    assert expand_query("烤红薯").groups == [["烤红薯", "roast sweet potato"]]
    assert expand_query("烤紅薯").also == ["roast sweet potato"]


def test_term_base_file_is_well_formed():
    tb = termbase()
    assert len(tb.terms) >= 150
    assert {t.category for t in tb.terms} >= {"dish", "place", "slang", "cosmetics"}
    for term in tb.terms:
        assert term.zh and term.en
        assert all(z == z.strip() and z for z in term.zh)
        assert all(e == e.casefold() for e in term.en)


def test_term_base_refuses_a_malformed_line():
    with pytest.raises(ValueError, match="line 2"):
        parse(["dish\t火锅\thot pot", "dish\t饺子"])
    assert parse(["# comment", "", "dish\t火鍋\tHot Pot"]).lookup("火锅")[0].en == ("hot pot",)
