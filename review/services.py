"""Review writes: apply screening verdicts, take reports, file appeals, manage packs and reviewers.

Human decisions (claim, decide, escalate, bulk) are in review/decisions.py. Every function here is
keyword-only, runs in one transaction and writes an audit record.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Forbidden, NotFound, ServiceError
from core.text import clean_user_text
from notes.models import Comment, Note, NoteState
from review import audit, lifecycle, statements
from review.models import (
    Action,
    Appeal,
    AppealStatus,
    Decision,
    ItemStatus,
    Notice,
    NoticeKind,
    PolicyPackOverride,
    Report,
    ReportCategory,
    Reviewer,
    ReviewItem,
    ScreeningResult,
    Severity,
    Strike,
    TargetType,
    Withholding,
)
from review.packs import PACK_CODES, PACKS_VERSION_KEY, PackError, get_packs, parse_pack, reload_packs
from review.permissions import is_admin, reads_language
from review.screening import ScreenInput, Verdict, screen

MAX_BULK = 200
REPORT_SEVERITY = {
    "spam": Severity.LOW,
    "harassment": Severity.HIGH,
    "sexual": Severity.HIGH,
    "violence": Severity.HIGH,
    "misinformation": Severity.MEDIUM,
    "impersonation": Severity.MEDIUM,
    "illegal": Severity.HIGH,
    "translation": Severity.LOW,
    "other": Severity.LOW,
}


def screening_enabled() -> bool:
    return bool(getattr(settings, "REVIEW_SCREENING", True))


def guess_language(text: str, declared: str = "") -> str:
    """The item's language for queue routing: the detected one, else a script-based guess."""
    if declared:
        return declared
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        return "th"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en"


def language_of(user: Any) -> str:
    """The interface language to write to ``user`` in: the one they chose, else Chinese for a reader of
    Chinese, else the site's default."""
    if getattr(user, "ui_language", ""):
        return str(user.ui_language)
    languages = getattr(user, "languages", None) or []
    if languages and str(languages[0]).lower().startswith("zh"):
        return "zh-hans"
    return str(settings.LANGUAGE_CODE)


def notify(
    user: Any,
    kind: str,
    text: str | Callable[[], str],
    *,
    target_type: str = "",
    target_id: int | None = None,
    decision: Decision | None = None,
) -> Notice:
    """Leave ``user`` a notice. Notices are kept as text, so pass a function that writes it: it runs
    in the recipient's language (a reviewer's or a worker's language is not theirs)."""
    if callable(text):
        with translation.override(language_of(user)):
            text = text()
    return Notice.objects.create(
        recipient=user, kind=kind, text=text, target_type=target_type, target_id=target_id, decision=decision
    )


# --- screening ------------------------------------------------------------------------------


def _reviewers_read(language: str) -> bool:
    return any(reads_language(r, language) for r in Reviewer.objects.filter(active=True).only("languages"))


def _translation_for_screening(text: str, language: str) -> str:
    """Where no reviewer reads the language, screen an English translation too (when one can be had)."""
    if language.startswith("en") or _reviewers_read(language):
        return ""
    from review.translate import translate_for_review

    result = translate_for_review(text, source=language, target="en")
    return result[0] if result else ""


def _open_item(*, target_type: str, target_id: int, source: str, defaults: dict[str, Any]) -> tuple[ReviewItem, bool]:
    item = (
        ReviewItem.objects.select_for_update()
        .filter(target_type=target_type, target_id=target_id, source=source)
        .exclude(status=ItemStatus.RESOLVED)
        .first()
    )
    if item is not None:
        return item, False
    try:
        with transaction.atomic():
            return ReviewItem.objects.create(
                target_type=target_type, target_id=target_id, source=source, **defaults
            ), True
    except IntegrityError:
        # Another worker opened it a moment ago: merge into theirs.
        item = ReviewItem.objects.get(
            target_type=target_type,
            target_id=target_id,
            source=source,
            status__in=[ItemStatus.OPEN, ItemStatus.ESCALATED],
        )
        return item, False


