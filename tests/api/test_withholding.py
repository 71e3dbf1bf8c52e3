"""Withholding through both APIs: the viewer's country comes from the request's IP, else the profile."""

from __future__ import annotations

import pytest
from django.test import Client

from review import withholding

TH_IP, GB_IP = "1.46.0.1", "81.2.69.142"


@pytest.fixture
def world(make_user, make_note, admin_user, on_commit, settings):
    from accounts.services import follow
    from notes.services import like_note

    settings.REVIEW_SCREENING = False
    author, reader = make_user("author"), make_user("reader")
    with on_commit():
        follow(follower=reader, followee=author)
    note = make_note(author, title="Royal essay", body="An essay on the monarchy #politics")
    other = make_note(author, title="Dessert", body="Mango sticky rice #food")
    withholding.withhold_note(actor=admin_user, note=note, countries=["TH"], reason_code="state_protection")
    with on_commit():
        like_note(user=reader, note_id=note.pk)
    return author, reader, note, other


def _reads(api, author, note) -> dict[str, set[str]]:
    def ids(response) -> set[str]:
        assert response.status_code in (200, 404), response.content
        if response.status_code == 404:
            return set()
        body = response.json()
        if isinstance(body, dict) and "statuses" in body:
            body = body["statuses"]
        if isinstance(body, dict):
            body = [body]
        return {str(item["id"]) for item in body}

    return {
        "home": ids(api.get("/api/v1/timelines/home")),
        "public": ids(api.get("/api/v1/timelines/public")),
        "tag": ids(api.get("/api/v1/timelines/tag/politics")),
        "status": ids(api.get(f"/api/v1/statuses/{note.pk}")),
        "account": ids(api.get(f"/api/v1/accounts/{author.pk}/statuses")),
        "search": ids(api.get("/api/v2/search", {"q": "monarchy", "type": "statuses"})),
        "notifications": {str(n["status"]["id"]) for n in api.get("/api/v1/notifications").json() if n.get("status")},
        "native": ids(api.get(f"/api/nb/v1/notes/{note.pk}")),
        "favourites": ids(api.get("/api/v1/favourites")),
    }


def test_withheld_note_is_absent_from_every_api_read_in_that_country(world, client_for):
    author, reader, note, other = world
    from_thailand = client_for(reader)
    from_thailand.client = Client(REMOTE_ADDR=TH_IP)
    for name, found in _reads(from_thailand, author, note).items():
        if name != "notifications":
            assert str(note.pk) not in found, name
    assert str(other.pk) in _reads(from_thailand, author, note)["public"]

    author_api = client_for(author)
    author_api.client = Client(REMOTE_ADDR=TH_IP)
    notified = {str(n["status"]["id"]) for n in author_api.get("/api/v1/notifications").json() if n.get("status")}
    assert str(note.pk) not in notified


def test_the_same_note_is_visible_from_elsewhere(world, client_for):
    author, reader, note, _other = world
    from_britain = client_for(reader)
    from_britain.client = Client(REMOTE_ADDR=GB_IP)
    reads = _reads(from_britain, author, note)
    for name in ("home", "public", "tag", "status", "account", "search", "native", "favourites"):
        assert str(note.pk) in reads[name], name


def test_profile_region_applies_when_the_ip_says_nothing(world, client_for):
    _author, reader, note, _other = world
    reader.region = "TH"
    reader.save(update_fields=["region"])
    from api.auth import forget_user

    forget_user(reader.pk)
    local = client_for(reader)  # the test client's 127.0.0.1 has no country
    assert local.get(f"/api/v1/statuses/{note.pk}").status_code == 404
    assert str(note.pk) not in {s["id"] for s in local.get("/api/v1/timelines/home").json()}


def test_counts_leave_out_withheld_notes_in_that_country(world, client_for, make_user):
    """statuses_count (account, in statuses, search, own credentials) and the native notes_count."""
    author, reader, note, _other = world
    from notes.services import collect_note

    collect_note(user=reader, note_id=note.pk)
    # A hidden note would show as a count one too high: ask from Thailand and from Britain.
    for ip, expected in ((TH_IP, 1), (GB_IP, 2)):
        api = client_for(reader)
        api.client = Client(REMOTE_ADDR=ip)
        assert api.get(f"/api/v1/accounts/{author.pk}").json()["statuses_count"] == expected, ip
        lookup = api.get("/api/v1/accounts/lookup", {"acct": author.username}).json()
        assert lookup["statuses_count"] == expected
        found = api.get("/api/v2/search", {"q": author.username, "type": "accounts"}).json()["accounts"]
        assert [a["statuses_count"] for a in found if a["id"] == str(author.pk)] == [expected]
        public = api.get("/api/v1/timelines/public").json()
        assert {s["account"]["statuses_count"] for s in public} == {expected}, ip
        followers = api.get(f"/api/v1/accounts/{reader.pk}/following").json()
        assert [a["statuses_count"] for a in followers] == [expected]
        native = api.get(f"/api/nb/v1/profiles/{author.username}").json()
        assert native["notes_count"] == expected
        people = api.get("/api/nb/v1/search", {"q": author.username, "type": "people"}).json()["people"]
        assert [p["notes_count"] for p in people] == [expected]
        notes = api.get(f"/api/nb/v1/profiles/{author.username}/notes").json()["items"]
        assert {n["author"]["notes_count"] for n in notes} == {expected}
        boards = api.get("/api/nb/v1/boards").json()
        assert [b["notes_count"] for b in boards if b["is_default"]] == [expected - 1]

    # The author, in Thailand, is counted the same way: their withheld note is withheld for them too.
    own = client_for(author)
    own.client = Client(REMOTE_ADDR=TH_IP)
    assert own.get("/api/v1/accounts/verify_credentials").json()["statuses_count"] == 1
    assert own.get("/api/nb/v1/profiles/me").json()["notes_count"] == 1
