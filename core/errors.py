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
    """Too many requests of one kind (``trust.limits``): ``retry_after`` seconds until the next one is
    let through, the ``limit`` that was reached, and when its window resets (``reset``, epoch seconds)."""

    status = 429

    def __init__(
        self, message: str = "Too many requests", *, retry_after: int = 60, limit: int = 0, reset: float = 0.0
    ) -> None:
        super().__init__(message, code="rate_limited")
        self.retry_after = max(1, int(retry_after))
        self.limit = limit
        self.reset = reset
