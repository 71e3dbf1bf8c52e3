import pytest

from core.errors import Forbidden, NotFound, ServiceError
from notes.models import Board, Note, NoteState, Photo, Tag
from notes.selectors import comments_for, get_board, get_visible_note
from notes.services import (
    collect_note,
    create_board,
    create_comment,
    create_note,
    delete_note,
    edit_note,
    like_note,
    move_collect,
    uncollect_note,
    unlike_note,
    upload_photo,
)
from notifications.models import Notification
from tests.conftest import image_bytes


def test_create_note_with_photos_tags_place(make_user, on_commit):
    author = make_user("alice")
    photos = [upload_photo(owner=author, file=image_bytes(), alt_text=f"photo {i}") for i in range(3)]
    with on_commit():
        note = create_note(
            author=author,
            title="Best dumplings in #Flushing",
            body="Pork and chive, 12 for $8. #food #饺子",
            photo_ids=[photos[2].pk, photos[0].pk, photos[1].pk],
            tags=["NYC eats"],
            place={"name": "Flushing, Queens", "country": "us"},
        )
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    assert [p.pk for p in note.photos.order_by("position")] == [photos[2].pk, photos[0].pk, photos[1].pk]
    assert sorted(t.name for t in note.tags.all()) == ["flushing", "food", "nyceats", "饺子"]
    assert note.place is not None and note.place.country == "US"
    author.refresh_from_db()
    assert author.notes_count == 1


def test_photo_of_another_user_or_already_used_is_refused(make_user, make_note):
    alice, bob = make_user(), make_user()
    bobs_photo = upload_photo(owner=bob, file=image_bytes())
    with pytest.raises(ServiceError):
        create_note(author=alice, title="x", photo_ids=[bobs_photo.pk])
    used = make_note(bob)
    with pytest.raises(ServiceError):
        create_note(author=bob, title="again", photo_ids=[used.photos.first().pk])
    assert Note.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"title": "x" * 101},
        {"body": "y" * 5001},
        {"title": "", "body": "   "},
        {"title": "ok", "visibility": "everyone"},
        {"title": "ok", "tags": [f"t{i}" for i in range(21)]},
        {"title": "ok", "language": "klingon"},
        {"title": "ok", "place": {"name": "Nowhere", "latitude": 123}},
    ],
)
def test_invalid_notes_are_refused_and_nothing_is_written(make_user, kwargs):
    author = make_user()
    with pytest.raises(ServiceError):
        create_note(author=author, **kwargs)
    assert Note.objects.count() == 0
    assert Tag.objects.count() == 0


def test_more_than_nine_photos_refused(make_user):
    author = make_user()
    ids = [upload_photo(owner=author, file=image_bytes(size=(32, 32))).pk for _ in range(10)]
    with pytest.raises(ServiceError):
        create_note(author=author, title="too many", photo_ids=ids)
    assert Photo.objects.filter(note__isnull=False).count() == 0


def test_only_author_edits_and_deletes(make_user, make_note):
    alice, bob = make_user(), make_user()
    note = make_note(alice, title="Original", body="#one")
    with pytest.raises(Forbidden):
        edit_note(author=bob, note_id=note.pk, title="Hacked")
    with pytest.raises(Forbidden):
        delete_note(author=bob, note_id=note.pk)
    edited = edit_note(author=alice, note_id=note.pk, title="Edited", body="#two")
    assert edited.edited_at is not None
    assert [t.name for t in edited.tags.all()] == ["two"]
    assert Tag.objects.get(name="one").notes_count == 0
    delete_note(author=alice, note_id=note.pk)
    assert not Note.objects.filter(pk=note.pk).exists()
    with pytest.raises(NotFound):
        delete_note(author=alice, note_id=note.pk)


def test_likes_are_idempotent_and_counted(make_user, make_note):
    alice, bob = make_user(), make_user()
    note = make_note(alice)
    assert like_note(user=bob, note_id=note.pk) is True
    assert like_note(user=bob, note_id=note.pk) is False
    note.refresh_from_db()
    assert note.like_count == 1
    assert Notification.objects.filter(recipient=alice, type="like").count() == 1
    assert unlike_note(user=bob, note_id=note.pk) is True
    note.refresh_from_db()
    assert note.like_count == 0


def test_comments_thread_one_level(make_user, make_note):
    alice, bob, carol = make_user(), make_user(), make_user("carol")
    note = make_note(alice)
    top = create_comment(author=bob, note_id=note.pk, body="Where is this?")
    reply = create_comment(author=alice, note_id=note.pk, body="Queens!", parent_id=top.pk)
    nested = create_comment(author=carol, note_id=note.pk, body="@carol thanks", parent_id=reply.pk)
    assert nested.parent_id == top.pk
    assert nested.reply_to_id == alice.pk
    threads = comments_for(note, None)
    assert [c.pk for c in threads] == [top.pk]
    replies = threads[0].thread_replies  # type: ignore[attr-defined]
    assert [c.pk for c in replies] == [reply.pk, nested.pk]
    note.refresh_from_db()
    assert note.comment_count == 3
    with pytest.raises(ServiceError):
        create_comment(author=bob, note_id=note.pk, body="x" * 1001)
    with pytest.raises(NotFound):
        create_comment(author=bob, note_id=note.pk, body="hi", parent_id=999)


def test_boards_collect_move_and_privacy(make_user, make_note):
    alice, bob = make_user(), make_user()
    note = make_note(alice)
    trips = create_board(owner=bob, name="Trips")
    secret = create_board(owner=bob, name="Secret", is_private=True)
    collect_note(user=bob, note_id=note.pk)  # default "Saved" board
    collect_note(user=bob, note_id=note.pk, board_id=trips.pk)
    note.refresh_from_db()
    assert note.collect_count == 1  # one user, however many boards
    move_collect(user=bob, note_id=note.pk, from_board_id=trips.pk, to_board_id=secret.pk)
    assert Board.objects.get(pk=trips.pk).notes_count == 0
    assert Board.objects.get(pk=secret.pk).notes_count == 1
    assert get_board(secret.pk, alice) is None
    assert get_board(secret.pk, bob) == secret
    with pytest.raises(NotFound):
        collect_note(user=alice, note_id=note.pk, board_id=trips.pk)
    with pytest.raises(ServiceError):
        create_board(owner=bob, name="Trips")
    assert uncollect_note(user=bob, note_id=note.pk) is True
    note.refresh_from_db()
    assert note.collect_count == 0


def test_followers_only_note_hidden_from_strangers(make_user, make_note):
    from accounts.services import follow

    alice, bob, eve = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    note = make_note(alice, visibility="followers")
    assert get_visible_note(viewer=bob, note_id=note.pk) is not None
    assert get_visible_note(viewer=eve, note_id=note.pk) is None
    assert get_visible_note(viewer=None, note_id=note.pk) is None
    with pytest.raises(NotFound):
        like_note(user=eve, note_id=note.pk)


def test_blocked_user_cannot_see_or_interact(make_user, make_note):
    from accounts.services import block

    alice, bob = make_user(), make_user()
    note = make_note(alice)
    block(blocker=alice, blocked=bob)
    assert get_visible_note(viewer=bob, note_id=note.pk) is None
    with pytest.raises(NotFound):
        create_comment(author=bob, note_id=note.pk, body="hi")
