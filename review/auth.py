"""Who is calling: a session user (web pages, native API with CSRF) or a bearer token (Mastodon
clients). A small helper so the review endpoints can move to the api app's token auth unchanged."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def user_for_bearer(request: Any, scope: str = "read") -> Any | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    if not token or len(token) > 255:
        return None
    from oauth2_provider.models import AccessToken

    access = AccessToken.objects.select_related("user").filter(token=token).first()
    if access is None or access.user is None or access.expires < timezone.now():
        return None
    scopes = set((access.scope or "").split())
    if scope not in scopes and not (scope == "read" and "profile" in scopes):
        return None
    return access.user if access.user.is_active else None
