"""Trust records (docs/trust.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.ids import new_id

# --- Impersonation and verification -------------------------------------------------------------


class AvatarHash(models.Model):
    """The perceptual hash of a user's current avatar (imagehash pHash, 64 bits as 16 hex digits)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="avatar_hash"
    )
    avatar_name = models.CharField(max_length=200, help_text="the avatar file this hash was computed from")
    phash = models.CharField(max_length=16)
    updated_at = models.DateTimeField(auto_now=True)


class ImpersonationFlag(models.Model):
    """One suspicion sent to review: ``user`` looks like ``protected_user`` by ``signal``. Kept so the same
    finding on the same value is sent once, and so a user's export lists what was flagged about them."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="impersonation_flags")
    protected_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    signal = models.CharField(max_length=24)
    score = models.FloatField()
    subject = models.CharField(max_length=16)
    candidate_value = models.CharField(max_length=200)
    protected_value = models.CharField(max_length=200)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "protected_user", "signal", "subject", "candidate_value"],
                name="one_impersonation_flag_per_finding",
            )
        ]


# --- Counterfeit and spam-account risk ----------------------------------------------------------


class RiskCounter(models.Model):
    """How many times ``user`` did ``kind`` (follow, unfollow) in the hour starting at ``hour``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "hour"], name="one_risk_counter_per_hour")]


class AccountRisk(models.Model):
    """An account's current risk score in [0, 1] with its reasons (trust.risk)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="account_risk"
    )
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list)
    flagged_at = models.DateTimeField(null=True, blank=True, help_text="when it was last sent to review")
    updated_at = models.DateTimeField(auto_now=True)
