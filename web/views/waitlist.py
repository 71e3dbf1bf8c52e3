"""The waitlist page: a newcomer's place in line, kept open and polled (htmx) until they are let in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trust import waitlist
from trust.models import Signup
from web.views.common import is_htmx

WAITLIST_SESSION_KEY = "trust_signup"
POLL_SECONDS = 5


def waitlist_page(request: HttpRequest) -> HttpResponse:
    """Shows the place of the sign-up this browser made; admits what is due on each poll, and signs the
    newcomer in once admitted."""
    signup_id = request.session.get(WAITLIST_SESSION_KEY)
    signup = Signup.objects.select_related("user").filter(pk=signup_id).first() if signup_id else None
    if signup is None:
        return redirect("web:signup")
    if signup.state == Signup.WAITING:
        waitlist.tick()
        signup.refresh_from_db()
    if signup.state == Signup.ADMITTED and signup.user.is_active:
        del request.session[WAITLIST_SESSION_KEY]
        login(request, signup.user, backend=settings.AUTHENTICATION_BACKENDS[0])
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = "/welcome/"
            return response
        return redirect("web:welcome")
    context = {
        "signup": signup,
        "place": waitlist.place(signup),
        "waiting": waitlist.waiting_count(),
        "poll_seconds": POLL_SECONDS,
    }
    template = "trust/_waitlist_status.html" if is_htmx(request) else "trust/waitlist.html"
    return render(request, template, context)
