"""Followed tags in home timelines: fan-out on write, backfill on follow, drop on unfollow, rebuild.

Run against both timeline stores: the table (SQLite / PostgreSQL) and Redis (with REDIS_URL)."""

from accounts.services import block, follow, mute
from feeds.selectors import home_timeline
from feeds.services import rebuild_timeline, tag_followers
from feeds.timelines import store
from notes.models import Visibility
from notes.services import follow_tag, unfollow_tag


def pks(notes):
    return [n.pk for n in notes]


def test_fan_out_reaches_tag_followers_but_not_the_shut_out(make_user, make_note, on_commit):
    author, reader, blocked_reader, muter = make_user(), make_user(), make_user(), make_user()
    for user in (reader, blocked_reader, muter):
        with on_commit():
            follow_tag(user=user, name="food")
    with on_commit():
        block(blocker=author, blocked=blocked_reader)
    mute(muter=muter, muted=author)
    note = make_note(author, title="Soup", body="#food #soup")
    assert tag_followers(note_id=note.pk, author_id=author.pk) == [reader.pk]
    assert pks(home_timeline(reader)) == [note.pk]
    # Not even written for those shut out (the read would drop them too).
    assert note.pk not in store().page(blocked_reader.pk, max_id=None, since_id=None, min_id=None, limit=10)
    assert note.pk not in store().page(muter.pk, max_id=None, since_id=None, min_id=None, limit=10)


def test_only_public_notes_go_to_tag_followers(make_user, make_note, on_commit):
    author, reader = make_user(), make_user()
    with on_commit():
        follow_tag(user=reader, name="food")
    make_note(author, title="Private", body="#food", visibility=Visibility.FOLLOWERS)
    make_note(author, title="Unlisted", body="#food", visibility=Visibility.UNLISTED)
    assert store().page(reader.pk, max_id=None, since_id=None, min_id=None, limit=10) == []


def test_unfollow_keeps_notes_that_are_there_for_another_reason(make_user, make_note, on_commit):
    stranger, friend, reader = make_user(), make_user(), make_user()
    with on_commit():
        follow(follower=reader, followee=friend)
        follow_tag(user=reader, name="food")
        follow_tag(user=reader, name="tea")
    only_food = make_note(stranger, title="Soup", body="#food")
    food_and_tea = make_note(stranger, title="Tea and cake", body="#food #tea")
    friends = make_note(friend, title="Friend's soup", body="#food")
    own = make_note(reader, title="My soup", body="#food")
    assert pks(home_timeline(reader)) == [own.pk, friends.pk, food_and_tea.pk, only_food.pk]
    with on_commit():
        unfollow_tag(user=reader, name="food")
    assert pks(home_timeline(reader)) == [own.pk, friends.pk, food_and_tea.pk]


def test_backfill_and_rebuild_include_followed_tags(make_user, make_note, on_commit):
    stranger, rude, reader = make_user(), make_user(), make_user()
    with on_commit():
        block(blocker=reader, blocked=rude)
    olds = [make_note(stranger, title=f"Old {i}", body="#food") for i in range(3)]
    make_note(rude, title="Rude", body="#food")
    with on_commit():
        follow_tag(user=reader, name="food")
    stored = store().page(reader.pk, max_id=None, since_id=None, min_id=None, limit=10)
    assert stored == [n.pk for n in reversed(olds)]  # the blocked author's note is not backfilled
    store().clear(reader.pk)
    assert rebuild_timeline(user_id=reader.pk) == 3
    assert pks(home_timeline(reader)) == [n.pk for n in reversed(olds)]


def test_a_follow_made_then_undone_before_the_task_runs_backfills_nothing(make_user, make_note, on_commit):
    from feeds.services import backfill_tag

    stranger, reader = make_user(), make_user()
    make_note(stranger, title="Soup", body="#food")
    tag, _created = follow_tag(user=reader, name="food")  # on-commit callbacks not run: no backfill yet
    unfollow_tag(user=reader, name="food")
    assert backfill_tag(user_id=reader.pk, tag_id=tag.pk) == 0
    assert home_timeline(reader) == []
