"""How review reacts to what happens in the apps below it (subscribed in ``ReviewConfig.ready``):
new and edited notes, comments and profiles are screened once their write commits; profiles that trust
suspects of impersonation are queued with the evidence (review -> trust.events, docs/architecture.md)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.events import ProfileChanged
from accounts.models import User
from core.tasks import enqueue_on_commit
from notes import translations as note_translations
from notes.events import CommentCreated, NoteSubmitted, TranslationSuggested
from notes.models import Note
from review import audit, intake, lifecycle, notices
from review.items import queue_account_risk, queue_impersonation
from review.models import NoticeKind
from review.tasks import screen_comment_task, screen_note_task, screen_profile_task, screen_suggestion_task
from trust.events import AccountRiskRaised, ImpersonationSuspected, TrustSettingChanged


def screen_submitted_note(event: NoteSubmitted) -> None:
    """Screen a new or edited note on the review queue. With REVIEW_SCREENING off (tiny private
    instances, other apps' tests) it is published at once; under ``inline_screening`` (bulk loads)
    it is screened in the caller's transaction."""
    if not intake.screening_enabled():
        note = Note.objects.filter(pk=event.note_id).first()
        if note is not None:
            lifecycle.publish(note)
        return
    if intake.inline.get():
        intake.screen_note(note_id=event.note_id, assess_author=True)
        return
    enqueue_on_commit(screen_note_task, event.note_id)


def screen_new_comment(event: CommentCreated) -> None:
    if intake.screening_enabled():
        enqueue_on_commit(screen_comment_task, event.comment_id)


def screen_suggested_translation(event: TranslationSuggested) -> None:
    """A reader's suggested translation is screened before its note's author sees it; with screening
    off it is open at once."""
    if not intake.screening_enabled():
        note_translations.settle_screening(suggestion_id=event.suggestion_id, passed=True)
        return
    if intake.inline.get():
        intake.screen_suggestion(suggestion_id=event.suggestion_id)
        return
    enqueue_on_commit(screen_suggestion_task, event.suggestion_id)


def screen_changed_profile(event: ProfileChanged) -> None:
    """A risky display name or bio is queued for a person; the profile stays as it is meanwhile."""
    if not intake.screening_enabled() or not event.fields & {"bio", "display_name"}:
        return
    user = User.objects.filter(pk=event.user_id).only("bio", "display_name").first()
    if user is not None and (user.bio or user.display_name):
        enqueue_on_commit(screen_profile_task, event.user_id)


def flag_suspected_impersonation(event: ImpersonationSuspected) -> None:
    """Trust found a profile that looks like a protected account: a person looks at it, with the evidence."""
    queue_impersonation(
        user_id=event.user_id,
        evidence={
            "signal": event.signal,
            "score": event.score,
            "subject": event.subject,
            "candidate_value": event.candidate_value,
            "protected_user_id": str(event.protected_user_id),
            "protected_username": event.protected_username,
            "protected_verified": event.protected_verified,
            "protected_subject": event.protected_subject,
            "protected_value": event.protected_value,
            "detail": event.detail,
        },
    )


def flag_risky_account(event: AccountRiskRaised) -> None:
    """Trust's counters say the account behaves like a counterfeit or spam account: a person looks."""
    queue_account_risk(user_id=event.user_id, score=event.score, rules=list(event.rules), reasons=list(event.reasons))


def audit_trust_setting(event: TrustSettingChanged) -> None:
    """Every change of trust's operator settings, by a person or by influx detection, is audited."""
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    audit.record(
        "trust_setting",
        actor=actor,
        target_type="trust",
        reason_code=event.key[:32],
        before={"value": event.before},
        after={"value": event.after},
        detail={"key": event.key, "by": "operator" if event.actor_id else "influx detection", "why": event.detail},
    )


def alert_operators_of_influx(event: TrustSettingChanged) -> None:
    """Influx mode switched (by detection or by another operator): every operator gets a notice."""
    if event.key != "influx_mode":
        return
    after = event.after if isinstance(event.after, dict) else {}
    on = bool(after.get("active"))
    language, country, why = after.get("language") or "?", after.get("country") or "?", event.detail

    def text() -> str:
        if on:
            return _(
                "Influx mode is on: sign-ups are surging (%(why)s). Language %(language)s, country %(country)s."
            ) % {
                "why": why or _("switched on by an operator"),
                "language": language,
                "country": country,
            }
        return _("Influx mode is off again.")

    for operator in User.objects.filter(is_active=True).filter(Q(is_staff=True) | Q(is_superuser=True))[:200]:
        if operator.pk != event.actor_id:
            notices.notify(operator, NoticeKind.INFLUX, text, target_type="trust")
