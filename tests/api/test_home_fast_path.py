"""The warm home timeline (notes from the note cache, statuses from the status cache, photos and tags
built only when a status is serialised) answers exactly what the slow way builds, and every change a
reader must see shows on the next request."""

from __future__ import annotations

import json
import pickle

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import block, follow, mute
from api.mastodon import entities
from notes import selectors
from notes.models import Note, Photo, Tag
from notes.services import delete_note, edit_note, like_note
from review import withholding

TH_IP = "1.46.0.1"


@pytest.fixture
def world(make_user, make_note, on_commit, settings):
    settings.REVIEW_SCREENING = False
    author, reader = make_user("author"), make_user("reader")
    with on_commit():
        follow(follower=reader, followee=author)
    rich = make_note(
        author,
        title="Market day",
        body="Fresh figs at the market, ask @reader #food #travel",
        photos=2,
        place={"name": "Marché d'Aligre", "country": "FR", "latitude": 48.849, "longitude": 2.378},
        language="ja",
    )
    plain = make_note(author, title="Plain", body="Nothing else", photos=0)
    return author, reader, rich, plain


@pytest.fixture(params=[False, True], ids=["shared-cache", "process-copy"])
def status_copy(request, settings):
    """Statuses' JSON from the shared cache alone, or also from this process's copy (``STATUS_LOCAL_CACHE``,
    on by default with Redis)."""
    settings.STATUS_LOCAL_CACHE = request.param
    entities.forget_local_statuses()
    return request.param


def _home(api) -> dict[str, dict]:
    response = api.get("/api/v1/timelines/home", {"limit": 20})
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()}


def _slow_status(note_id: int, viewer) -> dict:
    """The status built the slow way: the note read by the ORM (no note or status cache), serialised whole."""
    note = selectors._base_queryset().get(pk=note_id)
    mentioned = entities._mentioned_users([f"{note.title}\n{note.body}"])
    base = entities._note_base(note, mentioned, note.author.notes_count)
    liked, collected = selectors.viewer_state(viewer, [note.pk])
    text = json.dumps(base, ensure_ascii=False, separators=(",", ":"))[:-1]
    return json.loads(text + entities._flags_json(note.pk in liked, note.pk in collected))


def test_warm_home_page_matches_the_status_built_the_slow_way(world, client_for, status_copy):
    author, reader, rich, plain = world
    api = client_for(reader)
    _home(api)  # fills the note and status caches
    warm = _home(api)
    for note in (rich, plain):
        assert warm[str(note.pk)] == _slow_status(note.pk, reader)
    shown = warm[str(rich.pk)]
    assert len(shown["media_attachments"]) == 2
    assert {t["name"] for t in shown["tags"]} == {"food", "travel"}
    assert shown["notebridge"]["place"]["name"] == "Marché d'Aligre"
    assert shown["language"] == "ja"
    assert [m["username"] for m in shown["mentions"]] == ["reader"]
    assert shown["reblog"] is None and shown["poll"] is None

    with_like = client_for(author)
    like_note(user=reader, note_id=rich.pk)
    after = _home(api)[str(rich.pk)]
    assert after["favourites_count"] == 1 and after["favourited"] is True
    assert after == _slow_status(rich.pk, reader)
    # Another viewer's flags are their own; the shared part is the same text.
    assert _home(with_like)[str(rich.pk)]["favourited"] is False


def test_a_warm_page_builds_no_photo_or_tag_until_a_status_needs_them(world):
    _author, reader, rich, plain = world
    selectors.notes_by_ids([rich.pk, plain.pk])  # into the note cache
    entities.statuses_json(list(selectors.notes_by_ids([rich.pk, plain.pk]).values()), reader)  # and statuses
    notes = selectors.notes_by_ids([rich.pk, plain.pk])
    entities.statuses_json([notes[rich.pk], notes[plain.pk]], reader)
    for note in notes.values():
        # Served from the status cache: the photos' and tags' rows were never made into instances.
        assert not dict.__contains__(vars(note)["_prefetched_objects_cache"], "photos")
        assert not dict.__contains__(vars(note)["_prefetched_objects_cache"], "tags")


