"""Browser sessions of a user: recorded at log-in, listed in settings, signed out on request."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from web.models import WebSession


def _store_class() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


@receiver(user_logged_in)
def record_session(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    agent = request.headers.get("User-Agent", "")[:200]
    WebSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user, "user_agent": agent}
    )


@receiver(user_logged_out)
def forget_session(sender: object, request: HttpRequest | None, user: User | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        WebSession.objects.filter(session_key=request.session.session_key).delete()


def other_sessions(user: User, current_key: str | None) -> list[WebSession]:
    return list(WebSession.objects.filter(user=user).exclude(session_key=current_key or "").order_by("-created_at"))


def sign_out_other_sessions(*, user: User, current_key: str | None) -> int:
    """End every recorded session of ``user`` except the current one; the count ended."""
    store = _store_class()
    ended = 0
    for record in other_sessions(user, current_key):
        store(session_key=record.session_key).delete()
        record.delete()
        ended += 1
    return ended
