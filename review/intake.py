"""Screening what users submit: notes, comments and profiles are screened once their write commits, and the
verdict is applied (published, held for a person with a notice, or rejected with a statement of reasons)."""

from __future__ import annotations

import contextlib
import contextvars
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import standing
from notes import translations as note_translations
from notes.models import Comment, Note, NoteState, SuggestionState, TranslationSuggestion, Video, VideoState
from review import audit, labels, lifecycle, statements
from review.items import guess_language, queue_for
from review.models import (
    Action,
    Decision,
    NoticeKind,
    Reviewer,
    ScreeningResult,
    TargetType,
)
from review.notices import notify
from review.packs import get_packs
from review.permissions import reads_language
from review.screening import ScreenInput, Verdict, screen
from review.translate import translate_for_review
from review.withholding import withhold_provisionally


def screening_enabled() -> bool:
    return bool(getattr(settings, "REVIEW_SCREENING", True))


def _reviewers_read(language: str) -> bool:
    return any(reads_language(r, language) for r in Reviewer.objects.filter(active=True).only("languages"))


def translation_for_screening(text: str, language: str) -> str:
    """Where no reviewer reads the language, screen an English translation too (when one can be had)."""
    if language.startswith("en") or _reviewers_read(language):
        return ""
    result = translate_for_review(text, source=language, target="en")
    return result[0] if result else ""


def record_screening(
    verdict: Verdict,
    *,
    target_type: str,
    target_id: int,
    author_id: int,
    language: str,
    rescreen: dict[str, Any] | None = None,
) -> ScreeningResult:
    """Keep a screening run and audit it. A rescreen after a pack edit is marked in ``stages``
    (key "rescreen") and audited as "rescreen", so a text's first screening stays recognisable."""
    result = ScreeningResult.objects.create(
        target_type=target_type,
        target_id=target_id,
        author_id=author_id,
        language=language,
        labels=verdict.labels,
        risk=verdict.risk,
        reasons=verdict.reasons,
        stages={**verdict.stages, "rescreen": rescreen} if rescreen is not None else verdict.stages,
        outcome=verdict.outcome,
        regional=verdict.regional,
        used_llm=verdict.used_llm,
    )
    audit.record(
        "screened" if rescreen is None else "rescreen",
        target_type=target_type,
        target_id=target_id,
        reason_code=verdict.top_category,
        language=language,
        countries=sorted(verdict.regional),
        after={"outcome": verdict.outcome, "risk": verdict.risk, "labels": verdict.labels},
        detail={
            "reasons": verdict.reasons[:20],
            "errors": verdict.errors,
            "llm": verdict.used_llm,
            **({"rescreen": rescreen} if rescreen is not None else {}),
        },
    )
    return result


def _automated_reject(*, target_type: str, target_id: int, author: Any, verdict: Verdict) -> Decision:
    deadline = timezone.now() + timedelta(days=int(get_packs().global_pack.duties.get("appeal_days", 183)))
    decision = Decision.objects.create(
        target_type=target_type,
        target_id=target_id,
        author=author,
        action=Action.REJECT,
        reason_code=verdict.top_category or "other",
        note="; ".join(verdict.reasons[:5]),
        automated_detection=True,
        automated_decision=True,
        appeal_deadline=deadline,
    )
    decision.statement = statements.build(
        action="reject",
        reason_code=decision.reason_code,
        target_type=target_type,
        target_id=target_id,
        countries=[],
        source="screening",
        report_count=0,
        automated_detection=True,
        automated_decision=True,
        note=decision.note,
        appeal_deadline=deadline,
        decision_id=decision.pk,
    )
    decision.save(update_fields=["statement"])
    notify(
        author,
        NoticeKind.DECISION,
        lambda: statements.summary(decision.statement),
        target_type=target_type,
        target_id=target_id,
        decision=decision,
    )
    audit.record(
        "auto_reject",
        target_type=target_type,
        target_id=target_id,
        reason_code=decision.reason_code,
        after={"state": "rejected"},
        detail={"decision": str(decision.pk)},
    )
    return decision


