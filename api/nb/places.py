"""Places: look them up by name and list the public notes tagged with one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import NoteOut, PlaceOut
from core.geo import viewer_country
from notes.models import Place
from notes.selectors import place_note_ids, search_places, visible_notes

router = Router(tags=["places"])


class PlaceDetail(PlaceOut):
    notes: list[NoteOut]
    next_cursor: str | None


def _place(p: Place) -> dict[str, Any]:
    return {"id": str(p.pk), "name": p.name, "country": p.country, "latitude": p.latitude, "longitude": p.longitude}


@router.get("", response=list[PlaceOut], auth=OPTIONAL)
def find_places(request: HttpRequest, q: str = "", limit: int = 20) -> list[dict[str, Any]]:
    return [_place(p) for p in search_places(q[:200], limit=max(1, min(limit, 50)))]


@router.get("/{place_id}", response=PlaceDetail, auth=OPTIONAL)
def show_place(request: HttpRequest, place_id: str, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    place = Place.objects.filter(pk=common.to_id(place_id)).first()
    if place is None:
        raise HttpError(404, "Record not found")
    limit = max(1, min(limit, 60))
    ids = place_note_ids(place.pk, max_id=common.opt_cursor(cursor), limit=limit)
    me = common.viewer(request)
    return {
        **_place(place),
        "notes": common.notes(visible_notes(ids, me, country=viewer_country(me)), me, common.where(request)),
        "next_cursor": str(ids[-1]) if len(ids) == limit else None,
    }
