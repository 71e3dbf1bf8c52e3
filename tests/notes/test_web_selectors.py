from notes.selectors import draft_photos, likes_and_collects_received, popular_tags, search_tags, tag_by_name
from notes.services import collect_note, like_note, upload_photo
from tests.conftest import image_bytes


def test_draft_photos_only_own_unattached_in_order(make_user, make_note):
    alice, bob = make_user(), make_user()
    a1, a2 = upload_photo(owner=alice, file=image_bytes()), upload_photo(owner=alice, file=image_bytes())
    bobs = upload_photo(owner=bob, file=image_bytes())
    used = make_note(alice).photos.get()
    assert draft_photos(alice, [a2.pk, bobs.pk, used.pk, a1.pk, a2.pk]) == [a2, a1]
    assert draft_photos(alice, []) == []


def test_tag_lookups(make_user, make_note):
    alice = make_user()
    make_note(alice, tags=["Travel", "旅行"])
    make_note(alice, tags=["travel"])
    assert [t.name for t in search_tags("#TRA")] == ["travel"]
    assert [t.name for t in search_tags("旅")] == ["旅行"]
    assert search_tags("  ") == []
    assert [t.name for t in popular_tags(limit=1)] == ["travel"]
    found = tag_by_name("#Travel")
    assert found is not None and found.name == "travel" and tag_by_name("nope") is None


def test_likes_and_collects_received(make_user, make_note):
    alice, bob = make_user(), make_user()
    note = make_note(alice)
    like_note(user=bob, note_id=note.pk)
    collect_note(user=bob, note_id=note.pk)
    assert likes_and_collects_received(alice) == 2
    assert likes_and_collects_received(bob) == 0


def test_draft_photos_when_editing_a_note(make_user, make_note):
    alice = make_user()
    note, other = make_note(alice), make_note(alice)
    own = note.photos.get()
    free = upload_photo(owner=alice, file=image_bytes())
    assert draft_photos(alice, [free.pk, own.pk, other.photos.get().pk], note_id=note.pk) == [free, own]
