"""A note cache miss reads the notes by hand-written SELECTs (``notes.selectors.packed_notes`` over
``core.rows``): what they give must be, value for value, what the ORM's read gives (SQLite and
PostgreSQL: aware datetimes, JSON lists, booleans, photos in their order, tags by id, place, video)."""

from __future__ import annotations

import pytest

from notes.models import Note
from notes.selectors import _base_queryset, _packed, notes_by_ids, packed_notes
from tests.videos import needs_ffmpeg, video_bytes


def orm_read(ids: list[int]) -> dict:
    return {n.pk: _packed(n) for n in _base_queryset().filter(pk__in=ids)}


def test_the_rows_read_by_hand_are_the_orm_read(make_user, make_note, django_assert_num_queries):
    ann = make_user("ann", display_name="Ann", languages=["en", "zh-Hans"], interests=["food"])
    full = make_note(ann, title="Hot pot", body="#food #chengdu #a", photos=3, place="Chengdu")
    bare = make_note(make_user("bob"), title="", body="plain", photos=0)
    ids = [full.pk, bare.pk, 424242424242]  # the last is no note: left out, as the ORM leaves it out
    with django_assert_num_queries(3):
        read = packed_notes(ids)
    assert set(read) == {full.pk, bare.pk}
    assert read == orm_read(ids)
    _db, _note, author_row, place_row, photo_rows, tag_rows, video_row = read[full.pk]
    assert author_row[author_row.index("ann")] == "ann"
    assert place_row is not None and len(photo_rows) == 3 and len(tag_rows) == 3 and video_row is None
    assert read[bare.pk][3] is None and read[bare.pk][4] == [] and read[bare.pk][5] == []


def test_a_miss_gives_the_note_a_hit_gives(make_user, make_note, django_assert_num_queries):
    note = make_note(make_user("cat"), body="#one #two", photos=2, place="Kyoto")
    missed = notes_by_ids([note.pk])[note.pk]
    with django_assert_num_queries(0):
        hit = notes_by_ids([note.pk])[note.pk]
        assert _packed(hit) == _packed(missed)
    read = Note.objects.get(pk=note.pk)
    assert missed.created_at == read.created_at and missed.created_at.tzinfo is not None
    in_order = read.photos.order_by("position", "id").values_list("pk", flat=True)
    assert [p.pk for p in missed.photos.all()] == list(in_order)


def test_no_ids_reads_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert packed_notes([]) == {}


@needs_ffmpeg
def test_a_video_note_reads_its_video(make_user, on_commit, settings):
    from notes.services import create_note
    from notes.videos import upload_video

    settings.REVIEW_SCREENING = False
    author = make_user("filmmaker")
    with on_commit():
        video = upload_video(owner=author, file=video_bytes(seconds=2.0, seed=3))
    with on_commit():
        note = create_note(author=author, title="Night market", body="Woks #food", video_id=video.pk)
    read = packed_notes([note.pk])
    assert read == orm_read([note.pk])
    assert read[note.pk][6] is not None
    assert notes_by_ids([note.pk])[note.pk].attached_video.pk == video.pk  # type: ignore[union-attr]


@pytest.mark.parametrize("count", [1, 40])
def test_many_ids_in_one_read(make_user, make_note, count, django_assert_num_queries):
    author = make_user("dan")
    notes = [make_note(author, body=f"note {i} #t{i % 3}", photos=i % 2) for i in range(count)]
    ids = [n.pk for n in notes]
    with django_assert_num_queries(3):
        read = packed_notes(ids)
    assert read == orm_read(ids)
