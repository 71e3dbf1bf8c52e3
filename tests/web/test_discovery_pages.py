"""Search that helps, related notes, place pages, profile tabs and per-note stats, through the pages."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.test import Client

from notes import search_trends
from notes.models import NoteViewTally, RecentSearch, SearchTally


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


def _search_many(query: str, times: int, language: str = "en"):
    for i in range(times):
        search_trends.record_search(query=query, language=language, region="", repeat_token=f"t{i}")


# --- search --------------------------------------------------------------------------------------


def test_empty_search_page_shows_hot_searches_and_rising_tags(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="Matcha latte at home", tags=["matcha"], language="en")
    _search_many("matcha latte", 5)
    html = client.get("/search/").content.decode()
    assert "Hot searches" in html and 'href="?q=matcha%20latte"' in html
    assert "Rising tags" in html and 'href="/tag/matcha/"' in html
    assert "Recent searches" not in html  # a visitor has none


def test_empty_search_page_in_chinese(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="抹茶拿铁", body="在家做抹茶拿铁", tags=["抹茶"], language="zh-Hans")
    _search_many("抹茶", 4, language="zh-hans")
    html = client.get("/search/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "热门搜索" in html and ">抹茶</span>" in html and "上升的标签" in html


def test_a_search_is_counted_and_remembered_for_the_reader_only(client, make_user, login):
    alice = make_user("alice")
    client.get("/search/", {"q": "dumplings"})
    assert SearchTally.objects.get().count == 1 and not RecentSearch.objects.exists()
    login(alice)
    client.get("/search/", {"q": "Dumplings", "type": "tags"})
    client.get("/search/", {"q": "ramen", "page": "2"}, headers={"HX-Request": "true"})  # a next page: no
    assert SearchTally.objects.get().count == 2
    html = client.get("/search/").content.decode()
    assert "Recent searches" in html and 'href="?q=Dumplings"' in html and "ramen" not in html
    response = client.post("/search/recent/clear/")
    assert response.status_code == 302
    assert not RecentSearch.objects.exists() and "Recent searches" not in client.get("/search/").content.decode()


def test_clearing_recent_searches_needs_a_signed_in_post(client, make_user):
    assert client.get("/search/recent/clear/").status_code == 405
    assert client.post("/search/recent/clear/").status_code == 302  # to log in


def test_suggestions_are_json_with_tags_people_and_queries(client, make_user, post_note):
    matt = make_user("matcha_matt", display_name="Matt")
    post_note(matt, title="Matcha latte art", tags=["matcha"])
    _search_many("matcha latte", 3)
    response = client.get("/search/suggest/", {"q": "matc"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert [t["url"] for t in body["tags"]] == ["/tag/matcha/"]
    assert body["people"] == [{"username": "matcha_matt", "name": "Matt", "url": "/u/matcha_matt/"}]
    assert body["queries"] == [{"text": "matcha latte", "url": "/search/?q=matcha%20latte"}]
    assert client.post("/search/suggest/", {"q": "matc"}).status_code == 405


@pytest.mark.parametrize(
    "q",
    [
        "x" * 200_000,
        "\x00\x01\x02\x1b[31m",
        "'; DROP TABLE notes_note; --",
        '" OR 1=1 NEAR(a b) *',
        "%' OR '%'='",
        "<script>alert(1)</script>",
        "\u202e\u200b#@",
    ],
    ids=["huge", "control", "sql-drop", "fts-syntax", "like-wildcards", "script", "bidi"],
)
def test_hostile_input_to_search_and_suggestions(client, make_user, login, q):
    alice = make_user("alice")
    login(alice)
    response = client.get("/search/suggest/", {"q": q})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert set(body) == {"query", "tags", "people", "queries"} and len(body["query"]) <= 100
    assert "\x00" not in body["query"] and response["X-Content-Type-Options"] == "nosniff"  # JSON, never HTML
    page = client.get("/search/", {"q": q})
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.content.decode()
    assert all(len(t) <= search_trends.MAX_QUERY for t in search_trends.recent_searches(alice))
    assert "alice" in client.get("/u/alice/").content.decode()  # the database is intact


def test_empty_search_page_bounded_queries(client, make_user, post_note, login, django_assert_max_num_queries):
    alice = make_user("alice")
    for i in range(12):
        post_note(alice, title=f"Market find {i}", tags=[f"find{i}", "market"])
        _search_many(f"market find {i}", 3)
    login(alice)
    for i in range(10):
        client.get("/search/", {"q": f"market find {i}"})
    cache.clear()
    # session, user, hot searches (the tally; a findable check per shown query, at most 10), rising
    # tags (tally, tags, withheld counts), recent searches, unread count: 17 measured
    with django_assert_max_num_queries(18):
        assert client.get("/search/").status_code == 200
    with django_assert_max_num_queries(3):  # warm: hot lists cached; recent searches, unread count
        assert client.get("/search/").status_code == 200


# --- related notes and place pages ---------------------------------------------------------------


def test_note_page_links_its_place_and_shows_related_notes(client, make_user, post_note):
    ada, bo = make_user("ada"), make_user("bo")
    note = post_note(ada, title="Bagels at the market", tags=["bagels"], place="Leeds Kirkgate Market")
    twin = post_note(bo, title="More bagels", tags=["bagels"])
    there = post_note(bo, title="Flowers at the market", place="Leeds Kirkgate Market")
    post_note(bo, title="Unrelated walk", tags=["hiking"])
    html = client.get(f"/n/{note.pk}/").content.decode()
    assert f'href="/place/{note.place_id}/"' in html and "Leeds Kirkgate Market" in html
    related = html[html.index('id="related-h"') :]
    assert f'href="/n/{twin.pk}/?src=related"' in related and f'href="/n/{there.pk}/?src=related"' in related
    assert "Unrelated walk" not in related and f'href="/n/{note.pk}/?src=related"' not in related


def test_related_notes_leave_out_what_the_reader_may_not_see(client, make_user, post_note, login):
    from accounts.services import block

    ada, reader, blocker = make_user("ada"), make_user("reader"), make_user("blocker")
    note = post_note(ada, title="Tea house", tags=["tea"])
    theirs = post_note(blocker, title="Blocked tea", tags=["tea"])
    private = post_note(ada, title="Followers tea", tags=["tea"], visibility="followers")
    block(blocker=blocker, blocked=reader)
    login(reader)
    html = client.get(f"/n/{note.pk}/").content.decode()
    assert f"/n/{theirs.pk}/" not in html and f"/n/{private.pk}/" not in html


def test_note_page_with_related_notes_bounded_queries(
    client, make_user, post_note, login, django_assert_max_num_queries
):
    ada, bo = make_user("ada"), make_user("bo")
    note = post_note(ada, title="Bagels", tags=["bagels", "bread"], place="Leeds")
    for i in range(14):
        post_note(bo, title=f"Bread {i}", tags=["bread"], place="Leeds" if i % 2 else "")
    login(make_user("reader"))
    cache.clear()
    # cold: the page as before, related ids (tags, place, the note's embedding, the recommender's pool),
    # the related cards (notes, photos, tags, likes, collects) and the view's counter: 32 measured
    with django_assert_max_num_queries(32):
        assert client.get(f"/n/{note.pk}/").status_code == 200
    with django_assert_max_num_queries(10):  # warm: related ids and notes cached
        assert client.get(f"/n/{note.pk}/").status_code == 200


def test_place_page_lists_visible_notes_as_a_waterfall(client, make_user, post_note, django_assert_max_num_queries):
    ada = make_user("ada")
    notes = [post_note(ada, title=f"Pier {i}", place="Brighton Pier") for i in range(31)]
    secret = post_note(ada, title="Secret pier", place="Brighton Pier", visibility="followers")
    post_note(ada, title="Elsewhere", place="Hove")
    place_id = notes[0].place_id
    cache.clear()
    with django_assert_max_num_queries(6):  # place, its public notes, ids, notes + photos + tags
        response = client.get(f"/place/{place_id}/")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>" in html and "Brighton Pier" in html
    assert html.count('class="card"') == 30 and "Secret pier" not in html and "Elsewhere" not in html
    assert f'hx-get="/place/{place_id}/?cursor={notes[1].pk}"' in html
    more = client.get(f"/place/{place_id}/?cursor={notes[1].pk}", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in more and more.count('class="card"') == 1
    assert secret.place_id == place_id


def test_place_pages_404_for_missing_and_followers_only_places(client, make_user, post_note):
    ada = make_user("ada")
    secret = post_note(ada, title="Secret", place="Our garden", visibility="followers")
    assert client.get(f"/place/{secret.place_id}/").status_code == 404
    assert client.get("/place/999999/").status_code == 404
    assert client.get("/place/1/?cursor=abc").status_code == 404


# --- profile tabs ----------------------------------------------------------------------------------


@pytest.fixture
def collector(make_user, post_note):
    from notes.services import collect_note, create_board, like_note

    ada, mei = make_user("ada"), make_user("mei")
    public, private, liked = (post_note(ada, title=t) for t in ("Public pick", "Private pick", "Liked one"))
    collect_note(user=mei, note_id=public.pk, board_id=create_board(owner=mei, name="Open").pk)
    collect_note(user=mei, note_id=private.pk, board_id=create_board(owner=mei, name="Mine", is_private=True).pk)
    like_note(user=mei, note_id=liked.pk)
    return mei


def test_collects_tab_shows_public_boards_only_to_others(client, collector, make_user, login):
    html = client.get("/u/mei/collects/").content.decode()
    assert "Public pick" in html and "Private pick" not in html
    assert 'href="/u/mei/collects/" aria-current="page"' in html
    login(collector)
    html = client.get("/u/mei/collects/").content.decode()
    assert "Public pick" in html and "Private pick" in html


def test_liked_tab_is_private_by_default_and_shown_when_the_owner_says(client, collector, make_user, login):
    html = client.get("/u/mei/").content.decode()
    assert "/u/mei/liked/" not in html and "/u/mei/collects/" in html
    assert client.get("/u/mei/liked/").status_code == 404
    login(collector)
    assert "Liked one" in client.get("/u/mei/liked/").content.decode()  # the owner always sees it
    response = client.post("/settings/", {"form": "privacy", "show_likes": "on"})
    assert response.status_code == 302
    collector.refresh_from_db()
    assert collector.show_likes and not collector.show_collects  # an unticked box turns it off
    client.logout()
    assert "Liked one" in client.get("/u/mei/liked/").content.decode()
    assert client.get("/u/mei/collects/").status_code == 404


def test_profile_tabs_hide_notes_of_blocked_authors(client, make_user, post_note, login):
    from accounts.services import block, update_profile
    from notes.services import like_note

    mei, ada, reader = make_user("mei"), make_user("ada"), make_user("reader")
    update_profile(user=mei, show_likes=True)
    like_note(user=mei, note_id=post_note(ada, title="Ada's bread").pk)
    block(blocker=ada, blocked=reader)
    login(reader)
    assert "Ada&#x27;s bread" not in client.get("/u/mei/liked/").content.decode()


def test_profile_tabs_bounded_queries(client, make_user, post_note, login, django_assert_max_num_queries):
    from accounts.services import update_profile
    from notes.services import collect_note, create_board, like_note

    mei = make_user("mei")
    update_profile(user=mei, show_likes=True)
    board = create_board(owner=mei, name="Picks")
    authors = [make_user() for _ in range(5)]
    for i in range(30):
        note = post_note(authors[i % 5], title=f"pick {i}")
        like_note(user=mei, note_id=note.pk)
        collect_note(user=mei, note_id=note.pk, board_id=board.pk)
    login(make_user("reader"))
    for tab in ("collects", "liked"):
        cache.clear()
        with django_assert_max_num_queries(15):  # the same for 30 cards as for 3
            response = client.get(f"/u/mei/{tab}/")
        assert response.content.decode().count('class="card"') == 30


# --- per-note stats ------------------------------------------------------------------------------


def test_views_record_where_readers_came_from(client, make_user, post_note, login):
    ada = make_user("ada")
    note = post_note(ada, title="Bagels", place="Leeds")
    client.get(f"/n/{note.pk}/", HTTP_REFERER="http://testserver/search/?q=bagels")
    client.get(f"/n/{note.pk}/", HTTP_REFERER="http://testserver/search/?q=bagels")  # the same reader
    login(make_user("reader"))
    client.get(f"/n/{note.pk}/", HTTP_REFERER="http://testserver/")
    # Visitors from other addresses (a visitor without a session is counted once per address).
    Client(REMOTE_ADDR="10.0.0.2").get(f"/n/{note.pk}/", HTTP_REFERER=f"http://testserver/place/{note.place_id}/")
    Client(REMOTE_ADDR="10.0.0.3").get(f"/n/{note.pk}/", HTTP_REFERER="https://evil.example/search/")
    Client(REMOTE_ADDR="10.0.0.4").get(f"/n/{note.pk}/", HTTP_REFERER="http://testserver/u/ada/liked/")
    login(ada)
    client.get(f"/n/{note.pk}/")  # the author's own view is not counted
    counts = dict(NoteViewTally.objects.filter(note=note).values_list("source", "views"))
    assert counts == {"search": 1, "for_you": 1, "place": 1, "other": 1, "profile": 1}


def test_stats_page_for_the_author_and_staff_only(client, make_user, post_note, login, django_assert_max_num_queries):
    ada, bob, staff = make_user("ada"), make_user("bob"), make_user("staff")
    staff.is_staff = True
    staff.save()
    note = post_note(ada, title="Bagels")
    Client().get(f"/n/{note.pk}/", HTTP_REFERER="http://testserver/search/")
    assert client.get(f"/n/{note.pk}/stats/").status_code == 302  # log in first
    login(bob)
    assert client.get(f"/n/{note.pk}/stats/").status_code == 404
    assert "/stats/" not in client.get(f"/n/{note.pk}/").content.decode()
    client.logout()
    login(ada)
    assert f'href="/n/{note.pk}/stats/"' in client.get(f"/n/{note.pk}/").content.decode()
    with django_assert_max_num_queries(4):  # session, user, note, one grouped count
        response = client.get(f"/n/{note.pk}/stats/")
    html = response.content.decode()
    assert response.status_code == 200 and "Where readers came from" in html and 'data-source="search"' in html
    client.logout()
    login(staff)
    assert client.get(f"/n/{note.pk}/stats/").status_code == 200
    assert client.get("/n/99999999/stats/").status_code == 404


# --- Discover's topic tabs for someone who picked no interests -------------------------------------------


def _tabs(html: str) -> list[str]:
    nav = html.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
    return [unquote(part.split("/", 1)[0]) for part in nav.split('href="/tag/')[1:]]


@pytest.fixture
def tags_in_two_languages(make_user, post_note):
    """A Chinese tag used most, six English tags used less, and a second Chinese one."""
    alice, mei = make_user("alice"), make_user("mei", languages=["zh-Hans"])
    for i in range(4):
        post_note(mei, title=f"大家好 {i}", body="新来的，请多关照", tags=["欢迎新朋友"], language="zh-Hans")
    post_note(mei, title="收纳小技巧", body="衣柜整理", tags=["收纳"], language="zh-Hans")
    for i, tag in enumerate(["newhere", "roadtrip", "sunscreen", "baking", "coffee", "citywalk"]):
        for k in range(3 if i < 2 else 2):
            post_note(alice, title=f"About {tag} {k}", tags=[tag], language="en")
    cache.clear()


def test_a_visitor_reading_english_gets_english_tabs(client, tags_in_two_languages):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert _tabs(html) == ["newhere", "roadtrip", "baking", "citywalk", "coffee", "sunscreen"]


def test_a_visitor_reading_chinese_gets_chinese_tabs_first(client, tags_in_two_languages):
    html = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).content.decode()
    assert _tabs(html)[:2] == ["欢迎新朋友", "收纳"] and len(_tabs(html)) == 6
    assert "发现" in html  # the page itself in Chinese


def test_a_visitor_reading_both_gets_the_most_used_in_either(client, tags_in_two_languages):
    html = client.get("/", headers={"Accept-Language": "en-GB,zh-CN;q=0.5"}).content.decode()
    assert _tabs(html)[0] == "欢迎新朋友" and "newhere" in _tabs(html)


def test_a_signed_in_reader_without_interests_gets_tabs_in_the_languages_of_their_profile(
    client, make_user, login, tags_in_two_languages
):
    login(make_user("wang", languages=["zh-Hans"]))
    html = client.get("/", headers={"Accept-Language": "en-US"}).content.decode()
    assert _tabs(html)[:2] == ["欢迎新朋友", "收纳"]
