"""Selectors added for the APIs: visible comments, pages of likes, collects, likers, follows, tags, places."""

from accounts.selectors import follow_page
from accounts.services import block, follow
from notes.selectors import (
    collected_page,
    get_visible_comment,
    liked_page,
    likers_page,
    place_note_ids,
    popular_tags,
    search_places,
    search_tags,
)
from notes.services import collect_note, create_board, create_comment, like_note


def test_visible_comment_respects_note_visibility_and_blocks(make_user, make_note):
    alice, bob, carol = make_user(), make_user(), make_user()
    note = make_note(alice, visibility="followers")
    follow(follower=bob, followee=alice)
    comment = create_comment(author=bob, note_id=note.pk, body="hi")
    assert get_visible_comment(viewer=bob, comment_id=comment.pk) == comment
    assert get_visible_comment(viewer=carol, comment_id=comment.pk) is None  # cannot see the note
    assert get_visible_comment(viewer=None, comment_id=comment.pk) is None
    block(blocker=alice, blocked=bob)
    assert get_visible_comment(viewer=alice, comment_id=comment.pk) is None


def test_pages_of_likes_collects_and_likers(make_user, make_note):
    alice, bob = make_user(), make_user()
    notes = [make_note(alice, title=f"n{i}") for i in range(3)]
    for note in notes:
        like_note(user=bob, note_id=note.pk)
    first = liked_page(bob, limit=2)
    assert [like.note_id for like in first] == [notes[2].pk, notes[1].pk]
    assert [like.note_id for like in liked_page(bob, max_id=first[-1].pk)] == [notes[0].pk]
    assert [like.note_id for like in liked_page(bob, min_id=first[-1].pk, limit=1)] == [notes[2].pk]
    board = create_board(owner=bob, name="Trips")
    collect_note(user=bob, note_id=notes[0].pk)
    collect_note(user=bob, note_id=notes[0].pk, board_id=board.pk)
    assert [c.note_id for c in collected_page(bob)] == [notes[0].pk, notes[0].pk]
    assert [like.user for like in likers_page(notes[0].pk)] == [bob]


def test_follow_pages_tags_and_places(make_user, make_note):
    alice, bob, carol = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    follow(follower=carol, followee=alice)
    assert [u for _pk, u in follow_page(alice.pk, followers=True)] == [carol, bob]
    assert [u for _pk, u in follow_page(bob.pk, followers=False)] == [alice]
    make_note(alice, body="#hotpot #hotdog", place={"name": "Chengdu", "country": "CN"})
    make_note(alice, body="#hotpot")
    assert [t.name for t in search_tags("#Hot")] == ["hotpot", "hotdog"]
    assert [t.name for t in popular_tags(limit=1)] == ["hotpot"]
    places = search_places("cheng")
    assert [p.name for p in places] == ["Chengdu"]
    assert len(place_note_ids(places[0].pk)) == 1


def test_cached_notes_answer_photos_and_tags_from_memory(make_user, make_note, django_assert_num_queries):
    from notes.selectors import notes_by_ids

    note = make_note(make_user(), body="#one #two", photos=2)
    fresh = notes_by_ids([note.pk])[note.pk]
    with django_assert_num_queries(0):
        cached = notes_by_ids([note.pk])[note.pk]
        assert [p.pk for p in cached.photos.all()] == [p.pk for p in fresh.photos.all()]
        assert sorted(t.name for t in cached.tags.all()) == ["one", "two"]
        assert cached.photos.count() == 2 and cached.photos.exists()
        assert cached.author.username == note.author.username
    assert fresh.photos.all()  # the fresh object keeps its own prefetch


def test_a_cached_note_is_its_database_read(make_user, make_note, django_assert_num_queries):
    """The cache holds plain rows (notes/selectors.py ``_packed``); what comes back is the note, its
    author, place, photos and tags as a database read gives them, ready to save, with no query."""
    from notes.models import Note
    from notes.selectors import notes_by_ids

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}

    note = make_note(make_user(display_name="Ann"), body="#one #two @nobody", photos=2, place="Chengdu")
    notes_by_ids([note.pk])  # fills the cache
    with django_assert_num_queries(0):
        cached = notes_by_ids([note.pk])[note.pk]
        assert cached.attached_video is None
        author, place, photos, tags = cached.author, cached.place, list(cached.photos.all()), list(cached.tags.all())
    read = Note.objects.select_related("author", "place").get(pk=note.pk)
    assert fields(cached) == fields(read)
    assert fields(author) == fields(read.author) and author.display_name == "Ann"
    assert place is not None and fields(place) == fields(read.place)
    assert [fields(p) for p in photos] == [fields(p) for p in read.photos.order_by("position", "id")]
    assert [fields(t) for t in tags] == [fields(t) for t in read.tags.order_by("id")]
    assert not cached._state.adding and cached._state.db == "default"
    assert all(p.note is cached for p in photos)
    # Another read gets its own objects: a caller changing one changes nothing cached.
    cached.title = "changed in memory"
    assert notes_by_ids([note.pk])[note.pk].title == read.title
    cached.title = read.title
    cached.save(update_fields=["title"])  # an update of the row, not an insert
    assert Note.objects.filter(pk=note.pk).count() == 1
