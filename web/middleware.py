"""Per request: the interface language a signed-in user chose, their time zone, and the country their
request comes from."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from core.geo import country_for_ip, reset_ip_country, set_ip_country
from core.network import client_ip

TZ_COOKIE = "nb_tz"


class ViewerPreferencesMiddleware:
    """Runs after LocaleMiddleware and AuthenticationMiddleware.

    LocaleMiddleware picks the language from the cookie or ``Accept-Language``; a signed-in user's saved
    ``ui_language`` wins over both, so the choice follows them to a new browser. The time zone comes from
    a cookie the page's script sets from the browser (``Intl``); without it times are shown in UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie the user is anonymous: an API client sending its bearer token (every
        # home-timeline read) costs no session and user look-up here.
        user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        if user is not None and user.is_authenticated and user.ui_language:
            translation.activate(user.ui_language)
            request.LANGUAGE_CODE = translation.get_language()
        tz_name = request.COOKIES.get(TZ_COOKIE, "")
        activated = False
        if tz_name and len(tz_name) < 64:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
                activated = True
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        try:
            return self.get_response(request)
        finally:
            if activated:
                timezone.deactivate()


class CountryMiddleware:
    """Resolves the client IP to a country once per request and keeps it in ``core.geo`` for the
    request's duration, where ``core.geo.viewer_country(user)`` combines it with the profile's region
    for every read path (pages, both APIs, whoever the user turns out to be)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_ip_country(country_for_ip(client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_ip_country(token)
