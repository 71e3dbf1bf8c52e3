"""Helpers shared by the page views: who is asking, safe redirects, service errors onto forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from core.errors import NotFound, ServiceError
from core.network import client_ip
from notes.models import Board, Note
from notes.selectors import board_covers, viewer_state

PAGE_SIZE = 30


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated else None  # type: ignore[return-value]


def reader_token(request: HttpRequest) -> str:
    """Who is reading, to count a repeat once (a search, a note view): never stored, only hashed into a
    short-lived cache key."""
    user = viewer(request)
    if user is not None:
        return f"u{user.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return f"s{session_key}" if session_key else f"a{client_ip(request)}"


def me(request: HttpRequest) -> User:
    """The signed-in user, for views behind ``login_required_page``."""
    return request.user  # type: ignore[return-value]


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts=set(settings.ALLOWED_HOSTS) | {request.get_host()}
    ):
        return target
    return default


def login_required_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but htmx requests are sent to the log-in page as a whole page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            target = request.headers.get("HX-Current-URL") or request.get_full_path()
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{settings.LOGIN_URL}?next={target}"
            return response
        return redirect_to_login(request.get_full_path())

    return wrapped


def add_service_error(form: forms.Form, exc: ServiceError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's message next to the field it names, or at the top of the form."""
    field = (field_map or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def not_found_on(exc: ServiceError) -> None:
    if isinstance(exc, NotFound):
        raise Http404 from exc


def card_state(notes: list[Note], user: User | None) -> dict[str, set[int]]:
    liked, collected = viewer_state(user, [n.pk for n in notes])
    return {"liked_ids": liked, "collected_ids": collected}


def with_covers(boards: list[Board], user: User | None, country: str | None) -> list[Board]:
    """Boards with ``cover_notes``: their latest notes this viewer may see, for the cover tiles."""
    covers = board_covers(boards, user, country=country)
    for board in boards:
        board.cover_notes = covers.get(board.pk, [])  # type: ignore[attr-defined]
    return boards


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, default))


def parse_page(value: str | None, *, last: int) -> int:
    """A 1-based page number from the query string; anything odd is page 1, and there is a last page."""
    if not value or not value.isdigit() or len(value) > 6:
        return 1
    return max(1, min(last, int(value)))


def parse_id(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 20:
        raise Http404
    return int(value)
