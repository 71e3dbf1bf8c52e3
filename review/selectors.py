"""Review reads: the withholding filter every read path uses, queues, the audit log, transparency."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from core import generations, request_reads
from notes.models import Comment, Note
from notifications.models import Notification
from notifications.selectors import moderation_notices_for
from review.models import (
    Appeal,
    AuditEvent,
    Decision,
    ItemStatus,
    ReviewItem,
    Withholding,
)
from review.packs import get_packs
from review.permissions import covers_region, reads_language, reviewer_for


def exclude_withheld(queryset: QuerySet[Any], country: str | None, *, note_field: str = "pk") -> QuerySet[Any]:
    """Drop notes withheld in ``country`` from a queryset of notes (or of rows pointing at notes).

    ``note_field`` names the note's id on the queryset's model: "pk" for Note, "note_id" for a
    notification or timeline row. An unknown country ("" or None) withholds nothing.
    """
    if not country:
        return queryset
    withheld = Withholding.objects.filter(note_id=OuterRef(note_field), country=country.upper())
    return queryset.filter(~Exists(withheld))


WITHHELD_COUNTRIES_KEY = "review:withheld-countries:{}"


@request_reads.shared_key  # read with the other instance-wide entries, once per request
def withheld_countries_key() -> str:
    """The key of the countries with withholdings: with the generation "withholdings", so that on the
    embedded default (each worker its own cache) a withholding applies in every worker at once."""
    return WITHHELD_COUNTRIES_KEY.format(generations.current("withholdings"))


def countries_with_withholdings() -> set[str]:
    """Countries where anything is withheld, cached: most countries have none, so most reads skip the query."""
    key = withheld_countries_key()
    found = request_reads.get(key)
    if found is None:
        found = set(Withholding.objects.values_list("country", flat=True).distinct())
        cache.set(key, found, 300)
        request_reads.put(key, found)
    return set(found)


def forget_withheld_countries() -> None:
    key = withheld_countries_key()
    cache.delete(key)
    request_reads.forget(key)
    generations.bump("withholdings")


def withheld_note_ids(note_ids: Iterable[int], country: str | None) -> set[int]:
    """Which of ``note_ids`` are withheld in ``country`` (the hook notes.selectors calls on every read)."""
    if not country:
        return set()
    country = country.upper()
    ids = list(note_ids)
    if not ids or country not in countries_with_withholdings():
        return set()
    return set(Withholding.objects.filter(note_id__in=ids, country=country).values_list("note_id", flat=True))


def withheld_counts(kind: str, ids: Iterable[int], country: str | None) -> dict[int, int]:
    """How many notes withheld in ``country`` each author / tag / board in ``ids`` has, for taking them
    out of its stored count. No query where nothing is withheld in ``country`` (most countries)."""
    fields = {"author": "note__author_id", "tag": "note__notetag__tag_id", "board": "note__collects__board_id"}
    if kind not in fields:
        raise ValueError(f"unknown kind {kind!r}")
    wanted = set(ids)
    if not country or not wanted or country.upper() not in countries_with_withholdings():
        return {}
    field = fields[kind]
    rows = (
        Withholding.objects.filter(country=country.upper(), **{f"{field}__in": wanted})
        .values(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    return dict(rows)


def ip_location_labels_shown(country: str | None) -> bool:
    """Whether a viewer in ``country`` sees "IP location" labels: their regional pack asks for them
    (``ip_location_label: true``, CN), or the operator turned them on for everyone."""
    if getattr(settings, "IP_LOCATION_LABELS_EVERYWHERE", False):
        return True
    return bool(country) and get_packs().ip_location_label_required(str(country))


def is_withheld(note_id: int, country: str | None) -> bool:
    return bool(country) and Withholding.objects.filter(note_id=note_id, country=str(country).upper()).exists()


def withheld_countries(note_id: int) -> list[str]:
    return sorted(Withholding.objects.filter(note_id=note_id).values_list("country", flat=True))


def queue_for(
    user: Any,
    *,
    language: str = "",
    region: str = "",
    category: str = "",
    severity: int | None = None,
    source: str = "",
) -> QuerySet[ReviewItem]:
    """Open items ``user`` may decide, most severe first, then oldest. Empty for non-reviewers."""
    reviewer = reviewer_for(user)
    if reviewer is None:
        return ReviewItem.objects.none()
    statuses = [ItemStatus.OPEN, ItemStatus.ESCALATED] if reviewer.senior else [ItemStatus.OPEN]
    qs = ReviewItem.objects.filter(status__in=statuses).exclude(author_id=user.pk)
    # Appeals of this reviewer's own decisions go to someone else.
    qs = qs.exclude(appeal__decision__reviewer_id=user.pk)
    if not reviewer.senior:
        langs = {lang.split("-")[0].lower() for lang in reviewer.languages}
        lang_q = Q(language="")
        for base in langs:
            lang_q |= Q(language__iexact=base) | Q(language__istartswith=base + "-")
        qs = qs.filter(lang_q)
        if reviewer.regions:
            qs = qs.filter(Q(region="") | Q(region__in=[r.upper() for r in reviewer.regions]))
    if language:
        qs = qs.filter(Q(language__iexact=language) | Q(language__istartswith=language + "-"))
    if region:
        qs = qs.filter(region=region.upper())
    if category:
        qs = qs.filter(category=category)
    if severity:
        qs = qs.filter(severity=severity)
    if source:
        qs = qs.filter(source=source)
    return qs.select_related("author", "screening", "note").order_by("-severity", "id")


def queue_summary(user: Any) -> list[dict[str, Any]]:
    """One row per queue (language, region, category) the user sees: size and age of the oldest item."""
    now = timezone.now()
    rows = queue_for(user).order_by().values("language", "region", "category").annotate(oldest=Min("created_at"))
    counts = Counter(
        (r["language"], r["region"], r["category"])
        for r in queue_for(user).order_by().values("language", "region", "category")
    )
    out = []
    for r in rows:
        key = (r["language"], r["region"], r["category"])
        age = (now - r["oldest"]).total_seconds() if r["oldest"] else 0
        out.append(
            {
                "language": r["language"] or "?",
                "region": r["region"],
                "category": r["category"],
                "count": counts[key],
                "oldest_age_seconds": int(age),
            }
        )
    return sorted(out, key=lambda r: -r["oldest_age_seconds"])


def visible_item(user: Any, item_id: int) -> ReviewItem | None:
    """The item if ``user`` may see it (the same rules as the queue), else None."""
    item = ReviewItem.objects.select_related("author", "screening", "note").filter(pk=item_id).first()
    reviewer = reviewer_for(user)
    if item is None or reviewer is None or item.author_id == user.pk:
        return None
    if not reviewer.senior and not (reads_language(reviewer, item.language) and covers_region(reviewer, item.region)):
        return None
    return item


def item_content(item: ReviewItem) -> dict[str, str]:
    if item.target_type == "note":
        note = Note.objects.filter(pk=item.target_id).first()
        return {"title": note.title, "body": note.body, "language": note.language} if note else {}
    if item.target_type == "comment":
        comment = Comment.objects.filter(pk=item.target_id).first()
        return {"title": "", "body": comment.body, "language": comment.language} if comment else {}
    if item.target_type == "profile":
        user = User.objects.filter(pk=item.target_id).first()
        return {"title": user.display_name, "body": user.bio, "language": user.bio_language} if user else {}
    return {}


def notices_for(user: Any, limit: int = 50) -> QuerySet[Notification]:
    """The user's moderation notices (notifications of type ``moderation``), newest first."""
    return moderation_notices_for(user, limit=limit)


