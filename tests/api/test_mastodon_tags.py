"""Followed tags, trends and follow suggestions through the Mastodon API (Django's test client).

Mastodon.py and a toot-style client drive the same endpoints against a live server in
tests/api/test_mastodon_py_tags.py.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import SuggestionDismissal, User
from accounts.services import block, follow, mute
from notes.models import Tag, TagFollow, Visibility
from review import withholding

TH_IP, GB_IP = "1.46.0.1", "81.2.69.142"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [str(item["id"]) for item in response.json()]


# --- following a tag -----------------------------------------------------------------------------


def test_follow_show_and_unfollow_a_tag(make_user, make_note, client_for, on_commit):
    reader, cook = make_user("reader"), make_user("cook")
    make_note(cook, title="Noodles", body="Hand-pulled #Food")
    api = client_for(reader)

    shown = api.get("/api/v1/tags/food").json()
    assert shown["name"] == "food" and shown["following"] is False
    assert shown["url"].endswith("/tag/food/")
    assert len(shown["history"]) == 7
    assert shown["history"][0] == {
        "day": shown["history"][0]["day"],
        "uses": "1",
        "accounts": "1",
    }
    assert int(shown["history"][0]["day"]) % 86400 == 0  # midnight UTC, as Mastodon writes it
    assert [h["uses"] for h in shown["history"][1:]] == ["0"] * 6

    with on_commit():
        followed = api.post("/api/v1/tags/Food/follow")
    assert followed.status_code == 200
    assert followed.json()["name"] == "food" and followed.json()["following"] is True
    assert api.get("/api/v1/tags/food").json()["following"] is True
    assert TagFollow.objects.filter(user=reader, tag__name="food").count() == 1

    with on_commit():
        again = api.post("/api/v1/tags/food/follow")  # idempotent
    assert again.status_code == 200 and again.json()["following"] is True
    assert TagFollow.objects.filter(user=reader).count() == 1

    with on_commit():
        dropped = api.post("/api/v1/tags/food/unfollow")
    assert dropped.status_code == 200 and dropped.json()["following"] is False
    with on_commit():
        assert api.post("/api/v1/tags/food/unfollow").json()["following"] is False  # idempotent
    assert not TagFollow.objects.filter(user=reader).exists()


def test_following_an_unused_tag_makes_it_and_chinese_names_work(make_user, client_for, on_commit):
    reader = make_user("reader")
    api = client_for(reader)
    unknown = api.get("/api/v1/tags/neverused")
    assert unknown.status_code == 200
    assert unknown.json()["following"] is False and unknown.json()["id"] is None
    assert [h["uses"] for h in unknown.json()["history"]] == ["0"] * 7
    assert not Tag.objects.filter(name="neverused").exists()  # reading never writes

    with on_commit():
        made = api.post(f"/api/v1/tags/{quote('火锅')}/follow")
    assert made.status_code == 200 and made.json()["name"] == "火锅" and made.json()["following"] is True
    assert api.get(f"/api/v1/tags/{quote('火锅')}").json()["following"] is True
    assert [t["name"] for t in api.get("/api/v1/followed_tags").json()] == ["火锅"]
    # The unsaved tag's row exists now but lists nowhere public: no public note uses it.
    assert "火锅" not in [t["name"] for t in Client().get("/api/v1/trends/tags").json()]


def test_a_tag_used_only_in_followers_only_notes_looks_unused(make_user, make_note, client_for, on_commit):
    author, stranger, friend = make_user("author"), make_user("stranger"), make_user("friend")
    with on_commit():
        follow(follower=friend, followee=author)
    make_note(author, title="Members", body="#secretclub", visibility=Visibility.FOLLOWERS)
    for viewer in (None, stranger, friend):
        shown = client_for(viewer).get("/api/v1/tags/secretclub").json()
        assert shown["id"] is None and [h["uses"] for h in shown["history"]] == ["0"] * 7
    assert Client().get("/api/v1/trends/tags").json() == []
    with on_commit():
        client_for(stranger).post("/api/v1/tags/secretclub/follow")
    assert client_for(stranger).get("/api/v1/timelines/home").json() == []


@pytest.mark.parametrize(
    "name",
    [
        "x" * 51,
        "x" * 1000,
        "two words",
        "semi;colon",
        "%F0%9F%92%A5",  # an emoji is not a word character
        "%E2%80%AEevil",  # right-to-left override
        "tab%09tag",
        "%23%23",  # "##"
        "%20",
    ],
)
def test_hostile_tag_names_get_a_clear_error(make_user, client_for, name):
    api = client_for(make_user("reader"))
    follow_response = api.post(f"/api/v1/tags/{name}/follow")
    assert follow_response.status_code == 422, follow_response.content
    assert follow_response.json()["error"] == "That is not a valid tag name."
    assert api.post(f"/api/v1/tags/{name}/unfollow").status_code == 422
    shown = api.get(f"/api/v1/tags/{name}")
    assert shown.status_code == 404 and shown.json()["error"] == "Record not found"
    assert not TagFollow.objects.exists()
    assert not Tag.objects.exists()


def test_tag_endpoints_need_a_user_and_the_right_scope(make_user, client_for):
    reader = make_user("reader")
    anonymous = client_for()
    assert anonymous.post("/api/v1/tags/food/follow").status_code == 401
    assert anonymous.post("/api/v1/tags/food/unfollow").status_code == 401
    assert anonymous.get("/api/v1/followed_tags").status_code == 401
    assert anonymous.get("/api/v1/tags/food").status_code == 200  # reading a tag is public
    assert client_for(reader, scopes="read").post("/api/v1/tags/food/follow").status_code == 403
    assert client_for(reader, scopes="read:statuses").get("/api/v1/followed_tags").status_code == 403
    assert client_for(reader, scopes="write:follows").post("/api/v1/tags/food/follow").status_code == 200
    assert client_for(reader, scopes="follow").post("/api/v1/tags/tea/follow").status_code == 200
    assert client_for(reader, scopes="read:follows").get("/api/v1/followed_tags").status_code == 200
    assert client_for(reader).get("/api/v1/tags/food/follow").status_code == 405
    assert not TagFollow.objects.filter(tag__name="food").exclude(user=reader).exists()


def test_followed_tags_paginate_with_link_headers(make_user, client_for, on_commit):
    reader = make_user("reader")
    api = client_for(reader)
    for name in ("one", "two", "three", "four", "five"):
        with on_commit():
            assert api.post(f"/api/v1/tags/{name}/follow").status_code == 200
    first = api.get("/api/v1/followed_tags", {"limit": 2})
    assert [t["name"] for t in first.json()] == ["five", "four"]
    assert all(t["following"] is True for t in first.json())
    assert 'rel="next"' in first["Link"]
    next_url = first["Link"].split(";")[0].strip("<>")
    assert "max_id=" in next_url and "limit=2" in next_url
    second = api.get(next_url.split("testserver")[1])
    assert [t["name"] for t in second.json()] == ["three", "two"]
    third = api.get(second["Link"].split(";")[0].strip("<>").split("testserver")[1])
    assert [t["name"] for t in third.json()] == ["one"]
    assert 'rel="next"' not in third["Link"]  # a short page is the last
    assert api.get("/api/v1/followed_tags", {"max_id": "nonsense"}).status_code == 422
    assert client_for(make_user("other")).get("/api/v1/followed_tags").json() == []


# --- followed tags feed the home timeline ----------------------------------------------------------


def test_a_followed_tag_brings_public_notes_to_home_and_backfills(make_user, make_note, client_for, on_commit):
    reader, cook, friend = make_user("reader"), make_user("cook"), make_user("friend")
    older = make_note(cook, title="Older dumplings", body="Steamed #food")
    untagged = make_note(cook, title="Weather", body="Rainy")
    api = client_for(reader)
    with on_commit():
        api.post("/api/v1/tags/food/follow")
    home = ids(api.get("/api/v1/timelines/home"))
    assert str(older.pk) in home  # backfilled on follow, as following an account does
    assert str(untagged.pk) not in home

    fresh = make_note(cook, title="New noodles", body="Hand-pulled #Food")
    private = make_note(cook, title="Secret recipe", body="Only followers #food", visibility=Visibility.FOLLOWERS)
    unlisted = make_note(cook, title="Quiet note", body="Unlisted #food", visibility=Visibility.UNLISTED)
    home = ids(api.get("/api/v1/timelines/home"))
    assert home[0] == str(fresh.pk)
    assert str(private.pk) not in home  # followers-only notes of an author the reader does not follow
    assert str(unlisted.pk) not in home  # unlisted notes stay out of tag followers' timelines

    with on_commit():
        follow(follower=reader, followee=friend)
    friends_note = make_note(friend, title="Friend's food", body="Tacos #food")
    with on_commit():
        api.post("/api/v1/tags/food/unfollow")
    home = ids(api.get("/api/v1/timelines/home"))
    assert str(fresh.pk) not in home and str(older.pk) not in home
    assert str(friends_note.pk) in home  # there because the reader follows its author


def test_blocked_muted_and_withheld_notes_stay_out_of_a_tag_followers_home(
    make_user, make_note, client_for, on_commit, admin_user, settings
):
    settings.REVIEW_SCREENING = False
    reader, rude, loud, cook = make_user("reader"), make_user("rude"), make_user("loud"), make_user("cook")
    api = client_for(reader)
    with on_commit():
        api.post("/api/v1/tags/food/follow")
    with on_commit():
        block(blocker=rude, blocked=reader)  # the author blocked the reader
        mute(muter=reader, muted=loud)
    by_rude = make_note(rude, title="Rude", body="#food")
    by_loud = make_note(loud, title="Loud", body="#food")
    royal = make_note(cook, title="Royal banquet", body="#food")
    plain = make_note(cook, title="Plain rice", body="#food")
    withholding.withhold_note(actor=admin_user, note=royal, countries=["TH"], reason_code="state_protection")

    from_thailand = client_for(reader)
    from_thailand.client = Client(REMOTE_ADDR=TH_IP)
    home = ids(from_thailand.get("/api/v1/timelines/home"))
    assert home == [str(plain.pk)]
    assert str(by_rude.pk) not in home and str(by_loud.pk) not in home

    from_britain = client_for(reader)
    from_britain.client = Client(REMOTE_ADDR=GB_IP)
    assert ids(from_britain.get("/api/v1/timelines/home")) == [str(plain.pk), str(royal.pk)]


# --- trends --------------------------------------------------------------------------------------


def test_trending_statuses_rank_public_notes_and_page_by_offset(make_user, make_note, client_for, on_commit):
    from notes.services import like_note

    author, reader, fan = make_user("author"), make_user("reader"), make_user("fan")
    notes = [make_note(author, title=f"Note {i}", body=f"text {i}") for i in range(5)]
    private = make_note(author, title="Private", body="followers", visibility=Visibility.FOLLOWERS)
    with on_commit():
        like_note(user=fan, note_id=notes[0].pk)
        like_note(user=reader, note_id=notes[0].pk)
    anonymous = Client()
    first = anonymous.get("/api/v1/trends/statuses", {"limit": 2})
    assert ids(first)[0] == str(notes[0].pk)  # the liked one ranks first
    assert len(ids(first)) == 2
    assert 'rel="next"' in first["Link"] and "offset=2" in first["Link"]
    everything = ids(anonymous.get("/api/v1/trends/statuses", {"limit": 40}))
    assert sorted(everything) == sorted(str(n.pk) for n in notes)
    assert str(private.pk) not in everything
    rest = ids(anonymous.get("/api/v1/trends/statuses", {"limit": 2, "offset": 4}))
    assert len(rest) == 1
    assert ids(anonymous.get("/api/v1/trends/statuses", {"offset": 99999})) == []
    assert anonymous.get("/api/v1/trends/statuses", {"limit": "many"}).status_code == 422

    with on_commit():
        block(blocker=reader, blocked=author)
    assert ids(client_for(reader).get("/api/v1/trends/statuses")) == []  # blocked authors never trend for them


def test_trending_statuses_leave_out_notes_withheld_in_the_viewers_country(
    make_user, make_note, client_for, admin_user, settings
):
    settings.REVIEW_SCREENING = False
    author = make_user("author")
    royal = make_note(author, title="Royal essay", body="monarchy")
    other = make_note(author, title="Dessert", body="mango")
    withholding.withhold_note(actor=admin_user, note=royal, countries=["TH"], reason_code="state_protection")
    assert ids(Client(REMOTE_ADDR=TH_IP).get("/api/v1/trends/statuses")) == [str(other.pk)]
    assert sorted(ids(Client(REMOTE_ADDR=GB_IP).get("/api/v1/trends/statuses"))) == sorted(
        [str(royal.pk), str(other.pk)]
    )


def test_trending_tags_count_public_notes_per_day_and_account(make_user, make_note, client_for, admin_user, settings):
    settings.REVIEW_SCREENING = False
    a, b, reader = make_user("a"), make_user("b"), make_user("reader")
    now = timezone.now()
    make_note(a, title="Hotpot 1", body="#hotpot")
    make_note(a, title="Hotpot 2", body="#hotpot")
    make_note(b, title="Hotpot 3", body="#hotpot")
    make_note(b, title="Hotpot old", body="#hotpot", created_at=now - timedelta(days=2))
    make_note(a, title="Tea", body="#tea")
    make_note(a, title="Secret", body="#secretclub", visibility=Visibility.FOLLOWERS)
    royal = make_note(b, title="Royal", body="#hotpot")
    withholding.withhold_note(actor=admin_user, note=royal, countries=["TH"], reason_code="state_protection")

    response = Client(REMOTE_ADDR=GB_IP).get("/api/v1/trends/tags")
    assert response.status_code == 200
    trends = response.json()
    assert [t["name"] for t in trends] == ["hotpot", "tea"]
    hotpot = trends[0]
    assert len(hotpot["history"]) == 7
    assert (hotpot["history"][0]["uses"], hotpot["history"][0]["accounts"]) == ("4", "2")
    assert (hotpot["history"][2]["uses"], hotpot["history"][2]["accounts"]) == ("1", "1")
    assert int(hotpot["history"][0]["day"]) - int(hotpot["history"][1]["day"]) == 86400
    assert hotpot["following"] is False

    from_thailand = Client(REMOTE_ADDR=TH_IP).get("/api/v1/trends/tags").json()
    assert from_thailand[0]["history"][0]["uses"] == "3"  # the withheld note is not counted there

    page = Client().get("/api/v1/trends/tags", {"limit": 1})
    assert [t["name"] for t in page.json()] == ["hotpot"] and "offset=1" in page["Link"]
    assert [t["name"] for t in Client().get("/api/v1/trends/tags", {"limit": 1, "offset": 1}).json()] == ["tea"]
    assert Client().get("/api/v1/trends", {"limit": 1}).json()[0]["name"] == "hotpot"  # the pre-3.5 path

    api = client_for(reader)
    api.post("/api/v1/tags/tea/follow")
    tea = [t for t in api.get("/api/v1/trends/tags").json() if t["name"] == "tea"]
    assert tea[0]["following"] is True


def test_trending_links_is_an_empty_list(db):
    response = Client().get("/api/v1/trends/links")
    assert response.status_code == 200 and response.json() == []
    assert Client().get("/api/v1/trends/links", {"offset": "x"}).status_code == 422


# --- suggestions ---------------------------------------------------------------------------------


def test_suggestions_with_sources_and_what_they_leave_out(make_user, make_note, client_for, on_commit):
    me, friend = make_user("myself"), make_user("friend")
    fof, star, followed = make_user("fof"), make_user("star"), make_user("followed")
    blocked, blocker, muted = make_user("blocked"), make_user("blocker"), make_user("muted")
    _silent, dormant, gone = make_user("silent"), make_user("dormant"), make_user("gone")
    for user in (friend, fof, star, followed, blocked, blocker, muted, dormant, gone):
        make_note(user, title=f"By {user.username}", body="hello", photos=0)
    User.objects.filter(pk=dormant.pk).update(last_note_at=timezone.now() - timedelta(days=400))
    User.objects.filter(pk=gone.pk).update(is_active=False)
    with on_commit():
        follow(follower=me, followee=friend)
        follow(follower=me, followee=followed)
        follow(follower=friend, followee=fof)
        follow(follower=followed, followee=fof)
        follow(follower=friend, followee=followed)
        for fan in (make_user("fan1"), make_user("fan2")):
            follow(follower=fan, followee=star)
        block(blocker=me, blocked=blocked)
        block(blocker=blocker, blocked=me)
        mute(muter=me, muted=muted)

    api = client_for(me)
    v2 = api.get("/api/v2/suggestions").json()
    by_name = {s["account"]["username"]: s for s in v2}
    assert v2[0]["account"]["username"] == "fof"
    assert by_name["fof"]["sources"][0] == "friends_of_friends" and by_name["fof"]["source"] == "past_interactions"
    assert by_name["star"]["sources"] == ["most_followed"] and by_name["star"]["source"] == "global"
    assert set(by_name) == {"fof", "star"}, "never yourself, followed, blocked either way, muted, inactive"

    v1 = api.get("/api/v1/suggestions").json()
    assert [a["username"] for a in v1] == [s["account"]["username"] for s in v2]

    dismissed = api.delete(f"/api/v1/suggestions/{fof.pk}")
    assert dismissed.status_code == 200 and dismissed.json() == {}
    assert api.delete(f"/api/v1/suggestions/{fof.pk}").status_code == 200  # idempotent
    assert SuggestionDismissal.objects.filter(user=me, account=fof).count() == 1
    assert [s["account"]["username"] for s in api.get("/api/v2/suggestions").json()] == ["star"]

    assert api.delete("/api/v1/suggestions/12345").status_code == 404
    assert api.delete(f"/api/v1/suggestions/{blocker.pk}").status_code == 404  # blocked either way: missing
    assert api.delete(f"/api/v1/suggestions/{blocked.pk}").status_code == 404
    assert api.delete(f"/api/v1/suggestions/{gone.pk}").status_code == 404
    assert api.delete("/api/v1/suggestions/not-an-id").status_code == 404
    assert api.get("/api/v2/suggestions", {"limit": "lots"}).status_code == 422
    assert client_for().get("/api/v2/suggestions").status_code == 401
    assert client_for().delete(f"/api/v1/suggestions/{star.pk}").status_code == 401
    assert client_for(me, scopes="read").delete(f"/api/v1/suggestions/{star.pk}").status_code == 403
    assert client_for(me, scopes="write").get("/api/v2/suggestions").status_code == 403
    assert not SuggestionDismissal.objects.filter(account=star).exists()


# --- bounded work per request --------------------------------------------------------------------


def test_tag_lists_take_a_constant_number_of_queries(
    make_user, make_note, client_for, on_commit, django_assert_max_num_queries
):
    from django.core.cache import cache

    reader, author = make_user("reader"), make_user("author")
    names = [f"topic{i}" for i in range(12)]
    for i in range(0, 12, 3):
        make_note(author, title=f"Note {i}", body=" ".join(f"#{n}" for n in names[i : i + 3]), photos=0)
    api = client_for(reader)
    for name in names:
        with on_commit():
            api.post(f"/api/v1/tags/{name}/follow")
    cache.clear()
    # token, user, the follows with their tags, their history, and the operator's limits (one row for
    # every request, cached): none per tag
    with django_assert_max_num_queries(5):
        followed = api.get("/api/v1/followed_tags")
    assert len(followed.json()) == 12
    cache.clear()
    # token, user, ranking (recent, then all-time), tags, history, followed, the operator's limits: none per tag
    with django_assert_max_num_queries(8):
        trends = api.get("/api/v1/trends/tags", {"limit": 20})
    assert len(trends.json()) == 12
