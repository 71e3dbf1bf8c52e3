"""Mastodon-shaped report endpoints: ``POST /api/v1/reports`` and the ``/api/v1/admin/reports`` family.

Bearer tokens only (as Mastodon clients send them), so these views are CSRF-exempt without opening a
cookie-based hole. Mastodon's report categories map onto ours: spam -> spam, legal -> illegal in the
reporter's country, violation/other -> other. A Mastodon report on several statuses files one of our
reports per note; they merge into the note's open review item.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from core.ids import parse_id
from review import decisions, reports
from review.auth import user_for_bearer
from review.models import ItemStatus, Report, ReviewItem
from review.permissions import is_reviewer

CATEGORY_MAP = {"spam": "spam", "legal": "illegal", "violation": "other", "other": "other"}
MAX_STATUSES = 20


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            parsed = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    data: dict[str, Any] = dict(request.POST.items())
    for key in ("status_ids", "rule_ids"):
        values = request.POST.getlist(key + "[]") or request.POST.getlist(key)
        if values:
            data[key] = values
    return data


def _account(user: Any) -> dict[str, Any]:
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name or user.username,
    }


def _report_json(report: Report, status_ids: list[str], target: Any) -> dict[str, Any]:
    item = report.item
    resolved = item.status == ItemStatus.RESOLVED
    return {
        "id": str(report.pk),
        "action_taken": resolved,
        "action_taken_at": item.resolved_at.isoformat() if item.resolved_at else None,
        "category": report.category,
        "comment": report.explanation,
        "forwarded": False,
        "created_at": report.created_at.isoformat(),
        "status_ids": status_ids,
        "rule_ids": [],
        "target_account": _account(target),
    }


@csrf_exempt
@require_http_methods(["POST"])
def create_report(request: HttpRequest) -> JsonResponse:
    user = user_for_bearer(request, scope="write")
    if user is None:
        return _error("The access token is invalid", 401)
    params = _params(request)
    account_id = parse_id(str(params.get("account_id", "")))
    if account_id is None:
        return _error("Validation failed: account_id is missing", 422)
    raw_ids = params.get("status_ids") or []
    if isinstance(raw_ids, str):
        raw_ids = [raw_ids]
    if not isinstance(raw_ids, list) or len(raw_ids) > MAX_STATUSES:
        return _error("Validation failed: status_ids", 422)
    status_ids = [i for i in (parse_id(str(v)) for v in raw_ids) if i is not None]
    category = CATEGORY_MAP.get(str(params.get("category", "other")), "other")
    comment = str(params.get("comment", ""))[:1000]
    from accounts.models import User
    from notes.models import Note

    target = User.objects.filter(pk=account_id).first()
    if target is None:
        return _error("Record not found", 404)
    country = (user.region or "") if category == "illegal" else ""
    if category == "illegal" and not country:
        category = "other"  # Mastodon clients cannot name the country; our own form asks for it
    first = None
    try:
        if status_ids:
            notes = list(Note.objects.filter(pk__in=status_ids, author=target).values_list("pk", flat=True))
            if not notes:
                return _error("Record not found", 404)
            for note_id in notes:
                try:
                    report = reports.file_report(
                        reporter=user,
                        target_type="note",
                        target_id=note_id,
                        category=category,
                        country=country,
                        explanation=comment,
                    )
                except ServiceError as exc:
                    if exc.status == 404:
                        return _error("Record not found", 404)
                    continue  # already reported: the rest still count
                first = first or report
        else:
            first = reports.file_report(
                reporter=user,
                target_type="profile",
                target_id=target.pk,
                category=category,
                country=country,
                explanation=comment,
            )
    except ServiceError as exc:
        return _error(exc.message, exc.status)
    if first is None:
        return _error("Validation failed: already reported", 422)
    return JsonResponse(_report_json(first, [str(i) for i in status_ids], target))


def _admin_user(request: HttpRequest, scope: str) -> Any:
    user = user_for_bearer(request, scope=scope)
    if user is None:
        return None, _error("The access token is invalid", 401)
    if not is_reviewer(user):
        return None, _error("This action is not allowed", 403)
    return user, None


def _admin_report(item: ReviewItem) -> dict[str, Any]:
    first = item.reports.select_related("reporter").order_by("id").first()
    return {
        "id": str(item.pk),
        "action_taken": item.status == ItemStatus.RESOLVED,
        "action_taken_at": item.resolved_at.isoformat() if item.resolved_at else None,
        "category": item.category,
        "comment": first.explanation if first else "",
        "forwarded": False,
        "created_at": item.created_at.isoformat(),
        "updated_at": (item.resolved_at or item.created_at).isoformat(),
        "account": _account(first.reporter) if first else None,
        "target_account": _account(item.author),
        "assigned_account": {"id": str(item.claimed_by_id)} if item.claimed_by_id else None,
        "action_taken_by_account": None,
        "statuses": [{"id": str(item.target_id)}] if item.target_type == "note" else [],
        "rules": [],
        "report_count": item.report_count,
        "language": item.language,
        "severity": item.severity,
    }


@require_http_methods(["GET"])
def admin_reports(request: HttpRequest) -> JsonResponse:
    user, error = _admin_user(request, "read")
    if error:
        return error
    from review.selectors import queue_for

    resolved = request.GET.get("resolved") in ("true", "1")
    if resolved:
        qs = ReviewItem.objects.filter(status=ItemStatus.RESOLVED, source="report").exclude(author=user)
    else:
        qs = queue_for(user, source="report")
    try:
        limit = max(1, min(int(request.GET.get("limit", "40")), 200))
    except ValueError:
        limit = 40
    max_id = parse_id(request.GET.get("max_id", ""))
    if max_id:
        qs = qs.filter(pk__lt=max_id)
    return JsonResponse([_admin_report(i) for i in qs.order_by("-id")[:limit]], safe=False)


@require_http_methods(["GET"])
def admin_report(request: HttpRequest, report_id: str) -> JsonResponse:
    user, error = _admin_user(request, "read")
    if error:
        return error
    from review.selectors import visible_item

    item = visible_item(user, parse_id(report_id) or 0)
    if item is None:
        return _error("Record not found", 404)
    return JsonResponse(_admin_report(item))


@csrf_exempt
@require_http_methods(["POST"])
def admin_report_action(request: HttpRequest, report_id: str, action: str) -> JsonResponse:
    user, error = _admin_user(request, "write")
    if error:
        return error
    item_id = parse_id(report_id)
    if item_id is None or action not in ("assign_to_self", "unassign", "resolve"):
        return _error("Record not found", 404)
    try:
        if action == "assign_to_self":
            decisions.claim(user=user, item_id=item_id)
        elif action == "unassign":
            decisions.release(user=user, item_id=item_id)
        else:
            # Mastodon's "resolve" means: looked at, no action. Restricting actions use the native API.
            params = _params(request)
            decisions.decide(
                user=user, item_id=item_id, action="approve", reason_code=str(params.get("reason_code") or "other")
            )
    except ServiceError as exc:
        return _error(exc.message, exc.status)
    item = ReviewItem.objects.get(pk=item_id)
    return JsonResponse(_admin_report(item))
