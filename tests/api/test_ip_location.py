"""IP location: the country a note or comment was posted from, recorded through both APIs and shown in
the native API where the viewer's regional pack asks for it (CN). Never the address itself."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import User
from notes.models import Comment, Note

CN_IP, US_IP, GB_IP = "114.114.114.114", "8.8.8.8", "81.2.69.142"


def from_ip(api, ip: str, **headers):
    api.client = Client(REMOTE_ADDR=ip, **headers)
    return api


def test_mastodon_api_records_the_posting_country(make_user, client_for):
    author = make_user()
    api = from_ip(client_for(author), US_IP)
    created = api.post("/api/v1/statuses", {"status": "Bagels on a Sunday morning"})
    assert created.status_code == 200, created.content
    note = Note.objects.get(pk=created.json()["id"])
    assert note.ip_country == "US"
    from_ip(api, CN_IP)
    reply = api.post("/api/v1/statuses", {"status": "Great bagels", "in_reply_to_id": str(note.pk)})
    assert reply.status_code == 200, reply.content
    assert Comment.objects.get(pk=reply.json()["id"]).ip_country == "CN"
    assert User.objects.get(pk=author.pk).last_ip_country == "CN"  # the last posting wins


def test_native_api_records_the_posting_country(make_user, client_for, settings):
    settings.REVIEW_SCREENING = False
    author = make_user()
    api = from_ip(client_for(author), GB_IP)
    created = api.post("/api/nb/v1/notes", {"title": "Tea", "body": "Builder's tea, two sugars"})
    assert created.status_code == 201, created.content
    note_id = created.json()["id"]
    assert Note.objects.get(pk=note_id).ip_country == "GB"
    comment = api.post(f"/api/nb/v1/notes/{note_id}/comments", {"body": "Milk first"})
    assert comment.status_code == 201, comment.content
    assert Comment.objects.get(pk=comment.json()["id"]).ip_country == "GB"


def test_profile_region_is_the_fallback_and_unknown_stays_empty(make_user, client_for, settings):
    settings.REVIEW_SCREENING = False
    placed, nowhere = make_user(region="TH"), make_user()
    # The test client's 127.0.0.1 has no country.
    first = client_for(placed).post("/api/nb/v1/notes", {"body": "Mango sticky rice"}).json()["id"]
    second = client_for(nowhere).post("/api/nb/v1/notes", {"body": "Somewhere"}).json()["id"]
    assert Note.objects.get(pk=first).ip_country == "TH"
    assert Note.objects.get(pk=second).ip_country == ""


@pytest.fixture
def posted(make_user, client_for, settings, on_commit):
    """A note and a comment posted from the US through the native API, published."""
    settings.REVIEW_SCREENING = False
    author, commenter = make_user(), make_user()
    api = from_ip(client_for(author), US_IP)
    with on_commit():
        note_id = api.post("/api/nb/v1/notes", {"title": "Tacos", "body": "Al pastor from the truck"}).json()["id"]
    with on_commit():
        from_ip(client_for(commenter), GB_IP).post(f"/api/nb/v1/notes/{note_id}/comments", {"body": "Jealous"})
    return author, note_id


def test_native_api_shows_ip_location_to_viewers_in_china(posted, make_user, client_for):
    author, note_id = posted
    reader = make_user()
    china = from_ip(client_for(reader), CN_IP)
    note = china.get(f"/api/nb/v1/notes/{note_id}").json()
    assert note["ip_location"] == {"country": "US", "name": "United States"}
    assert note["author"]["ip_location"]["country"] == "US"
    comments = china.get(f"/api/nb/v1/notes/{note_id}/comments").json()
    assert comments[0]["ip_location"] == {"country": "GB", "name": "United Kingdom"}
    profile = china.get(f"/api/nb/v1/profiles/{author.username}").json()
    assert profile["ip_location"]["country"] == "US"
    # The name follows the request's language.
    chinese = from_ip(client_for(reader), CN_IP, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.get(f"/api/nb/v1/notes/{note_id}").json()["ip_location"]["name"] == "美国"


def test_native_api_hides_ip_location_elsewhere_unless_the_operator_shows_it(posted, make_user, client_for, settings):
    _author, note_id = posted
    britain = from_ip(client_for(make_user()), GB_IP)
    note = britain.get(f"/api/nb/v1/notes/{note_id}").json()
    assert note["ip_location"] is None and note["author"]["ip_location"] is None
    assert britain.get(f"/api/nb/v1/notes/{note_id}/comments").json()[0]["ip_location"] is None
    settings.IP_LOCATION_LABELS_EVERYWHERE = True
    assert britain.get(f"/api/nb/v1/notes/{note_id}").json()["ip_location"]["country"] == "US"


def test_no_raw_address_leaves_the_server(posted, make_user, client_for):
    author, note_id = posted
    china = from_ip(client_for(make_user()), CN_IP)
    bodies = [
        china.get(f"/api/nb/v1/notes/{note_id}").content,
        china.get(f"/api/nb/v1/notes/{note_id}/comments").content,
        china.get(f"/api/nb/v1/profiles/{author.username}").content,
        china.get(f"/api/v1/statuses/{note_id}").content,
        china.get(f"/api/v1/accounts/{author.pk}").content,
    ]
    for body in bodies:
        assert US_IP.encode() not in body and GB_IP.encode() not in body
    # Nor is it stored: only the two-letter code.
    stored = json.dumps(
        [list(Note.objects.values().get(pk=note_id).values()), list(User.objects.values().get(pk=author.pk).values())],
        default=str,
    )
    assert US_IP not in stored
