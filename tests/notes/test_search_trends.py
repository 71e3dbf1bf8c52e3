"""Hot searches, rising tags, suggestions and recent searches (notes/search_trends.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from notes import search_trends
from notes.models import RecentSearch, SearchTally


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


@pytest.fixture
def post_note(make_note):
    def make(author, title, **kwargs):
        return make_note(author, title=title, body=title, photos=0, **kwargs)

    return make


def _search(query: str, times: int, *, language="en", region="GB", start=0):
    """``times`` searches by as many different readers (a reader's repeats count once)."""
    for i in range(times):
        search_trends.record_search(query=query, language=language, region=region, repeat_token=f"r{start + i}")


def _age(query: str, hours: int):
    """Move a query's tally back in time, as if it had been searched ``hours`` ago."""
    key = search_trends.query_key(query)
    SearchTally.objects.filter(key=key).update(hour=search_trends._hour(timezone.now() - timedelta(hours=hours)))


def test_the_tally_keeps_no_reader_and_counts_a_readers_repeat_once(make_user):
    alice = make_user("alice")
    for _ in range(3):
        search_trends.record_search(query="Hot  Pot", language="en", region="GB", user=alice, repeat_token="ua")
    search_trends.record_search(query="hot pot", language="en", region="GB", repeat_token="other")
    row = SearchTally.objects.get()
    assert (row.key, row.text, row.language, row.region, row.count) == ("hot pot", "Hot Pot", "en", "GB", 2)
    fields = {f.name for f in SearchTally._meta.get_fields()}
    assert not fields & {"user", "user_id", "ip", "session"}


def test_recent_searches_are_the_users_own_newest_first_kept_to_ten_and_clearable(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    for i in range(12):
        search_trends.record_search(query=f"query {i}", language="en", region="", user=alice, repeat_token="a")
    search_trends.record_search(query="query 3", language="en", region="", user=alice, repeat_token="a")
    search_trends.record_search(query="bob's", language="en", region="", user=bob, repeat_token="b")
    recent = search_trends.recent_searches(alice)
    assert len(recent) == search_trends.KEEP_RECENT == 10
    assert recent[0] == "query 3" and recent[1] == "query 11" and "query 0" not in recent
    assert search_trends.recent_searches(bob) == ["bob's"]
    assert search_trends.recent_searches(None) == []
    assert search_trends.clear_recent_searches(user=alice) == 10
    assert search_trends.recent_searches(alice) == [] and RecentSearch.objects.filter(user=bob).count() == 1


def test_hot_searches_rise_against_their_baseline(make_user, post_note):
    author = make_user("author")
    for title in ("Matcha latte", "Dumplings", "Sourdough", "Ramen"):
        post_note(author, title=title)
    _search("matcha", 8)  # a burst today, never searched before
    _search("dumplings", 40, start=100)  # a steady favourite: 40 a day for a week...
    _age("dumplings", 48)
    _search("dumplings", 4, start=200)  # ... and 4 today, fewer than usual
    _search("sourdough", 2, start=300)  # too few searches to be shown to anyone
    _search("ramen", 5, start=400, region="CN")  # another region
    hot = search_trends.hot_searches(language="en", region="GB")
    assert [h.text for h in hot] == ["matcha", "ramen"]  # GB's own first, then the language's other regions
    assert hot[0].is_new and hot[0].searches == 8
    assert search_trends.hot_searches(language="zh-hans", region="GB") == []


def test_a_hot_query_must_find_something(db):
    _search("zzqx private name", 9)
    assert search_trends.hot_searches(language="en", region="GB") == []


def test_rise_is_a_burst_over_the_expected(db):
    assert search_trends.rise(10, 0, recent_span=24, baseline_span=168) == pytest.approx(10)
    steady = search_trends.rise(10, 70, recent_span=24, baseline_span=168)
    assert steady == pytest.approx(0)
    assert search_trends.rise(3, 0, recent_span=24, baseline_span=168) < search_trends.rise(
        30, 70, recent_span=24, baseline_span=168
    )


def test_rising_tags_by_new_notes_and_engagement_in_the_readers_language(make_user, post_note):
    from notes.models import Note
    from notes.services import like_note

    author, fan = make_user("author"), make_user("fan")
    post_note(author, title="Old bread", tags=["bread"], language="en")
    Note.objects.update(created_at=timezone.now() - timedelta(days=8))
    fresh = post_note(author, title="Kimchi jar", tags=["kimchi"], language="en")
    like_note(user=fan, note_id=fresh.pk)
    post_note(author, title="泡菜", tags=["泡菜"], language="zh-Hans")
    tags = search_trends.rising_tags(language="en", country="GB")
    assert [t.name for t in tags] == ["kimchi"]
    cache.clear()
    assert [t.name for t in search_trends.rising_tags(language="zh-hans", country="GB")] == ["泡菜"]


def test_suggestions_offer_tags_people_and_popular_queries(make_user, post_note):
    from accounts.services import block

    matt = make_user("matcha_matt", display_name="Matt")
    blocked = make_user("matcha_mallory")
    reader = make_user("reader")
    block(blocker=blocked, blocked=reader)
    post_note(matt, title="Matcha latte art", tags=["matcha"])
    _search("matcha latte", 4)
    found = search_trends.search_suggestions("mat", viewer=reader, language="en", country="GB")
    assert [t.name for t in found.tags] == ["matcha"]
    assert [p.username for p in found.people] == ["matcha_matt"]  # not the account blocked either way
    assert found.queries == ["matcha latte"]
    empty = search_trends.search_suggestions("  \x00\x1f ", viewer=None, language="en", country=None)
    assert empty == search_trends.Suggestions(tags=[], people=[], queries=[])


@pytest.mark.parametrize(
    "raw",
    ["a" * 100_000, "\x00\x01DROP TABLE notes_note;--", "' OR 1=1 --", '" NEAR( * ', "\u202egnp.exe", "%_%"],
)
def test_hostile_queries_are_cleaned_kept_short_and_harmless(make_user, raw):
    alice = make_user("alice")
    search_trends.record_search(query=raw, language="en", region="GB", user=alice, repeat_token="a")
    for row in SearchTally.objects.all():
        assert len(row.text) <= search_trends.MAX_QUERY and "\x00" not in row.text and "\u202e" not in row.text
    search_trends.search_suggestions(raw, viewer=alice, language="en", country="GB")
    search_trends.hot_searches(language="en", region="GB")
    assert all(len(t) <= search_trends.MAX_QUERY for t in search_trends.recent_searches(alice))


def test_one_person_searching_ten_times_is_not_hot_three_people_are(make_user, post_note):
    from notes.models import SearchPerson

    post_note(make_user("author"), title="Mochi donuts")
    keen = make_user("keen")
    # Ten searches by one account, from ten sessions six hours apart as far as the repeat check knows.
    for i in range(10):
        search_trends.record_search(
            query="mochi", language="en", region="GB", user=keen, repeat_token=f"s{i}", searcher=f"u{keen.pk}"
        )
    # A visitor searching from one address with fresh sessions is one person too.
    for i in range(5):
        search_trends.record_search(
            query="mochi", language="en", region="GB", repeat_token=f"v{i}", searcher="a203.0.113.9"
        )
    assert SearchTally.objects.get().count == 15
    assert search_trends.hot_searches(language="en", region="GB") == []
    cache.clear()
    for name in ("second", "third"):
        user = make_user(name)
        search_trends.record_search(
            query="Mochi", language="en", region="GB", user=user, repeat_token=name, searcher=f"u{user.pk}"
        )
    # keen, the visitor and two more: four people.
    [hot] = search_trends.hot_searches(language="en", region="GB")
    assert hot.text == "mochi" and hot.searches == 4
    # Who searched is kept only as a keyed hash: no account id, address or query in the clear.
    digests = list(SearchPerson.objects.values_list("digest", flat=True))
    assert len(digests) == 4
    for digest in digests:
        assert str(keen.pk) not in digest and "203.0.113.9" not in digest and "mochi" not in digest
        assert len(digest) == 32 and int(digest, 16) >= 0


def test_searchers_are_counted_again_the_next_day_and_old_marks_go(make_user, post_note, settings):
    from freezegun import freeze_time

    from notes.models import SearchPerson

    post_note(make_user("author"), title="Mochi donuts")
    with freeze_time("2026-12-01 10:00:00"):
        search_trends.record_search(query="mochi", language="en", region="", repeat_token="x", searcher="u1")
    cache.clear()
    with freeze_time("2026-12-03 10:00:00"):
        search_trends.record_search(query="mochi", language="en", region="", repeat_token="x", searcher="u1")
        assert list(SearchPerson.objects.values_list("day", flat=True)) == [timezone.localdate()]
    assert sorted(SearchTally.objects.values_list("people", flat=True)) == [1, 1]
