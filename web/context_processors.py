from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from core.geo import viewer_country
from notifications.selectors import unread_count
from review.selectors import ip_location_labels_shown
from web.nav import links_for


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count(user)
    return {
        "ip_location_labels": ip_location_labels_shown(viewer_country(user)),
        "instance_name": settings.INSTANCE_NAME,
        "unread_notifications": unread,
        "extra_nav_links": links_for(user),
    }
