"""/api/v1/notifications: follows, favourites (likes), collects, comments and mentions as mentions, and
moderation notices as ``moderation_warning`` with Mastodon 4.3's AccountWarning."""

from __future__ import annotations

from typing import Any

from api.http import ApiError, Ctx, endpoint, id_page, page_bounds, url_id
from api.mastodon import entities
from core.geo import viewer_country
from notes.models import Comment
from notes.selectors import liked_comment_ids, visible_notes
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Notification
from review.models import Decision, NoticeKind
from review.selectors import decisions_by_ids

REPORTER_NOTICES = {NoticeKind.REPORT_RECEIVED, NoticeKind.REPORT_OUTCOME}


def _serialize(items: list[Notification], ctx: Ctx) -> list[dict[str, Any]]:
    viewer = ctx.require_user()
    note_ids = [n.note_id for n in items if n.note_id]
    notes = {n.pk: n for n in visible_notes(note_ids, viewer, for_feed=False, country=viewer_country(viewer))}
    note_statuses = {
        n.pk: s for n, s in zip(notes.values(), entities.statuses(list(notes.values()), viewer), strict=True)
    }
    comment_ids = [n.comment_id for n in items if n.comment_id]
    comments = (
        {c.pk: c for c in Comment.objects.filter(pk__in=comment_ids, state="published").select_related("author")}
        if comment_ids
        else {}
    )
    liked = liked_comment_ids(viewer, list(comments))
    # A moderation notice has no actor: like Mastodon, it comes from the recipient's own account.
    actors = {n.actor_id or viewer.pk: n.actor or viewer for n in items}
    accounts = dict(zip(actors, entities.accounts(list(actors.values()), country=viewer_country(viewer)), strict=True))
    decisions = decisions_by_ids(n.decision_id for n in items if n.is_moderation and n.decision_id)
    out = []
    for n in items:
        if n.is_moderation:
            out.append(_moderation(n, accounts[viewer.pk], decisions))
            continue
        if n.is_site_notice:
            continue  # a failed video: Mastodon has no such notification (the web inbox shows it)
        status = None
        if n.comment_id is not None:
            comment, note = comments.get(n.comment_id), notes.get(n.note_id or 0)
            if comment is None or note is None:
                continue
            status = entities.comment_statuses([comment], note, country=viewer_country(viewer), liked=liked)[0]
        elif n.note_id is not None:
            status = note_statuses.get(n.note_id)
            if status is None:
                continue
        type_out = entities.NOTIFICATION_TYPE_OUT.get(n.type, n.type)
        out.append(
            {
                "id": str(n.pk),
                "type": type_out,
                "group_key": f"ungrouped-{n.pk}",
                "created_at": entities.iso(n.created_at),
                "account": accounts[n.actor_id or viewer.pk],
                "status": status,
            }
        )
    return out


def _moderation(n: Notification, account: dict[str, Any], decisions: dict[int, Decision]) -> dict[str, Any]:
    decision = decisions.get(n.decision_id) if n.decision_id else None
    appeal = getattr(decision, "appeal", None) if decision is not None else None
    warning = entities.account_warning(
        warning_id=decision.pk if decision is not None else n.pk,
        text=n.text,
        target_account=account,
        created_at=n.created_at,
        target_type=n.target_type,
        target_id=n.target_id,
        decision_action=decision.action if decision is not None else "",
        appeal=(appeal.text, appeal.status) if appeal is not None else None,
        about_recipient=n.kind not in REPORTER_NOTICES,
    )
    return {
        "id": str(n.pk),
        "type": "moderation_warning",
        "group_key": f"ungrouped-{n.pk}",
        "created_at": entities.iso(n.created_at),
        "account": account,
        "status": None,
        "moderation_warning": warning,
    }


@endpoint(scope="read:notifications")
def index(ctx: Ctx) -> Any:
    p = ctx.params
    types = p.strings("types", max_items=20)
    exclude = p.strings("exclude_types", max_items=20)
    if types and not entities.notification_types_in(types):
        return id_page([])
    items = notification_selectors.notifications_for(
        ctx.require_user(),
        country=viewer_country(ctx.user),
        types=entities.notification_types_in(types) or None,
        exclude_types=entities.notification_types_in(exclude) or None,
        **page_bounds(ctx, default_limit=40, max_limit=80),
    )
    page = id_page(_serialize(items, ctx))
    if items:  # cursors come from the unfiltered page, so a dropped item never stalls paging
        page.next_max_id, page.prev_min_id = items[-1].pk, items[0].pk
    return page


@endpoint(scope="read:notifications")
def show(ctx: Ctx, notification_id: str) -> dict[str, Any]:
    user = ctx.require_user()
    pk = url_id(notification_id)
    items = [
        n
        for n in notification_selectors.notifications_for(
            user, max_id=pk + 1, since_id=pk - 1, limit=1, country=viewer_country(user)
        )
        if n.pk == pk
    ]
    serialized = _serialize(items, ctx)
    if not serialized:
        raise ApiError("Record not found", 404)
    return serialized[0]


@endpoint(scope="write:notifications")
def clear(ctx: Ctx) -> dict[str, Any]:
    notification_services.clear(user_id=ctx.require_user().pk)
    return {}


@endpoint(scope="write:notifications")
def dismiss(ctx: Ctx, notification_id: str) -> dict[str, Any]:
    if not notification_services.dismiss(user_id=ctx.require_user().pk, notification_id=url_id(notification_id)):
        raise ApiError("Record not found", 404)
    return {}


@endpoint(scope="read:notifications")
def unread_count(ctx: Ctx) -> dict[str, Any]:
    return {"count": notification_selectors.unread_count(ctx.require_user())}
