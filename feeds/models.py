from django.conf import settings
from django.db import models


class TimelineEntry(models.Model):
    """One note in one user's home timeline (embedded default; Redis lists hold these at scale).

    Written by fan-out when a note is published; derived data, rebuilt by ``rebuild_timelines``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey("notes.Note", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "note"], name="unique_timeline_entry")]
        indexes = [models.Index(fields=["user", "-note"], name="timeline_user_note")]
