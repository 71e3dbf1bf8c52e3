import pytest

from accounts.services import block, follow, mute, unfollow
from core.errors import ServiceError
from feeds.selectors import discover, home_timeline, public_timeline
from feeds.services import rebuild_timeline
from notes.search import search_note_ids


def test_fan_out_puts_notes_in_followers_home(make_user, make_note):
    alice, bob, carol = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    first = make_note(alice, title="first")
    second = make_note(alice, title="second")
    make_note(carol, title="not followed")
    assert [n.pk for n in home_timeline(bob)] == [second.pk, first.pk]
    assert [n.pk for n in home_timeline(bob, max_id=second.pk)] == [first.pk]
    assert [n.pk for n in home_timeline(bob, since_id=first.pk)] == [second.pk]
    assert [n.pk for n in home_timeline(bob, min_id=first.pk, limit=1)] == [second.pk]
    assert [n.pk for n in home_timeline(alice)] == [second.pk, first.pk]


def test_follow_backfills_and_unfollow_removes(make_user, make_note, on_commit):
    alice, bob = make_user(), make_user()
    old = make_note(alice)
    with on_commit():
        follow(follower=bob, followee=alice)
    assert [n.pk for n in home_timeline(bob)] == [old.pk]
    unfollow(follower=bob, followee=alice)
    assert home_timeline(bob) == []


def test_muted_and_blocked_authors_drop_out(make_user, make_note):
    alice, bob, carol = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    follow(follower=bob, followee=carol)
    make_note(alice)
    make_note(carol)
    mute(muter=bob, muted=alice)
    block(blocker=carol, blocked=bob)
    assert home_timeline(bob) == []


def test_rebuild_recreates_timeline(make_user, make_note):
    alice, bob = make_user(), make_user()
    follow(follower=bob, followee=alice)
    notes = [make_note(alice, title=f"n{i}") for i in range(3)]
    assert rebuild_timeline(user_id=bob.pk) == 3
    assert [n.pk for n in home_timeline(bob)] == [n.pk for n in reversed(notes)]


def test_public_and_discover(make_user, make_note):
    alice = make_user()
    notes = [make_note(alice, title=f"n{i}") for i in range(5)]
    make_note(alice, title="hidden", visibility="followers")
    assert [n.pk for n in public_timeline(None, limit=3)] == [n.pk for n in reversed(notes)][:3]
    page, cursor = discover(None, limit=3)
    assert len(page) == 3 and cursor == "3"
    page2, cursor2 = discover(None, cursor=cursor, limit=3)
    assert len(page2) == 2 and cursor2 is None
    assert not {n.pk for n in page} & {n.pk for n in page2}
    with pytest.raises(ServiceError):
        discover(None, cursor="abc")


def test_search_english_and_chinese(make_user, make_note):
    alice = make_user()
    dumplings = make_note(alice, title="Best dumplings in Queens", body="pork and chive")
    hotpot = make_note(alice, title="成都火锅推荐", body="这家店的牛油锅底非常香，排队一小时也值得")
    make_note(alice, title="Morning run", body="5k along the river")
    assert search_note_ids("dumplings") == [dumplings.pk]
    assert search_note_ids("Dumplings QUEENS") == [dumplings.pk]
    assert search_note_ids("火锅") == [hotpot.pk]
    assert search_note_ids("锅底") == [hotpot.pk]
    assert search_note_ids("成都") == [hotpot.pk]
    assert search_note_ids("sushi") == []
    # Hostile query syntax is treated as words, never as FTS operators.
    assert search_note_ids('" OR * NEAR( -- ') == []
    assert search_note_ids("") == []


def test_home_min_id_returns_the_page_just_above_the_cursor(make_user, make_note):
    alice = make_user()
    notes = [make_note(alice, title=f"n{i}", photos=0) for i in range(6)]
    page = home_timeline(alice, min_id=notes[0].pk, limit=2)
    assert [n.pk for n in page] == [notes[2].pk, notes[1].pk]