def hold_for_account(verdict: Verdict, author_id: int) -> Verdict:
    """High risk holds new content: a verdict to publish becomes a hold when trust's policy says the
    author's account must be looked at first (core/standing.py). The content itself may be fine, so it
    is held under ``spam`` (counterfeit and spam accounts) with trust's reason, never rejected."""
    if verdict.outcome != "publish":
        return verdict
    reason = standing.content_hold_reason(author_id)
    if not reason:
        return verdict
    verdict.outcome = "hold"
    verdict.reasons = [*verdict.reasons, reason]
    verdict.labels = sorted({*verdict.labels, "spam"})
    verdict.top_category = verdict.top_category or "spam"
    verdict.stages = {**verdict.stages, "account_risk": {"held": True, "reason": reason}}
    return verdict


def note_text(note: Note) -> str:
    """Everything the author wrote on the note, their own translations included (notes/translations.py):
    a translation is screened with the note, and a changed one screens the note again."""
    alts = " ".join(p.alt_text for p in note.photos.all() if p.alt_text)
    translated = [part for t in note.translations.order_by("language") for part in (t.title, t.body) if part]
    return "\n".join(part for part in (note.title, note.body, alts, *translated) if part)


def screen_note(*, note_id: int, use_llm: bool | None = None, assess_author: bool = False) -> ScreeningResult | None:
    """Screen a pending note and apply the outcome. Idempotent: a note no longer pending is left alone.

    ``assess_author`` (a note just submitted, not a rescreen): trust looks at the author first
    (core/standing.py), so that a high risk this very note makes holds it.

    The stages (the LLM may take seconds) run outside any transaction, so SQLite's single writer is
    never held while a model thinks; the outcome is applied in one transaction after re-checking that
    the note is still pending with the same text (an edit meanwhile means a newer task decides).
    """
    use_llm = getattr(settings, "REVIEW_USE_LLM", True) if use_llm is None else use_llm
    note = Note.objects.select_related("author").filter(pk=note_id).first()
    if note is None or note.state != NoteState.PENDING:
        return None
    if assess_author:
        standing.assess_poster("note", note.pk, note.author_id)
    photos = list(note.photos.all())
    frames = video_frames(note)
    text = note_text(note)
    language = guess_language(text, note.language)
    with photo_files([p.original for p in photos if p.original]) as photo_paths:
        item_input = ScreenInput(
            text=text,
            target_type=TargetType.NOTE,
            target_id=note.pk,
            author_id=note.author_id,
            author_joined=note.author.date_joined,
            language=language,
            # A bulk load that draws photos from a small pool on purpose (the demo) skips photo reuse.
            photo_hashes=[] if _skip_photo_reuse.get() else [h for h in [p.phash for p in photos] + frames[0] if h],
            photo_paths=photo_paths + frames[1],
            translated_text=translation_for_screening(text, language),
        )
        verdict = hold_for_account(screen(item_input, use_llm=use_llm), note.author_id)
    with transaction.atomic():
        note = Note.objects.select_for_update().select_related("author").filter(pk=note_id).first()
        if note is None or note.state != NoteState.PENDING or note_text(note) != text:
            return None
        result = record_screening(
            verdict, target_type=TargetType.NOTE, target_id=note.pk, author_id=note.author_id, language=language
        )
        _apply_note_verdict(note, verdict, result, language)
    return result


