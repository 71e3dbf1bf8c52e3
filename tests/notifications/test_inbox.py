"""The inbox's tabs and groups (notifications.selectors), through the real services."""

from __future__ import annotations

from datetime import timedelta

from accounts.services import follow
from notes.services import collect_note, create_comment, like_comment, like_note
from notifications.models import Notification
from notifications.selectors import group_notifications, inbox_page, unread_by_tab
from notifications.services import mark_read


def test_likes_group_per_note_and_kind_within_the_window(make_user, make_note):
    me = make_user("mimi")
    first, second = make_note(me, title="First"), make_note(me, title="Second")
    early = make_user("early")
    like_note(user=early, note_id=first.pk)
    # Two days before the rest: outside the window, so it stays a line of its own.
    Notification.objects.filter(actor=early).update(
        created_at=Notification.objects.get(actor=early).created_at - timedelta(days=2)
    )
    fans = [make_user(f"fan{i}") for i in range(13)]
    for fan in fans:
        like_note(user=fan, note_id=first.pk)
    like_note(user=fans[0], note_id=second.pk)
    collect_note(user=fans[1], note_id=first.pk)
    collect_note(user=fans[2], note_id=first.pk)
    entries, cursor = inbox_page(me, "likes")
    assert cursor is None
    shape = [(e.type, e.latest.note_id, [a.username for a in e.actors]) for e in entries]
    assert shape == [
        ("collect", first.pk, ["fan2", "fan1"]),
        ("like", second.pk, ["fan0"]),
        ("like", first.pk, [f"fan{i}" for i in reversed(range(13))]),
        ("like", first.pk, ["early"]),
    ]
    assert entries[2].others == 12 and entries[2].unread


def test_follows_group_and_comments_stand_alone(make_user, make_note):
    me = make_user("mimi")
    note = make_note(me)
    for i in range(3):
        follow(follower=make_user(f"f{i}"), followee=me)
    talker = make_user("talker")
    for text in ("one", "two @mimi"):
        create_comment(author=talker, note_id=note.pk, body=text)
    [followers] = inbox_page(me, "follows")[0]
    assert followers.type == "follow" and followers.others == 2
    comments, _ = inbox_page(me, "comments")
    assert [(e.type, e.latest.comment.body if e.latest.comment else None) for e in comments] == [
        ("mention", "two @mimi"),
        ("comment", "two @mimi"),
        ("comment", "one"),
    ]
    assert all(e.others == 0 for e in comments)


def test_comment_likes_group_per_comment(make_user, make_note):
    me, other = make_user("mimi"), make_user("other")
    note = make_note(other)
    mine = [create_comment(author=me, note_id=note.pk, body=f"c{i}") for i in range(2)]
    for i in range(3):
        like_comment(user=make_user(f"l{i}"), comment_id=mine[0].pk)
    like_comment(user=other, comment_id=mine[1].pk)
    entries, _ = inbox_page(me, "likes")
    assert [(e.type, e.latest.comment_id, e.others) for e in entries] == [
        ("comment_like", mine[1].pk, 0),
        ("comment_like", mine[0].pk, 2),
    ]


def test_unread_counts_per_tab_and_reading_one_tab_leaves_the_others(make_user, make_note):
    me, fan = make_user("mimi"), make_user("fan")
    note = make_note(me)
    like_note(user=fan, note_id=note.pk)
    follow(follower=fan, followee=me)
    create_comment(author=fan, note_id=note.pk, body="hello")
    assert unread_by_tab(me) == {"likes": 1, "follows": 1, "comments": 1, "notices": 0}
    mark_read(user_id=me.pk, types=["like", "collect", "comment_like"])
    assert unread_by_tab(me) == {"likes": 0, "follows": 1, "comments": 1, "notices": 0}


def test_grouping_keeps_the_order_of_each_groups_newest(make_user, make_note):
    me = make_user("mimi")
    a, b = make_note(me), make_note(me)
    x, y = make_user("x"), make_user("y")
    like_note(user=x, note_id=a.pk)
    like_note(user=x, note_id=b.pk)
    like_note(user=y, note_id=a.pk)
    items = list(Notification.objects.filter(recipient=me).select_related("actor").order_by("-id"))
    assert [(e.latest.note_id, len(e.items)) for e in group_notifications(items)] == [(a.pk, 2), (b.pk, 1)]


def test_a_page_holds_whole_groups_and_the_next_page_goes_on_from_the_last(make_user, make_note):
    me = make_user("mimi")
    notes = [make_note(me, title=f"n{i}") for i in range(3)]
    fans = [make_user(f"fan{i}") for i in range(25)]
    # Oldest first: note 0 gets 25 likes, then notes 1 and 2 one each.
    for fan in fans:
        like_note(user=fan, note_id=notes[0].pk)
    like_note(user=fans[0], note_id=notes[1].pk)
    like_note(user=fans[1], note_id=notes[2].pk)
    first, cursor = inbox_page(me, "likes", size=2)
    assert [(e.latest.note_id, e.others) for e in first] == [(notes[2].pk, 0), (notes[1].pk, 0)]
    assert cursor is not None
    second, end = inbox_page(me, "likes", max_id=cursor, size=2)
    # The big group arrives whole on the next page: everyone counted, the newest faces read first.
    [big] = second
    assert big.latest.note_id == notes[0].pk and big.others == 24 and big.unread
    assert [a.username for a in big.actors[:3]] == ["fan24", "fan23", "fan22"]
    assert end is None
    assert inbox_page(me, "likes", max_id=big.latest.pk, size=2) == ([], None)


def test_a_group_takes_in_a_day_from_its_first_notification(make_user, make_note):
    me = make_user("mimi")
    note = make_note(me)
    first = make_user("first")
    like_note(user=first, note_id=note.pk)
    head = Notification.objects.get(actor=first)
    assert head.group_id == head.pk
    like_note(user=make_user("soon"), note_id=note.pk)
    assert Notification.objects.get(actor__username="soon").group_id == head.pk
    # A day on, the group is closed: the next like starts a new one.
    Notification.objects.filter(pk=head.pk).update(created_at=head.created_at - timedelta(hours=25))
    like_note(user=make_user("late"), note_id=note.pk)
    late = Notification.objects.get(actor__username="late")
    assert late.group_id == late.pk
    # Comments stand alone however close together.
    talker = make_user("talker")
    for body in ("a", "b"):
        create_comment(author=talker, note_id=note.pk, body=body)
    assert all(n.group_id == n.pk for n in Notification.objects.filter(type="comment"))
