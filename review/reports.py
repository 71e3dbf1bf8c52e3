"""User reports (notices of content): checked, merged into the open report review of the same item, confirmed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFound, ServiceError
from core.text import clean_user_text
from notes.models import Comment, Note, NoteState
from notes.selectors import can_see
from review import audit
from review.items import guess_language, open_item
from review.models import (
    NoticeKind,
    Report,
    ReportCategory,
    ReviewItem,
    Severity,
    TargetType,
)
from review.notices import notify

REPORT_SEVERITY = {
    "spam": Severity.LOW,
    "harassment": Severity.HIGH,
    "sexual": Severity.HIGH,
    "violence": Severity.HIGH,
    "misinformation": Severity.MEDIUM,
    "impersonation": Severity.MEDIUM,
    "illegal": Severity.HIGH,
    "translation": Severity.LOW,
    "other": Severity.LOW,
}


def report_target(target_type: str, target_id: int) -> tuple[Any, Any, Note | None, str]:
    """(object, author, note, language) for a report target; ValidationError when it does not exist."""
    if target_type == TargetType.NOTE:
        note = Note.objects.select_related("author").filter(pk=target_id).first()
        if note is None:
            raise NotFound(_("No such note."))
        return note, note.author, note, guess_language(note.title + " " + note.body, note.language)
    if target_type == TargetType.COMMENT:
        comment = Comment.objects.select_related("author", "note__author").filter(pk=target_id).first()
        if comment is None:
            raise NotFound(_("No such comment."))
        return comment, comment.author, None, guess_language(comment.body, comment.language)
    if target_type == TargetType.PROFILE:
        user = User.objects.filter(pk=target_id).first()
        if user is None:
            raise NotFound(_("No such account."))
        return user, user, None, guess_language(user.bio, user.bio_language)
    raise ServiceError(_("Unknown report target."))


def _can_see(reporter: Any, obj: Any, target_type: str) -> bool:
    """The reporter may report what they can see: the notes' own rule (published, or followers-only
    and they follow), so a report never confirms that something hidden from them exists. Blocks do not
    count here: people block and report the same account."""
    if target_type == TargetType.NOTE:
        return can_see(obj, reporter)
    if target_type == TargetType.COMMENT:
        own = obj.author_id == reporter.pk
        return (obj.state == NoteState.PUBLISHED or own) and can_see(obj.note, reporter)
    return bool(obj.is_active)


def file_report(
    *,
    reporter: Any,
    target_type: str,
    target_id: int,
    category: str,
    country: str = "",
    explanation: str = "",
    good_faith: bool = False,
) -> Report:
    """A user's notice. Merges into the open report review of the same item; receipt is confirmed."""
    if category not in ReportCategory.values:
        raise ServiceError(_("Unknown report category."))
    country = (country or "").strip().upper()
    if category == ReportCategory.ILLEGAL and not (len(country) == 2 and country.isalpha()):
        raise ServiceError(_("Say in which country it is illegal."))
    explanation = clean_user_text(explanation or "")[:2000]
    with transaction.atomic():
        obj, author, note, language = report_target(target_type, target_id)
        if not _can_see(reporter, obj, target_type):
            raise NotFound(_("No such item."))
        severity = REPORT_SEVERITY.get(category, Severity.LOW)
        item, _created = open_item(
            target_type=target_type,
            target_id=target_id,
            source="report",
            defaults={
                "author": author,
                "note": note,
                "language": language,
                "category": category,
                "severity": severity,
                "region": country if category == ReportCategory.ILLEGAL else "",
            },
        )
        if Report.objects.filter(reporter=reporter, item=item).exists():
            raise ServiceError(_("You have already reported this."))
        report = Report.objects.create(
            reporter=reporter,
            item=item,
            category=category,
            country=country,
            explanation=explanation,
            good_faith=good_faith,
        )
        ReviewItem.objects.filter(pk=item.pk).update(report_count=F("report_count") + 1)
        if severity > item.severity:
            ReviewItem.objects.filter(pk=item.pk).update(severity=severity, category=category)
        audit.record(
            "report",
            actor=reporter,
            target_type=target_type,
            target_id=target_id,
            reason_code=category,
            language=language,
            countries=[country] if country else [],
            detail={"report": str(report.pk), "item": str(item.pk), "good_faith": good_faith},
        )
        notify(
            reporter,
            NoticeKind.REPORT_RECEIVED,
            lambda: _("We received your report and a person will look at it."),
            target_type=target_type,
            target_id=target_id,
        )
    return report
