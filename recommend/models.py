"""What the recommender keeps: readers' interactions with notes, note embeddings, reading preferences.

Interactions are kept for ``RECOMMEND_EVENT_DAYS`` (``purge_old_interactions``) and deleted with the
account or the note (foreign keys cascade)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IMPRESSION = "impression", _("Shown")
    OPEN = "open", _("Opened")
    DWELL = "dwell", _("Read")
    LIKE = "like", _("Liked")
    COLLECT = "collect", _("Saved")
    COMMENT = "comment", _("Commented")
    FOLLOW = "follow", _("Followed the author")
    SHARE = "share", _("Shared")
    HIDE = "hide", _("Not interested")


class HideReason(models.TextChoices):
    NOT_INTERESTED = "not_interested", _("Not interested in this")
    AUTHOR = "author", _("Show less from this author")
    TOPIC = "topic", _("Show less about this topic")
    SEEN = "seen", _("Seen it too often")


class Surface(models.TextChoices):
    FOR_YOU = "for_you", _("For you")
    DISCOVER = "discover", _("Discover")
    FOLLOWING = "following", _("Following")
    SEARCH = "search", _("Search")
    TAG = "tag", _("Tag")
    PROFILE = "profile", _("Profile")
    NOTE = "note", _("Note page")


# What each kind says about a reader's taste (implicit feedback weights for training and profiles).
WEIGHTS: dict[str, float] = {
    Kind.IMPRESSION: 0.0,
    Kind.OPEN: 0.5,
    Kind.DWELL: 0.5,
    Kind.LIKE: 1.0,
    Kind.COLLECT: 2.0,
    Kind.COMMENT: 1.5,
    Kind.FOLLOW: 1.0,
    Kind.SHARE: 1.5,
    Kind.HIDE: -2.0,
}
POSITIVE = [Kind.OPEN, Kind.DWELL, Kind.LIKE, Kind.COLLECT, Kind.COMMENT, Kind.FOLLOW, Kind.SHARE]


class Interaction(models.Model):
    """One thing a reader did with a note. ``follow`` rows carry a note of the followed author when the
    follow came from one (else the author's latest note), so every row points at a note."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey("notes.Note", on_delete=models.CASCADE, related_name="+")
    author_id = models.BigIntegerField()  # the note's author, kept plain so hides by author need no join
    kind = models.CharField(max_length=12, choices=Kind.choices)
    surface = models.CharField(max_length=12, choices=Surface.choices, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    dwell_ms = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=HideReason.choices, blank=True)
    # A For-you impression keeps the ranking features the note was served with ({name: value},
    # ``recommend.ranking.RANKER_FEATURES``): the learned ranker trains on them (``training.fit_ranker``).
    features = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user", "kind"]),
        ]


class NoteEmbedding(models.Model):
    """A note's multilingual sentence embedding (USE multilingual, 512 float16, L2-normalised)."""

    note = models.OneToOneField("notes.Note", primary_key=True, on_delete=models.CASCADE, related_name="+")
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


class LanguageMix(models.IntegerChoices):
    MOSTLY_MINE = 0, _("Mostly my languages")
    MORE_MINE = 1, _("More in my languages")
    MIX = 2, _("A mix")
    MORE_WORLD = 3, _("More from other languages")
    WORLD = 4, _("Show me the world")


# The share of a page in the reader's own languages that each setting aims for.
OWN_LANGUAGE_SHARE = {0: 0.95, 1: 0.85, 2: 0.7, 3: 0.5, 4: 0.25}


class ReaderPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    language_mix = models.PositiveSmallIntegerField(choices=LanguageMix.choices, default=LanguageMix.MIX)