@contextlib.contextmanager
def photo_files(fields: list[Any]) -> Iterator[list[str]]:
    """Paths the photo stages can open: the files themselves on local storage; on object storage
    (MEDIA_STORAGE=s3) copies in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nb-screen-") as folder:
        paths = []
        for n, field in enumerate(fields):
            try:
                paths.append(field.path)
            except (NotImplementedError, ValueError):  # storages without local paths
                copy = Path(folder) / f"{n}.jpg"
                with field.storage.open(field.name, "rb") as source, copy.open("wb") as target:
                    shutil.copyfileobj(source, target)
                paths.append(str(copy))
        yield paths


def video_frames(note: Note) -> tuple[list[str], list[str]]:
    """A video note is screened as a photo note would be: its poster's hash for reuse across accounts,
    and frames sampled across the video (notes/videos.py) for the photo detector."""
    video = Video.objects.filter(note=note, state=VideoState.READY).first()
    if video is None:
        return [], []
    storage = video.poster.storage
    paths = []
    for name in video.frames or []:
        try:
            paths.append(storage.path(str(name)))
        except NotImplementedError:  # storages without local paths: the hash alone
            break
    return [video.phash], paths


def _under_review_text(obj: Note | Comment, verdict: Verdict) -> str:
    """What the author is told. The reasons are the categories, in their language: the screening's own
    reasons name internal rules and are for reviewers."""
    if isinstance(obj, Note):
        ordered = sorted(verdict.labels, key=lambda c: c != verdict.top_category)
        separator = translation.pgettext("list separator", ", ")
        reasons = separator.join(labels.category(c) for c in ordered[:3]) or _("an automatic check could not finish")
        return _("Your note is being reviewed by a person before it is shown to others. Reasons: %(r)s") % {
            "r": reasons
        }
    return _("Your comment is being reviewed by a person before it is shown to others.")


def _set_state(obj: Note | Comment, state: str) -> None:
    if isinstance(obj, Note):
        lifecycle.set_note_state(obj, state)
    else:
        lifecycle.set_comment_state(obj, state)


def hold_or_reject(obj: Note | Comment, verdict: Verdict, result: ScreeningResult, language: str) -> bool:
    """Apply a reject or hold verdict to a note or a comment; False when the verdict is neither.

    Reject: out of view with an automated decision and its statement of reasons. Hold: out of view,
    queued for a person, and the author told why it is not shown yet."""
    if verdict.outcome not in ("reject", "hold"):
        return False
    target_type = TargetType.NOTE if isinstance(obj, Note) else TargetType.COMMENT
    if verdict.outcome == "reject":
        _set_state(obj, NoteState.REJECTED)
        _automated_reject(target_type=target_type, target_id=obj.pk, author=obj.author, verdict=verdict)
        return True
    _set_state(obj, NoteState.HELD)
    queue_for(
        verdict,
        result,
        target_type=target_type,
        target_id=obj.pk,
        author=obj.author,
        language=language,
        note=obj if isinstance(obj, Note) else None,
    )
    notify(
        obj.author,
        NoticeKind.UNDER_REVIEW,
        lambda: _under_review_text(obj, verdict),
        target_type=target_type,
        target_id=obj.pk,
    )
    return True


def _apply_note_verdict(note: Note, verdict: Verdict, result: ScreeningResult, language: str) -> None:
    if hold_or_reject(note, verdict, result, language):
        return
    withhold_provisionally(note, verdict, result, language, regional=verdict.regional)
    lifecycle.publish(note)


def screen_comment(
    *, comment_id: int, use_llm: bool | None = None, assess_author: bool = False
) -> ScreeningResult | None:
    """Screen a comment once. Comments appear at once and are screened right after: a risky one is
    hidden (held) and queued, a rejected one removed from view with a statement of reasons. The stages
    run outside the transaction, and ``assess_author`` means what it means in ``screen_note``."""
    use_llm = getattr(settings, "REVIEW_USE_LLM", True) if use_llm is None else use_llm

    def screenable(c: Comment | None) -> bool:
        return (
            c is not None
            and c.state in (NoteState.PENDING, NoteState.PUBLISHED)
            and not ScreeningResult.objects.filter(target_type=TargetType.COMMENT, target_id=c.pk).exists()
        )

    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None or not screenable(comment):
        return None
    if assess_author:
        standing.assess_poster("comment", comment.pk, comment.author_id)
    language = guess_language(comment.body, comment.language)
    verdict = screen(
        ScreenInput(
            text=comment.body,
            target_type=TargetType.COMMENT,
            target_id=comment.pk,
            author_id=comment.author_id,
            author_joined=comment.author.date_joined,
            language=language,
            translated_text=translation_for_screening(comment.body, language),
        ),
        use_llm=use_llm,
    )
    verdict = hold_for_account(verdict, comment.author_id)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("author").filter(pk=comment_id).first()
        if comment is None or not screenable(comment):
            return None
        result = record_screening(
            verdict,
            target_type=TargetType.COMMENT,
            target_id=comment.pk,
            author_id=comment.author_id,
            language=language,
        )
        if not hold_or_reject(comment, verdict, result, language) and comment.state != NoteState.PUBLISHED:
            lifecycle.set_comment_state(comment, NoteState.PUBLISHED)
    return result


def screen_suggestion(*, suggestion_id: int, use_llm: bool | None = None) -> ScreeningResult | None:
    """Screen a reader's suggested translation (notes/translations.py) once, as any text is screened.
    Passed: the note's author may see it. Held or rejected: it is kept out (never shown to the author;
    a suggestion is not worth a reviewer's time), and the run is recorded and audited like any other."""
    use_llm = getattr(settings, "REVIEW_USE_LLM", True) if use_llm is None else use_llm
    suggestion = TranslationSuggestion.objects.select_related("suggester").filter(pk=suggestion_id).first()
    if suggestion is None or suggestion.state != SuggestionState.PENDING:
        return None
    text = "\n".join(part for part in (suggestion.title, suggestion.body) if part)
    language = guess_language(text, suggestion.language)
    verdict = screen(
        ScreenInput(
            text=text,
            target_type=TargetType.SUGGESTION,
            target_id=suggestion.pk,
            author_id=suggestion.suggester_id,
            author_joined=suggestion.suggester.date_joined,
            language=language,
            translated_text=translation_for_screening(text, language),
        ),
        use_llm=use_llm,
    )
    verdict = hold_for_account(verdict, suggestion.suggester_id)
    with transaction.atomic():
        settled = note_translations.settle_screening(suggestion_id=suggestion_id, passed=verdict.outcome == "publish")
        if settled is None:
            return None
        return record_screening(
            verdict,
            target_type=TargetType.SUGGESTION,
            target_id=suggestion_id,
            author_id=suggestion.suggester_id,
            language=language,
        )


