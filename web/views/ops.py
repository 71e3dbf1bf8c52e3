"""Operator pages (staff only): how translation is doing, and retrying what failed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from translation.selectors import translation_status
from translation.services import retry_failed_jobs


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied(_("Only operators can see this page."))
    return None


@require_GET
def translation_page(request: HttpRequest) -> HttpResponse:
    denied = _staff_only(request)
    if denied:
        return denied
    status = translation_status()
    model = status["model"]
    context = {
        "status": status,
        "queue": status["queue"],
        "cache": status["cache"],
        "model": model,
        "model_mb": round(model["model_bytes"] / 1_000_000) if model["model_bytes"] else 0,
        "hit_percent": round(status["cache"]["hit_rate"] * 100, 1),
    }
    return render(request, "web/ops_translation.html", context)


@require_POST
def retry_failed(request: HttpRequest) -> HttpResponse:
    denied = _staff_only(request)
    if denied:
        return denied
    count = retry_failed_jobs()
    if count:
        messages.success(
            request,
            ngettext("%(count)s failed job queued again.", "%(count)s failed jobs queued again.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("No failed jobs to retry."))
    return redirect("web:ops_translation")
