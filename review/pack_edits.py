"""Operators' edits of the regional policy packs: validated, audited, and followed by a rescreen."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import request_reads
from core.errors import Forbidden, ServiceError
from review import audit, rescreen
from review.models import (
    PolicyPackOverride,
)
from review.packs import PACK_CODES, PACKS_VERSION_KEY, PackError, get_packs, parse_pack, reload_packs
from review.permissions import is_admin


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
        transaction.on_commit(packs_changed)
        rescreen.schedule(pack=code, actor=actor)
    return override


def packs_changed() -> None:
    version = timezone.now().timestamp()
    cache.set(PACKS_VERSION_KEY, version, None)
    request_reads.put(PACKS_VERSION_KEY, version)
    reload_packs()
