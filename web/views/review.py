"""Content review pages: the reviewers' console, decisions and appeals for authors, the report form,
the audit search for operators and the public transparency report (templates in templates/review/).
Thin: parse, check, call a review service or selector, render."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.static import serve

from accounts.models import User
from accounts.selectors import search_people
from accounts.services import SUPPORTED_LANGUAGES
from core.errors import ServiceError
from core.geo import viewer_country
from core.ids import parse_id
from review import appeals, decisions, notices, reports, reviewers, selectors, statements
from review.item_view import ItemView, item_media_names, item_view
from review.models import Decision, ReportCategory
from review.packs import get_packs
from review.permissions import is_admin, is_reviewer
from review.translate import translation_for_reviewer
from trust.selectors import account_overview
from web.forms import LANGUAGE_CHOICES
from web.views.common import me


def _reviewer_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    if not is_reviewer(request.user):
        if is_admin(request.user):
            # An operator who is not a reviewer yet: one click away, on the page that appoints reviewers.
            messages.info(request, _("You are an operator but not a reviewer yet. Appoint yourself (or others) here."))
            return redirect("web:review_reviewers")
        raise PermissionDenied(
            _("Only reviewers can see review queues. Ask an operator to appoint you on the Reviewers page.")
        )
    return None


REGION_CODE = re.compile(r"^[A-Za-z]{2}$")


def _regions(raw: str) -> list[str] | None:
    """ "US, gb" -> ["US", "GB"]; None when a code is malformed."""
    codes = [c.strip() for c in re.split(r"[,\s]+", raw or "") if c.strip()]
    if any(not REGION_CODE.match(c) for c in codes):
        return None
    return [c.upper() for c in codes]


@login_required
@require_http_methods(["GET", "POST"])
def reviewers_page(request: HttpRequest) -> HttpResponse:
    """Operators find people and appoint them reviewers, with the languages they read and the regions
    they cover; or appoint themselves in one click; or retire a reviewer."""
    if not is_admin(request.user):
        raise PermissionDenied(_("Only operators can appoint reviewers."))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = User.objects.filter(pk=parse_id(request.POST.get("user_id", "")) or 0, is_active=True).first()
        if action == "self":
            target = User.objects.get(pk=me(request).pk)
            reviewers.set_reviewer(actor=request.user, user=target, languages=target.languages or ["en"])
            messages.success(request, _("You are a reviewer now. Here is the queue."))
            return redirect("web:review_console")
        if target is None:
            messages.error(request, _("No such account."))
            status = 422
        elif action == "retire":
            reviewers.set_reviewer(
                actor=request.user, user=target, languages=list(target.reviewer.languages), active=False
            )
            messages.success(request, _("@%(name)s is no longer a reviewer.") % {"name": target.username})
            return redirect("web:review_reviewers")
        else:
            languages = [code for code in request.POST.getlist("languages") if code in SUPPORTED_LANGUAGES]
            regions = _regions(request.POST.get("regions", ""))
            if not languages:
                messages.error(request, _("Choose at least one language the reviewer reads."))
                status = 422
            elif regions is None:
                messages.error(request, _("Regions are two-letter country codes, such as US, GB or TW."))
                status = 422
            else:
                reviewers.set_reviewer(
                    actor=request.user,
                    user=target,
                    languages=languages,
                    regions=regions,
                    senior=request.POST.get("senior") == "on",
                )
                messages.success(request, _("@%(name)s is a reviewer now.") % {"name": target.username})
                return redirect("web:review_reviewers")
    q = request.GET.get("q", "")[:64]
    return render(
        request,
        "review/reviewers.html",
        {
            "reviewers": reviewers.reviewers_list(),
            "q": q,
            "found": list(search_people(q, limit=20)) if q else [],
            "languages": LANGUAGE_CHOICES,
            "me_reviewer": is_reviewer(request.user),
        },
        status=status,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def console(request: HttpRequest) -> HttpResponse:
    denied = _reviewer_only(request)
    if denied:
        return denied
    f = request.GET
    items = selectors.queue_for(
        request.user,
        language=f.get("language", "")[:16],
        region=f.get("region", "")[:2],
        category=f.get("category", "")[:32],
        severity=_int(f.get("severity")),
        source=f.get("source", "")[:16],
    )[:100]
    return render(
        request,
        "review/console.html",
        {
            "summary": selectors.queue_summary(request.user),
            "items": items,
            "filters": f,
            "reason_codes": get_packs().categories,
        },
    )


def _media_url(item_pk: int, f: Any) -> str:
    """A file of the item's note through the review-only media route (held media is not public)."""
    return reverse("web:review_item_media", args=[item_pk, f.name]) if f and f.name else ""


def _preview_media(item_pk: int, view: ItemView) -> dict[str, Any]:
    slides = [
        {
            "photo": photo,
            "src": _media_url(item_pk, photo.thumb) or _media_url(item_pk, photo.large),
            "large": _media_url(item_pk, photo.large) or _media_url(item_pk, photo.original),
        }
        for photo in view.photos
    ]
    video = view.video
    return {
        "slides": slides,
        "video": video,
        "video_urls": {
            "poster": _media_url(item_pk, video.poster),
            "large": _media_url(item_pk, video.large),
            "small": _media_url(item_pk, video.small),
        }
        if video is not None
        else {},
    }


