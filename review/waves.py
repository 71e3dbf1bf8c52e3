"""The retroactive half of wave detection.

A wave is recognised only once several new accounts have posted its payload, so its first members
were published. When the duplicate stage raises a wave signal for an item (hold level or more), it
enqueues ``review.tasks.sweep_wave_task`` on commit, and ``sweep`` screens the earlier members again:
the published notes and comments by new accounts, inside the duplicate window, that share the
fingerprint rows (payload keys or text bands) that made the wave. With the later members' fingerprints
now in the table, the duplicate stage sees the whole wave and the item is held or rejected as a first
screening would, with a queue item, a notice or a statement of reasons.

What a sweep never does: publish anything, touch held, rejected or removed items, or hold again what a
reviewer kept up for its current text (``rescreen.kept_up_by_a_person``). A change writes a
``ScreeningResult`` marked ``stages.rescreen = {"wave": <item that completed it>}`` and an audit
``rescreen`` event. A sweep records no fingerprints and starts no further sweep.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notes.models import Comment, Note, NoteState
from review import intake
from review.items import guess_language
from review.models import TargetType, TextFingerprint
from review.packs import get_packs
from review.rescreen import kept_up_by_a_person
from review.screening import ScreenInput, Verdict, screen

HELD, REJECTED, UNCHANGED, SKIPPED, KEPT = "held", "rejected", "unchanged", "skipped", "kept_approved"


def members(*, bands: list[int], exclude: tuple[str, int] | None = None) -> list[tuple[str, int]]:
    """(target type, id) of the items by new accounts inside the window that carry any of ``bands``."""
    thresholds = get_packs().thresholds()
    now = timezone.now()
    rows = TextFingerprint.objects.filter(
        band__in=bands,
        created_at__gte=now - timedelta(hours=float(thresholds["duplicate_window_hours"])),
        author__date_joined__gte=now - timedelta(days=float(thresholds["new_account_days"])),
    )
    if exclude is not None:
        rows = rows.exclude(target_type=exclude[0], target_id=exclude[1])
    return sorted(set(rows.values_list("target_type", "target_id")), key=lambda r: r[1])


def sweep(*, bands: list[int], trigger: tuple[str, int] | None = None, use_llm: bool | None = None) -> Counter[str]:
    """Screen the earlier members of a wave again; returns what happened to each (see module doc)."""
    use_llm = bool(getattr(settings, "REVIEW_USE_LLM", True)) if use_llm is None else use_llm
    marker = {"wave": f"{trigger[0]}:{trigger[1]}" if trigger else ""}
    counts: Counter[str] = Counter()
    for target_type, target_id in members(bands=bands, exclude=trigger):
        if target_type == TargetType.COMMENT:
            counts[_sweep_comment(target_id, marker, use_llm)] += 1
        elif target_type == TargetType.NOTE:
            counts[_sweep_note(target_id, marker, use_llm)] += 1
    return counts


def _screen(obj: Note | Comment, text: str, language: str, use_llm: bool) -> Verdict:
    return screen(
        ScreenInput(
            text=text,
            target_type=TargetType.NOTE if isinstance(obj, Note) else TargetType.COMMENT,
            target_id=obj.pk,
            author_id=obj.author_id,
            author_joined=obj.author.date_joined,
            language=language,
            translated_text=intake.translation_for_screening(text, language),
        ),
        use_llm=use_llm,
        record_fingerprints=False,
    )


def _apply(obj: Note | Comment, verdict: Verdict, language: str, marker: dict[str, str]) -> str:
    target_type = TargetType.NOTE if isinstance(obj, Note) else TargetType.COMMENT
    if kept_up_by_a_person(target_type, obj.pk):
        return KEPT
    result = intake.record_screening(
        verdict, target_type=target_type, target_id=obj.pk, author_id=obj.author_id, language=language, rescreen=marker
    )
    intake.hold_or_reject(obj, verdict, result, language)
    return HELD if verdict.outcome == "hold" else REJECTED


def _sweep_comment(comment_id: int, marker: dict[str, str], use_llm: bool) -> str:
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None or comment.state != NoteState.PUBLISHED:
        return SKIPPED
    language = guess_language(comment.body, comment.language)
    verdict = _screen(comment, comment.body, language, use_llm)
    if verdict.outcome not in ("hold", "reject"):
        return UNCHANGED
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("author").filter(pk=comment_id).first()
        if comment is None or comment.state != NoteState.PUBLISHED:
            return SKIPPED
        return _apply(comment, verdict, language, marker)


def _sweep_note(note_id: int, marker: dict[str, str], use_llm: bool) -> str:
    note = Note.objects.select_related("author").filter(pk=note_id).first()
    if note is None or note.state != NoteState.PUBLISHED:
        return SKIPPED
    text = intake.note_text(note)
    language = guess_language(text, note.language)
    verdict = _screen(note, text, language, use_llm)
    if verdict.outcome not in ("hold", "reject"):
        return UNCHANGED
    with transaction.atomic():
        note = Note.objects.select_for_update().select_related("author").filter(pk=note_id).first()
        if note is None or note.state != NoteState.PUBLISHED or intake.note_text(note) != text:
            return SKIPPED
        return _apply(note, verdict, language, marker)
