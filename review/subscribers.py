"""How review reacts to what happens in the apps below it (subscribed in ``ReviewConfig.ready``):
new and edited notes, comments and profiles are screened once their write commits; profiles that trust
suspects of impersonation are queued with the evidence (review -> trust.events, docs/architecture.md)."""

from __future__ import annotations

from accounts.events import ProfileChanged
from accounts.models import User
from core.tasks import enqueue_on_commit
from notes.events import CommentCreated, NoteSubmitted
from notes.models import Note
from review import intake, lifecycle
from review.items import queue_account_risk, queue_impersonation
from review.tasks import screen_comment_task, screen_note_task, screen_profile_task
from trust.events import AccountRiskRaised, ImpersonationSuspected


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
        intake.screen_note(note_id=event.note_id)
        return
    enqueue_on_commit(screen_note_task, event.note_id)


def screen_new_comment(event: CommentCreated) -> None:
    if intake.screening_enabled():
        enqueue_on_commit(screen_comment_task, event.comment_id)


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