def item_page(request: HttpRequest, item_id: str) -> HttpResponse:
    denied = _reviewer_only(request)
    if denied:
        return denied
    item = selectors.visible_item(request.user, parse_id(item_id) or 0)
    if item is None:
        raise Http404
    content = selectors.item_content(item)
    translation = (
        translation_for_reviewer(
            target_type=item.target_type,
            target_id=item.target_id,
            title=content.get("title", ""),
            body=content.get("body", ""),
            source=item.language,
            target=getattr(request.user, "preferred_language", "en") or "en",
        )
        if content
        else None
    )
    next_item = selectors.queue_for(request.user).exclude(pk=item.pk).first()
    view = item_view(item)
    return render(
        request,
        "review/item.html",
        {
            "item": item,
            "content": content,
            "view": view,
            **_preview_media(item.pk, view),
            "translation": translation,
            "reports": item.reports.order_by("id")[:50],
            "reason_codes": get_packs().categories,
            "next_item": next_item,
            "withheld_in": selectors.withheld_countries(item.target_id) if item.target_type == "note" else [],
            # Trust's impersonation findings (the evidence the review item was opened with).
            "impersonation": (item.screening.stages or {}).get("impersonation", []) if item.screening else [],
            # Trust's view of the author: risk, reasons, linked accounts (web sits above both apps).
            "trust": account_overview(item.author_id),
        },
    )


def item_media(request: HttpRequest, item_id: str, path: str) -> HttpResponseBase:
    """A file of the note under review, for reviewers who may see the item: the public media route
    refuses a note's files until it is published (web/views/media.py). 404 for anything else."""
    if not request.user.is_authenticated or not is_reviewer(request.user):
        raise Http404
    item = selectors.visible_item(request.user, parse_id(item_id) or 0)
    if item is None or path not in item_media_names(item):
        raise Http404
    if not settings.SERVE_MEDIA:
        # Object storage: a signed (or CDN) URL for the stored name.
        return redirect(default_storage.url(path))
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def decide_page(request: HttpRequest, item_id: str) -> HttpResponse:
    denied = _reviewer_only(request)
    if denied:
        return denied
    pk = parse_id(item_id)
    if pk is None:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "claim":
            decisions.claim(user=request.user, item_id=pk)
            return redirect("web:review_item", item_id=pk)
        if action == "release":
            decisions.release(user=request.user, item_id=pk)
        elif action == "escalate":
            decisions.escalate(user=request.user, item_id=pk, note=request.POST.get("note", ""))
        else:
            countries = [c for c in request.POST.get("countries", "").replace(",", " ").split() if c]
            decisions.decide(
                user=request.user,
                item_id=pk,
                action=action,
                reason_code=request.POST.get("reason_code", ""),
                note=request.POST.get("note", ""),
                countries=countries,
            )
        messages.success(request, _("Done."))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:review_item", item_id=pk)
    next_item = selectors.queue_for(request.user).first()
    return redirect("web:review_item", item_id=next_item.pk) if next_item else redirect("web:review_console")


@require_POST
def bulk_page(request: HttpRequest) -> HttpResponse:
    denied = _reviewer_only(request)
    if denied:
        return denied
    ids = [i for i in (parse_id(v) for v in request.POST.getlist("item_ids")) if i is not None]
    try:
        result = decisions.bulk_decide(
            user=request.user,
            item_ids=ids,
            action=request.POST.get("action", ""),
            reason_code=request.POST.get("reason_code", ""),
        )
        messages.success(
            request, _("%(n)s decided, %(s)s skipped.") % {"n": len(result["decided"]), "s": len(result["skipped"])}
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("web:review_console")


def audit_page(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(_("Only operators can search the audit log."))
    f = request.GET
    events = selectors.search_audit(
        q=f.get("q", "")[:64], action=f.get("action", "")[:32], target_id=parse_id(f.get("target_id", "")), limit=200
    )
    return render(request, "review/audit.html", {"events": events, "filters": f})


@login_required
def notices_page(request: HttpRequest) -> HttpResponse:
    decided = [
        {
            "decision": d,
            "summary": statements.summary(d.statement) if d.statement.get("content") else "",
            "appealed": hasattr(d, "appeal"),
        }
        for d in selectors.decisions_for_author(request.user).select_related("appeal")[:50]
    ]
    notices.mark_notices_read(user=request.user)
    return render(
        request,
        "review/notices.html",
        {
            "notices": selectors.notices_for(request.user),
            "decisions": decided,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_page(request: HttpRequest, decision_id: str) -> HttpResponse:
    decision = Decision.objects.filter(pk=parse_id(decision_id) or 0, author_id=request.user.pk).first()
    if decision is None:
        raise Http404
    if request.method == "POST":
        try:
            appeals.file_appeal(user=request.user, decision=decision, text=request.POST.get("text", ""))
            messages.success(request, _("Your appeal was sent. A different reviewer will look at it."))
            return redirect("web:review_notices")
        except ServiceError as exc:
            messages.error(request, exc.message)
    summary = statements.summary(decision.statement) if decision.statement.get("content") else ""
    return render(request, "review/appeal.html", {"decision": decision, "summary": summary})


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    pk = parse_id(target_id)
    if pk is None or target_type not in ("note", "comment", "profile"):
        raise Http404
    if request.method == "POST":
        try:
            reports.file_report(
                reporter=request.user,
                target_type=target_type,
                target_id=pk,
                category=request.POST.get("category", ""),
                country=request.POST.get("country", ""),
                explanation=request.POST.get("explanation", ""),
                good_faith=request.POST.get("good_faith") == "on",
            )
            messages.success(request, _("Thank you. We received your report."))
            return redirect("web:review_notices")
        except ServiceError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "review/report.html",
        {
            "categories": ReportCategory.choices,
            "target_type": target_type,
            "target_id": pk,
            "country": viewer_country(request.user) or "",
        },
    )


def transparency_page(request: HttpRequest) -> HttpResponse:
    if not get_packs().global_pack.duties.get("transparency_report", True):
        raise Http404
    report: dict[str, Any] = selectors.transparency_report()
    return render(request, "review/transparency.html", {"report": report})
