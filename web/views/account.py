"""Sign-up, log-in, onboarding, settings, interface language."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import User
from accounts.selectors import suggested_accounts
from accounts.services import SUPPORTED_LANGUAGES
from core.errors import RateLimited, ServiceError
from core.geo import viewer_country
from core.network import client_ip
from notes.selectors import with_counts_seen_from
from trust import influx
from trust import operator as trust_operator
from trust import signup as trust_signup
from web.forms import (
    INTEREST_CHOICES,
    UI_LANGUAGE_CHOICES,
    DeactivateForm,
    OnboardingForm,
    PasswordForm,
    PrivacyForm,
    SettingsForm,
    SignupForm,
)
from web.sessions import other_sessions, sign_out_other_sessions
from web.views.common import add_service_error, login_required_page, me, safe_next, viewer
from web.views.waitlist import WAITLIST_SESSION_KEY

UI_CODES = {code for code, _label in UI_LANGUAGE_CHOICES}

DEVICE_COOKIE = "nb_device"
DEVICE_COOKIE_AGE = 2 * 365 * 86400


def _reading_language_for(ui_language: str) -> str:
    return "zh-Hans" if ui_language.startswith("zh") else "en"


def signup(request: HttpRequest) -> HttpResponse:
    if viewer(request):
        return redirect("web:discover")
    form = SignupForm(request.POST or None, initial={"invite_code": request.GET.get("invite", "")[:64]})
    device = request.COOKIES.get(DEVICE_COOKIE, "")[:64] or secrets.token_urlsafe(24)
    if request.method == "POST" and form.is_valid():
        ui = translation.get_language() or "en"
        ui = ui if ui in UI_CODES else "en"
        try:
            user, signup_record = trust_signup.register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                invite_code=form.cleaned_data["invite_code"],
                device=device,
                display_name=form.cleaned_data["display_name"],
                languages=[_reading_language_for(ui)],
                ui_language=ui,
            )
        except RateLimited:
            raise  # the 429 page (trust.middleware)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if signup_record.state != signup_record.ADMITTED:
                request.session[WAITLIST_SESSION_KEY] = signup_record.pk
                return _with_device(redirect("web:waitlist"), device)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return _with_device(redirect("web:welcome"), device)
    context = {
        "form": form,
        "invite_mode": trust_operator.signup_mode() == "invite",
        "suggest_language": _influx_language_suggestion(),
    }
    return render(request, "web/signup.html", context, status=422 if form.errors else 200)


def _with_device(response: HttpResponse, device: str) -> HttpResponse:
    """The long-lived random device cookie: accounts signed up from one browser share it, which is one
    of the counterfeit-account signals (trust.risk). Only its hash is kept on the server."""
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _influx_language_suggestion() -> dict[str, str] | None:
    """In influx mode, the wave's interface language, offered to a visitor who reads another one."""
    code = influx.incoming_language()
    if not code or code == (translation.get_language() or "") or code not in UI_CODES:
        return None
    return {"code": code, "name": dict(UI_LANGUAGE_CHOICES).get(code, code)}


ONBOARDING_SUGGESTIONS = 12


def _onboarding_suggestions(user: User) -> list[User]:
    """People to follow on the welcome page, picked so that every interest a newcomer may tick has
    someone who posts about it: the best-suggested account for each interest in turn, then the rest in
    suggestion order. The page's script puts those matching the ticked interests first."""
    pool = suggested_accounts(user, limit=ONBOARDING_SUGGESTIONS * 3)
    picked: list[User] = []
    seen: set[int] = set()
    wanted = list(user.interests or []) + [code for code, _label in INTEREST_CHOICES]
    for interest in dict.fromkeys(wanted):
        for person in pool:
            if person.pk not in seen and interest in (person.interests or []):
                picked.append(person)
                seen.add(person.pk)
                break
    picked += [p for p in pool if p.pk not in seen]
    return picked[:ONBOARDING_SUGGESTIONS]


def _preselected(user: User, suggestions: list[User], count: int = 3) -> set[int]:
    """Ticked for the newcomer: people sharing their interests if they have said any, else the first few."""
    interests = set(user.interests or [])
    matching = [p.pk for p in suggestions if interests & set(p.interests or [])]
    return set((matching or [p.pk for p in suggestions])[:count])


