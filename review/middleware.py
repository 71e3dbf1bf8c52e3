from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.geo import reset_ip_country, set_ip_country, viewer_country
from review.geo import client_ip, country_for_ip


class CountryMiddleware:
    """Sets ``request.country`` (ISO code or ""), used by every read path to apply withholding.

    The IP's country is also kept in ``core.geo`` for the request, so API layers that learn the user
    from a bearer token later can still combine it with the profile fallback (``viewer_country``).
    Place after AuthenticationMiddleware so the session user's profile fallback can be read."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = set_ip_country(country_for_ip(client_ip(request)))
        try:
            request.country = viewer_country(getattr(request, "user", None)) or ""
            return self.get_response(request)
        finally:
            reset_ip_country(token)
