"""Rescreening after a policy-pack edit, so a newly banned phrase takes effect on existing content.

A pack edit (Django admin or ``PUT /review/packs/{code}``) schedules ``rescreen_batch_task`` on the
review queue; ``manage.py rescreen`` runs the same batches in the foreground. Each batch takes up to
``REVIEW_RESCREEN_BATCH`` notes (then comments) posted inside the window, in id order (ids sort by
time), and hands the next batch its cursor.

What a rescreen may do, and what it never does:

* It only tightens. A published note or comment that the current packs hold or reject is held or
  rejected, as a first screening would; pending ones get their first screening. Held, rejected and
  removed content is left alone, so a rescreen never publishes what a person (or screening) took down.
* A regional pack edit re-evaluates withholding in that pack's countries only: new hits withhold
  provisionally and queue for the region; provisional (machine) withholdings the pack no longer
  supports are lifted. Withholdings a reviewer confirmed are never lifted.
* Content a person already kept up (approved, an appeal reversed, or withheld only in some countries)
  for its current text is not held, rejected or re-queued again; the rescreen is audited as "kept".
* Every change is audited ("rescreen", with the pack), and each run writes one summary record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import ids
from core.tasks import enqueue_on_commit
from notes.models import Comment, Note, NoteState
from review import audit, intake, withholding
from review.items import guess_language
from review.models import Action, Decision, ScreeningResult, TargetType, Withholding
from review.packs import PACK_CODES, get_packs
from review.screening import ScreenInput, Verdict, screen

KINDS = ("note", "comment")
# Outcomes of one item, counted per run.
UNCHANGED, SCREENED, HELD, REJECTED, WITHHELD, LIFTED, KEPT, SKIPPED = (
    "unchanged",
    "screened",
    "held",
    "rejected",
    "withheld",
    "lifted",
    "kept_approved",
    "skipped",
)
# A reviewer's decision that kept the content up (elsewhere, for a withholding).
KEPT_UP = (Action.APPROVE, Action.WITHHOLD)


def window(days: float | None = None) -> tuple[int, int]:
    """(first id, last id) of content posted in the last ``days`` (default REVIEW_RESCREEN_DAYS)."""
    days = float(settings.REVIEW_RESCREEN_DAYS if days is None else days)
    if days < 0:
        raise ValueError("days must not be negative")
    now = timezone.now()
    return ids.id_for_time(now - timedelta(days=days)), ids.id_for_time(now, 0xFFFF)


def _scope(pack: str | None) -> tuple[bool, set[str]]:
    """(global outcome in scope?, countries whose withholding is re-evaluated) for an edited pack."""
    packs = get_packs()
    if pack in (None, "", "global"):
        return True, {c for p in packs.regional() for c in p.countries}
    if pack not in PACK_CODES:
        raise ValueError(f"unknown pack {pack!r}")
    return False, set(packs.packs[pack].countries)


def kept_up_by_a_person(target_type: str, target_id: int) -> bool:
    """A reviewer approved (or withheld only in some countries) the current text of this item.

    The text's version starts at its latest first screening (an edit that changes the text puts a
    note back to pending and screens it again); rescreens are marked and do not count."""
    decisions = Decision.objects.filter(
        target_type=target_type, target_id=target_id, reviewer__isnull=False, action__in=KEPT_UP
    )
    version_start = (
        ScreeningResult.objects.filter(target_type=target_type, target_id=target_id)
        .exclude(stages__has_key="rescreen")
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if version_start is not None:
        decisions = decisions.filter(created_at__gte=version_start)
    return decisions.exists()


def _screen(obj: Note | Comment, text: str, language: str, *, regional_only: bool, use_llm: bool) -> Verdict:
    # Duplicate waves and photos do not depend on packs; leaving them out can only lower the risk, so a
    # rescreen never holds for a reason the pack edit did not bring.
    return screen(
        ScreenInput(
            text=text,
            target_type=TargetType.NOTE if isinstance(obj, Note) else TargetType.COMMENT,
            target_id=obj.pk,
            author_id=obj.author_id,
            author_joined=obj.author.date_joined,
            language=language,
            translated_text="" if regional_only else intake.translation_for_screening(text, language),
        ),
        use_llm=use_llm and not regional_only,
        use_duplicates=False,
        record_fingerprints=False,
        stages_enabled={"rules"} if regional_only else None,
    )


def _kept(target_type: str, target_id: int, verdict: Verdict, pack: str | None) -> str:
    audit.record(
        "rescreen",
        target_type=target_type,
        target_id=target_id,
        reason_code=verdict.top_category,
        countries=sorted(verdict.regional),
        after={"outcome": verdict.outcome, "risk": verdict.risk, "labels": verdict.labels},
        detail={"rescreen": {"pack": pack or "global"}, "kept": "a reviewer kept this text up"},
    )
    return KEPT


def rescreen_note(*, note_id: int, pack: str | None = None, use_llm: bool | None = None) -> str:
    """Screen one note again with the current packs; returns what happened (see module doc)."""
    use_llm = bool(getattr(settings, "REVIEW_USE_LLM", True)) if use_llm is None else use_llm
    whole, countries = _scope(pack)
    note = Note.objects.select_related("author").filter(pk=note_id).first()
    if note is None:
        return SKIPPED
    if note.state == NoteState.PENDING:
        # Never screened yet (or its task is still queued): its first screening uses the new packs.
        return SCREENED if intake.screen_note(note_id=note_id, use_llm=use_llm) else SKIPPED
    if note.state != NoteState.PUBLISHED:
        return SKIPPED
    text = intake.note_text(note)
    language = guess_language(text, note.language)
    verdict = _screen(note, text, language, regional_only=not whole, use_llm=use_llm)
    marker = {"pack": pack or "global"}
    with transaction.atomic():
        note = Note.objects.select_for_update().select_related("author").filter(pk=note_id).first()
        if note is None or note.state != NoteState.PUBLISHED or intake.note_text(note) != text:
            return SKIPPED  # changed meanwhile: its own screening decides
        kept_up = kept_up_by_a_person(TargetType.NOTE, note.pk)
        if whole and verdict.outcome in ("hold", "reject"):
            if kept_up:
                return _kept(TargetType.NOTE, note.pk, verdict, pack)
            result = _record(verdict, TargetType.NOTE, note, language, marker)
            intake.hold_or_reject(note, verdict, result, language)
            return HELD if verdict.outcome == "hold" else REJECTED
        return _reevaluate_withholding(note, verdict, language, countries, kept_up=kept_up, marker=marker)


def _record(verdict: Verdict, target_type: str, target: Note | Comment, language: str, marker: dict[str, Any]) -> Any:
    """The screening result of a rescreen, marked as one (which pack's edit caused it)."""
    return intake.record_screening(
        verdict,
        target_type=target_type,
        target_id=target.pk,
        author_id=target.author_id,
        language=language,
        rescreen=marker,
    )


def _reevaluate_withholding(
    note: Note, verdict: Verdict, language: str, countries: set[str], *, kept_up: bool, marker: dict[str, Any]
) -> str:
    flagged = {c: cats for c, cats in verdict.regional.items() if c in countries}
    rows = {w.country: w for w in Withholding.objects.filter(note=note, country__in=countries)}
    new = {c: cats for c, cats in flagged.items() if c not in rows}
    stale = sorted(c for c, w in rows.items() if w.provisional and c not in flagged)
    outcome = UNCHANGED
    if stale:
        withholding.withholdings_changed()
        Withholding.objects.filter(note=note, country__in=stale, provisional=True).delete()
        audit.record(
            "withhold_lift",
            target_type=TargetType.NOTE,
            target_id=note.pk,
            countries=stale,
            before={"withheld_in": stale},
            detail={"rescreen": marker, "why": "the regional rules no longer flag it"},
        )
        outcome = LIFTED
    if new:
        if kept_up:
            return _kept(TargetType.NOTE, note.pk, verdict, marker["pack"])
        result = _record(verdict, TargetType.NOTE, note, language, marker)
        withholding.withhold_provisionally(note, verdict, result, language, regional=new)
        outcome = WITHHELD
    return outcome


def rescreen_comment(*, comment_id: int, pack: str | None = None, use_llm: bool | None = None) -> str:
    """Screen one published comment again (global rules only: comments are not withheld by country)."""
    use_llm = bool(getattr(settings, "REVIEW_USE_LLM", True)) if use_llm is None else use_llm
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None or comment.state not in (NoteState.PENDING, NoteState.PUBLISHED):
        return SKIPPED
    if not ScreeningResult.objects.filter(target_type=TargetType.COMMENT, target_id=comment.pk).exists():
        return SCREENED if intake.screen_comment(comment_id=comment_id, use_llm=use_llm) else SKIPPED
    language = guess_language(comment.body, comment.language)
    verdict = _screen(comment, comment.body, language, regional_only=False, use_llm=use_llm)
    if verdict.outcome not in ("hold", "reject"):
        return UNCHANGED
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("author").filter(pk=comment_id).first()
        if comment is None or comment.state != NoteState.PUBLISHED:
            return SKIPPED
        if kept_up_by_a_person(TargetType.COMMENT, comment.pk):
            return _kept(TargetType.COMMENT, comment.pk, verdict, pack)
        result = _record(verdict, TargetType.COMMENT, comment, language, {"pack": pack or "global"})
        intake.hold_or_reject(comment, verdict, result, language)
    return HELD if verdict.outcome == "hold" else REJECTED


def kinds_for(pack: str | None) -> list[str]:
    """Notes, and comments too unless only a regional pack changed (comments are not withheld)."""
    whole, _countries = _scope(pack)
    return list(KINDS) if whole else ["note"]


def rescreen_batch(
    *, kind: str, pack: str | None, since_id: int, until_id: int, after_id: int = 0, limit: int | None = None
) -> tuple[Counter[str], int | None]:
    """Rescreen one batch; returns the outcomes and the cursor of the next batch (None when done)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    limit = int(limit or settings.REVIEW_RESCREEN_BATCH)
    model = Note if kind == "note" else Comment
    batch = list(
        model.objects.filter(
            pk__gte=since_id,
            pk__lte=until_id,
            pk__gt=after_id,
            state__in=[NoteState.PUBLISHED, NoteState.PENDING],
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: Counter[str] = Counter()
    for pk in batch:
        if kind == "note":
            counts[rescreen_note(note_id=pk, pack=pack)] += 1
        else:
            counts[rescreen_comment(comment_id=pk, pack=pack)] += 1
    return counts, (batch[-1] if len(batch) == limit else None)


def _summary(*, actor: Any, pack: str | None, days: float, counts: Counter[str] | dict[str, int]) -> None:
    audit.record(
        "rescreen_run",
        actor=actor,
        reason_code=pack or "global",
        detail={"days": days, "counts": dict(counts)},
    )


def schedule(*, pack: str | None, actor: Any = None, days: float | None = None) -> None:
    """After a pack edit commits: rescreen the window in the background, batch after batch."""
    from review.tasks import rescreen_batch_task  # review.tasks imports this module for the batch task

    days = float(settings.REVIEW_RESCREEN_DAYS if days is None else days)
    since_id, until_id = window(days)
    audit.record(
        "rescreen_scheduled",
        actor=actor,
        reason_code=pack or "global",
        detail={"days": days, "since_id": str(since_id), "until_id": str(until_id)},
    )
    enqueue_on_commit(
        rescreen_batch_task,
        kind=kinds_for(pack)[0],
        pack=pack or "global",
        since_id=since_id,
        until_id=until_id,
        after_id=0,
        days=days,
        counts={},
    )


def continue_run(
    *, kind: str, pack: str, since_id: int, until_id: int, after_id: int, days: float, counts: dict[str, int]
) -> tuple[str, int] | None:
    """One batch of a background run; returns the (kind, cursor) of the next one, or None at the end
    (when the run's summary is audited). The task enqueues the next batch."""
    found, cursor = rescreen_batch(kind=kind, pack=pack, since_id=since_id, until_id=until_id, after_id=after_id)
    counts.update({k: counts.get(k, 0) + v for k, v in found.items()})
    if cursor is not None:
        return kind, cursor
    kinds = kinds_for(pack)
    if kinds.index(kind) + 1 < len(kinds):
        return kinds[kinds.index(kind) + 1], 0
    _summary(actor=None, pack=pack, days=days, counts=counts)
    return None


def run(
    *,
    pack: str | None = None,
    days: float | None = None,
    actor: Any = None,
    on_batch: Callable[[str, Counter[str]], None] | None = None,
) -> Counter[str]:
    """The whole window in the foreground (``manage.py rescreen``)."""
    days = float(settings.REVIEW_RESCREEN_DAYS if days is None else days)
    since_id, until_id = window(days)
    total: Counter[str] = Counter()
    for kind in kinds_for(pack):
        cursor: int | None = 0
        while cursor is not None:
            found, cursor = rescreen_batch(kind=kind, pack=pack, since_id=since_id, until_id=until_id, after_id=cursor)
            total.update(found)
            if on_batch is not None:
                on_batch(kind, found)
    _summary(actor=actor, pack=pack, days=days, counts=total)
    return total
