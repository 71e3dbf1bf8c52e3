"""Records of the trust app (docs/trust.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.ids import new_id

# --- rate limits and sign-up defence (trust/limits.py, trust/signup.py, trust/waitlist.py) -------------


class RateCounter(models.Model):
    """One fixed window of one rate-limit key: the database store of ``trust.limits`` (the embedded
    default, where every web worker and the task worker share the SQLite file). Rows expire after two
    windows and are purged as new ones are written (and by ``manage.py purge_trust``)."""

    key = models.CharField(max_length=200)
    bucket = models.BigIntegerField()  # the window's number: its start in seconds divided by its length
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="trust_ratecounter_key_bucket")]

    def __str__(self) -> str:
        return f"{self.key}@{self.bucket}={self.count}"


class SignupRule(models.Model):
    """An operator's rule for new sign-ups: an address range, an e-mail domain (and its subdomains) or a
    username pattern (a regular expression), and what happens to a sign-up that matches it."""

    IP_RANGE = "ip"
    EMAIL_DOMAIN = "email_domain"
    USERNAME = "username"
    KINDS = [(IP_RANGE, "IP range"), (EMAIL_DOMAIN, "e-mail domain"), (USERNAME, "username pattern")]
    REFUSE = "refuse"
    APPROVE = "approve"
    ACTIONS = [(REFUSE, "refuse"), (APPROVE, "require approval")]

    kind = models.CharField(max_length=16, choices=KINDS)
    pattern = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=ACTIONS, default=REFUSE)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.pattern} -> {self.action}"


class Invite(models.Model):
    """An invitation code for invite mode (``SIGNUP_MODE=invite``)."""

    code = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class Signup(models.Model):
    """How an account came in: admitted at once, waiting on the waitlist, pending an operator's approval,
    or refused by one. Accounts not admitted are inactive (they cannot log in; their tokens answer 403).
    ``email_key`` is the normalised address (case, +tags and Gmail dots removed): one account per key."""

    ADMITTED = "admitted"
    WAITING = "waiting"
    PENDING = "pending"
    REFUSED = "refused"
    STATES = [(ADMITTED, "admitted"), (WAITING, "on the waitlist"), (PENDING, "pending approval"), (REFUSED, "refused")]

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="signup")
    state = models.CharField(max_length=16, choices=STATES, default=ADMITTED)
    reason = models.CharField(max_length=200, blank=True)
    email_key = models.CharField(max_length=254, blank=True, db_index=True)
    email_domain = models.CharField(max_length=254, blank=True)
    invite = models.ForeignKey(Invite, null=True, blank=True, on_delete=models.SET_NULL)
    # Where the sign-up came from, as influx mode and the counterfeit signals count it: the network's
    # country (never the address), the interface language, and a hash of the long-lived device cookie.
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=16, blank=True)
    device = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "id"], name="trust_signup_state_id"),
            models.Index(fields=["state", "decided_at"], name="trust_signup_state_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state}"


class SecurityEvent(models.Model):
    """The short security log: the only place raw addresses are kept, for ``SECURITY_LOG_DAYS`` days
    (``manage.py purge_trust`` deletes older entries; sign-ups also purge as they write)."""

    kind = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True, blank=True)
    subnet = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.ip}"


class OperatorSettings(models.Model):
    """The operator's settings, edited on the trust operator page (``trust.operator``): one row. An empty
    or null field means "the settings module's default" (``SIGNUP_MODE``, ``SIGNUP_CAPACITY_PER_HOUR``,
    ``RATE_LIMITS``); a value here overrides it. Influx mode's state lives here too."""

    signup_mode = models.CharField(max_length=16, blank=True)
    capacity_per_hour = models.PositiveIntegerField(null=True, blank=True)
    influx_capacity_per_hour = models.PositiveIntegerField(null=True, blank=True)
    rate_limits = models.JSONField(default=dict, blank=True, help_text="limit name -> rate text or 'off'")
    influx_active = models.BooleanField(default=False)
    influx_manual = models.BooleanField(default=False, help_text="switched by an operator, not by detection")
    influx_since = models.DateTimeField(null=True, blank=True)
    influx_language = models.CharField(max_length=16, blank=True)
    influx_country = models.CharField(max_length=2, blank=True)
    influx_detail = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "operator settings"


# --- Impersonation and verification -------------------------------------------------------------


class ProfileLink(models.Model):
    """A link in a profile's bio and whether the page it points to links back with ``rel="me"``
    (``trust.links``, Mastodon's way of verifying a website)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_links")
    url = models.URLField(max_length=500)
    verified_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "url"], name="one_profile_link_per_url")]

    def __str__(self) -> str:
        return self.url


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


class PayloadSighting(models.Model):
    """A payload (``core.payloads`` key: a link's site, a contact id, a phone number, an e-mail address, a
    price or code in a text that solicits) that a newcomer's note or comment carried: the
    ``payload_shared`` rule counts the distinct newcomers pushing one payload (trust.payloads). Rows
    older than the rule's window are purged with the security log (``manage.py purge_trust``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["key", "created_at"], name="trust_payload_key_time"),
            models.Index(fields=["user", "created_at"], name="trust_payload_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class MostFollowed(models.Model):
    """The most-followed set as the impersonation detector last saw it (trust.impersonation): an account
    that enters it becomes protected, and the accounts that look like it are checked once then."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} since {self.entered_at:%Y-%m-%d %H:%M}"


class NewcomerCheck(models.Model):
    """A new account whose names are still to be compared with the protected accounts (trust.newcomers).
    Written in the sign-up's own transaction and deleted once the account is checked, so a batch that a
    dying worker leaves half done is finished by the next one. An account waiting on the waitlist or for
    approval is inactive and waits here until it is admitted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id} since {self.created_at:%Y-%m-%d %H:%M:%S}"
