from __future__ import annotations

from collections.abc import Callable
from typing import Any

from review.geo import country_for_request


class CountryMiddleware:
    """Sets ``request.country`` (ISO code or ""), used by every read path to apply withholding.
    Place after AuthenticationMiddleware so the profile fallback can be read."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.country = country_for_request(request)
        return self.get_response(request)
