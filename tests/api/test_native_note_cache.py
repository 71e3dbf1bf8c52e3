"""The native API's cached note JSON (api.nb.common.notes_json): one text per note shared by every
viewer and every native endpoint, keyed on a digest of the note's rows, so a like, an edit or a
moderation decision is a new key; the viewer's own flags are never shared."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.nb import common
from notes.models import NoteState
from notes.selectors import notes_by_ids
from notes.services import set_note_state


def _key(note_id: int) -> str:
    note = notes_by_ids([note_id])[note_id]
    return common._note_key(note, note.author.notes_count, common.Where(country=None, labels=False))


def test_a_note_is_served_from_its_cached_json_and_a_like_an_edit_and_a_hold_show_at_once(
    make_user, make_note, client_for, on_commit
):
    author, reader, other = make_user("author"), make_user("reader"), make_user("other")
    note = make_note(author, title="First", body="Words", photos=0)
    api, other_api, author_api = client_for(reader), client_for(other), client_for(author)
    path = f"/api/nb/v1/notes/{note.pk}"

    first = api.get(path).json()
    assert (first["title"], first["like_count"], first["liked"]) == ("First", 0, False)
    cached = cache.get(_key(note.pk))
    assert cached is not None and '"liked"' not in cached  # the viewer's flags are not in the shared text
    # Served from that text: what the cache holds is what the next reader gets.
    cache.set(_key(note.pk), cached.replace('"title":"First"', '"title":"From the cache"'), 60)
    assert other_api.get(path).json()["title"] == "From the cache"

    liked = api.post(f"{path}/like").json()
    assert (liked["title"], liked["like_count"], liked["liked"]) == ("First", 1, True)  # a new key
    theirs = other_api.get(path).json()
    assert (theirs["like_count"], theirs["liked"]) == (1, False)

    with on_commit():
        assert author_api.patch(path, {"title": "Second"}).status_code == 200
    edited = other_api.get(path).json()
    assert edited["title"] == "Second" and edited["edited_at"] is not None and edited["like_count"] == 1

    set_note_state(note=note, state=NoteState.HELD)
    assert other_api.get(path).status_code == 404
    assert author_api.get(path).json()["state"] == NoteState.HELD


def test_the_cached_json_is_what_the_note_builder_gives(make_user, make_note, client_for):
    """The text is ``common.note`` (photos, tags, author profile) with the viewer's flags: cached or
    not, a note reads the same."""
    author, reader = make_user("author"), make_user("reader")
    note = make_note(author, title="Hot pot", body="Spicy #food", photos=2)
    api = client_for(reader)
    api.post(f"/api/nb/v1/notes/{note.pk}/like")
    hydrated = notes_by_ids([note.pk])[note.pk]
    w = common.Where(country=None, labels=False)
    author_data = common.profile(hydrated.author, w)
    expected = common.note(hydrated, author=author_data, w=w, liked=True, collected=False)
    cold = api.get(f"/api/nb/v1/notes/{note.pk}").json()
    with CaptureQueriesContext(connection) as warm_queries:
        warm = api.get(f"/api/nb/v1/notes/{note.pk}").json()
    assert cold == expected == warm
    assert len(expected["photos"]) == 2 and expected["tags"] == ["food"]
    assert not any("notes_photo" in q["sql"] for q in warm_queries.captured_queries)