def screen_profile(*, user_id: int) -> ScreeningResult | None:
    """Profiles have no pending state: a risky bio is queued for a human and stays as it is meanwhile."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    text = "\n".join(p for p in (user.display_name, user.bio) if p)
    if not text:
        return None
    with transaction.atomic():
        language = guess_language(text, user.bio_language)
        verdict = screen(
            ScreenInput(
                text=text,
                target_type=TargetType.PROFILE,
                target_id=user.pk,
                author_id=user.pk,
                author_joined=user.date_joined,
                language=language,
            ),
            use_llm=False,
            use_duplicates=False,
        )
        result = record_screening(
            verdict, target_type=TargetType.PROFILE, target_id=user.pk, author_id=user.pk, language=language
        )
        if verdict.outcome != "publish":
            queue_for(
                verdict,
                result,
                target_type=TargetType.PROFILE,
                target_id=user.pk,
                author=user,
                language=language,
                note=None,
            )
    return result


inline = contextvars.ContextVar("review_inline_screening", default=False)
_skip_photo_reuse = contextvars.ContextVar("review_skip_photo_reuse", default=False)


_skip_photo_reuse = contextvars.ContextVar("review_skip_photo_reuse", default=False)


@contextlib.contextmanager
def inline_screening(*, photos_from_a_shared_pool: bool = False) -> Iterator[None]:
    """Screen notes in the caller's transaction instead of on the review queue: for bulk loads that
    go on to act on the notes at once (the demo loader likes and comments on what it just posted).

    ``photos_from_a_shared_pool`` turns off the "same photo from many accounts" signal, for a loader
    whose accounts share a small photo pool by design; text is screened as always."""
    token = inline.set(True)
    pool_token = _skip_photo_reuse.set(photos_from_a_shared_pool)
    try:
        yield
    finally:
        _skip_photo_reuse.reset(pool_token)
        inline.reset(token)
