"""The native API's OpenAPI schema, made to say what the API does.

Ninja documents the success answer and one security scheme per auth class. This adds what a client
meets besides: the errors each route can answer, all in one shape (``Error``), and which routes serve
anonymous readers. The errors follow from how a route is built, so a new route is documented as it is
written:

- 400: the route reads a request body (a body that is not JSON);
- 401 and 403: the route authenticates (no or a bad token; a token without the scope, a disabled
  account, a session write without the CSRF token, or a role the route asks for);
- 404: the route names an object in its path, or writes (bodies name photos, notes, boards by id);
- 422: the route takes parameters or a body, or writes (input that fails validation or a service's
  rules).

A route that can answer something else says so with ``openapi_extra=errors(...)``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from api.nb.common import NativeAuth

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for people"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The input at fault"},
        "code": {"type": "string", "description": "What went wrong, for programs"},
        "detail": {"description": "Validation errors, one per input at fault (422)"},
    },
    "required": ["error"],
}
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "An OAuth token: reads need `read`, writes `write`"},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "The web session; writes also need the `csrftoken` cookie's value in `X-CSRFToken`",
    },
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def error_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def errors(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for a route that can also answer ``statuses``."""
    return {"responses": {status: error_response(status) for status in statuses}}


def _native_auth(operation: Operation) -> NativeAuth | None:
    return next((a for a in operation.auth_callbacks if isinstance(a, NativeAuth)), None)


class NativeSchema(OpenAPISchema):
    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        auth = _native_auth(operation)
        params = details.get("parameters") or []
        body = "requestBody" in details
        writes = bool(WRITES & set(operation.methods))
        statuses = set()
        if body:
            statuses.add(400)
        if auth is not None:
            statuses |= {401, 403}
        if writes or any(p.get("in") == "path" for p in params):
            statuses.add(404)
        if writes or body or params:
            statuses.add(422)
        responses = details["responses"]
        for status in sorted(statuses):
            responses.setdefault(status, error_response(status))
        if auth is not None:
            details["security"] = [{"bearer": []}, {"session": []}] + ([{}] if auth.optional else [])
        return details

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        return None  # written by operation_details, with the schemes below

    def get_components(self) -> dict[str, Any]:
        components = super().get_components()
        components["schemas"]["Error"] = ERROR_SCHEMA
        components["securitySchemes"] = SECURITY_SCHEMES
        return components


class NativeAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return NativeSchema(self, path_prefix)
