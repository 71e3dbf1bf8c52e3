"""Errors that services raise and delivery layers turn into a clear 4xx with a message."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be done as asked. ``status`` is the HTTP status a delivery layer should use."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFound(ServiceError):
    """Also used for things that exist but the viewer may not see, so existence does not leak."""

    status = 404

    def __init__(self, message: str = "Record not found", **kwargs: object) -> None:
        super().__init__(message, code="not_found")


class Forbidden(ServiceError):
    status = 403

    def __init__(self, message: str = "This action is not allowed", **kwargs: object) -> None:
        super().__init__(message, code="forbidden")


class RateLimited(ServiceError):
    status = 429

    def __init__(self, message: str = "Too many requests") -> None:
        super().__init__(message, code="rate_limited")
