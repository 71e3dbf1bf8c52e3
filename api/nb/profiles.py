"""Profiles: read anyone's, edit your own, list a profile's notes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts import services as account_services
from accounts.models import User
from accounts.selectors import get_visible_profile, relationships
from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import NotePage, ProfileDetail, ProfileOut, ProfilePatch
from notes.selectors import author_note_ids, visible_notes

router = Router(tags=["profiles"])


def _user(username: str, viewer: User | None) -> User:
    """The profile through its access gate: inactive accounts and blocks either way look missing."""
    user = get_visible_profile(viewer=viewer, username=username)
    if user is None:
        raise HttpError(404, "Record not found")
    return user


@router.get("/me", response=ProfileOut)
def me(request: HttpRequest) -> dict[str, Any]:
    return common.profile(common.fresh_user(request), common.where(request))


@router.patch("/me", response=ProfileOut)
def update_me(request: HttpRequest, data: ProfilePatch) -> dict[str, Any]:
    user = account_services.update_profile(user=common.fresh_user(request), **data.dict(exclude_unset=True))
    return common.profile(user, common.where(request))


@router.get("/{username}", response=ProfileDetail, auth=OPTIONAL)
def show(request: HttpRequest, username: str) -> dict[str, Any]:
    viewer = common.viewer(request)
    user = _user(username, viewer)
    data: dict[str, Any] = common.profile(user, common.where(request))
    data["relationship"] = relationships(viewer, [user.pk])[user.pk] if viewer and viewer.pk != user.pk else None
    return data


@router.get("/{username}/notes", response=NotePage, auth=OPTIONAL)
def notes(request: HttpRequest, username: str, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    viewer = common.viewer(request)
    user = _user(username, viewer)
    limit = max(1, min(limit, 40))
    ids = author_note_ids(user, viewer, max_id=common.opt_cursor(cursor), limit=limit)
    w = common.where(request)
    return {
        "items": common.notes(visible_notes(ids, viewer, for_feed=False, country=w.country), viewer, w),
        "next_cursor": str(ids[-1]) if len(ids) == limit else None,
    }
