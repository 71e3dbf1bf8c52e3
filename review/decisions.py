"""Human review: claim an item (a lock that expires), decide with a reason code, escalate, bulk.

Rules enforced here, whatever the caller: only active reviewers act; a reviewer sees and decides only
items in languages they read and regions they cover; nobody decides their own content; an appeal goes
to someone other than the reviewer who made the appealed decision; escalated items need a senior.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.countries import country_name
from core.errors import Forbidden, ServiceError
from notes.models import Comment, Note, NoteState
from review import appeals, audit, lifecycle, notices, statements, withholding
from review.models import (
    Action,
    Appeal,
    Decision,
    ItemStatus,
    NoticeKind,
    Report,
    ReviewItem,
    Strike,
    TargetType,
    Withholding,
)
from review.packs import get_packs
from review.permissions import covers_region, reads_language, reviewer_for

MAX_BULK = 200

STRIKING_ACTIONS = {Action.REJECT, Action.REMOVE}


def check_can_act(user: Any, item: ReviewItem) -> None:
    """Raise PermissionDenied unless ``user`` may claim and decide ``item``."""
    reviewer = reviewer_for(user)
    if reviewer is None:
        raise Forbidden(_("Only reviewers can do this."))
    if item.author_id == user.pk:
        raise Forbidden(_("You cannot review your own content."))
    if item.appeal_id is not None:
        appeal = Appeal.objects.select_related("decision").get(pk=item.appeal_id)
        if appeal.decision.reviewer_id == user.pk:
            raise Forbidden(_("An appeal goes to a different reviewer than the one who decided."))
    if item.status == ItemStatus.ESCALATED and not reviewer.senior:
        raise Forbidden(_("Escalated items are for senior reviewers."))
    if not reviewer.senior and not (reads_language(reviewer, item.language) and covers_region(reviewer, item.region)):
        raise Forbidden(_("This item is outside your languages or regions."))


def claim(*, user: Any, item_id: int) -> ReviewItem:
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status == ItemStatus.RESOLVED:
            raise ServiceError(_("This item is no longer open."))
        check_can_act(user, item)
        now = timezone.now()
        if item.claimed_by_id not in (None, user.pk) and item.claim_expires_at and item.claim_expires_at > now:
            raise ServiceError(_("Another reviewer is working on this item."))
        minutes = int(get_packs().global_pack.thresholds["claim_minutes"])
        item.claimed_by = user
        item.claim_expires_at = now + timedelta(minutes=minutes)
        item.save(update_fields=["claimed_by", "claim_expires_at"])
        audit.record(
            "claim", actor=user, target_type=item.target_type, target_id=item.target_id, detail={"item": str(item.pk)}
        )
    return item


def release(*, user: Any, item_id: int) -> None:
    ReviewItem.objects.filter(pk=item_id, claimed_by=user).update(claimed_by=None, claim_expires_at=None)


def _held_by_other(item: ReviewItem, user: Any) -> bool:
    return bool(
        item.claimed_by_id not in (None, user.pk) and item.claim_expires_at and item.claim_expires_at > timezone.now()
    )


def _target_state(item: ReviewItem) -> str:
    if item.target_type == TargetType.NOTE:
        return Note.objects.filter(pk=item.target_id).values_list("state", flat=True).first() or ""
    if item.target_type == TargetType.COMMENT:
        return Comment.objects.filter(pk=item.target_id).values_list("state", flat=True).first() or ""
    return ""


def _apply(item: ReviewItem, action: str, countries: list[str], decision: Decision, user: Any) -> None:
    note = Note.objects.filter(pk=item.target_id).first() if item.target_type == TargetType.NOTE else None
    comment = Comment.objects.filter(pk=item.target_id).first() if item.target_type == TargetType.COMMENT else None
    if action == Action.APPROVE:
        if note is not None:
            # Approving a screening hold or a regional flag clears the provisional withholdings.
            Withholding.objects.filter(note=note, provisional=True).delete()
            if note.state in (NoteState.PENDING, NoteState.HELD, NoteState.REJECTED, NoteState.REMOVED):
                lifecycle.publish(note)
        if comment is not None and comment.state != NoteState.PUBLISHED:
            lifecycle.set_comment_state(comment, NoteState.PUBLISHED)
    elif action in (Action.REJECT, Action.REMOVE):
        state = NoteState.REJECTED if action == Action.REJECT else NoteState.REMOVED
        if note is not None:
            lifecycle.set_note_state(note, state)
        if comment is not None:
            lifecycle.set_comment_state(comment, state)
    elif action == Action.WITHHOLD:
        if note is None:
            raise ServiceError(_("Only notes can be withheld by country."))
        withholding.withhold_note(
            actor=user, note=note, countries=countries, reason_code=decision.reason_code, decision=decision
        )
        Withholding.objects.filter(note=note, provisional=True).exclude(country__in=countries).delete()
        if note.state in (NoteState.PENDING, NoteState.HELD):
            lifecycle.publish(note)


def decide(
    *,
    user: Any,
    item_id: int,
    action: str,
    reason_code: str,
    note: str = "",
    countries: list[str] | None = None,
) -> Decision:
    """Decide an item. For an appeal item, APPROVE reverses the appealed decision, REJECT upholds it."""
    if action not in (Action.APPROVE, Action.REJECT, Action.REMOVE, Action.WITHHOLD):
        raise ServiceError(_("Unknown action."))
    categories = get_packs().categories
    if reason_code not in categories:
        raise ServiceError(_("Unknown reason code."))
    countries = sorted({c.strip().upper() for c in (countries or []) if len(c.strip()) == 2 and c.strip().isalpha()})
    if action == Action.WITHHOLD and not countries:
        raise ServiceError(_("Name the countries to withhold in."))
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status == ItemStatus.RESOLVED:
            raise ServiceError(_("This item is no longer open."))
        check_can_act(user, item)
        if _held_by_other(item, user):
            raise ServiceError(_("Another reviewer is working on this item."))
        before = {"state": _target_state(item), "status": item.status}
        if item.appeal_id is not None:
            decision = _decide_appeal(item, user, action, reason_code, note)
        else:
            decision = _record_decision(item, user, action, reason_code, note, countries)
            _apply(item, action, countries, decision, user)
            if action in STRIKING_ACTIONS and reason_code not in ("translation", "other"):
                appeals.add_strike(decision=decision)
            notices.notify(
                item.author,
                NoticeKind.DECISION,
                lambda: statements.summary(decision.statement),
                target_type=item.target_type,
                target_id=item.target_id,
                decision=decision,
            )
        item.status = ItemStatus.RESOLVED
        item.resolved_at = timezone.now()
        item.claimed_by = None
        item.claim_expires_at = None
        item.save(update_fields=["status", "resolved_at", "claimed_by", "claim_expires_at"])
        # Other open items on the same target (a screening hold and a report) resolve together.
        ReviewItem.objects.filter(target_type=item.target_type, target_id=item.target_id, appeal__isnull=True).exclude(
            status=ItemStatus.RESOLVED
        ).exclude(pk=item.pk).update(status=ItemStatus.RESOLVED, resolved_at=timezone.now())
        _tell_reporters(item, decision)
        audit.record(
            "decide",
            actor=user,
            target_type=item.target_type,
            target_id=item.target_id,
            reason_code=reason_code,
            language=item.language,
            countries=countries,
            before=before,
            after={"state": _target_state(item), "action": action},
            detail={"item": str(item.pk), "decision": str(decision.pk), "note": note, "source": item.source},
        )
    return decision


def _record_decision(
    item: ReviewItem, user: Any, action: str, reason_code: str, note: str, countries: list[str]
) -> Decision:
    restricting = action != Action.APPROVE
    days = int(get_packs().global_pack.duties.get("appeal_days", 183))
    deadline = timezone.now() + timedelta(days=days) if restricting else None
    decision = Decision.objects.create(
        item=item,
        target_type=item.target_type,
        target_id=item.target_id,
        author=item.author,
        reviewer=user,
        action=action,
        reason_code=reason_code,
        note=note,
        countries=countries,
        automated_detection=item.source == "screening",
        automated_decision=False,
        appeal_deadline=deadline,
    )
    decision.statement = statements.build(
        action=action,
        reason_code=reason_code,
        target_type=item.target_type,
        target_id=item.target_id,
        countries=countries,
        source=item.source,
        report_count=item.report_count,
        automated_detection=decision.automated_detection,
        automated_decision=False,
        note=note,
        appeal_deadline=deadline,
        decision_id=decision.pk,
    )
    decision.save(update_fields=["statement"])
    return decision


def _decide_appeal(item: ReviewItem, user: Any, action: str, reason_code: str, note: str) -> Decision:
    appeal = Appeal.objects.select_related("decision").get(pk=item.appeal_id or 0)
    original = appeal.decision
    reverse = action == Action.APPROVE
    decision = Decision.objects.create(
        item=item,
        target_type=item.target_type,
        target_id=item.target_id,
        author=item.author,
        reviewer=user,
        action=Action.APPROVE if reverse else original.action,
        reason_code=reason_code,
        note=note,
        countries=original.countries,
    )
    decision.statement = {
        "appeal": str(appeal.pk),
        "outcome": "reversed" if reverse else "upheld",
        "reply": note,
        "original_decision": str(original.pk),
    }
    decision.save(update_fields=["statement"])
    if reverse:
        if item.target_type == TargetType.NOTE:
            target = Note.objects.filter(pk=item.target_id).first()
            if target is not None:
                Withholding.objects.filter(note=target).delete()
                lifecycle.publish(target)
        elif item.target_type == TargetType.COMMENT:
            comment = Comment.objects.filter(pk=item.target_id).first()
            if comment is not None:
                lifecycle.set_comment_state(comment, NoteState.PUBLISHED)
        Strike.objects.filter(decision=original).update(revoked=True)
    appeals.resolve_appeal(appeal=appeal, reversed_=reverse, reply=note)

    def outcome() -> str:
        said = (
            _("Your appeal was accepted and the decision reversed.")
            if reverse
            else _("Your appeal was reviewed by a different reviewer and the decision upheld.")
        )
        return said + (" " + note if note else "")

    notices.notify(
        appeal.appellant,
        NoticeKind.APPEAL_OUTCOME,
        outcome,
        target_type=item.target_type,
        target_id=item.target_id,
        decision=decision,
    )
    return decision


def _tell_reporters(item: ReviewItem, decision: Decision) -> None:
    reports = Report.objects.filter(
        item__target_type=item.target_type, item__target_id=item.target_id, outcome_sent_at__isnull=True
    ).select_related("reporter")

    def text() -> str:
        if decision.action == Action.APPROVE:
            return _("We reviewed the content you reported and found it does not break our rules.")
        if decision.action in (Action.REJECT, Action.REMOVE):
            return _("We reviewed the content you reported and removed it.")
        if decision.action == Action.WITHHOLD:
            return _("We reviewed the content you reported and withheld it in %(c)s.") % {
                "c": ", ".join(country_name(c) for c in decision.countries)
            }
        return ""

    now = timezone.now()
    for report in reports:
        notices.notify(
            report.reporter, NoticeKind.REPORT_OUTCOME, text, target_type=item.target_type, target_id=item.target_id
        )
    reports.update(outcome_sent_at=now)


def escalate(*, user: Any, item_id: int, note: str = "") -> ReviewItem:
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status == ItemStatus.RESOLVED:
            raise ServiceError(_("This item is no longer open."))
        check_can_act(user, item)
        item.status = ItemStatus.ESCALATED
        item.claimed_by = None
        item.claim_expires_at = None
        item.save(update_fields=["status", "claimed_by", "claim_expires_at"])
        audit.record(
            "escalate",
            actor=user,
            target_type=item.target_type,
            target_id=item.target_id,
            detail={"item": str(item.pk), "note": (note or "")[:2000]},
        )
    return item


def bulk_decide(*, user: Any, item_ids: list[int], action: str, reason_code: str, note: str = "") -> dict[str, Any]:
    """Decide many items at once (spam waves). Items the user may not decide are skipped and listed."""
    if len(item_ids) > MAX_BULK:
        raise ServiceError(_("At most %(n)s items at once.") % {"n": MAX_BULK})
    if action == Action.WITHHOLD:
        raise ServiceError(_("Withholding is decided one item at a time."))
    done, skipped = [], []
    for item_id in dict.fromkeys(item_ids):
        try:
            decide(user=user, item_id=item_id, action=action, reason_code=reason_code, note=note)
            done.append(str(item_id))
        except ServiceError as exc:
            skipped.append({"id": str(item_id), "reason": str(getattr(exc, "message", exc))})
    return {"decided": done, "skipped": skipped}
