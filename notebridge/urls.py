from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from web.views.media import serve_media

# A database that is restarting answers 503 with Retry-After rather than 500 (core/db_outage.py).
handler500 = "core.db_outage.server_error"

urlpatterns: list = [
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("", include("web.urls")),
]


if settings.SERVE_MEDIA:
    # Embedded default: Django serves uploaded media (a note's files only once it is published, or to
    # its author). At scale a CDN or object store does.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]
