"""Account trust and safety: rate limits, sign-up defence and the waitlist, impersonation and
counterfeit-account signals, verification, influx mode (docs/trust.md)."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from accounts.events import Followed, ProfileChanged, Unfollowed, UserRegistered
from core import standing, sweeper, warmup
from core.events import EARLY, IN_TRANSACTION, subscribe
from notes.events import CommentCreated, NoteSubmitted, UsersMentioned


class TrustConfig(AppConfig):
    name = "trust"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trust import impersonation, posts, risk  # (registry ready) the policies read models
        from trust import subscribers as on  # (registry ready) the subscribers use models
        from trust.tasks import sweep_waiting_newcomers  # (registry ready) it reads models

        # A newcomers' batch that was lost is queued again by the lost-work sweep (core/sweeper.py).
        sweeper.register("newcomer checks waiting", sweep_waiting_newcomers)

        # Impersonation: a new account, a changed display name or avatar (docs/trust.md).
        subscribe(UserRegistered, on.check_new_account, when=IN_TRANSACTION)
        # Loaded once per task worker, not once per job (RQ forks a process for each).
        warmup.register("impersonation tables", impersonation.warm)
        subscribe(ProfileChanged, on.check_changed_profile, when=IN_TRANSACTION)
        subscribe(ProfileChanged, on.verify_links, when=IN_TRANSACTION)
        subscribe(ProfileChanged, on.reassess_profile_text, when=IN_TRANSACTION)
        # Counterfeit and spam-account risk: counters and rules (docs/trust.md, "Account risk").
        subscribe(Followed, on.count_follow, when=IN_TRANSACTION)
        subscribe(Unfollowed, on.count_unfollow, when=IN_TRANSACTION)
        subscribe(UsersMentioned, on.reassess_mentioner, when=IN_TRANSACTION)
        # A new post's author is assessed before review screens the post (its screening reads the risk
        # that post makes): review's screening runs trust's assessment first, in its worker or inline
        # (core/standing.py); where nothing is screened these subscribers queue it. Early, so that they
        # still come before review's own subscriber to the same events.
        subscribe(NoteSubmitted, on.reassess_poster, when=IN_TRANSACTION, priority=EARLY)
        subscribe(CommentCreated, on.reassess_commenter, when=IN_TRANSACTION, priority=EARLY)
        standing.set_poster_assessment(posts.assess_poster)
        # High risk holds new content: review's screening asks this policy (core/standing.py).
        standing.set_content_hold_policy(risk.content_hold_reason)
        # Sign-ins go to the short security log (region_mismatch reads it). Django's own signal: log-in
        # is django.contrib.auth's, not a domain event of ours.
        user_logged_in.connect(on.log_sign_in, dispatch_uid="trust.log_sign_in")
