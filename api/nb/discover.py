"""Discover: recent and popular public notes, paged with an opaque cursor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import NotePage
from core.geo import viewer_country
from feeds.selectors import discover

router = Router(tags=["discover"])


@router.get("", response=NotePage, auth=OPTIONAL)
def discover_page(request: HttpRequest, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    me = common.viewer(request)
    items, next_cursor = discover(me, cursor=cursor, limit=max(1, min(limit, 60)), country=viewer_country(me))
    return {"items": common.notes(items, me, common.where(request)), "next_cursor": next_cursor}
