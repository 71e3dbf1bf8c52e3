"""Counterfeit and spam-account risk (docs/trust.md, "Account risk").

Bluesky-automod style counters per account per hour, read over the last hour and day, and rules over
what the database already knows. Each rule that fires adds its weight to the account's score (at most
1); the score and its reasons are kept in ``AccountRisk`` and, at ``review_score`` or above, sent to
review as ``AccountRiskRaised`` (at most once per ``reflag_hours``). Nothing is blocked here.

Rules (thresholds and weights are settings, ``TRUST_RISK``):

- ``follows_1h`` / ``follows_1d``: follows made in the last hour / day (mass following);
- ``unfollows_1h`` / ``unfollows_1d``: unfollows (follow/unfollow churn);
- ``mentions_young``: distinct accounts mentioned in the last day by an account younger than
  ``young_days``;
- ``subnet_signups``: accounts signed up from the account's sign-up /24 (or /64) in the last day (read
  from the short security log, so only while it keeps them);
- ``device_signups``: accounts signed up with the same device cookie in the last week;
- ``photo_shared``: the most accounts that posted one of this account's photos of the last day (pHash
  within ``photo_max_distance`` bits), this one included;
- ``payload_shared``: the most newcomers that pushed one of this account's payloads (a link's site, a
  contact id, a phone number... ``trust.payloads``) in the last day, this one included;
- ``region_mismatch``: the account's claimed region (profile) disagrees with the network country of
  most of its recent sign-up and sign-in addresses (the short security log). A signal, light on its own.

``subnet_signups``, ``device_signups``, ``photo_shared`` and ``payload_shared`` count newcomers only:
accounts younger than ``young_days`` that came in through the public sign-up (a ``Signup`` record).
Accounts an operator's tools create (``createsuperuser``, the demo loader, the benchmarks' seeding) are
not newcomers and are neither counted nor judged by them.

High risk holds new content: ``content_hold_reason`` (installed as core.standing's policy, read by
review's screening) says why a new note or comment of this account must wait for a person: a score at or
above ``hold_score``, or above ``influx_hold_score`` for a young account while influx mode is on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from core import events
from core.geo import country_for_ip
from notes.models import Mention, Photo
from trust import influx, payloads
from trust.events import AccountRiskRaised
from trust.models import AccountRisk, RiskCounter, SecurityEvent, Signup

DEFAULTS: dict[str, Any] = {
    "rules": {
        # code: (counter kind or "mentions", window hours, threshold, weight)
        "follows_1h": ("follow", 1, 60, 0.5),
        "follows_1d": ("follow", 24, 400, 0.5),
        "unfollows_1h": ("unfollow", 1, 60, 0.5),
        "unfollows_1d": ("unfollow", 24, 300, 0.5),
        "mentions_young": ("mentions", 24, 25, 0.6),
        "subnet_signups": ("subnet", 24, 10, 0.4),
        "device_signups": ("device", 24 * 7, 3, 0.6),
        "photo_shared": ("photo", 24, 3, 0.6),
        "payload_shared": ("payload", 24, 4, 0.8),
        # threshold: disagreeing entries, at least; and ``region_share`` of the known ones
        "region_mismatch": ("region", 24 * 14, 3, 0.2),
    },
    "region_entries": 10,
    "region_share": 0.75,
    "young_days": 7,
    "photo_max_distance": 4,
    "hold_score": 0.8,
    "influx_hold_score": 0.4,
    "review_score": 0.5,
    "reflag_hours": 24,
}


COUNTERS = ("follow", "unfollow")


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


def _newcomer_signup(user: User, cfg: dict[str, Any]) -> Signup | None:
    """The account's sign-up record when it is a newcomer (see the module's docstring), else None."""
    if user.date_joined < timezone.now() - timedelta(days=cfg["young_days"]):
        return None
    return Signup.objects.filter(user=user).first()


def _subnet_signups(user: User, hours: int) -> int:
    since = timezone.now() - timedelta(hours=hours)
    subnets = SecurityEvent.objects.filter(user=user, kind="signup").exclude(subnet="").values("subnet")
    return (
        SecurityEvent.objects.filter(kind="signup", subnet__in=subnets, created_at__gte=since)
        .values("user")
        .distinct()
        .count()
    )


def _device_signups(signup: Signup, hours: int) -> int:
    if not signup.device:
        return 0
    since = timezone.now() - timedelta(hours=hours)
    return Signup.objects.filter(device=signup.device, created_at__gte=since).count()


def _bits(phash: str) -> int | None:
    try:
        return int(phash, 16)
    except ValueError:
        return None


def _photo_shared(user: User, hours: int, cfg: dict[str, Any]) -> int:
    """The most newcomer accounts (this one included) that posted one of this account's recent photos."""
    now = timezone.now()
    since = now - timedelta(hours=hours)
    mine = {b for b in (_bits(h) for h in _recent_hashes(Photo.objects.filter(owner=user), since)) if b is not None}
    if not mine:
        return 0
    young_since = now - timedelta(days=cfg["young_days"])
    others = Photo.objects.filter(owner__signup__created_at__gte=young_since).exclude(owner=user)
    owners: dict[int, set[int]] = {h: set() for h in mine}
    limit = int(cfg["photo_max_distance"])
    for owner_id, phash in (
        others.filter(created_at__gte=since).exclude(phash="").values_list("owner_id", "phash")[:5000]
    ):
        bits = _bits(phash)
        if bits is None:
            continue
        for h in mine:
            if (h ^ bits).bit_count() <= limit:
                owners[h].add(owner_id)
    return 1 + max(len(found) for found in owners.values())