def _record(
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


def _severity(category: str) -> int:
    info = get_packs().categories.get(category) or {}
    return int(info.get("severity", 1))


def _queue_for(
    verdict: Verdict,
    result: ScreeningResult,
    *,
    target_type: str,
    target_id: int,
    author: Any,
    language: str,
    note: Note | None,
    region: str = "",
) -> ReviewItem:
    category = verdict.top_category or (next(iter(verdict.regional.get(region, [])), "") if region else "")
    item, created = _open_item(
        target_type=target_type,
        target_id=target_id,
        source="screening",
        defaults={
            "author": author,
            "note": note,
            "language": language,
            "region": region,
            "category": category or "other",
            "severity": _severity(category),
            "screening": result,
        },
    )
    if not created:
        item.screening = result
        item.severity = max(item.severity, _severity(category))
        item.save(update_fields=["screening", "severity"])
    return item


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


def _note_text(note: Note) -> str:
    alts = " ".join(p.alt_text for p in note.photos.all() if p.alt_text)
    return "\n".join(part for part in (note.title, note.body, alts) if part)


def screen_note(*, note_id: int, use_llm: bool | None = None) -> ScreeningResult | None:
    """Screen a pending note and apply the outcome. Idempotent: a note no longer pending is left alone.

    The stages (the LLM may take seconds) run outside any transaction, so SQLite's single writer is
    never held while a model thinks; the outcome is applied in one transaction after re-checking that
    the note is still pending with the same text (an edit meanwhile means a newer task decides).
    """
    use_llm = getattr(settings, "REVIEW_USE_LLM", True) if use_llm is None else use_llm
    note = Note.objects.select_related("author").filter(pk=note_id).first()
    if note is None or note.state != NoteState.PENDING:
        return None
    photos = list(note.photos.all())
    text = _note_text(note)
    language = guess_language(text, note.language)
    item_input = ScreenInput(
        text=text,
        target_type=TargetType.NOTE,
        target_id=note.pk,
        author_id=note.author_id,
        author_joined=note.author.date_joined,
        language=language,
        # A bulk load that draws photos from a small pool on purpose (the demo) skips photo reuse.
        photo_hashes=[] if _skip_photo_reuse.get() else [p.phash for p in photos if p.phash],
        photo_paths=[p.original.path for p in photos if p.original and _local(p.original)],
        translated_text=_translation_for_screening(text, language),
    )
    verdict = screen(item_input, use_llm=use_llm)
    with transaction.atomic():
        note = Note.objects.select_for_update().select_related("author").filter(pk=note_id).first()
        if note is None or note.state != NoteState.PENDING or _note_text(note) != text:
            return None
        result = _record(
            verdict, target_type=TargetType.NOTE, target_id=note.pk, author_id=note.author_id, language=language
        )
        _apply_note_verdict(note, verdict, result, language)
    return result


def _local(field: Any) -> bool:
    try:
        field.path  # noqa: B018 - storages without local paths raise here
    except (NotImplementedError, ValueError):
        return False
    return True


def _under_review_text(obj: Note | Comment, verdict: Verdict) -> str:
    """What the author is told. The reasons are the categories, in their language: the screening's own
    reasons name internal rules and are for reviewers."""
    if isinstance(obj, Note):
        from review import labels

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


def _hold_or_reject(obj: Note | Comment, verdict: Verdict, result: ScreeningResult, language: str) -> bool:
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
    _queue_for(
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


def withhold_provisionally(
    note: Note, verdict: Verdict, result: ScreeningResult, language: str, *, regional: dict[str, list[str]]
) -> None:
    """Regional packs' hits (country -> categories): withhold the note there until a reviewer confirms,
    with one queue item per regional pack (not per member state) and an audit record."""
    if not regional:
        return
    _withholdings_changed()
    for country, categories in regional.items():
        Withholding.objects.get_or_create(
            note=note, country=country, defaults={"reason_code": categories[0], "provisional": True}
        )
    for country in sorted(set(regional)):
        region_pack = get_packs().for_country(country)
        if region_pack and country != region_pack[0].countries[0]:
            continue
        _queue_for(
            verdict,
            result,
            target_type=TargetType.NOTE,
            target_id=note.pk,
            author=note.author,
            language=language,
            note=note,
            region=country,
        )
    audit.record(
        "withhold_provisional",
        target_type=TargetType.NOTE,
        target_id=note.pk,
        countries=sorted(regional),
        reason_code=verdict.top_category,
        after={"withheld_in": sorted(regional)},
    )


def _apply_note_verdict(note: Note, verdict: Verdict, result: ScreeningResult, language: str) -> None:
    if _hold_or_reject(note, verdict, result, language):
        return
    withhold_provisionally(note, verdict, result, language, regional=verdict.regional)
    lifecycle.publish(note)


def screen_comment(*, comment_id: int, use_llm: bool | None = None) -> ScreeningResult | None:
    """Screen a comment once. Comments appear at once and are screened right after: a risky one is
    hidden (held) and queued, a rejected one removed from view with a statement of reasons. The stages
    run outside the transaction, as in ``screen_note``."""
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
    language = guess_language(comment.body, comment.language)
    verdict = screen(
        ScreenInput(
            text=comment.body,
            target_type=TargetType.COMMENT,
            target_id=comment.pk,
            author_id=comment.author_id,
            author_joined=comment.author.date_joined,
            language=language,
            translated_text=_translation_for_screening(comment.body, language),
        ),
        use_llm=use_llm,
    )
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("author").filter(pk=comment_id).first()
        if comment is None or not screenable(comment):
            return None
        result = _record(
            verdict,
            target_type=TargetType.COMMENT,
            target_id=comment.pk,
            author_id=comment.author_id,
            language=language,
        )
        if not _hold_or_reject(comment, verdict, result, language) and comment.state != NoteState.PUBLISHED:
            lifecycle.set_comment_state(comment, NoteState.PUBLISHED)
    return result


def screen_profile(*, user_id: int) -> ScreeningResult | None:
    """Profiles have no pending state: a risky bio is queued for a human and stays as it is meanwhile."""
    from accounts.models import User

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
        result = _record(
            verdict, target_type=TargetType.PROFILE, target_id=user.pk, author_id=user.pk, language=language
        )
        if verdict.outcome != "publish":
            _queue_for(
                verdict,
                result,
                target_type=TargetType.PROFILE,
                target_id=user.pk,
                author=user,
                language=language,
                note=None,
            )
    return result


_inline = contextvars.ContextVar("review_inline_screening", default=False)
_skip_photo_reuse = contextvars.ContextVar("review_skip_photo_reuse", default=False)


@contextlib.contextmanager
def inline_screening(*, photos_from_a_shared_pool: bool = False) -> Iterator[None]:
    """Screen notes in the caller's transaction instead of on the review queue: for bulk loads that
    go on to act on the notes at once (the demo loader likes and comments on what it just posted).

    ``photos_from_a_shared_pool`` turns off the "same photo from many accounts" signal, for a loader
    whose accounts share a small photo pool by design; text is screened as always."""
    token = _inline.set(True)
    pool_token = _skip_photo_reuse.set(photos_from_a_shared_pool)
    try:
        yield
    finally:
        _skip_photo_reuse.reset(pool_token)
        _inline.reset(token)


def submit_note(note: Note) -> None:
    """Called by notes.services when a note is created or edited: screen it once the write commits.

    With REVIEW_SCREENING off (some other apps' tests, tiny private instances) the note is published
    at once, as before review existed.
    """
    if not screening_enabled():
        lifecycle.publish(note)
        return
    if _inline.get():
        screen_note(note_id=note.pk)
        note.refresh_from_db(fields=["state", "published_at"])
        return
    from core.tasks import enqueue_on_commit
    from review.tasks import screen_note_task

    enqueue_on_commit(screen_note_task, note.pk)


def submit_profile(user: Any) -> None:
    """Called by accounts.services.update_profile when the bio or display name changed."""
    if not screening_enabled() or not (user.bio or user.display_name):
        return
    from core.tasks import enqueue_on_commit
    from review.tasks import screen_profile_task

    enqueue_on_commit(screen_profile_task, user.pk)


def submit_comment(comment: Comment) -> None:
    """Called by notes.services after a comment is written: screen it once the write commits."""
    if not screening_enabled():
        return
    from core.tasks import enqueue_on_commit
    from review.tasks import screen_comment_task

    enqueue_on_commit(screen_comment_task, comment.pk)


# --- reports --------------------------------------------------------------------------------


def _target(target_type: str, target_id: int) -> tuple[Any, Any, Note | None, str]:
    """(object, author, note, language) for a report target; ValidationError when it does not exist."""
    from accounts.models import User

    if target_type == TargetType.NOTE:
        note = Note.objects.select_related("author").filter(pk=target_id).first()
        if note is None:
            raise NotFound(_("No such note."))
        return note, note.author, note, guess_language(note.title + " " + note.body, note.language)
    if target_type == TargetType.COMMENT:
        comment = Comment.objects.select_related("author", "note").filter(pk=target_id).first()
        if comment is None:
            raise NotFound(_("No such comment."))
        return comment, comment.author, None, guess_language(comment.body, comment.language)
    if target_type == TargetType.PROFILE:
        user = User.objects.filter(pk=target_id).first()
        if user is None:
            raise NotFound(_("No such account."))
        return user, user, None, guess_language(user.bio, user.bio_language)
    raise ServiceError(_("Unknown report target."))


def _can_see(reporter: Any, obj: Any, target_type: str) -> bool:
    if target_type == TargetType.NOTE:
        return obj.state == NoteState.PUBLISHED or obj.author_id == reporter.pk
    if target_type == TargetType.COMMENT:
        return obj.state == NoteState.PUBLISHED or obj.author_id == reporter.pk
    return True


def file_report(
    *,
    reporter: Any,
    target_type: str,
    target_id: int,
    category: str,
    country: str = "",
    explanation: str = "",
    good_faith: bool = False,
) -> Report:
    """A user's notice. Merges into the open report review of the same item; receipt is confirmed."""
    if category not in ReportCategory.values:
        raise ServiceError(_("Unknown report category."))
    country = (country or "").strip().upper()
    if category == ReportCategory.ILLEGAL and not (len(country) == 2 and country.isalpha()):
        raise ServiceError(_("Say in which country it is illegal."))
    explanation = clean_user_text(explanation or "")[:2000]
    with transaction.atomic():
        obj, author, note, language = _target(target_type, target_id)
        if not _can_see(reporter, obj, target_type):
            raise NotFound(_("No such item."))
        severity = REPORT_SEVERITY.get(category, Severity.LOW)
        item, _created = _open_item(
            target_type=target_type,
            target_id=target_id,
            source="report",
            defaults={
                "author": author,
                "note": note,
                "language": language,
                "category": category,
                "severity": severity,
                "region": country if category == ReportCategory.ILLEGAL else "",
            },
        )
        if Report.objects.filter(reporter=reporter, item=item).exists():
            raise ServiceError(_("You have already reported this."))
        report = Report.objects.create(
            reporter=reporter,
            item=item,
            category=category,
            country=country,
            explanation=explanation,
            good_faith=good_faith,
        )
        ReviewItem.objects.filter(pk=item.pk).update(report_count=F("report_count") + 1)
        if severity > item.severity:
            ReviewItem.objects.filter(pk=item.pk).update(severity=severity, category=category)
        audit.record(
            "report",
            actor=reporter,
            target_type=target_type,
            target_id=target_id,
            reason_code=category,
            language=language,
            countries=[country] if country else [],
            detail={"report": str(report.pk), "item": str(item.pk), "good_faith": good_faith},
        )
        notify(
            reporter,
            NoticeKind.REPORT_RECEIVED,
            lambda: _("We received your report and a person will look at it."),
            target_type=target_type,
            target_id=target_id,
        )
    return report


# --- appeals --------------------------------------------------------------------------------


def file_appeal(*, user: Any, decision: Decision, text: str) -> Appeal:
    """The author appeals a decision; it goes to the queue for a reviewer other than the decider."""
    if decision.author_id != user.pk:
        raise Forbidden(_("Only the author can appeal this decision."))
    if not get_packs().global_pack.duties.get("appeals", True):
        raise ServiceError(_("Appeals are not offered on this instance."))
    if decision.action in (Action.APPROVE, Action.ESCALATE):
        raise ServiceError(_("There is nothing to appeal."))
    if decision.appeal_deadline and timezone.now() > decision.appeal_deadline:
        raise ServiceError(_("The time to appeal has passed."))
    text = clean_user_text(text or "")
    if not text:
        raise ServiceError(_("Say why the decision is wrong."))
    with transaction.atomic():
        if Appeal.objects.filter(decision=decision).exists():
            raise ServiceError(_("This decision has already been appealed."))
        appeal = Appeal.objects.create(decision=decision, appellant=user, text=text[:2000])
        note = Note.objects.filter(pk=decision.target_id).first() if decision.target_type == TargetType.NOTE else None
        ReviewItem.objects.create(
            target_type=decision.target_type,
            target_id=decision.target_id,
            note=note,
            author=decision.author,
            language=guess_language(note.title + " " + note.body, note.language) if note else "",
            region=(decision.countries[0] if len(decision.countries) == 1 else ""),
            category=decision.reason_code,
            severity=Severity.MEDIUM,
            source="appeal",
            appeal=appeal,
        )
        audit.record(
            "appeal",
            actor=user,
            target_type=decision.target_type,
            target_id=decision.target_id,
            reason_code=decision.reason_code,
            detail={"decision": str(decision.pk), "appeal": str(appeal.pk)},
        )
    return appeal


# --- strikes --------------------------------------------------------------------------------


def add_strike(*, decision: Decision) -> Strike:
    days = int(get_packs().global_pack.thresholds["strike_expiry_days"])
    strike, _created = Strike.objects.get_or_create(
        decision=decision,
        defaults={
            "user_id": decision.author_id,
            "reason_code": decision.reason_code,
            "expires_at": timezone.now() + timedelta(days=days),
        },
    )
    return strike


def active_strikes(user: Any) -> int:
    return Strike.objects.filter(user=user, revoked=False, expires_at__gt=timezone.now()).count()


# --- operators: withholding, packs, reviewers ----------------------------------------------


def _withholdings_changed() -> None:
    # Forget the cached set of countries with withholdings now and again after commit, so no read
    # between the two re-caches a set without the new country.
    from review.selectors import forget_withheld_countries

    forget_withheld_countries()
    transaction.on_commit(forget_withheld_countries)


def withhold_note(
    *, actor: Any, note: Note, countries: list[str], reason_code: str, decision: Decision | None = None
) -> list[Withholding]:
    if not (is_admin(actor) or decision is not None):
        raise Forbidden(_("Only reviewers and admins can withhold content."))
    clean = sorted({c.strip().upper() for c in countries if len(c.strip()) == 2 and c.strip().isalpha()})
    if not clean:
        raise ServiceError(_("Name at least one country."))
    rows = []
    _withholdings_changed()
    with transaction.atomic():
        for country in clean:
            row, _c = Withholding.objects.update_or_create(
                note=note,
                country=country,
                defaults={"reason_code": reason_code, "provisional": False, "decision": decision},
            )
            rows.append(row)
        audit.record(
            "withhold",
            actor=actor,
            target_type=TargetType.NOTE,
            target_id=note.pk,
            reason_code=reason_code,
            countries=clean,
            after={"withheld_in": clean},
        )
    return rows


def lift_withholding(*, actor: Any, note: Note, countries: list[str] | None = None) -> int:
    qs = Withholding.objects.filter(note=note)
    if countries:
        qs = qs.filter(country__in=[c.upper() for c in countries])
    before = sorted(qs.values_list("country", flat=True))
    deleted, _d = qs.delete()
    if deleted:
        audit.record(
            "withhold_lift",
            actor=actor,
            target_type=TargetType.NOTE,
            target_id=note.pk,
            countries=before,
            before={"withheld_in": before},
        )
    return deleted


def update_pack(*, actor: Any, code: str, source: str) -> PolicyPackOverride:
    """Replace a policy pack (admins only). The YAML is validated before anything is saved."""
    if not is_admin(actor):
        raise Forbidden(_("Only admins edit policy packs."))
    if code not in PACK_CODES:
        raise ServiceError(_("Unknown policy pack."))
    known = set(get_packs().categories) if code != "global" else None
    try:
        parse_pack(source, expected_code=code, known_categories=known)
    except PackError as exc:
        raise ServiceError(str(exc)) from exc
    with transaction.atomic():
        previous = PolicyPackOverride.objects.filter(code=code).first()
        override, _c = PolicyPackOverride.objects.update_or_create(
            code=code, defaults={"source": source, "updated_by": actor}
        )
        audit.record(
            "pack_update",
            actor=actor,
            reason_code=code,
            before={"source_chars": len(previous.source) if previous else None},
            after={"source_chars": len(source)},
        )
        transaction.on_commit(_packs_changed)
        from review import rescreen

        rescreen.schedule(pack=code, actor=actor)
    return override


def _packs_changed() -> None:
    cache.set(PACKS_VERSION_KEY, timezone.now().timestamp(), None)
    reload_packs()


def set_reviewer(
    *,
    actor: Any,
    user: Any,
    languages: list[str],
    regions: list[str] | None = None,
    senior: bool = False,
    active: bool = True,
) -> Reviewer:
    if not is_admin(actor):
        raise Forbidden(_("Only admins manage reviewer roles."))
    langs = [lang.strip() for lang in languages if lang and len(lang.strip()) <= 16][:20]
    regs = [r.strip().upper() for r in (regions or []) if len(r.strip()) == 2][:50]
    with transaction.atomic():
        reviewer, created = Reviewer.objects.update_or_create(
            user=user, defaults={"languages": langs, "regions": regs, "senior": senior, "active": active}
        )
        audit.record(
            "reviewer_set",
            actor=actor,
            target_type=TargetType.PROFILE,
            target_id=user.pk,
            after={"languages": langs, "regions": regs, "senior": senior, "active": active, "created": created},
        )
    return reviewer


def mark_notices_read(*, user: Any) -> int:
    return Notice.objects.filter(recipient=user, read=False).update(read=True)


def resolve_appeal(*, appeal: Appeal, reversed_: bool, reply: str) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.REVERSED if reversed_ else AppealStatus.UPHELD,
        reply=reply[:2000],
        resolved_at=timezone.now(),
    )
