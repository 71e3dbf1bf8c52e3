"""Reports: ``POST /api/v1/reports`` and the ``/api/v1/admin/reports`` family (reviewers).

Mastodon's report categories map onto ours: spam -> spam, legal -> illegal in the reporter's country
(their profile's region; Mastodon clients cannot name one), violation/other -> other. A report on
several statuses files one of ours per note; they merge into the note's open review item. Notes the
reporter may not see are 404, as everywhere (a report never confirms that a note exists). An admin
report is a review item that reports opened; "resolve" means looked at, no action (restricting actions
go through the native API).
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from api.http import ApiError, Ctx, endpoint, url_id
from api.mastodon import entities
from core.errors import NotFound, ServiceError
from core.geo import viewer_country
from notes.models import Note
from review import decisions, reports
from review.models import ItemStatus, Report, ReviewItem
from review.permissions import is_reviewer
from review.selectors import queue_for, visible_item

CATEGORY_MAP = {"spam": "spam", "legal": "illegal", "violation": "other", "other": "other"}
MAX_STATUSES = 20
ADMIN_ACTIONS = ("assign_to_self", "unassign", "resolve")


@endpoint(scope="write:reports", allow=("POST",))
def create(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user()
    p = ctx.params
    account_id = p.id("account_id")
    if account_id is None:
        raise ApiError("Validation failed: account_id is missing")
    status_ids = p.ids("status_ids", max_items=MAX_STATUSES)
    category = CATEGORY_MAP.get(p.string("category", "other", max_length=32), "other")
    comment = p.string("comment", max_length=5000)[:1000]
    target = User.objects.filter(pk=account_id).first()
    if target is None:
        raise ApiError("Record not found", 404)
    country = (user.region or "") if category == "illegal" else ""
    if category == "illegal" and not country:
        category = "other"
    filed = _file(user, target, status_ids, category=category, country=country, comment=comment)
    return entities.report(filed, status_ids=status_ids, target=target, country=viewer_country(user))


def _file(user: User, target: User, status_ids: list[int], *, category: str, country: str, comment: str) -> Report:
    """One report per named note of ``target`` (those already reported by this user are skipped), or one
    on the profile when no status is named."""

    def file(target_type: str, target_id: int) -> Report:
        return reports.file_report(
            reporter=user,
            target_type=target_type,
            target_id=target_id,
            category=category,
            country=country,
            explanation=comment,
        )

    if not status_ids:
        return file("profile", target.pk)
    notes = list(Note.objects.filter(pk__in=status_ids, author=target).values_list("pk", flat=True))
    if not notes:
        raise ApiError("Record not found", 404)
    first = None
    for note_id in notes:
        try:
            filed = file("note", note_id)
        except NotFound:
            raise
        except ServiceError:
            continue  # already reported: the others still count
        first = first or filed
    if first is None:
        raise ApiError("Validation failed: already reported")
    return first


def _reviewer(ctx: Ctx) -> User:
    user = ctx.require_user()
    if not is_reviewer(user):
        raise ApiError("This action is not allowed", 403)
    return user


@endpoint(scope="read")
def admin_index(ctx: Ctx) -> list[dict[str, Any]]:
    user = _reviewer(ctx)
    p = ctx.params
    if p.flag("resolved"):
        items = ReviewItem.objects.filter(status=ItemStatus.RESOLVED, source="report").exclude(author=user)
    else:
        items = queue_for(user, source="report")
    max_id = p.id("max_id")
    if max_id:
        items = items.filter(pk__lt=max_id)
    limit = p.integer("limit", 40, low=1, high=200) or 40
    return [entities.admin_report(item) for item in items.order_by("-id")[:limit]]


@endpoint(scope="read")
def admin_show(ctx: Ctx, report_id: str) -> dict[str, Any]:
    item = visible_item(_reviewer(ctx), url_id(report_id))
    if item is None:
        raise ApiError("Record not found", 404)
    return entities.admin_report(item)


@endpoint(scope="write", allow=("POST",))
def admin_action(ctx: Ctx, report_id: str, action: str) -> dict[str, Any]:
    user = _reviewer(ctx)
    item_id = url_id(report_id)
    if action not in ADMIN_ACTIONS:
        raise ApiError("Record not found", 404)
    if action == "assign_to_self":
        decisions.claim(user=user, item_id=item_id)
    elif action == "unassign":
        decisions.release(user=user, item_id=item_id)
    else:
        reason = ctx.params.string("reason_code", max_length=64) or "other"
        decisions.decide(user=user, item_id=item_id, action="approve", reason_code=reason)
    return entities.admin_report(ReviewItem.objects.get(pk=item_id))
