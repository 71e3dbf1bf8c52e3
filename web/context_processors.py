from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from web.nav import links_for


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from notifications.selectors import unread_count

        unread = unread_count(user)
    return {
        "instance_name": settings.INSTANCE_NAME,
        "unread_notifications": unread,
        "extra_nav_links": links_for(user),
    }
