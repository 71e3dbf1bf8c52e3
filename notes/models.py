from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from core.ids import new_id
from core.text import clean_user_text

MAX_TITLE = 100
MAX_BODY = 5000
MAX_COMMENT = 1000
MAX_ALT = 1500


def clean_alt_text(text: str | None) -> str:
    """A photo's or a video's alt text as stored: cleaned, and refused (never cut) when too long."""
    cleaned = clean_user_text(text or "")
    if len(cleaned) > MAX_ALT:
        raise ServiceError(gettext("Alt text is too long."), field="alt_text")
    return cleaned


MAX_TAGS = 20
MAX_BOARD_NAME = 60


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    FOLLOWERS = "followers", _("Followers only")


class NoteState(models.TextChoices):
    """The note lifecycle. Only ``published`` is visible to others; the review app moves the others."""

    PROCESSING = "processing", _("Processing photos or video")
    PENDING = "pending", _("Being checked")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Under review")
    REJECTED = "rejected", _("Rejected")
    REMOVED = "removed", _("Removed")


class Place(models.Model):
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="unique_place")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)  # normalised key (core.text.normalize_tag)
    display = models.CharField(max_length=50)
    notes_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display


class TagFollow(models.Model):
    """A user follows a tag: public notes with it reach the user's home timeline (feeds), and the
    recommender may read it as an interest. Paginated by its own id (Mastodon's followed_tags)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_follows")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="unique_tag_follow")]
        indexes = [models.Index(fields=["tag", "user"], name="tag_follow_tag_user")]


class NoteQuerySet(models.QuerySet["Note"]):
    def published(self) -> NoteQuerySet:
        return self.filter(state=NoteState.PUBLISHED)

    def public(self) -> NoteQuerySet:
        return self.published().filter(visibility=Visibility.PUBLIC)


class Note(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(_("title"), max_length=MAX_TITLE, blank=True)
    body = models.TextField(_("text"), max_length=MAX_BODY, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="detected or set by the author")
    language_set_by_author = models.BooleanField(default=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    state = models.CharField(max_length=10, choices=NoteState.choices, default=NoteState.PUBLISHED)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes")
    tags = models.ManyToManyField(Tag, through="NoteTag", related_name="notes")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    collect_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Application that posted it (Mastodon API), shown as "via ...".
    application_name = models.CharField(max_length=100, blank=True)
    # The country the author's IP address resolved to when posting (profile region as the fallback);
    # the address itself is never stored. Shown as "IP location" where a regional pack asks for it.
    ip_country = models.CharField(max_length=2, blank=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"]),
            models.Index(fields=["state", "visibility", "-id"]),
        ]

    def __str__(self) -> str:
        return self.title or self.body[:40]

    @property
    def is_visible_to_public(self) -> bool:
        return self.state == NoteState.PUBLISHED and self.visibility != Visibility.FOLLOWERS

    @property
    def attached_video(self) -> Video | None:
        """The note's video in any state, or None (answered from ``select_related`` where the selectors
        loaded the note; a missing reverse one-to-one raises an AttributeError subclass)."""
        return getattr(self, "video", None)

    @property
    def ready_video(self) -> Video | None:
        video = self.attached_video
        return video if video is not None and video.state == VideoState.READY else None


class NoteTag(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "tag"], name="unique_note_tag")]
        indexes = [models.Index(fields=["tag", "-note"])]


class PhotoState(models.TextChoices):
    """A photo's renditions: ``processing`` from upload (only the checked upload is stored, privately,
    as ``source``) until the media worker has made them (``ready``) or found the file unusable
    (``failed``, with ``error``; its files are deleted). See notes/photos.py."""

    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Photo(models.Model):
    """An uploaded photo. Uploaded first (Mastodon's media flow), attached to a note on posting."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=PhotoState.choices, default=PhotoState.READY)
    error = models.CharField(max_length=300, blank=True)
    # The upload as received (metadata and all), under an unguessable name, until the worker has made the
    # renditions from it; never shown to anyone.
    source = models.FileField(upload_to="photos/src/%Y/%m/", blank=True)
    original = models.ImageField(upload_to="photos/o/%Y/%m/", blank=True)
    large = models.ImageField(upload_to="photos/l/%Y/%m/", blank=True)
    thumb = models.ImageField(upload_to="photos/t/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    blurhash = models.CharField(max_length=64, blank=True)
    alt_text = models.TextField(max_length=MAX_ALT, blank=True)
    alt_language = models.CharField(max_length=16, blank=True)
    phash = models.CharField(max_length=16, blank=True, help_text="perceptual hash, for duplicate detection")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["note", "position"]), models.Index(fields=["state", "created_at"])]

    @property
    def is_ready(self) -> bool:
        return self.state == PhotoState.READY

    def stored_names(self) -> list[str]:
        """Every file this photo holds in storage."""
        return [f.name for f in (self.source, self.original, self.large, self.thumb) if f and f.name]


