"""``POST /api/v1/statuses`` answers with the status it made, rendered from what the creation has in hand
(api/mastodon/statuses.py ``_render_created``, notes.selectors ``get_own_new_note``): it must be the very
status ``GET /api/v1/statuses/:id`` gives for the same note, whatever the note carries."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.mastodon import entities
from notes.models import Note, NoteState
from notes.selectors import get_own_new_note
from notes.services import create_note
from tests.conftest import image_bytes
from tests.review.fixtures import old_user

CASES = {
    "plain": {"status": "Just one line"},
    "title, tags and a mention": {
        "status": "Dumplings in Flushing\nPork and chive #dumplings #夜市 with @bob",
        "tags": ["Food", "dumplings"],
    },
    "private, in Chinese": {"status": "只给关注我的人看", "visibility": "private", "language": "zh"},
    "explicit title, unlisted": {"status": "Body only", "title": "My title", "visibility": "unlisted"},
}


def _same_as_get(api, posted) -> dict:
    assert posted.status_code == 200, posted.content
    answer = posted.json()
    cache.clear()  # the GET must build the status again from the database, not reuse what the POST cached
    shown = api.get(f"/api/v1/statuses/{answer['id']}")
    assert shown.status_code == 200
    assert answer == shown.json()
    return answer


@pytest.mark.parametrize("body", CASES.values(), ids=list(CASES))
def test_the_answer_is_the_status_a_get_gives(make_user, client_for, body):
    make_user("bob")
    api = client_for(old_user(make_user))
    answer = _same_as_get(api, api.post("/api/v1/statuses", body))
    # Pending screening (no commit runs the task here): the author sees it, and it counts for the author.
    assert Note.objects.get(pk=int(answer["id"])).state == NoteState.PENDING
    assert answer["account"]["statuses_count"] == 1


def test_the_answer_after_screening_published_it_with_the_authors_new_counts(
    make_user, client_for, on_commit, make_note
):
    author = old_user(make_user)
    make_note(author, title="Earlier", body="An earlier note", photos=0)
    api = client_for(author)
    with on_commit():  # screening runs when the note commits, before the answer is written
        posted = api.post("/api/v1/statuses", {"status": "Sunny today #weather"})
    answer = _same_as_get(api, posted)
    assert Note.objects.get(pk=int(answer["id"])).state == NoteState.PUBLISHED
    # The author's row was read after the note's own write: two notes, not the one the token's user had.
    assert answer["account"]["statuses_count"] == 2 and answer["account"]["last_status_at"] is not None


def test_the_answer_with_a_tag_older_than_the_others(make_user, client_for, make_note):
    """Tags as the GET gives them, also where the author's order is not the order the tags were made in."""
    author = old_user(make_user)
    make_note(author, title="Older", body="#zeta first", photos=0)
    api = client_for(author)
    answer = _same_as_get(api, api.post("/api/v1/statuses", {"status": "#alpha and #zeta", "tags": ["beta"]}))
    assert sorted(t["name"] for t in answer["tags"]) == ["alpha", "beta", "zeta"]


def test_the_answer_with_photos_in_their_order(make_user, client_for, on_commit):
    api = client_for(old_user(make_user))
    with on_commit():  # the media worker makes the renditions once the upload commits
        photos = [
            api.client.post(
                "/api/v2/media",
                {"file": SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg"), "description": f"Photo {n}"},
                HTTP_AUTHORIZATION=f"Bearer {api.token}",
            ).json()["id"]
            for n in range(3)
        ]
    order = [photos[2], photos[0], photos[1]]
    answer = _same_as_get(api, api.post("/api/v1/statuses", {"status": "Three photos", "media_ids": order}))
    assert [m["id"] for m in answer["media_attachments"]] == order
    assert [m["description"] for m in answer["media_attachments"]] == ["Photo 2", "Photo 0", "Photo 1"]


def test_a_retry_with_the_same_idempotency_key_answers_the_same_status(make_user, client_for):
    api = client_for(old_user(make_user))
    first = _same_as_get(api, api.post("/api/v1/statuses", {"status": "once #only"}, HTTP_IDEMPOTENCY_KEY="k1"))
    again = api.post("/api/v1/statuses", {"status": "once #only"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json() == first
    assert Note.objects.count() == 1


def test_rendering_the_new_note_reads_nothing_again(make_user):
    """Its row, author, photos and tags come with it from create_note (read once, as its transaction left them)."""
    user = old_user(make_user)
    note = create_note(author=user, title="Tags", body="#one #two", hydrated=True)
    with CaptureQueriesContext(connection) as queries:
        found = get_own_new_note(viewer=user, note=note)
        assert found is not None
        status = entities.new_status(found, user)
    assert [t["name"] for t in status["tags"]] == ["one", "two"]
    assert status["account"]["statuses_count"] == 1 and status["favourited"] is False
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_get_own_new_note_is_only_for_the_authors_own_note(make_user):
    author, other = old_user(make_user), old_user(make_user)
    note = create_note(author=author, body="Mine", hydrated=True)
    with pytest.raises(ValueError):
        get_own_new_note(viewer=other, note=note)
    assert get_own_new_note(viewer=author, note=note) is not None


def test_a_post_holds_its_write_transaction_only_for_its_writes(make_user, make_note, settings):
    """The checks and the read of its existing tags come before the transaction (on SQLite, the one write
    lock the server's workers share), the read of the stored note and author after it; a note without
    photos reads no photos; it is 4 writes (note, tag link, tag count, author's counts) and its own
    timeline entry."""
    author = old_user(make_user)
    make_note(author, title="Older", body="#known", photos=0)
    with CaptureQueriesContext(connection) as captured:
        note = create_note(author=author, title="New", body="#known and #fresh", hydrated=True)
    sql = [q["sql"] for q in captured]
    # The atomic block is a savepoint inside the test's transaction; subscribers open their own inside it.
    first, last = (
        sql.index(next(s for s in sql if s.startswith("SAVEPOINT"))),
        max(i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT")),
    )
    before, inside, after = sql[:first], sql[first : last + 1], sql[last + 1 :]
    assert len(before) == 1 and "notes_tag" in before[0] and before[0].startswith("SELECT"), before
    assert len(after) == 1 and after[0].startswith("SELECT") and "notes_note" in after[0], after
    assert not any("notes_photo" in s for s in sql), sql
    writes = [s.split("(")[0].split(" SET ")[0] for s in inside if s.startswith(("INSERT", "UPDATE"))]
    expected = ["INSERT INTO notes_note", "INSERT INTO notes_tag", "INSERT INTO notes_notetag", "UPDATE notes_tag"]
    expected += ["UPDATE accounts_user"]
    if settings.TIMELINE_BACKEND == "db":  # (with Redis the author's own entry goes to Redis)
        expected += [
            "INSERT OR IGNORE INTO feeds_timelineentry"
            if connection.vendor == "sqlite"
            else "INSERT INTO feeds_timelineentry"
        ]
    assert [w.replace('"', "").strip() for w in writes] == expected, writes
    assert [t.name for t in note.tags.all()] == ["known", "fresh"]