def _recent_hashes(photos: Any, since: Any) -> list[str]:
    return list(photos.filter(created_at__gte=since).exclude(phash="").values_list("phash", flat=True)[:50])


def _region_mismatch(user: User, hours: int, cfg: dict[str, Any]) -> tuple[int, str]:
    """How many of the account's last ``region_entries`` sign-ups and sign-ins (inside the window) came
    from a network country other than its claimed region, with the reason's detail; (0, "") when most
    did not, or the region or the countries are unknown."""
    claimed = (user.region or "").upper()
    if not claimed:
        return 0, ""
    since = timezone.now() - timedelta(hours=hours)
    ips = SecurityEvent.objects.filter(user=user, kind__in=SIGN_IN_KINDS, created_at__gte=since).order_by("-id")
    countries = [
        c for c in (country_for_ip(ip) for ip in ips.values_list("ip", flat=True)[: cfg["region_entries"]]) if c
    ]
    others = [c for c in countries if c != claimed]
    if not countries or len(others) / len(countries) < float(cfg["region_share"]):
        return 0, ""
    seen = ", ".join(sorted(set(others)))
    return len(others), f"{len(others)} of {len(countries)} sign-ins from {seen}, profile says {claimed}"


SIGN_IN_KINDS = ("signup", "login")


# What an account that has only just signed up cannot have yet: counted follows or unfollows, mentions,
# photos, payloads. Its first assessment (``assess_newcomer``, right after the sign-up commits, in the
# request) skips their queries; the rules that can fire for it are the sign-up's own (subnet, device,
# region).
NEW_ACCOUNT_SKIPS = frozenset({"follow", "unfollow", "mentions", "photo", "payload"})


def assess(
    user: User, cfg: dict[str, Any] | None = None, *, skip: frozenset[str] = frozenset()
) -> tuple[float, list[str], list[str]]:
    """The score, the rules that fired and one reason per rule, for ``user`` now. Rules of the kinds in
    ``skip`` are not evaluated (``NEW_ACCOUNT_SKIPS`` for an account that has only just signed up)."""
    cfg = cfg or config()
    young_since = timezone.now() - timedelta(days=cfg["young_days"])
    young = user.date_joined >= young_since
    newcomer = _newcomer_signup(user, cfg) if young else None
    score, fired, reasons = 0.0, [], []
    longest = max((hours for kind, hours, _t, _w in cfg["rules"].values() if kind in COUNTERS), default=1)
    rows = _counters(user.pk, longest) if set(COUNTERS) - skip else []
    this_hour = _hour(timezone.now())
    for code, (kind, hours, threshold, weight) in cfg["rules"].items():
        if kind in skip:
            continue
        if kind == "mentions":
            if not young:
                continue
            value = _distinct_mentions(user, hours)
        elif kind == "region":
            value, detail = _region_mismatch(user, hours, cfg)
            if value >= threshold:
                score += weight
                fired.append(code)
                reasons.append(f"{code} {value} >= {threshold}: {detail}")
            continue
        elif kind == "payload":
            shared = payloads.most_shared(user.pk, hours=hours, young_since=young_since) if newcomer else None
            if shared is not None and shared.accounts >= threshold:
                score += weight
                fired.append(code)
                reasons.append(shared.reason(code, threshold))
            continue
        elif kind in ("subnet", "device", "photo"):
            if newcomer is None:
                continue
            if kind == "subnet":
                value = _subnet_signups(user, hours)
            elif kind == "device":
                value = _device_signups(newcomer, hours)
            else:
                value = _photo_shared(user, hours, cfg)
        else:
            since = this_hour - timedelta(hours=hours - 1)
            value = sum(n for k, hour, n in rows if k == kind and hour >= since)
        if value >= threshold:
            score += weight
            fired.append(code)
            reasons.append(f"{code} {value} >= {threshold}")
    return round(min(score, 1.0), 3), fired, reasons


def reassess(*, user_id: int, just_signed_up: bool = False) -> AccountRisk | None:
    """Recompute and keep the account's score; send it to review when it reaches ``review_score``.
    ``just_signed_up``: the account's sign-up has just committed and nothing else of it exists yet (its
    first assessment skips ``NEW_ACCOUNT_SKIPS``)."""
    cfg = config()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    score, fired, reasons = assess(user, cfg, skip=NEW_ACCOUNT_SKIPS if just_signed_up else frozenset())
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


