"""Comments by id: liking and unliking one (the web's like button on a comment)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.models import User
from api.nb import common
from api.nb.openapi import errors
from api.nb.schemas import CommentOut
from core.geo import viewer_country
from notes import services
from notes.selectors import get_visible_comment, liked_comment_ids

router = Router(tags=["comments"])


def _out(request: HttpRequest, user: User, comment_id: int) -> dict[str, Any]:
    """The comment as the viewer sees it now, through its access gate (a 404 when they may not see it)."""
    found = get_visible_comment(viewer=user, comment_id=comment_id, country=viewer_country(user))
    if found is None:
        raise HttpError(404, "Record not found")
    return common.comment(found, common.where(request), liked=liked_comment_ids(user, [found.pk]))


@router.post("/{comment_id}/like", response=CommentOut, openapi_extra=errors(429))
def like(request: HttpRequest, comment_id: str) -> dict[str, Any]:
    """Like a comment (liking twice changes nothing). A comment you may not see is a 404."""
    user = common.require_user(request)
    pk = common.to_id(comment_id)
    services.like_comment(user=user, comment_id=pk)
    return _out(request, user, pk)


@router.delete("/{comment_id}/like", response=CommentOut)
def unlike(request: HttpRequest, comment_id: str) -> dict[str, Any]:
    """Take your like back (only yours goes); answers with the comment, or a 404 if you may not see it."""
    user = common.require_user(request)
    pk = common.to_id(comment_id)
    services.unlike_comment(user=user, comment_id=pk)
    return _out(request, user, pk)
