from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns: list = [
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("", include("web.urls")),
]


def _serve_media(request, path):
    # MEDIA_ROOT is read per request, so tests that point it at a temporary folder are served from there.
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


if settings.SERVE_MEDIA:
    # Embedded default: Django serves uploaded media. At scale a CDN or object store does.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", _serve_media)]
