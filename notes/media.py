"""Who may fetch a stored media file: the files of a note nobody else may see yet (pending, held,
processing, rejected, removed) go to its author alone, until it is published. The public media route
(web/views/media.py, the embedded default's /media/) asks ``may_fetch`` before serving a file; reviewers
read held media through the review app's own route, which checks the item instead.

Photo and video files are named after their row's id (``photos/l/2026/12/<id>.jpg``,
``videos/f/<id>-<n>.jpg``, storage may add a suffix), so one lookup by primary key finds the owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notes.models import NoteState, Photo, Video

_PHOTO = re.compile(r"^photos/(?:o|l|t)/(?:[^/]+/)*(?P<id>\d+)[^/]*$")
_VIDEO = re.compile(r"^videos/(?:src|l|s|p|f)/(?:[^/]+/)*(?P<id>\d+)[^/]*$")


@dataclass(frozen=True)
class MediaOwner:
    owner_id: int
    note_id: int | None
    note_state: str | None

    def visible_to(self, user_id: int | None) -> bool:
        """Published notes' files (and uploads not posted yet, which the composer previews) are
        public; any other note's files are its author's alone."""
        if self.note_id is None or self.note_state == NoteState.PUBLISHED:
            return True
        return user_id is not None and user_id == self.owner_id


def media_owner(name: str) -> MediaOwner | None:
    """The photo or video that stored file ``name`` belongs to, or None when the name is not a photo's
    or a video's file (avatars and anything else under the media root). A photo or video name whose
    row is gone (or does not name this file) gives an owner nobody matches: its file is not served."""
    gone = MediaOwner(owner_id=0, note_id=-1, note_state=None)
    if (m := _PHOTO.match(name)) is not None:
        photo = Photo.objects.filter(pk=int(m["id"])).select_related("note").first()
        if photo is None or name not in {photo.original.name, photo.large.name, photo.thumb.name}:
            return gone
        return MediaOwner(photo.owner_id, photo.note_id, photo.note.state if photo.note else None)
    if (m := _VIDEO.match(name)) is not None:
        video = Video.objects.filter(pk=int(m["id"])).select_related("note").first()
        if video is None or name not in video.stored_names():
            return gone
        return MediaOwner(video.owner_id, video.note_id, video.note.state if video.note else None)
    return None


def may_fetch(name: str, user_id: int | None) -> bool:
    owner = media_owner(name)
    return owner is None or owner.visible_to(user_id)