def decisions_by_ids(ids: Iterable[int]) -> dict[int, Decision]:
    """Decisions by id with their appeals (one query): what moderation notifications announce."""
    ids = {i for i in ids if i is not None}
    return {d.pk: d for d in Decision.objects.filter(pk__in=ids).select_related("appeal")} if ids else {}


def decisions_for_author(user: Any) -> QuerySet[Decision]:
    return Decision.objects.filter(author=user).order_by("-id")


def search_audit(
    *,
    q: str = "",
    action: str = "",
    actor_id: int | None = None,
    target_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if since:
        qs = qs.filter(created_at__gte=since)
    if q:
        qs = qs.filter(Q(reason_code__icontains=q) | Q(action__icontains=q) | Q(language__iexact=q))
    return qs.order_by("-id")[: max(1, min(limit, 500))]


def transparency_report() -> dict[str, Any]:
    """Actions by reason, language, country and month; median time to decision; appeal outcomes."""
    decisions = Decision.objects.all()
    by_reason = Counter(decisions.values_list("reason_code", flat=True))
    by_action = Counter(decisions.values_list("action", flat=True))
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for row in decisions.annotate(month=TruncMonth("created_at")).values("month", "action"):
        by_month[row["month"].strftime("%Y-%m") if row["month"] else "?"][row["action"]] += 1
    by_country: Counter[str] = Counter()
    for countries in decisions.exclude(countries=[]).values_list("countries", flat=True):
        by_country.update(countries)
    by_language = Counter(ReviewItem.objects.filter(status=ItemStatus.RESOLVED).values_list("language", flat=True))
    durations = [
        (resolved - created).total_seconds()  # type: ignore[operator]
        for created, resolved in ReviewItem.objects.filter(resolved_at__isnull=False).values_list(
            "created_at", "resolved_at"
        )
    ]
    appeals = Counter(Appeal.objects.values_list("status", flat=True))
    automated = decisions.filter(automated_decision=True).count()
    return {
        "total_decisions": decisions.count(),
        "automated_decisions": automated,
        "by_reason": dict(by_reason.most_common()),
        "by_action": dict(by_action),
        "by_language": {k or "?": v for k, v in by_language.most_common()},
        "by_country": dict(by_country.most_common()),
        "by_month": {m: dict(c) for m, c in sorted(by_month.items())},
        "median_seconds_to_decision": statistics.median(durations) if durations else None,
        "appeals": dict(appeals),
        "open_items": ReviewItem.objects.exclude(status=ItemStatus.RESOLVED).count(),
    }
