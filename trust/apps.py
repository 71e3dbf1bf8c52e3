"""Account trust and safety: rate limits, sign-up defence and the waitlist, impersonation and
counterfeit-account signals, verification, influx mode (docs/trust.md)."""

from django.apps import AppConfig

from accounts.events import ProfileChanged, UserRegistered
from core.events import IN_TRANSACTION, subscribe


class TrustConfig(AppConfig):
    name = "trust"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trust import subscribers as on  # (registry ready) the subscribers use models

        # Impersonation: a new account, a changed display name or avatar (docs/trust.md).
        subscribe(UserRegistered, on.check_new_account, when=IN_TRANSACTION)
        subscribe(ProfileChanged, on.check_changed_profile, when=IN_TRANSACTION)
