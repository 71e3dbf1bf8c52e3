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
