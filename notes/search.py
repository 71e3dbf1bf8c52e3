"""Full-text search over notes for English and Chinese, across Chinese scripts.

Chinese has no spaces between words, so the text is segmented with jieba (core.text.segment) before
indexing and querying. SQLite uses an FTS5 table; PostgreSQL a ``simple`` tsvector over the same
segmented text with a GIN index. Both the index and the query are folded to one Chinese script first
(core.text.fold_script), so 火鍋 finds notes that say 火锅 and the reverse. Derived data:
``manage.py rebuild_search`` rebuilds it (run it once after upgrading to script folding).

A query is a list of *groups of alternatives*: a note matches when it matches one alternative of every
group; an alternative of several words must match them all (side by side, for words in Latin script).
By default every word of the query is a group of one. A higher layer may pass other groups: the web
and API layers pass the query's cross-language expansion (translation.query: "hot pot" -> 火锅), so
this module never needs to know about translation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.conf import settings
from django.db import connection

from core.text import fold_script, has_cjk, segment
from notes.models import Note, NoteSearch, NoteState

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 12
MAX_ALTERNATIVES = 8


def _document(note: Note) -> str:
    tags = " ".join(t.name for t in note.tags.all())
    place = note.place.name if note.place_id and note.place else ""
    text = f"{note.title}\n{note.body}\n{tags}\n{place}\n{note.author.username} {note.author.display_name}"
    return segment(fold_script(text))


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
    """The words of a query as the index has them: script-folded, segmented, lower-cased."""
    return _TOKEN.findall(segment(fold_script(query)))[:MAX_TOKENS]


def query_groups(query: str) -> list[list[str]]:
    """The default groups: every word of the query on its own."""
    return [[token] for token in query_tokens(query)]


def _alternatives(groups: Sequence[Sequence[str]]) -> list[list[list[str]]]:
    """Groups -> alternatives -> tokens; empty alternatives and groups dropped, sizes bounded."""
    out = []
    for group in groups[:MAX_TOKENS]:
        alts: list[list[str]] = []
        for phrase in group:
            tokens = query_tokens(phrase)
            if tokens and tokens not in alts:
                alts.append(tokens)
        if alts:
            out.append(alts[:MAX_ALTERNATIVES])
    return out


def _fts5_phrase(tokens: list[str]) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if len(tokens) > 1 and not has_cjk("".join(tokens)):
        return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'  # side by side
    return "(" + " AND ".join(quoted) + ")"


def _pg_phrase(tokens: list[str]) -> str:
    joiner = " & " if has_cjk("".join(tokens)) else " <-> "
    return "(" + joiner.join(_pg_quote(t) for t in tokens) + ")"


def search_note_ids(
    query: str, *, limit: int = 20, offset: int = 0, groups: Sequence[Sequence[str]] | None = None
) -> list[int]:
    """Ids of published notes matching ``query`` (every word of it, or ``groups``), best first."""
    alternatives = _alternatives(groups if groups is not None else query_groups(query))
    if not alternatives:
        return []
    with connection.cursor() as cursor:
        if settings.DB_IS_POSTGRES:
            tsquery = " & ".join("(" + " | ".join(_pg_phrase(a) for a in alts) + ")" for alts in alternatives)
            cursor.execute(
                "SELECT s.note_id FROM notes_notesearch s "
                "WHERE to_tsvector('simple', s.text) @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank(to_tsvector('simple', s.text), to_tsquery('simple', %s)) DESC, s.note_id DESC "
                "LIMIT %s OFFSET %s",
                [tsquery, tsquery, limit, offset],
            )
        else:
            match = " AND ".join("(" + " OR ".join(_fts5_phrase(a) for a in alts) + ")" for alts in alternatives)
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
