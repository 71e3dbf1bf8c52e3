"""A database that is restarting is an outage of seconds, and clients are told so: 503 with Retry-After.

PostgreSQL restarting (an upgrade, a failover, ``pg_ctl restart``) refuses connections, or drops the ones
it had, for a few seconds. A request that meets it fails with ``OperationalError`` (the server is gone,
shutting down or starting up) or ``InterfaceError`` (the connection was closed under it) wherever it
touches the database: in a view, or in a middleware that reads the session or the token. Django answers
any of those 500, which a client reads as a bug and does not retry. ``server_error`` (``handler500``)
answers them 503 with ``Retry-After: DB_RETRY_AFTER_S``, JSON under ``/api/`` as the API's other
errors, so that a client waits and retries; a post retried with its ``Idempotency-Key`` is stored once
(api/idempotency.py). Every other error is still the plain 500 it was. The connection that failed is
not reused: Django closes a connection that had an error at the end of the request, and the next request
checks its connection before use (``CONN_HEALTH_CHECKS``, docs/deploy.md, "Database connections").
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("notebridge.db")

# What a database that is down, restarting or unreachable raises through Django (DB-API classes, which
# also cover a deadlock or a serialisation failure: worth a retry too).
ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": message}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(settings.DB_RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: called while the exception is being handled, so ``sys.exc_info`` names it."""
    error = sys.exc_info()[1]
    if isinstance(error, ERRORS):
        return unavailable(request)
    return defaults.server_error(request)