class VideoState(models.TextChoices):
    """A video's processing: ``processing`` until the worker has transcoded it (``ready``) or found it
    unusable (``failed``, with ``error`` for the author; every file it made is deleted)."""

    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Video(models.Model):
    """An uploaded video: the source waits in storage until the worker transcodes it (core/video.py),
    then only the transcoded files, without metadata, are kept. One per note (RedNote's video notes)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos")
    note = models.OneToOneField(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="video")
    state = models.CharField(max_length=10, choices=VideoState.choices, default=VideoState.PROCESSING)
    error = models.CharField(max_length=300, blank=True)
    source = models.FileField(upload_to="videos/src/%Y/%m/", blank=True)
    large = models.FileField(upload_to="videos/l/%Y/%m/", blank=True)
    small = models.FileField(upload_to="videos/s/%Y/%m/", blank=True)
    poster = models.ImageField(upload_to="videos/p/%Y/%m/", blank=True)
    # Frames sampled across the video for screening (storage names), kept while the note is screened.
    frames = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(default=0)
    has_audio = models.BooleanField(default=True)
    blurhash = models.CharField(max_length=64, blank=True)
    phash = models.CharField(max_length=16, blank=True, help_text="perceptual hash of the poster")
    alt_text = models.TextField(max_length=MAX_ALT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "state"])]

    @property
    def is_ready(self) -> bool:
        return self.state == VideoState.READY

    def stored_names(self) -> list[str]:
        """Every file this video holds in storage."""
        names = [f.name for f in (self.source, self.large, self.small, self.poster) if f and f.name]
        return names + [str(n) for n in self.frames or []]


class Comment(models.Model):
    """A comment. Threaded one level: replies to replies hang off the same top-level comment."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    reply_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MAX_COMMENT)
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=10, choices=NoteState.choices, default=NoteState.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    ip_country = models.CharField(max_length=2, blank=True)  # as on Note: a country, never an address

    class Meta:
        indexes = [models.Index(fields=["note", "parent", "id"])]


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "note"], name="unique_like")]
        indexes = [models.Index(fields=["user", "-created_at"])]


class CommentLike(models.Model):
    """A reader liked a comment (``Comment.like_count`` counts them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "comment"], name="unique_comment_like")]
        indexes = [models.Index(fields=["comment", "-id"], name="comment_like_comment_id")]


class Board(models.Model):
    """A named collection of notes. Every user has one default board, "Saved" (Mastodon's bookmarks)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(_("name"), max_length=MAX_BOARD_NAME)
    description = models.CharField(max_length=300, blank=True)
    is_private = models.BooleanField(_("private"), default=False)
    is_default = models.BooleanField(default=False)
    notes_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_board_name"),
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True), name="one_default_board"),
        ]

    def __str__(self) -> str:
        return self.name


class Collect(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="collects")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="collects")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "note"], name="unique_collect")]
        indexes = [models.Index(fields=["user", "note"]), models.Index(fields=["board", "-created_at"])]


class Mention(models.Model):
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentioned_in")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(note__isnull=False) | Q(comment__isnull=False), name="mention_has_target"
            )
        ]


