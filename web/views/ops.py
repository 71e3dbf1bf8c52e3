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


def staff_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied(_("Only operators can see this page."))
    return None


@require_GET
def translation_page(request: HttpRequest) -> HttpResponse:
    denied = staff_only(request)
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
        "prep": status["preparation"],
        "prep_state": _prep_state_label(status["preparation"]["state"]),
        "prep_stage": _prep_stage_label(status["preparation"].get("stage", "")),
    }
    return render(request, "web/ops_translation.html", context)


def _prep_state_label(state: str) -> str:
    labels = {
        "none": _("not started"),
        "running": _("in progress"),
        "ready": _("ready"),
        "failed": _("failed"),
        "off": _("turned off (NOTEBRIDGE_LOCAL_MODEL=0)"),
        "stopped": _("stopped before finishing (starts again with make run)"),
    }
    return labels.get(state, state)


def _prep_stage_label(stage: str) -> str:
    labels = {
        "runtime": _("building and installing the runtime"),
        "download": _("downloading the model"),
        "join": _("joining and verifying the model"),
    }
    return labels.get(stage, stage)


@require_POST
def retry_failed(request: HttpRequest) -> HttpResponse:
    denied = staff_only(request)
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
