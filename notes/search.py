"""Full-text search over notes for English and Chinese.

Chinese has no spaces between words, so the text is segmented with jieba (core.text.segment) before
indexing and querying. SQLite uses an FTS5 table; PostgreSQL a ``simple`` tsvector over the same
segmented text with a GIN index. Derived data: ``manage.py rebuild_search`` rebuilds it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection

from core.text import segment
from notes.models import Note, NoteSearch, NoteState

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _document(note: Note) -> str:
    tags = " ".join(t.name for t in note.tags.all())
    place = note.place.name if note.place_id and note.place else ""
    return segment(f"{note.title}\n{note.body}\n{tags}\n{place}\n{note.author.username} {note.author.display_name}")


def index_note(note_id: int) -> None:
    note = Note.objects.select_related("author", "place").prefetch_related("tags").filter(pk=note_id).first()
    if note is None or note.state != NoteState.PUBLISHED:
        unindex_note(note_id)
        return
    text = _document(note)
    NoteSearch.objects.update_or_create(note_id=note_id, defaults={"text": text})
    if not settings.DB_IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notes_fts WHERE rowid = %s", [note_id])
            cursor.execute("INSERT INTO notes_fts(rowid, text) VALUES (%s, %s)", [note_id, text])


def unindex_note(note_id: int) -> None:
    NoteSearch.objects.filter(note_id=note_id).delete()
    if not settings.DB_IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notes_fts WHERE rowid = %s", [note_id])


def query_tokens(query: str) -> list[str]:
    return _TOKEN.findall(segment(query))[:12]


def search_note_ids(query: str, *, limit: int = 20, offset: int = 0) -> list[int]:
    """Ids of published notes matching every word of ``query``, best first."""
    tokens = query_tokens(query)
    if not tokens:
        return []
    with connection.cursor() as cursor:
        if settings.DB_IS_POSTGRES:
            cursor.execute(
                "SELECT s.note_id FROM notes_notesearch s "
                "WHERE to_tsvector('simple', s.text) @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank(to_tsvector('simple', s.text), to_tsquery('simple', %s)) DESC, s.note_id DESC "
                "LIMIT %s OFFSET %s",
                [" & ".join(_pg_quote(t) for t in tokens), " & ".join(_pg_quote(t) for t in tokens), limit, offset],
            )
        else:
            match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
            cursor.execute(
                "SELECT rowid FROM notes_fts WHERE notes_fts MATCH %s ORDER BY rank, rowid DESC LIMIT %s OFFSET %s",
                [match, limit, offset],
            )
        return [row[0] for row in cursor.fetchall()]


def _pg_quote(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "") + "'"


def rebuild() -> int:
    NoteSearch.objects.all().delete()
    if not settings.DB_IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notes_fts")
    count = 0
    for note_id in Note.objects.filter(state=NoteState.PUBLISHED).values_list("id", flat=True).iterator():
        index_note(note_id)
        count += 1
    return count
