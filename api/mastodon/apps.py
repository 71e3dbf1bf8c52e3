"""App registration and the OAuth endpoints Mastodon clients use (/api/v1/apps, /oauth/*)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView

from api.auth import AUTH_APP, AUTH_NONE, forget_token
from api.http import ApiError, Ctx, endpoint, parse_json
from api.models import AppRegistration
from api.services import OOB, register_app


def _app_entity(app: Application, registration: AppRegistration | None) -> dict[str, Any]:
    uris = app.redirect_uris.split()
    return {
        "id": str(app.pk),
        "name": app.name,
        "website": (registration.website or None) if registration else None,
        "scopes": (registration.scopes if registration else "read").split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }


@endpoint(auth=AUTH_NONE, allow=("POST",))
def create_app(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    raw_uris: Any = p.raw("redirect_uris")
    if isinstance(raw_uris, list):
        uris: str | list[str] = [str(u) for u in raw_uris]
    else:
        many = p.has("redirect_uris[]")
        uris = p.strings("redirect_uris") if many else p.string("redirect_uris", OOB, max_length=5000)
    app, secret = register_app(
        name=p.string("client_name", max_length=200),
        redirect_uris=uris,
        scopes=p.string("scopes", "read", max_length=2000),
        website=p.string("website", max_length=400),
    )
    data = _app_entity(app, app.registration)
    data.update({"client_id": app.client_id, "client_secret": secret, "client_secret_expires_at": 0})
    return data


@endpoint(auth=AUTH_APP)
def verify_app(ctx: Ctx) -> dict[str, Any]:
    assert ctx.token is not None
    app = Application.objects.filter(pk=ctx.token.application_id).first()
    if app is None:
        raise ApiError("The access token is invalid", 401)
    return _app_entity(app, AppRegistration.objects.filter(application=app).first())


class Authorize(AuthorizationView):
    """The consent page. Log-in required; an out-of-band redirect shows the code on a page instead."""

    template_name = "api/authorize.html"

    def redirect(self, redirect_to: str, application: Application | None) -> HttpResponse:
        if redirect_to.startswith(OOB):
            query = urlsplit(redirect_to.replace(OOB, "https://oob.invalid", 1)).query
            params = QueryDict(query)
            return render(
                self.request,
                "api/authorized_oob.html",
                {"code": params.get("code", ""), "error": params.get("error", ""), "application": application},
            )
        allowed = list(oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)
        if application is not None:
            # Mobile apps register their own scheme (app://callback); the URI matched a registered one exactly.
            allowed += [urlsplit(u).scheme for u in application.redirect_uris.split()]
        return OAuth2ResponseRedirect(redirect_to, [s for s in allowed if s not in {"javascript", "data"}])


def _json_body_as_form(request: HttpRequest) -> None:
    """Some clients post JSON to /oauth/token; the OAuth library reads forms. Raises ApiError (400)
    for a body that is not JSON."""
    if (request.content_type or "") == "application/json" and request.body:
        data = parse_json(request.body)
        if isinstance(data, dict):
            form = QueryDict(mutable=True)
            for key, value in data.items():
                form[key] = " ".join(value) if isinstance(value, list) else str(value)
            request._post = form  # type: ignore[attr-defined]


def _oauth_error(exc: ApiError) -> HttpResponse:
    """An OAuth endpoint's error, in RFC 6749's shape."""
    return JsonResponse({"error": "invalid_request", "error_description": exc.message}, status=exc.status)


@method_decorator(csrf_exempt, name="dispatch")
class Token(TokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _json_body_as_form(request)
        except ApiError as exc:
            return _oauth_error(exc)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            # Mastodon's token response also says when the token was made; some clients read it.
            data = json.loads(response.content)
            data.setdefault("created_at", int(time.time()))
            response.content = json.dumps(data).encode()
        return response


@method_decorator(csrf_exempt, name="dispatch")
class Revoke(RevokeTokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _json_body_as_form(request)
        except ApiError as exc:
            return _oauth_error(exc)
        raw = request.POST.get("token")
        response = super().post(request, *args, **kwargs)
        if raw and response.status_code == 200:
            forget_token(raw)
        if response.status_code == 200 and not response.content:
            response = HttpResponse("{}", content_type="application/json")
        return response
