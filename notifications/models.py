from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.ids import new_id


class NotificationType(models.TextChoices):
    FOLLOW = "follow", _("followed you")
    LIKE = "like", _("liked your note")
    COLLECT = "collect", _("collected your note")
    COMMENT = "comment", _("commented on your note")
    REPLY = "reply", _("replied to your comment")
    MENTION = "mention", _("mentioned you")
    COMMENT_LIKE = "comment_like", _("liked your comment")
    MODERATION = "moderation", _("moderation notice")
    VIDEO_FAILED = "video_failed", _("your video could not be processed")
    SUGGESTION = "suggestion", _("suggested a translation of your note")
    SUGGESTION_APPROVED = "suggest_approved", _("approved your suggested translation")


# Notices from the site itself, not from a person: they have no actor and carry their own text.
SITE_TYPES = (NotificationType.MODERATION, NotificationType.VIDEO_FAILED)


# Likes, collects and follows pile up; a comment or a mention says something of its own, so it stands alone.
GROUPED_TYPES = frozenset(
    {NotificationType.LIKE, NotificationType.COLLECT, NotificationType.COMMENT_LIKE, NotificationType.FOLLOW}
)
# A group takes in what comes within this long of its first notification.
GROUP_WINDOW = timedelta(hours=24)


class Notification(models.Model):
    """Something that happened to the recipient. A person's action has an ``actor``; a moderation notice
    (type ``moderation``) comes from the site, so it has none and carries review's text instead: ``kind``
    (under review, decision, report received, report outcome, appeal outcome), ``text`` written in the
    recipient's language when it was sent, the item it is about and the decision it announces (review's
    ids, kept as plain numbers: notifications knows nothing of review)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=16, choices=NotificationType.choices)
    note = models.ForeignKey("notes.Note", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("notes.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True)
    target_type = models.CharField(max_length=10, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    decision_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)
    # The inbox line this belongs to: the id of the group's first notification (its own id when it starts
    # one or stands alone). Set once, when written (``notifications.services.notify``), so the inbox pages
    # by groups and never splits one across pages.
    group_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-id"]), models.Index(fields=["recipient", "group_id"])]
        constraints = [
            # Liking twice, or a retried task, never notifies twice.
            models.UniqueConstraint(
                fields=["recipient", "actor", "type", "note", "comment"], name="unique_notification"
            ),
            # Only the site speaks without an actor.
            models.CheckConstraint(
                condition=Q(type__in=["moderation", "video_failed"]) | Q(actor__isnull=False),
                name="notification_actor_unless_site",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.group_id is None:
            self.group_id = self.pk  # a line of its own unless the service put it in a group
        super().save(*args, **kwargs)

    @property
    def is_site_notice(self) -> bool:
        return self.type in SITE_TYPES

    @property
    def is_moderation(self) -> bool:
        return self.type == NotificationType.MODERATION
