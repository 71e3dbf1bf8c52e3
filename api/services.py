"""Writes the API owns: client app registrations and the tokens it issues outside the OAuth flow."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, set_token_value
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from accounts.models import User
from api.models import AppRegistration
from api.oauth import ALL_SCOPES, parse_scopes
from core.errors import ServiceError
from core.text import clean_user_text
from trust.signup import register

OOB = "urn:ietf:wg:oauth:2.0:oob"
FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "about"}


def _clean_redirect_uris(raw: str | list[str]) -> list[str]:
    items = raw if isinstance(raw, list) else raw.split()
    uris = [u.strip() for u in items if u.strip()]
    if not uris:
        uris = [OOB]
    if len(uris) > 10:
        raise ServiceError("Validation failed: too many redirect URIs", field="redirect_uris")
    for uri in uris:
        if uri == OOB:
            continue
        parts = urlsplit(uri)
        if not parts.scheme or parts.scheme.lower() in FORBIDDEN_SCHEMES or len(uri) > 500 or parts.fragment:
            raise ServiceError("Validation failed: Redirect URI must be an absolute URI.", field="redirect_uris")
        if parts.scheme in ("http", "https") and not parts.netloc:
            raise ServiceError("Validation failed: Redirect URI must be an absolute URI.", field="redirect_uris")
    return list(dict.fromkeys(uris))


@transaction.atomic
def register_app(
    *, name: str, redirect_uris: str | list[str], scopes: str = "read", website: str = ""
) -> tuple[Application, str]:
    """Register a Mastodon client (a confidential authorization-code app). Returns (app, plain secret)."""
    name = clean_user_text(name or "").replace("\n", " ")
    if not name:
        raise ServiceError("Validation failed: Application name can't be blank", field="client_name")
    if len(name) > 60:
        raise ServiceError("Validation failed: Application name is too long", field="client_name")
    wanted = parse_scopes(scopes)
    unknown = [s for s in wanted if s not in ALL_SCOPES]
    if unknown:
        raise ServiceError(f"Validation failed: Scopes {unknown[0]} is not a valid scope", field="scopes")
    website = (website or "").strip()
    if website and (urlsplit(website).scheme not in ("http", "https") or len(website) > 300):
        raise ServiceError("Validation failed: Website is not a valid URL", field="website")
    uris = _clean_redirect_uris(redirect_uris)
    app = Application(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        skip_authorization=False,
    )
    secret = app.client_secret  # generated, still in plain text; hashed when saved
    app.save()
    AppRegistration.objects.create(application=app, scopes=" ".join(wanted), website=website)
    return app, secret


def issue_token(*, user: User, application: Application | None, scopes: list[str]) -> tuple[AccessToken, str]:
    """A user token issued directly (account registration through an app, benchmarks, tests)."""
    raw = generate_token()
    token = AccessToken(
        user=user,
        application=application,
        expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
        scope=" ".join(scopes),
    )
    set_token_value(token, raw)
    token.save()
    return token, raw


def register_account_via_app(
    *,
    application: Application,
    scopes: list[str],
    username: str,
    password: str,
    email: str = "",
    agreement: bool = False,
    locale: str = "",
    ip: str = "",
    invite_code: str = "",
) -> tuple[User, str, AccessToken]:
    """Mastodon's ``POST /api/v1/accounts``: create the user and a token for the registering app.

    The sign-up goes through the trust app's defence (``trust.signup.register``). An account that must
    wait (waitlist) or be approved is created inactive and still gets its token, as Mastodon answers an
    approval-required sign-up: the client holds the token, and it works once the account is admitted
    (until then the API answers 403). Not one transaction: the password is hashed before any write
    lock is taken (SQLite's transactions take it at BEGIN), and the account and its token are each
    written in a short transaction of their own."""
    if not agreement:
        raise ServiceError("Validation failed: Agreement must be accepted", field="agreement", code="accepted")
    if not password:
        raise ServiceError("Validation failed: Password can't be blank", field="password", code="blank")
    ui_language = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-hans": "zh-hans"}.get((locale or "").lower(), "")
    languages = ["zh-Hans"] if ui_language else (["en"] if (locale or "en").lower().startswith("en") else [])
    user, _signup = register(
        username=username,
        password=password,
        email=email,
        ip=ip,
        invite_code=invite_code,
        ui_language=ui_language,
        languages=languages,
    )
    token, raw = issue_token(user=user, application=application, scopes=scopes)
    return user, raw, token