class NoteSearch(models.Model):
    """Segmented text of a published note (derived; see notes/search.py)."""

    note = models.OneToOneField(Note, primary_key=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()


class SearchTally(models.Model):
    """How often a query was searched in one hour, per interface language and region: the aggregate
    behind hot searches. It says nothing about who searched (notes/search_trends.py)."""

    key = models.CharField(max_length=100)  # the query folded (case, script, spaces): what counts as one query
    text = models.CharField(max_length=100)  # the query as first written, what the hot list shows
    language = models.CharField(max_length=16, blank=True)
    region = models.CharField(max_length=2, blank=True)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    # Of those searches, the ones by someone not yet counted for this query that day (``SearchPerson``):
    # what hot searches and popular queries go by, so one person searching again and again is one.
    people = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "language", "region", "hour"], name="unique_search_tally")
        ]
        indexes = [models.Index(fields=["language", "hour"]), models.Index(fields=["hour"])]


class SearchPerson(models.Model):
    """That someone searched a query on a day, as a keyed HMAC of (who, day, query) and nothing else: who
    is an account id or, for a visitor, the client address; the key is the site's secret. It cannot be
    turned back into the person or the query, nor linked across queries or days; it only tells a second
    search by the same person that day from someone new. Rows older than yesterday are deleted."""

    digest = models.CharField(max_length=32, unique=True)
    day = models.DateField(db_index=True)


class RecentSearch(models.Model):
    """A signed-in user's own recent searches (a few, newest first, clearable)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_searches")
    key = models.CharField(max_length=100)
    text = models.CharField(max_length=100)
    searched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_recent_search")]
        indexes = [models.Index(fields=["user", "-searched_at"])]


class ViewSource(models.TextChoices):
    """Where a reader came to a note from (the author's stats)."""

    DISCOVER = "discover", _("Discover")
    FOR_YOU = "for_you", _("For you")
    FOLLOWING = "following", _("Following")
    SEARCH = "search", _("Search")
    TAG = "tag", _("Tag pages")
    PROFILE = "profile", _("Profile")
    PLACE = "place", _("Place pages")
    RELATED = "related", _("Related notes")
    BOARD = "board", _("Boards")
    INBOX = "inbox", _("Notifications")
    OTHER = "other", _("Links and elsewhere")


class NoteViewTally(models.Model):
    """Views of a note per day and source, and how many of them were read translated. Counts only:
    no reader is stored (notes/note_stats.py)."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=12, choices=ViewSource.choices)
    views = models.PositiveIntegerField(default=0)
    translated = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "day", "source"], name="unique_note_view_tally")]


class NoteTranslation(models.Model):
    """The author's own translation of a note's title and text into another language (one per language).

    Part of the note: screened with it (``review.intake.note_text``), shown only where the note is, and
    preferred over any machine translation for readers of that language. ``suggested_by`` is the reader
    whose suggestion the author approved, when it came from one."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=MAX_TITLE, blank=True)
    body = models.TextField(max_length=MAX_BODY, blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "language"], name="unique_note_translation")]

    def __str__(self) -> str:
        return f"{self.note_id} -> {self.language}"


class SuggestionState(models.TextChoices):
    """A reader's suggested translation: ``pending`` until screened, ``open`` for the author to decide,
    then ``approved`` or ``declined``; ``refused`` when screening kept it out (never shown to the author)."""

    PENDING = "pending", _("Being checked")
    OPEN = "open", _("Waiting for the author")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    REFUSED = "refused", _("Not accepted by our checks")


# The moves a suggestion makes, all in notes/translations.py.
SUGGESTION_TRANSITIONS: dict[str, set[str]] = {
    SuggestionState.PENDING: {SuggestionState.OPEN, SuggestionState.REFUSED},
    SuggestionState.OPEN: {SuggestionState.APPROVED, SuggestionState.DECLINED},
    SuggestionState.APPROVED: set(),
    SuggestionState.DECLINED: set(),
    SuggestionState.REFUSED: set(),
}


class TranslationSuggestion(models.Model):
    """A reader's better translation of someone else's note, for the author to approve or decline."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="translation_suggestions")
    suggester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=MAX_TITLE, blank=True)
    body = models.TextField(max_length=MAX_BODY, blank=True)
    state = models.CharField(max_length=10, choices=SuggestionState.choices, default=SuggestionState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["note", "state", "-id"]), models.Index(fields=["suggester", "-id"])]
