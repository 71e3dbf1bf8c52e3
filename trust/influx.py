"""Influx mode: a wave of newcomers is noticed, and the site gets ready for it (docs/trust.md).

**Detection.** Sign-ups of the last ``window_minutes`` are counted by (network country, interface
language) and compared with the same group's hourly average over the ``baseline_hours`` before them. A
group surges when it has at least ``min_signups`` and at least ``factor`` times its baseline (a group
with no history counts a baseline of one an hour). ``check()`` runs as a task (``check_influx_task``),
scheduled at most once every ``check_every_s`` by sign-ups themselves (there is no scheduler in the
embedded default) and by ``manage.py check_influx``.

**What it changes while on** (read where each thing is decided, from ``OperatorSettings``):

- the waitlist opens at the influx capacity (``trust.operator.capacity_per_hour``);
- new accounts' rate limits are divided by ``tighten_limits`` (``trust.limits``);
- new content of a new account is held for review at a lower risk score, ``influx_hold_score``
  instead of ``hold_score`` (``trust.risk.content_hold_reason``);
- sign-up and onboarding suggest the incoming language as the interface language (``web``);
- operators are alerted (review's subscriber leaves each staff account a notice) and the switch is
  audited, like an operator's.

It switches itself off when no group is above half its thresholds. An operator's switch (on or off,
on the trust operator page) is left alone by detection for ``manual_hold_hours``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from trust import operator
from trust.models import Signup

DEFAULTS: dict[str, Any] = {
    "window_minutes": 60,
    "baseline_hours": 24 * 7,
    "factor": 5.0,
    "min_signups": 50,
    "check_every_s": 60,
    "manual_hold_hours": 6,
    "tighten_limits": 2,
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "TRUST_INFLUX", {})}


@dataclass(frozen=True)
class Surge:
    country: str
    language: str
    count: int
    baseline_per_hour: float

    def describe(self) -> str:
        return (
            f"{self.count} sign-ups in the window from {self.country or '??'} in {self.language or '?'}"
            f" against {self.baseline_per_hour:.1f}/h"
        )


def surges(now: datetime | None = None, *, scale: float = 1.0, cfg: dict[str, Any] | None = None) -> list[Surge]:
    """The (country, language) groups surging now, biggest first. ``scale`` multiplies the thresholds
    (0.5: the lower bar that keeps influx mode on once it is on)."""
    cfg = cfg or config()
    now = now or timezone.now()
    window = timedelta(minutes=float(cfg["window_minutes"]))
    hours = float(cfg["baseline_hours"])
    since = now - window
    recent = (
        Signup.objects.filter(created_at__gte=since, created_at__lte=now)
        .values_list("country", "language")
        .annotate(n=Count("id"))
    )
    before = Signup.objects.filter(created_at__gte=since - timedelta(hours=hours), created_at__lt=since)
    baseline = {
        (country, language): n
        for country, language, n in before.values_list("country", "language").annotate(n=Count("id"))
    }
    per_window = window.total_seconds() / 3600
    found = []
    for country, language, n in recent:
        per_hour = baseline.get((country, language), 0) / hours if hours > 0 else 0.0
        expected = max(per_hour, 1.0) * per_window
        if n >= cfg["min_signups"] * scale and n >= cfg["factor"] * scale * expected:
            found.append(Surge(country=country, language=language, count=n, baseline_per_hour=round(per_hour, 2)))
    return sorted(found, key=lambda s: -s.count)


def check(now: datetime | None = None) -> str:
    """Switch influx mode on or off from what detection sees: "on", "off", or "" (no change)."""
    cfg = config()
    now = now or timezone.now()
    row = operator.row()
    if row.influx_manual and row.influx_since and row.influx_since > now - timedelta(hours=cfg["manual_hold_hours"]):
        return ""  # an operator decided, recently
    if not row.influx_active:
        found = surges(now, cfg=cfg)
        if not found:
            return ""
        top = found[0]
        detail = "; ".join(s.describe() for s in found[:3])
        operator.set_influx(
            actor_id=None, active=True, manual=False, language=top.language, country=top.country, detail=detail
        )
        return "on"
    if surges(now, scale=0.5, cfg=cfg):
        return ""
    operator.set_influx(actor_id=None, active=False, manual=False, detail="calm again")
    return "off"


def active() -> bool:
    return operator.snapshot().influx_active


def incoming_language() -> str:
    """The interface language of the wave while influx mode is on, else ""."""
    snap = operator.snapshot()
    return snap.influx_language if snap.influx_active else ""
