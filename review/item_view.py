"""What a reviewer reads on an item's page: the content as readers would see it (photos, video, text
cover, tags, place; for a comment, its note and the thread around it), the author's recent history with
its review outcomes, and which stored media files belong to the item (the review-only media route
serves those and nothing else).

Reads only, with a fixed number of queries whatever the thread or history holds (tests assert it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from accounts.models import User
from notes.models import Comment, Note, Photo
from review.models import Decision, ReviewItem

HISTORY = 8  # recent notes and recent comments shown beside the item
NEIGHBOURS = 2  # comments shown before and after a held comment in its thread


@dataclass
class HistoryEntry:
    kind: str  # "note" | "comment"
    pk: int
    text: str
    state: str
    state_label: str
    created_at: Any
    decision: Decision | None = None
    is_this_item: bool = False


@dataclass
class ItemView:
    note: Note | None = None
    comment: Comment | None = None
    parent: Comment | None = None
    before: list[Comment] = field(default_factory=list)
    after: list[Comment] = field(default_factory=list)
    profile: User | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    author_notes: int = 0
    author_comments: int = 0

    @property
    def photos(self) -> list[Photo]:
        return list(self.note.photos.all()) if self.note is not None else []

    @property
    def video(self) -> Any:
        return self.note.attached_video if self.note is not None else None


def _note(note_id: int) -> Note | None:
    return (
        Note.objects.filter(pk=note_id)
        .select_related("author", "place", "video")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "id")), "tags")
        .first()
    )


def _thread(view: ItemView, comment: Comment) -> None:
    """The parent comment and up to NEIGHBOURS comments either side in the same thread (same note,
    same parent), whatever their state: the reviewer sees what the comment answered."""
    siblings = Comment.objects.filter(note_id=comment.note_id, parent_id=comment.parent_id).select_related("author")
    view.before = list(siblings.filter(pk__lt=comment.pk).order_by("-id")[:NEIGHBOURS])[::-1]
    view.after = list(siblings.filter(pk__gt=comment.pk).order_by("id")[:NEIGHBOURS])
    if comment.parent_id is not None:
        view.parent = Comment.objects.filter(pk=comment.parent_id).select_related("author").first()


def _history(view: ItemView, item: ReviewItem) -> None:
    """The author's latest notes and comments, each with the latest decision taken on it (two queries
    for the rows, one for their decisions, one for the counts)."""
    author_id = item.author_id
    notes = list(Note.objects.filter(author_id=author_id).order_by("-id")[:HISTORY])
    comments = list(Comment.objects.filter(author_id=author_id).order_by("-id")[:HISTORY])
    targets = Q(target_type="note", target_id__in=[n.pk for n in notes]) | Q(
        target_type="comment", target_id__in=[c.pk for c in comments]
    )
    latest: dict[tuple[str, int], Decision] = {}
    if notes or comments:
        for decision in Decision.objects.filter(targets).order_by("id"):
            latest[(decision.target_type, decision.target_id)] = decision
    rows: list[HistoryEntry] = []
    for note in notes:
        rows.append(
            HistoryEntry(
                "note",
                note.pk,
                note.title or note.body,
                note.state,
                note.get_state_display(),
                note.created_at,
                latest.get(("note", note.pk)),
                item.target_type == "note" and item.target_id == note.pk,
            )
        )
    for comment in comments:
        rows.append(
            HistoryEntry(
                "comment",
                comment.pk,
                comment.body,
                comment.state,
                comment.get_state_display(),
                comment.created_at,
                latest.get(("comment", comment.pk)),
                item.target_type == "comment" and item.target_id == comment.pk,
            )
        )
    view.history = sorted(rows, key=lambda r: r.pk, reverse=True)
    view.author_notes = item.author.notes_count
    view.author_comments = Comment.objects.filter(author_id=author_id).count()


def item_view(item: ReviewItem) -> ItemView:
    """Everything the item page shows about the content and its author, in a bounded number of queries."""
    view = ItemView()
    if item.target_type == "note":
        view.note = _note(item.target_id)
    elif item.target_type == "comment":
        view.comment = Comment.objects.filter(pk=item.target_id).select_related("author").first()
        if view.comment is not None:
            view.note = _note(view.comment.note_id)
            _thread(view, view.comment)
    elif item.target_type == "profile":
        view.profile = item.author
    _history(view, item)
    return view


def item_media_names(item: ReviewItem) -> set[str]:
    """The storage names of every file of the note under review (or the note a held comment is on):
    photo renditions and the video's files. The review media route serves these and nothing else."""
    note_id: int | None = item.target_id if item.target_type == "note" else None
    if item.target_type == "comment":
        note_id = Comment.objects.filter(pk=item.target_id).values_list("note_id", flat=True).first()
    if note_id is None:
        return set()
    names: set[str] = set()
    for photo in Photo.objects.filter(note_id=note_id).only("original", "large", "thumb"):
        names.update(f.name for f in (photo.original, photo.large, photo.thumb) if f and f.name)
    note = Note.objects.filter(pk=note_id).select_related("video").first()
    video = note.attached_video if note is not None else None
    if video is not None:
        names.update(video.stored_names())
    return names
