from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings


class AppRegistration(models.Model):
    """What a Mastodon client registered besides the OAuth application: its scopes and website."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="registration"
    )
    scopes = models.CharField(max_length=500, default="read")
    website = models.URLField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for a post, kept in the database so that a retry (even while Redis
    is down) finds the status the first request made instead of posting again (api/idempotency.py).

    The row is written in the same transaction as the status, so it exists exactly when the status does;
    the unique constraint makes concurrent retries wait for the first and then read its answer.
    """

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, help_text="sha256 of the client's key, hex")
    status_id = models.BigIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="unique_idempotency_key")]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_key_expiry")]