@login_required_page
def welcome(request: HttpRequest) -> HttpResponse:
    """Onboarding: interests and languages, then a few accounts to follow, then a Discover that has notes."""
    user = me(request)
    suggestions = with_counts_seen_from(_onboarding_suggestions(user), viewer_country(viewer(request)))
    labels = dict(INTEREST_CHOICES)
    for person in suggestions:
        person.interest_labels = [str(labels[i]) for i in person.interests or [] if i in labels]  # type: ignore[attr-defined]
    form = OnboardingForm(
        request.POST or None,
        initial={
            "languages": user.languages or [_reading_language_for(translation.get_language() or "en")],
            "interests": user.interests,
        },
    )
    follow_field = form.fields["follow"]
    assert isinstance(follow_field, forms.TypedMultipleChoiceField)
    follow_field.choices = [(u.pk, u.username) for u in suggestions]
    if request.method == "POST" and form.is_valid():
        try:
            account_services.update_profile(
                user=user,
                interests=form.cleaned_data["interests"],
                languages=form.cleaned_data["languages"],
                onboarded=True,
            )
            chosen = set(form.cleaned_data["follow"])
            for other in suggestions:
                if other.pk in chosen:
                    account_services.follow(follower=user, followee=other)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Welcome to Notebridge! Here is what people are sharing."))
            return redirect("web:discover")
    context = {
        "form": form,
        "suggestions": suggestions,
        "preselected": _preselected(user, suggestions),
        "suggest_language": _influx_language_suggestion(),
    }
    return render(request, "web/welcome.html", context, status=422 if form.errors else 200)


@login_required_page
def settings_page(request: HttpRequest) -> HttpResponse:
    user = me(request)
    form = SettingsForm(
        initial={
            "ui_language": user.ui_language or translation.get_language(),
            "languages": user.languages,
            "region": user.region,
            "auto_translate": user.auto_translate,
        }
    )
    password_form = PasswordForm()
    deactivate_form = DeactivateForm()
    privacy_form = PrivacyForm(initial={"show_collects": user.show_collects, "show_likes": user.show_likes})
    status = 200
    if request.method == "POST" and request.POST.get("form") == "privacy":
        privacy_form = PrivacyForm(request.POST)
        if privacy_form.is_valid():
            account_services.update_profile(
                user=user,
                show_collects=privacy_form.cleaned_data["show_collects"],
                show_likes=privacy_form.cleaned_data["show_likes"],
            )
            messages.success(request, _("Settings saved."))
            return redirect("web:settings")
        status = 422
    elif request.method == "POST" and request.POST.get("form") == "deactivate":
        deactivate_form = DeactivateForm(request.POST)
        if deactivate_form.is_valid():
            try:
                account_services.deactivate_account(user=user, password=deactivate_form.cleaned_data["password"])
            except ServiceError as exc:
                add_service_error(deactivate_form, exc)
            else:
                logout(request)
                messages.success(request, _("Your account is deactivated. Its notes are no longer shown."))
                return redirect("web:discover")
        status = 422
    elif request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordForm(request.POST)
        if password_form.is_valid():
            try:
                account_services.change_password(
                    user=user,
                    old_password=password_form.cleaned_data["old_password"],
                    new_password=password_form.cleaned_data["new_password"],
                )
            except ServiceError as exc:
                add_service_error(password_form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Password changed. Other browsers and apps were signed out."))
                return redirect("web:settings")
        status = 422
    elif request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            languages = [code for code in form.cleaned_data["languages"] if code in SUPPORTED_LANGUAGES]
            try:
                account_services.update_profile(
                    user=user,
                    ui_language=form.cleaned_data["ui_language"],
                    languages=languages,
                    region=form.cleaned_data["region"],
                    auto_translate=form.cleaned_data["auto_translate"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                translation.activate(user.ui_language)
                messages.success(request, _("Settings saved."))
                response = redirect("web:settings")
                _remember_language(response, user.ui_language)
                return response
        status = 422
    context = {
        "form": form,
        "password_form": password_form,
        "deactivate_form": deactivate_form,
        "privacy_form": privacy_form,
        "other_sessions": other_sessions(user, request.session.session_key),
    }
    return render(request, "web/settings.html", context, status=status)


@require_POST
@login_required_page
def sign_out_others(request: HttpRequest) -> HttpResponse:
    ended = sign_out_other_sessions(user=me(request), current_key=request.session.session_key)
    messages.success(
        request,
        ngettext("Signed out of %(n)s other session.", "Signed out of %(n)s other sessions.", ended) % {"n": ended},
    )
    return redirect("web:settings")


def _remember_language(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and, when signed in, on the account."""
    code = request.POST.get("language", "")
    response: HttpResponse = HttpResponseRedirect(safe_next(request, "/"))
    if code not in UI_CODES:
        return response
    user = viewer(request)
    if user is not None:
        account_services.update_profile(user=user, ui_language=code)
    translation.activate(code)
    _remember_language(response, code)
    return response
