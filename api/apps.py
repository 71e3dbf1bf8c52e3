from django.apps import AppConfig

from accounts.events import AccessChanged, ProfileChanged
from core import sweeper
from core.events import IN_TRANSACTION, subscribe


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        from api import idempotency  # its purge uses a model: import once the app registry is ready
        from api import subscribers as on  # handlers use models: import once the app registry is ready

        sweeper.register("expired idempotency keys", lambda _cutoff, _limit: idempotency.purge_expired())

        subscribe(AccessChanged, on.sign_apps_out, when=IN_TRANSACTION)
        subscribe(AccessChanged, on.forget_cached_account)
        subscribe(ProfileChanged, on.forget_cached_account)
