"""For you's controls on the web: "Not interested" on a card, and the language-mix setting."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.geo import viewer_country
from recommend import services
from recommend.models import HideReason
from web.views.common import is_htmx, login_required_page, me, redirect_back


@require_POST
@login_required_page
def not_interested(request: HttpRequest, note_id: int) -> HttpResponse:
    reason = request.POST.get("reason") or HideReason.NOT_INTERESTED
    if reason not in HideReason.values:
        reason = HideReason.NOT_INTERESTED
    user = me(request)
    try:
        services.hide_note(user=user, note_id=note_id, reason=reason, country=viewer_country(user))
    except ServiceError as exc:
        if exc.code == "rate_limited":
            messages.error(request, _("Too many taps at once; try again in a minute."))
            return redirect_back(request, reverse("web:discover"))
        raise Http404 from exc
    if is_htmx(request):
        return HttpResponse(format_html('<p class="card-hidden">{}</p>', _("Got it: you will see less like this.")))
    messages.success(request, _("Got it: you will see less like this."))
    return redirect_back(request, reverse("web:discover"))


@require_POST
@login_required_page
def language_mix(request: HttpRequest) -> HttpResponse:
    try:
        value = int(request.POST.get("language_mix", ""))
        services.set_language_mix(user=me(request), language_mix=value)
    except (ValueError, ServiceError):
        messages.error(request, _("Choose one of the language mixes."))
    return redirect_back(request, reverse("web:discover"))
