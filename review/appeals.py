"""Appeals against decisions, and the strikes that decisions leave on an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Forbidden, ServiceError
from core.text import clean_user_text
from notes.models import Note
from review import audit
from review.items import guess_language
from review.models import (
    Action,
    Appeal,
    AppealStatus,
    Decision,
    ReviewItem,
    Severity,
    Strike,
    TargetType,
)
from review.packs import get_packs


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


def resolve_appeal(*, appeal: Appeal, reversed_: bool, reply: str) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.REVERSED if reversed_ else AppealStatus.UPHELD,
        reply=reply[:2000],
        resolved_at=timezone.now(),
    )


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
