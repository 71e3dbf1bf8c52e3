"""Interactions: from domain events, from client batches (validated), kept for a window, deleted with
the account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from recommend.models import Interaction
from recommend.selectors import for_you

EVENTS = "/api/nb/v1/recommend/events"


def kinds(user):
    return sorted(Interaction.objects.filter(user=user).values_list("kind", flat=True))


def test_likes_collects_comments_and_follows_become_interactions(catalogue, reader, on_commit):
    from accounts.services import follow
    from notes.services import collect_note, create_comment, like_note

    authors, notes = catalogue
    with on_commit():
        like_note(user=reader, note_id=notes[0].pk)
        collect_note(user=reader, note_id=notes[1].pk)
        create_comment(author=reader, note_id=notes[2].pk, body="Looks great")
        follow(follower=reader, followee=authors["hiker"])
    assert kinds(reader) == ["collect", "comment", "follow", "like"]
    follow_row = Interaction.objects.get(user=reader, kind="follow")
    assert follow_row.author_id == authors["hiker"].pk


@pytest.fixture
def api(reader):
    client = Client()
    client.force_login(reader)
    client.cookies["csrftoken"] = "x" * 32
    return client


def send(client, events):
    import json

    return client.post(
        EVENTS, json.dumps({"events": events}), content_type="application/json", HTTP_X_CSRFTOKEN="x" * 32
    )


def test_a_batch_of_impressions_opens_and_a_hide_is_recorded(catalogue, reader, api):
    cards, _ = for_you(reader, limit=5)
    batch = [
        {"note_id": str(c.note.pk), "kind": "impression", "surface": "for_you", "position": c.position} for c in cards
    ]
    batch += [
        {"note_id": str(cards[0].note.pk), "kind": "open", "surface": "for_you", "position": 0},
        {"note_id": str(cards[0].note.pk), "kind": "dwell", "surface": "note", "dwell_ms": 12000},
        {"note_id": str(cards[1].note.pk), "kind": "hide", "surface": "for_you", "reason": "topic"},
    ]
    answer = send(api, batch)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"recorded": 8}
    # The same impressions again are counted once.
    assert send(api, batch[:5]).json() == {"recorded": 0}
    assert Interaction.objects.get(user=reader, kind="hide").reason == "topic"
    assert cards[1].note.pk not in {c.note.pk for c in for_you(reader, limit=20)[0]}


@pytest.mark.parametrize(
    "event, code",
    [
        ({"note_id": "1", "kind": "impression", "surface": "discover", "position": 0}, "unknown_note"),
        ({"kind": "impression", "surface": "discover", "position": 0}, None),
        ({"note_id": "{n}", "kind": "like", "surface": "discover"}, "bad_kind"),
        ({"note_id": "{n}", "kind": "impression", "surface": "moon", "position": 0}, "bad_surface"),
        ({"note_id": "{n}", "kind": "impression", "surface": "discover", "position": 99999}, "forged_position"),
        ({"note_id": "{n}", "kind": "impression", "surface": "discover", "position": -1}, "forged_position"),
        ({"note_id": "{n}", "kind": "impression", "surface": "for_you", "position": 7}, "forged_position"),
        ({"note_id": "{n}", "kind": "dwell", "surface": "note", "dwell_ms": 10**9}, "invalid"),
        ({"note_id": "{n}", "kind": "hide", "surface": "for_you", "reason": "<script>"}, "bad_reason"),
        ({"note_id": "{n}", "kind": "open", "surface": "for_you", "reason": "author"}, "invalid"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_recorded(catalogue, reader, api, event, code):
    _authors, notes = catalogue
    good = {"note_id": str(notes[0].pk), "kind": "open", "surface": "discover"}
    bad = {k: (v.format(n=notes[1].pk) if isinstance(v, str) else v) for k, v in event.items()}
    answer = send(api, [good, bad])
    assert answer.status_code == 422, answer.content
    if code is not None:
        assert answer.json()["code"] == code
    assert Interaction.objects.filter(user=reader).count() == 0


def test_a_note_the_reader_may_not_see_is_an_unknown_note(catalogue, reader, api):
    from accounts.services import block

    authors, notes = catalogue
    block(blocker=authors["chef"], blocked=reader)
    answer = send(api, [{"note_id": str(notes[0].pk), "kind": "open", "surface": "discover"}])
    assert answer.status_code == 422 and answer.json()["code"] == "unknown_note"


def test_floods_are_rate_limited(catalogue, reader, api):
    _authors, notes = catalogue
    batch = [{"note_id": str(notes[i % len(notes)].pk), "kind": "open", "surface": "discover"} for i in range(50)]
    answers = [send(api, batch).status_code for _ in range(7)]
    assert answers[:6] == [200] * 6
    assert answers[6] == 429
    too_big = send(api, batch + batch[:1])
    assert too_big.status_code == 422


def test_events_need_a_signed_in_reader(catalogue):
    _authors, notes = catalogue
    answer = send(Client(), [{"note_id": str(notes[0].pk), "kind": "open", "surface": "discover"}])
    assert answer.status_code == 401
    assert Client().get("/api/nb/v1/recommend/for-you").status_code == 401


def test_for_you_listing_in_the_native_api(catalogue, reader, api):
    page = api.get("/api/nb/v1/recommend/for-you", {"limit": 5}).json()
    assert len(page["items"]) == 5 and page["next_cursor"] == "5"
    assert all(item["why"] and item["reason"] for item in page["items"])
    assert [item["position"] for item in page["items"]] == [0, 1, 2, 3, 4]
    # The view writes its JSON itself: it must still be exactly what the documented schema gives.
    from api.nb.schemas import ForYouPage

    assert ForYouPage.model_validate(page).model_dump(mode="json") == page
    nxt = api.get("/api/nb/v1/recommend/for-you", {"limit": 5, "cursor": page["next_cursor"]}).json()
    assert not {i["id"] for i in nxt["items"]} & {i["id"] for i in page["items"]}
    assert api.get("/api/nb/v1/recommend/for-you", {"cursor": "abc"}).status_code == 422


def test_for_you_items_are_the_shared_note_json_with_the_readers_flags_and_the_card(catalogue, reader, api, make_user):
    """Each item is the note as every native endpoint gives it (the cached text, ``common.notes_json``),
    with this reader's ``liked`` and the card's reason, "why" line and position appended."""
    page = api.get("/api/nb/v1/recommend/for-you", {"limit": 5}).json()["items"]
    liked_id = page[1]["id"]
    assert api.post(f"/api/nb/v1/notes/{liked_id}/like").status_code == 200
    again = api.get("/api/nb/v1/recommend/for-you", {"limit": 5}).json()["items"]
    for item in again:
        note = api.get(f"/api/nb/v1/notes/{item['id']}").json()
        assert {k: v for k, v in item.items() if k not in ("reason", "why", "position")} == note
        assert item["liked"] is (item["id"] == liked_id)
    if any(item["id"] == liked_id for item in again):
        assert next(i for i in again if i["id"] == liked_id)["like_count"] == 1
    other = Client()
    other.force_login(make_user("other", languages=["en"], region="GB", interests=["food", "travel"]))
    theirs = other.get("/api/nb/v1/recommend/for-you", {"limit": 18}).json()["items"]
    assert theirs and not any(i["liked"] for i in theirs)


def test_old_interactions_are_purged_and_an_account_takes_its_own_along(catalogue, reader, make_user, on_commit):
    from notes.services import like_note
    from recommend.services import purge_old_interactions

    _authors, notes = catalogue
    other = make_user()
    with on_commit():
        like_note(user=reader, note_id=notes[0].pk)
        like_note(user=reader, note_id=notes[1].pk)
        like_note(user=other, note_id=notes[0].pk)
    Interaction.objects.filter(user=reader, note=notes[0]).update(created_at=timezone.now() - timedelta(days=400))
    assert purge_old_interactions(days=90) == 1
    assert kinds(reader) == ["like"]
    reader.delete()
    assert Interaction.objects.count() == 1