def test_photos_and_tags_built_on_first_use_are_those_the_database_gives(world):
    _author, _reader, rich, _plain = world
    selectors.notes_by_ids([rich.pk])
    from_db = selectors._base_queryset().get(pk=rich.pk)
    for ask in ("all", "in", "get", "prefetch", "pickle", "refresh", "pop"):
        note = selectors.notes_by_ids([rich.pk])[rich.pk]
        with CaptureQueriesContext(connection) as queries:
            if ask == "all":
                photos, tags = list(note.photos.all()), list(note.tags.all())
            elif ask == "in":
                assert (
                    "photos" in vars(note)["_prefetched_objects_cache"]
                    and "tags" in vars(note)["_prefetched_objects_cache"]
                )
                photos, tags = list(note.photos.all()), list(note.tags.all())
            elif ask == "get":
                photos = list(vars(note)["_prefetched_objects_cache"].get("photos"))
                tags = list(vars(note)["_prefetched_objects_cache"].get("tags"))
            elif ask == "prefetch":
                prefetch_related_objects([note], "photos", "tags")  # already there: no query
                photos, tags = list(note.photos.all()), list(note.tags.all())
            elif ask == "pickle":
                copy = pickle.loads(pickle.dumps(note))
                photos, tags = list(copy.photos.all()), list(copy.tags.all())
            elif ask == "pop":
                vars(note)["_prefetched_objects_cache"].pop("tags")
                # Popped (as Django does after note.tags.add): the next read goes to the database.
                photos, tags = list(note.photos.all()), list(note.tags.order_by("id"))
        if ask == "refresh":
            note.refresh_from_db(fields=["tags"])
            photos, tags = list(note.photos.all()), list(note.tags.order_by("id"))
        elif ask != "pop":
            assert queries.captured_queries == [], ask
        assert [p.pk for p in photos] == [p.pk for p in from_db.photos.all()], ask
        assert [(t.pk, t.name) for t in tags] == [(t.pk, t.name) for t in from_db.tags.all()], ask
        assert all((isinstance(p, Photo) and p.note is note) or ask == "pickle" for p in photos), ask
        assert all(isinstance(t, Tag) for t in tags), ask


def test_changes_show_on_the_next_warm_request(world, make_user, client_for, admin_user, on_commit, status_copy):
    author, reader, rich, plain = world
    api = client_for(reader)
    _home(api)
    assert str(rich.pk) in _home(api)

    edit_note(author=author, note_id=rich.pk, title="Market day, edited", body="Fresh figs #food", tags=["food"])
    edited = _home(api)[str(rich.pk)]
    assert edited["notebridge"]["title"] == "Market day, edited"
    assert [t["name"] for t in edited["tags"]] == ["food"]
    assert edited == _slow_status(rich.pk, reader)

    block(blocker=author, blocked=reader)  # blocked by the author
    assert _home(api) == {}

    muting = make_user("muting")
    with on_commit():
        follow(follower=muting, followee=author)
    muting_api = client_for(muting)
    assert set(_home(muting_api)) == {str(rich.pk), str(plain.pk)}
    mute(muter=muting, muted=author)
    assert _home(muting_api) == {}

    other_reader = make_user("other_reader")
    with on_commit():
        follow(follower=other_reader, followee=author)
    other = client_for(other_reader)
    assert set(_home(other)) == {str(rich.pk), str(plain.pk)}
    from_thailand = client_for(other_reader)
    from_thailand.client = Client(REMOTE_ADDR=TH_IP)
    assert set(_home(from_thailand)) == {str(rich.pk), str(plain.pk)}
    withholding.withhold_note(
        actor=admin_user, note=Note.objects.get(pk=plain.pk), countries=["TH"], reason_code="state_protection"
    )
    assert set(_home(from_thailand)) == {str(rich.pk)}
    assert set(_home(other)) == {str(rich.pk), str(plain.pk)}

    with on_commit():
        delete_note(author=author, note_id=rich.pk)
    assert set(_home(other)) == {str(plain.pk)}


def test_a_bearer_request_without_a_session_cookie_reads_no_session(world, client_for):
    _author, reader, _rich, _plain = world
    response = client_for(reader).get("/api/v1/timelines/home")
    assert response.status_code == 200
    # The user was never looked up in an (absent) session, so nothing says the answer varies by cookie.
    assert "cookie" not in response.headers.get("Vary", "").lower()
    assert "accept-language" in response.headers.get("Vary", "").lower()


def test_with_the_process_copy_a_warm_page_reads_no_status_from_the_shared_cache(world, client_for, settings):
    from tests.api.test_auth_lookup import CountingCache  # (the counting test cache)

    settings.CACHES = {"default": {"BACKEND": "tests.api.test_auth_lookup.CountingCache", "LOCATION": "statuses"}}
    settings.STATUS_LOCAL_CACHE = True
    entities.forget_local_statuses()
    _author, reader, rich, _plain = world
    api = client_for(reader)
    _home(api)
    CountingCache.keys.clear()
    warm = _home(api)
    assert warm[str(rich.pk)] == _slow_status(rich.pk, reader)
    read = [k for keys in CountingCache.keys for k in keys]
    assert not [k for k in read if k.startswith("mst:")], read
    # Without it the page reads them (the test can fail).
    settings.STATUS_LOCAL_CACHE = False
    CountingCache.keys.clear()
    _home(api)
    assert [k for keys in CountingCache.keys for k in keys if k.startswith("mst:")]
