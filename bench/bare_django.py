"""A bare Django JSON view, served by gunicorn beside Notebridge in the same benchmark run.

Figures on these shared machines drift by tens of percent from one hour to the next; a ratio to this
view, measured in the same run with the same workers and load generator, is what compares across runs.

    gunicorn --chdir bench bare_django:application
"""

from __future__ import annotations

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-django-benchmark",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()


def status(request: HttpRequest, anything: str = "") -> JsonResponse:
    return JsonResponse(
        [{"id": str(i), "content": "<p>hello</p>", "visibility": "public"} for i in range(20)], safe=False
    )


urlpatterns = [path("<path:anything>", status), path("", status)]
application = get_wsgi_application()
