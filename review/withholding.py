"""Withholding notes per country: provisionally on a regional pack's hit, for good by a reviewer or an
admin, and lifting it again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Forbidden, ServiceError
from notes.models import Note
from review import audit
from review.items import queue_for
from review.models import (
    Decision,
    ScreeningResult,
    TargetType,
    Withholding,
)
from review.packs import get_packs
from review.permissions import is_admin
from review.screening import Verdict
from review.selectors import forget_withheld_countries


def withholdings_changed() -> None:
    # Forget the cached set of countries with withholdings now and again after commit, so no read
    # between the two re-caches a set without the new country.
    forget_withheld_countries()
    transaction.on_commit(forget_withheld_countries)


def withhold_provisionally(
    note: Note, verdict: Verdict, result: ScreeningResult, language: str, *, regional: dict[str, list[str]]
) -> None:
    """Regional packs' hits (country -> categories): withhold the note there until a reviewer confirms,
    with one queue item per regional pack (not per member state) and an audit record."""
    if not regional:
        return
    withholdings_changed()
    for country, categories in regional.items():
        Withholding.objects.get_or_create(
            note=note, country=country, defaults={"reason_code": categories[0], "provisional": True}
        )
    for country in sorted(set(regional)):
        region_pack = get_packs().for_country(country)
        if region_pack and country != region_pack[0].countries[0]:
            continue
        queue_for(
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


def withhold_note(
    *, actor: Any, note: Note, countries: list[str], reason_code: str, decision: Decision | None = None
) -> list[Withholding]:
    if not (is_admin(actor) or decision is not None):
        raise Forbidden(_("Only reviewers and admins can withhold content."))
    clean = sorted({c.strip().upper() for c in countries if len(c.strip()) == 2 and c.strip().isalpha()})
    if not clean:
        raise ServiceError(_("Name at least one country."))
    rows = []
    withholdings_changed()
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
