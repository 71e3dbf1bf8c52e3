"""Per-note stats for the author (notes/note_stats.py)."""

from __future__ import annotations

import pytest

from notes.models import NoteViewTally, ViewSource
from notes.note_stats import note_for_stats, note_stats, record_note_view, record_translated_read


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


def test_views_count_by_source_once_per_reader_and_never_the_authors(make_user, make_note):
    author, reader = make_user("author"), make_user("reader")
    note = make_note(author, photos=0)
    assert record_note_view(note=note, reader=reader, source="search", reader_token="u1")
    assert not record_note_view(note=note, reader=reader, source="search", reader_token="u1")  # a reload
    assert record_note_view(note=note, reader=None, source="place", reader_token="s2", translated=True)
    assert record_note_view(note=note, reader=None, source="../../etc", reader_token="s3")  # -> other
    assert not record_note_view(note=note, reader=author, source="profile", reader_token="ua")
    assert record_translated_read(note=note, reader=reader, reader_token="u1")
    assert not record_translated_read(note=note, reader=reader, reader_token="u1")
    stats = note_stats(note)
    assert (stats.views, stats.translated) == (3, 2)
    assert {s: v for s, _label, v in stats.sources} == {"search": 1, "place": 1, "other": 1}
    assert not {f.name for f in NoteViewTally._meta.get_fields()} & {"user", "reader", "ip"}


def test_stats_count_likes_collects_and_comments(make_user, make_note, on_commit):
    from notes.services import collect_note, create_comment, like_note

    author, reader = make_user("author"), make_user("reader")
    note = make_note(author, photos=0)
    with on_commit():
        like_note(user=reader, note_id=note.pk)
        collect_note(user=reader, note_id=note.pk)
        create_comment(author=reader, note_id=note.pk, body="lovely")
    note.refresh_from_db()
    stats = note_stats(note)
    assert (stats.likes, stats.collects, stats.comments, stats.views) == (1, 1, 1, 0)
    assert stats.sources == []


def test_only_the_author_and_staff_may_read_a_notes_stats(make_user, make_note):
    author, other, staff = make_user("author"), make_user("other"), make_user("staff")
    staff.is_staff = True
    staff.save()
    note = make_note(author, photos=0)
    assert note_for_stats(viewer=author, note_id=note.pk) == note
    assert note_for_stats(viewer=staff, note_id=note.pk) == note
    assert note_for_stats(viewer=other, note_id=note.pk) is None
    assert note_for_stats(viewer=None, note_id=note.pk) is None
    assert note_for_stats(viewer=author, note_id=12345) is None


def test_sources_carry_their_labels(make_user, make_note):
    note = make_note(make_user("author"), photos=0)
    record_note_view(note=note, reader=None, source=ViewSource.RELATED, reader_token="x")
    assert note_stats(note).sources == [("related", "Related notes", 1)]
