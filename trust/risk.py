"""Counterfeit and spam-account risk (docs/trust.md, "Account risk").

Bluesky-automod style counters per account per hour, read over the last hour and day, and rules over
what the database already knows. Each rule that fires adds its weight to the account's score (at most
1); the score and its reasons are kept in ``AccountRisk`` and, at ``review_score`` or above, sent to
review as ``AccountRiskRaised`` (at most once per ``reflag_hours``). Nothing is blocked here.

Rules (thresholds and weights are settings, ``TRUST_RISK``):

- ``follows_1h`` / ``follows_1d``: follows made in the last hour / day (mass following);
- ``unfollows_1h`` / ``unfollows_1d``: unfollows (follow/unfollow churn);
- ``mentions_young``: distinct accounts mentioned in the last day by an account younger than
  ``young_days``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from core import events
from notes.models import Mention
from trust.events import AccountRiskRaised
from trust.models import AccountRisk, RiskCounter

DEFAULTS: dict[str, Any] = {
    "rules": {
        # code: (counter kind or "mentions", window hours, threshold, weight)
        "follows_1h": ("follow", 1, 60, 0.5),
        "follows_1d": ("follow", 24, 400, 0.5),
        "unfollows_1h": ("unfollow", 1, 60, 0.5),
        "unfollows_1d": ("unfollow", 24, 300, 0.5),
        "mentions_young": ("mentions", 24, 25, 0.6),
    },
    "young_days": 7,
    "review_score": 0.5,
    "reflag_hours": 24,
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "TRUST_RISK", {})}


def _hour(now: Any) -> Any:
    return now.replace(minute=0, second=0, microsecond=0)


def count(*, user_id: int, kind: str, n: int = 1) -> None:
    """Add ``n`` to the user's ``kind`` counter for this hour."""
    hour = _hour(timezone.now())
    updated = RiskCounter.objects.filter(user_id=user_id, kind=kind, hour=hour).update(count=F("count") + n)
    if not updated:
        try:
            with transaction.atomic():
                RiskCounter.objects.create(user_id=user_id, kind=kind, hour=hour, count=n)
        except IntegrityError:
            RiskCounter.objects.filter(user_id=user_id, kind=kind, hour=hour).update(count=F("count") + n)


def _counters(user_id: int, hours: int) -> list[tuple[str, Any, int]]:
    """The user's counter rows of the last ``hours`` hours, in one query."""
    since = _hour(timezone.now()) - timedelta(hours=hours - 1)
    return list(RiskCounter.objects.filter(user_id=user_id, hour__gte=since).values_list("kind", "hour", "count"))


def _distinct_mentions(user: User, hours: int) -> int:
    since = timezone.now() - timedelta(hours=hours)
    mine = Q(note__author=user, note__created_at__gte=since) | Q(comment__author=user, comment__created_at__gte=since)
    return Mention.objects.filter(mine).exclude(user=user).values("user").distinct().count()


def assess(user: User, cfg: dict[str, Any] | None = None) -> tuple[float, list[str], list[str]]:
    """The score, the rules that fired and one reason per rule, for ``user`` now."""
    cfg = cfg or config()
    young = user.date_joined >= timezone.now() - timedelta(days=cfg["young_days"])
    score, fired, reasons = 0.0, [], []
    longest = max((hours for kind, hours, _t, _w in cfg["rules"].values() if kind != "mentions"), default=1)
    rows = _counters(user.pk, longest)
    this_hour = _hour(timezone.now())
    for code, (kind, hours, threshold, weight) in cfg["rules"].items():
        if kind == "mentions":
            if not young:
                continue
            value = _distinct_mentions(user, hours)
        else:
            since = this_hour - timedelta(hours=hours - 1)
            value = sum(n for k, hour, n in rows if k == kind and hour >= since)
        if value >= threshold:
            score += weight
            fired.append(code)
            reasons.append(f"{code} {value} >= {threshold}")
    return round(min(score, 1.0), 3), fired, reasons


def reassess(*, user_id: int) -> AccountRisk | None:
    """Recompute and keep the account's score; send it to review when it reaches ``review_score``."""
    cfg = config()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    score, fired, reasons = assess(user, cfg)
    with transaction.atomic():
        risk = AccountRisk.objects.select_for_update().filter(user=user).first()
        if risk is None:
            if score == 0:
                return None  # nothing to keep: most accounts never get a row
            risk = AccountRisk(user=user)
        risk.score, risk.reasons = score, reasons
        now = timezone.now()
        recently = risk.flagged_at is not None and risk.flagged_at > now - timedelta(hours=cfg["reflag_hours"])
        if score >= cfg["review_score"] and not recently:
            risk.flagged_at = now
            events.emit(AccountRiskRaised(user_id=user.pk, score=score, rules=tuple(fired), reasons=tuple(reasons)))
        risk.save()
    return risk
