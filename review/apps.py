from django.apps import AppConfig

from accounts.events import ProfileChanged
from core import standing, sweeper, warmup
from core.events import IN_TRANSACTION, subscribe
from notes.events import CommentCreated, NoteSubmitted, TranslationSuggested
from trust.events import AccountRiskRaised, ImpersonationSuspected, TrustSettingChanged


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # These use models, so they are imported once the app registry is ready.
        from notes import selectors as note_selectors  # (registry ready)
        from review import intake, packs, screening, selectors, sweeps  # (registry ready)
        from review import subscribers as on  # (registry ready)

        # A shipped policy pack that does not validate must stop the process at start, with the reason,
        # not fail later in a worker.
        packs.validate_shipped_packs()
        # Notes apply regional withholding on every read; review decides where a note is withheld.
        note_selectors.set_withholding_policy(selectors)
        subscribe(NoteSubmitted, on.screen_submitted_note, when=IN_TRANSACTION)
        # Whether new posts are screened: where they are, the screening assesses their authors first
        # (trust's policy, core/standing.py); where not, trust does it on its own.
        standing.set_post_screening(intake.screening_enabled)
        # Screening whose task was lost (a Redis without persistence restarted) is enqueued again.
        sweeper.register("notes pending screening", sweeps.lost_note_screenings)
        sweeper.register("comments pending screening", sweeps.lost_comment_screenings)
        # Loaded once per worker, not once per job (RQ forks a process for each).
        warmup.register("screening models", screening.warm)
        subscribe(CommentCreated, on.screen_new_comment, when=IN_TRANSACTION)
        subscribe(TranslationSuggested, on.screen_suggested_translation, when=IN_TRANSACTION)
        subscribe(ProfileChanged, on.screen_changed_profile, when=IN_TRANSACTION)
        # Trust's impersonation findings open a review item in the finding's own transaction.
        subscribe(ImpersonationSuspected, on.flag_suspected_impersonation, when=IN_TRANSACTION)
        subscribe(AccountRiskRaised, on.flag_risky_account, when=IN_TRANSACTION)
        # Trust's operator settings and influx mode: audited, and operators alerted of influx.
        subscribe(TrustSettingChanged, on.audit_trust_setting, when=IN_TRANSACTION)
        subscribe(TrustSettingChanged, on.alert_operators_of_influx, when=IN_TRANSACTION)
