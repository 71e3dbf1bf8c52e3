"""The operator's settings for sign-ups, limits and influx mode (docs/trust.md, "Operator pages").

One ``OperatorSettings`` row holds what an operator changed on the trust operator page; an empty field
falls back to the settings module (``SIGNUP_MODE``, ``SIGNUP_CAPACITY_PER_HOUR``, ``RATE_LIMITS``), so a
fresh instance behaves exactly as configured. Reads are on hot paths (every rate-limit check), so the row
is kept in Django's cache for ``CACHE_SECONDS``; a write deletes that entry, so the writing process sees
it at once and others (with the in-process cache) within seconds.

Every change is announced as ``trust.events.TrustSettingChanged`` with its actor, before and after;
review subscribes and writes it to the audit log (trust never imports review).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events, request_reads
from core.errors import ServiceError
from trust import rules
from trust.events import TrustSettingChanged
from trust.models import OperatorSettings, SignupRule

# Read with the other instance-wide entries, once per request (core/request_reads.py).
CACHE_KEY = request_reads.shared("trust:operator-settings")
CACHE_SECONDS = 5
SIGNUP_MODES = ("open", "approval", "invite", "closed")
MAX_CAPACITY = 1_000_000


@dataclass(frozen=True)
class Snapshot:
    """What the hot paths read: the row's values, with influx mode's state."""

    signup_mode: str = ""
    capacity_per_hour: int | None = None
    influx_capacity_per_hour: int | None = None
    rate_limits: dict[str, str] = field(default_factory=dict)
    influx_active: bool = False
    influx_language: str = ""
    influx_country: str = ""


def row() -> OperatorSettings:
    """The one row (made on first use)."""
    obj, _created = OperatorSettings.objects.get_or_create(pk=1)
    return obj


def snapshot() -> Snapshot:
    cached = request_reads.get(CACHE_KEY)
    if isinstance(cached, Snapshot):
        return cached
    obj = OperatorSettings.objects.filter(pk=1).first()
    snap = (
        Snapshot()
        if obj is None
        else Snapshot(
            signup_mode=obj.signup_mode,
            capacity_per_hour=obj.capacity_per_hour,
            influx_capacity_per_hour=obj.influx_capacity_per_hour,
            rate_limits=dict(obj.rate_limits or {}),
            influx_active=obj.influx_active,
            influx_language=obj.influx_language,
            influx_country=obj.influx_country,
        )
    )
    cache.set(CACHE_KEY, snap, CACHE_SECONDS)
    request_reads.put(CACHE_KEY, snap)
    return snap


def forget() -> None:
    cache.delete(CACHE_KEY)
    request_reads.forget(CACHE_KEY)


# --- what the rest of trust reads ----------------------------------------------------------------


def signup_mode() -> str:
    return snapshot().signup_mode or str(getattr(settings, "SIGNUP_MODE", "open"))


def capacity_per_hour() -> int:
    """Sign-ups admitted per hour before newcomers wait; 0 means no waitlist. In influx mode the influx
    capacity applies (``SIGNUP_INFLUX_CAPACITY_PER_HOUR`` or the operator's value)."""
    snap = snapshot()
    if snap.influx_active:
        influx = snap.influx_capacity_per_hour
        if influx is None:
            influx = int(getattr(settings, "SIGNUP_INFLUX_CAPACITY_PER_HOUR", 600))
        if influx > 0:
            return influx
    if snap.capacity_per_hour is not None:
        return snap.capacity_per_hour
    return int(getattr(settings, "SIGNUP_CAPACITY_PER_HOUR", 0) or 0)


def rate_override(name: str) -> tuple[bool, str | None]:
    """(True, rate text or None for off) when the operator set limit ``name``; (False, None) otherwise."""
    overrides = snapshot().rate_limits
    if name not in overrides:
        return False, None
    value = overrides[name]
    return True, (None if value in ("", "off") else value)


# --- changes (the operator page, influx detection) ------------------------------------------------


def _announce(actor_id: int | None, key: str, before: Any, after: Any, detail: str = "") -> None:
    events.emit(TrustSettingChanged(actor_id=actor_id, key=key, before=before, after=after, detail=detail))


def _check_capacity(value: int | None, field_name: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_CAPACITY:
        raise ServiceError(
            _("Capacity is a number of sign-ups per hour from 0 to %(n)s.") % {"n": MAX_CAPACITY},
            field=field_name,
            code="invalid",
        )
    return value


def update_signups(
    *,
    actor_id: int | None,
    signup_mode: str,
    capacity_per_hour: int | None,
    influx_capacity_per_hour: int | None,
) -> list[str]:
    """Set the sign-up mode (empty: the default) and the waitlist capacities (None: the default).
    Returns the names of what changed; each change is announced (and so audited)."""
    if signup_mode and signup_mode not in SIGNUP_MODES:
        raise ServiceError(_("Unknown sign-up mode."), field="signup_mode", code="invalid")
    new = {
        "signup_mode": signup_mode,
        "capacity_per_hour": _check_capacity(capacity_per_hour, "capacity_per_hour"),
        "influx_capacity_per_hour": _check_capacity(influx_capacity_per_hour, "influx_capacity_per_hour"),
    }
    changed = []
    with transaction.atomic():
        obj = OperatorSettings.objects.select_for_update().filter(pk=row().pk).get()
        for name, value in new.items():
            before = getattr(obj, name)
            if before != value:
                setattr(obj, name, value)
                changed.append(name)
                _announce(actor_id, name, before, value)
        if changed:
            obj.save()
            transaction.on_commit(forget)
    forget()
    return changed


def update_rate_limits(*, actor_id: int | None, values: dict[str, str]) -> list[str]:
    """Set limits by name: a rate (``30/1h``), ``off``, or empty for the default. Unknown names and
    malformed rates are refused before anything is written."""
    from trust.limits import DEFAULT_RATES, Rate  # (import cycle: limits reads the operator's rates)

    cleaned: dict[str, str] = {}
    for name, raw in values.items():
        if name not in DEFAULT_RATES:
            raise ServiceError(_("Unknown limit %(name)s.") % {"name": name[:40]}, field=name[:40], code="invalid")
        text = (raw or "").strip().lower()
        if not text:
            continue
        if text != "off":
            try:
                parsed = Rate.parse(text)
            except ValueError:
                raise ServiceError(
                    _("%(name)s: write a limit as a number per period, such as 30/1h, or off.") % {"name": name},
                    field=name,
                    code="invalid",
                ) from None
            if parsed.count > 10_000_000 or parsed.period > 366 * 86400:
                raise ServiceError(_("%(name)s: that limit is out of range.") % {"name": name}, field=name)
        cleaned[name] = text
    changed = []
    with transaction.atomic():
        obj = OperatorSettings.objects.select_for_update().filter(pk=row().pk).get()
        before_all = dict(obj.rate_limits or {})
        for name in values:
            before, after = before_all.get(name), cleaned.get(name)
            if before != after:
                changed.append(name)
                _announce(actor_id, f"rate_limit:{name}", before, after)
        if changed:
            merged = {k: v for k, v in before_all.items() if k not in values}
            merged.update(cleaned)
            obj.rate_limits = merged
            obj.save()
            transaction.on_commit(forget)
    forget()
    return changed


def add_rule(*, actor_id: int | None, kind: str, pattern: str, action: str, note: str = "") -> SignupRule:
    if kind not in dict(SignupRule.KINDS):
        raise ServiceError(_("Unknown kind of rule."), field="kind", code="invalid")
    if action not in dict(SignupRule.ACTIONS):
        raise ServiceError(_("Choose refuse or require approval."), field="action", code="invalid")
    cleaned = rules.clean(kind, pattern)
    with transaction.atomic():
        rule = SignupRule.objects.create(kind=kind, pattern=cleaned, action=action, note=(note or "").strip()[:200])
        _announce(actor_id, "signup_rule", None, {"id": rule.pk, "kind": kind, "pattern": cleaned, "action": action})
    return rule


def delete_rule(*, actor_id: int | None, rule_id: int) -> bool:
    with transaction.atomic():
        rule = SignupRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            return False
        before = {"id": rule.pk, "kind": rule.kind, "pattern": rule.pattern, "action": rule.action}
        rule.delete()
        _announce(actor_id, "signup_rule", before, None)
    return True


def set_influx(
    *,
    actor_id: int | None,
    active: bool,
    manual: bool,
    language: str = "",
    country: str = "",
    detail: str = "",
) -> bool:
    """Switch influx mode on or off; False when it already was so. An operator's switch (``manual``) is
    left alone by detection until the operator switches it back (``trust.influx``)."""
    with transaction.atomic():
        obj = OperatorSettings.objects.select_for_update().filter(pk=row().pk).get()
        if obj.influx_active == active and obj.influx_manual == manual:
            return False
        before = {"active": obj.influx_active, "manual": obj.influx_manual, "language": obj.influx_language}
        obj.influx_active, obj.influx_manual = active, manual
        obj.influx_since = timezone.now()  # when the state was set: on, or off by hand
        obj.influx_language = language[:16] if active else ""
        obj.influx_country = country[:2].upper() if active else ""
        obj.influx_detail = detail[:200] if active else ""
        obj.save()
        after = {"active": active, "manual": manual, "language": obj.influx_language, "country": obj.influx_country}
        _announce(actor_id, "influx_mode", before, after, detail)
        transaction.on_commit(forget)
    forget()
    return True
