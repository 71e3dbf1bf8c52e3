"""Full-text search: English and Chinese, across Chinese scripts, with groups of alternatives (the shape
a higher layer's cross-language expansion takes). Runs on SQLite FTS5 and on PostgreSQL alike."""

from __future__ import annotations

import pytest

from notes.search import query_groups, query_tokens, rebuild, search_note_ids


@pytest.fixture
def notes(make_user, make_note):
    alice = make_user("alice")
    return {
        "simplified": make_note(alice, title="成都火锅推荐", body="牛油锅底非常香", language="zh-Hans"),
        "traditional": make_note(alice, title="台北的火鍋店", body="湯頭很好喝", language="zh-Hant"),
        "english": make_note(alice, title="Best hot pot in Flushing", body="spicy broth, long queue"),
        "scattered": make_note(alice, title="A pot of tea", body="it was hot outside"),
    }


def test_traditional_and_simplified_find_each_other(notes):
    found = set(search_note_ids("火锅"))
    assert found == {notes["simplified"].pk, notes["traditional"].pk}
    assert set(search_note_ids("火鍋")) == found
    assert search_note_ids("汤头") == [notes["traditional"].pk]  # 湯頭 written in Traditional


def test_query_tokens_are_folded_and_segmented():
    assert query_tokens("火鍋 Hot-Pot") == ["火锅", "hot", "pot"]
    assert query_groups("成都火锅") == [["成都"], ["火锅"]]


def test_groups_of_alternatives(notes):
    # One group, two alternatives: the Chinese word or the English phrase (side by side).
    ids = set(search_note_ids("hot pot", groups=[["hot pot", "火锅"]]))
    assert ids == {notes["simplified"].pk, notes["traditional"].pk, notes["english"].pk}
    assert notes["scattered"].pk not in ids  # "hot" and "pot" apart are not the phrase
    # Every group must match: the alternative and another word.
    assert search_note_ids("x", groups=[["hot pot", "火锅"], ["成都"]]) == [notes["simplified"].pk]
    # Without groups every word must match somewhere, as before.
    assert set(search_note_ids("hot pot")) == {notes["english"].pk, notes["scattered"].pk}


@pytest.mark.parametrize(
    "groups",
    [[], [[]], [[""]], [['" OR * NEAR( --']], [["'); DROP TABLE notes_note; --"]], [["\\", "''"]]],
)
def test_odd_groups_are_harmless(notes, groups):
    assert search_note_ids("anything", groups=groups) == []


def test_rebuild_indexes_folded_text(notes):
    assert rebuild() == 4
    assert set(search_note_ids("火鍋")) == {notes["simplified"].pk, notes["traditional"].pk}
