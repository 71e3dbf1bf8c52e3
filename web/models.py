from __future__ import annotations

from django.conf import settings
from django.db import models


class WebSession(models.Model):
    """A signed-in browser session, recorded at log-in so a user can sign the others out.

    Django's session store cannot be searched by user, and the database store is not the only one
    (cached_db, Redis); keeping our own index makes "sign out other sessions" one small query.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.created_at:%Y-%m-%d}"
