from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id


class NotificationType(models.TextChoices):
    FOLLOW = "follow", _("followed you")
    LIKE = "like", _("liked your note")
    COLLECT = "collect", _("collected your note")
    COMMENT = "comment", _("commented on your note")
    REPLY = "reply", _("replied to your comment")
    MENTION = "mention", _("mentioned you")


class Notification(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=16, choices=NotificationType.choices)
    note = models.ForeignKey("notes.Note", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("notes.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-id"])]
        constraints = [
            # Liking twice, or a retried task, never notifies twice.
            models.UniqueConstraint(
                fields=["recipient", "actor", "type", "note", "comment"], name="unique_notification"
            )
        ]
