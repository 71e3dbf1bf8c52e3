"""Appointing reviewers: their languages, regions and seniority (admins only, audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Forbidden
from review import audit
from review.models import (
    Reviewer,
    TargetType,
)
from review.permissions import is_admin


def set_reviewer(
    *,
    actor: Any,
    user: Any,
    languages: list[str],
    regions: list[str] | None = None,
    senior: bool = False,
    active: bool = True,
    by_system: bool = False,
) -> Reviewer:
    """Appoint ``user`` (or change their languages and regions, or retire them with ``active=False``).
    ``by_system`` is for the demo loader and management commands, which act for the operator."""
    if not (by_system or is_admin(actor)):
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


def reviewers_list() -> list[Reviewer]:
    return list(Reviewer.objects.select_related("user").order_by("-active", "user__username"))
