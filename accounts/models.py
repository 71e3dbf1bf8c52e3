from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id

username_validator = RegexValidator(
    r"^[A-Za-z0-9_]{1,30}$", _("Use 1 to 30 letters, digits or underscores."), code="invalid_username"
)

MAX_BIO = 500
MAX_DISPLAY_NAME = 50


class User(AbstractUser):
    """An account. Ids are 64-bit time-sortable, like notes, and serialised as strings in APIs."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=MAX_DISPLAY_NAME, blank=True)
    bio = models.TextField(_("bio"), max_length=MAX_BIO, blank=True)
    bio_language = models.CharField(max_length=16, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    # Languages the user reads, as BCP-47 codes ("en", "zh-Hans"); the first is the preferred one.
    languages = models.JSONField(default=list, blank=True)
    ui_language = models.CharField(max_length=16, blank=True)
    region = models.CharField(_("region"), max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    interests = models.JSONField(default=list, blank=True)
    auto_translate = models.BooleanField(default=True)
    locked = models.BooleanField(default=False)
    is_bot = models.BooleanField(default=False)
    onboarded = models.BooleanField(default=False)
    # What others see on the profile's tabs. Collects from public boards are on show by default (the
    # boards themselves are public); likes are private until the user shows them.
    show_collects = models.BooleanField(_("Show my collects on my profile"), default=True)
    show_likes = models.BooleanField(_("Show the notes I liked on my profile"), default=False)
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    notes_count = models.PositiveIntegerField(default=0)
    last_note_at = models.DateTimeField(null=True, blank=True)
    # The country (never the address) the user last posted a note or comment from: the profile's
    # "IP location" label where the viewer's regional pack asks for one (docs/review.md).
    last_ip_country = models.CharField(max_length=2, blank=True)
    # An admin-granted badge for official accounts (trust: `manage.py verify_account`, docs/trust.md).
    # Verified accounts are protected by the impersonation detector.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        indexes = [models.Index(fields=["date_joined"])]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def shows_collects_to(self, viewer: User | None) -> bool:
        """Whether ``viewer`` may open this profile's Collects tab (its public boards' notes)."""
        return self.show_collects or (viewer is not None and viewer.pk == self.pk)

    def shows_likes_to(self, viewer: User | None) -> bool:
        return self.show_likes or (viewer is not None and viewer.pk == self.pk)

    @property
    def interface_language(self) -> str:
        """The interface language to write to this user in when they are not there to ask (notices,
        a worker's messages): the one they chose, else Chinese for a reader of Chinese, else the site's
        default."""
        if self.ui_language:
            return str(self.ui_language)
        if self.languages and str(self.languages[0]).lower().startswith("zh"):
            return "zh-hans"
        return str(settings.LANGUAGE_CODE)

    @property
    def preferred_language(self) -> str:
        return self.languages[0] if self.languages else (self.ui_language or "en")


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="unique_follow"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"])]


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block")]


class Mute(models.Model):
    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="unique_mute")]


class SuggestionDismissal(models.Model):
    """The user asked not to be suggested ``account`` to follow again (Mastodon's DELETE suggestion)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="unique_suggestion_dismissal")]