def content_hold_reason(user_id: int) -> str:
    """Why a new note or comment of this account waits for a person ("" when it need not): the
    account's kept score against ``hold_score``, or ``influx_hold_score`` for a young account while
    influx mode is on. Installed as ``core.standing``'s policy; review's screening asks it."""
    risk = AccountRisk.objects.filter(user_id=user_id).values_list("score", "reasons").first()
    if risk is None:
        return ""
    score, reasons = risk
    cfg = config()
    threshold = float(cfg["hold_score"])
    if influx.active():
        joined = User.objects.filter(pk=user_id).values_list("date_joined", flat=True).first()
        if joined is not None and joined >= timezone.now() - timedelta(days=cfg["young_days"]):
            threshold = min(threshold, float(cfg["influx_hold_score"]))
    if score < threshold:
        return ""
    return f"account risk {score:g} >= {threshold:g}: " + "; ".join(reasons)[:300]


CLUSTER_RULES = ("subnet", "device")
CLUSTER_MAX = 20


def cluster_of(user_id: int, cfg: dict[str, Any] | None = None) -> list[int]:
    """The other newcomers that share this account's sign-up subnet (last day) or device cookie (last
    week): at most ``CLUSTER_MAX``, newest first."""
    cfg = cfg or config()
    now = timezone.now()
    young_since = now - timedelta(days=cfg["young_days"])
    subnets = SecurityEvent.objects.filter(user_id=user_id, kind="signup").exclude(subnet="").values("subnet")
    by_subnet = SecurityEvent.objects.filter(
        kind="signup", subnet__in=subnets, created_at__gte=now - timedelta(days=1), user__date_joined__gte=young_since
    ).exclude(user_id=user_id)
    ids = list(by_subnet.order_by("-id").values_list("user_id", flat=True)[:CLUSTER_MAX])
    device = Signup.objects.filter(user_id=user_id).values_list("device", flat=True).first()
    if device:
        by_device = Signup.objects.filter(device=device, created_at__gte=young_since).exclude(user_id=user_id)
        ids += list(by_device.order_by("-id").values_list("user_id", flat=True)[:CLUSTER_MAX])
    return list(dict.fromkeys(i for i in ids if i is not None))[:CLUSTER_MAX]


def _fired_kinds(reasons: list[str] | None, cfg: dict[str, Any]) -> set[str]:
    fired = {reason.split(" ", 1)[0] for reason in (reasons or [])}
    return {cfg["rules"][code][0] for code in fired if code in cfg["rules"]}


def fires_cluster_rule(reasons: list[str] | None) -> bool:
    """Whether an assessment's reasons include a subnet, device or payload rule (what ``reassess_cluster``
    acts on)."""
    kinds = _fired_kinds(reasons, config())
    return bool(kinds & set(CLUSTER_RULES)) or "payload" in kinds


CLUSTER_READ_S = 3600


def _read_key(user_id: int) -> str:
    return f"trust:cluster-read:{user_id}"


def reassess_cluster(*, user_id: int, since: float | None = None) -> int:
    """A newcomer whose sign-up or post made a subnet, device or payload rule fire: the earlier accounts
    of the same cluster are reassessed too (their risk was computed before it grew). Returns how many
    were.

    ``since`` (a Unix time taken after the newcomer's sign-up committed): an account of the cluster that
    another cluster job reassessed, reading from ``since`` or later, already counted this newcomer, and
    is not reassessed again. During a burst from one subnet the cluster jobs queue up behind each other,
    and each used to reassess the same 20 accounts; now an account is reassessed once for all the
    sign-ups that committed before its reassessment began (docs/trust.md, "Cost per sign-up"). Without
    ``since`` (a post's payload, where the post may not have committed yet), every account is."""
    cfg = config()
    risk = AccountRisk.objects.filter(user_id=user_id).values_list("reasons", flat=True).first()
    kinds = _fired_kinds(risk, cfg)
    others: list[int] = []
    if kinds & set(CLUSTER_RULES):
        others += cluster_of(user_id, cfg)
    if "payload" in kinds:
        hours = max(rule[1] for rule in cfg["rules"].values() if rule[0] == "payload")
        young_since = timezone.now() - timedelta(days=cfg["young_days"])
        others += payloads.pushers(user_id, hours=hours, young_since=young_since, limit=CLUSTER_MAX)
    others = list(dict.fromkeys(others))
    read = cache.get_many([_read_key(o) for o in others]) if since is not None else {}
    done = 0
    for other in others:
        if since is not None and float(read.get(_read_key(other), 0)) >= since:
            continue  # reassessed by a later cluster job, which counted this newcomer
        started = timezone.now().timestamp()
        reassess(user_id=other)
        cache.set(_read_key(other), started, timeout=CLUSTER_READ_S)
        done += 1
    return done
