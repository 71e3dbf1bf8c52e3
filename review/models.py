"""Review records: screening results, the review queue, reports, decisions, appeals, strikes,
per-country withholding, reviewer roles, policy-pack overrides and the append-only audit log.

Items under review are addressed by (``target_type``, ``target_id``) so notes, comments, profiles and
photos share one queue; ``note`` is also set when the target is a note, so read paths can join cheaply.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.ids import new_id


class TargetType(models.TextChoices):
    NOTE = "note", _("note")
    COMMENT = "comment", _("comment")
    PROFILE = "profile", _("profile")
    PHOTO = "photo", _("photo")
    SUGGESTION = "suggestion", _("suggested translation")


class Outcome(models.TextChoices):
    PUBLISH = "publish", _("publish")
    HOLD = "hold", _("hold for review")
    REJECT = "reject", _("reject")


class Reviewer(models.Model):
    """A user with the reviewer role. Only admins create or change these (admin site or native API)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer")
    languages = models.JSONField(default=list, blank=True, help_text="BCP-47 codes the reviewer reads")
    regions = models.JSONField(default=list, blank=True, help_text="ISO country codes; empty means all")
    senior = models.BooleanField(default=False, help_text="handles escalations and appeals of others")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"reviewer {self.user_id}"


class PolicyPackOverride(models.Model):
    """An admin's edited copy of a policy pack (YAML). When present it replaces the shipped file."""

    code = models.CharField(max_length=16, unique=True)
    source = models.TextField(help_text="the pack as YAML, validated on save")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.code


class ScreeningResult(models.Model):
    """One run of the screening pipeline over one version of one item."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=16, blank=True)
    labels = models.JSONField(default=list)
    risk = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list)
    stages = models.JSONField(default=dict, help_text="per-stage scores, errors and timings")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    regional = models.JSONField(default=dict, help_text="country -> categories flagged by regional packs")
    used_llm = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "-id"])]


class ItemStatus(models.TextChoices):
    OPEN = "open", _("open")
    ESCALATED = "escalated", _("escalated")
    RESOLVED = "resolved", _("resolved")


class Severity(models.IntegerChoices):
    LOW = 1, _("low")
    MEDIUM = 2, _("medium")
    HIGH = 3, _("high")
    CRITICAL = 4, _("critical")


class ReviewItem(models.Model):
    """One thing waiting for a human. Many reports and screening runs on one item merge here."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    note = models.ForeignKey("notes.Note", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16, blank=True)
    region = models.CharField(max_length=2, blank=True, help_text="country the item was flagged for, if regional")
    category = models.CharField(max_length=32, blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.LOW)
    source = models.CharField(max_length=16, default="screening", help_text="screening | report | appeal")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    report_count = models.PositiveIntegerField(default=0)
    screening = models.ForeignKey(ScreeningResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "language", "-severity", "id"]),
            models.Index(fields=["target_type", "target_id", "status"]),
        ]
        constraints = [
            # Exactly one open item per target and source: new reports merge into it.
            models.UniqueConstraint(
                fields=["target_type", "target_id", "source"],
                condition=~Q(status="resolved"),
                name="one_open_review_item",
            )
        ]


class ReportCategory(models.TextChoices):
    SPAM = "spam", _("Spam")
    HARASSMENT = "harassment", _("Harassment or bullying")
    SEXUAL = "sexual", _("Sexual content")
    VIOLENCE = "violence", _("Violence")
    MISINFORMATION = "misinformation", _("Misinformation")
    IMPERSONATION = "impersonation", _("Impersonation")
    ILLEGAL = "illegal", _("Illegal in my country")
    TRANSLATION = "translation", _("Translation is wrong")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A user's notice. Holds what the DSA Art 16 asks of a notice; receipt is confirmed at creation."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="reports")
    category = models.CharField(max_length=16, choices=ReportCategory.choices)
    country = models.CharField(max_length=2, blank=True)
    explanation = models.TextField(max_length=2000, blank=True)
    good_faith = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reporter", "item"], name="one_report_per_item")]


class Action(models.TextChoices):
    APPROVE = "approve", _("keep / publish")
    REJECT = "reject", _("reject")
    REMOVE = "remove", _("remove")
    WITHHOLD = "withhold", _("withhold in countries")
    ESCALATE = "escalate", _("escalate")


class Decision(models.Model):
    """A human (or automated) decision with its statement of reasons (DSA Art 17 fields)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    item = models.ForeignKey(ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason_code = models.CharField(max_length=32)
    note = models.TextField(max_length=2000, blank=True)
    countries = models.JSONField(default=list, help_text="territorial scope; empty means everywhere")
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.BooleanField(default=False)
    statement = models.JSONField(default=dict, help_text="the statement of reasons as sent")
    appeal_deadline = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["author", "-id"]), models.Index(fields=["target_type", "target_id"])]


class AppealStatus(models.TextChoices):
    OPEN = "open", _("open")
    UPHELD = "upheld", _("decision upheld")
    REVERSED = "reversed", _("decision reversed")


class Appeal(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    reply = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)


class Strike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strikes")
    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="strike")
    reason_code = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]


class Withholding(models.Model):
    """A note withheld in one country. Provisional rows come from screening and await a reviewer."""

    note = models.ForeignKey("notes.Note", on_delete=models.CASCADE, related_name="withholdings")
    country = models.CharField(max_length=2)
    reason_code = models.CharField(max_length=32)
    provisional = models.BooleanField(default=False)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "country"], name="unique_withholding")]
        indexes = [models.Index(fields=["country", "note"])]


class TextFingerprint(models.Model):
    """MinHash signature bands of a text, for near-duplicate detection across accounts."""

    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    band = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["band", "created_at"])]


class AuditEvent(models.Model):
    """Append-only: rows are inserted, never updated or deleted (enforced in save() and delete())."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=32)
    target_type = models.CharField(max_length=10, blank=True)
    target_id = models.BigIntegerField(null=True)
    reason_code = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=16, blank=True)
    countries = models.JSONField(default=list)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["action", "-id"])]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("the audit log is append-only")


class NoticeKind(models.TextChoices):
    """What a moderation notice is about. Notices are notifications of type ``moderation``
    (``notifications.Notification``); review leaves them through ``review.notices.notify``."""

    UNDER_REVIEW = "under_review", _("under review")
    DECISION = "decision", _("decision")
    REPORT_RECEIVED = "report_received", _("report received")
    REPORT_OUTCOME = "report_outcome", _("report outcome")
    APPEAL_OUTCOME = "appeal_outcome", _("appeal outcome")
    INFLUX = "influx", _("influx mode")
