"""The native translation API (/api/nb/v1/translation) at its real URL, with real auth."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import block, update_profile
from notes.models import Visibility
from notes.services import create_comment, update_photo
from tests.translation.fake_servers import FakeServer

ZH = "今天天气很好，我们去公园吧"
EN = "The weather is nice today, let's go to the park"
BASE = "/api/nb/v1/translation"


@pytest.fixture(autouse=True)
def libretranslate(settings, tmp_path):
    """A local stand-in for LibreTranslate: Chinese to English goes to a worker (the immediate backend)."""
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
    settings.TRANSLATION_REMOTE_TIMEOUT = 1.0
    settings.TRANSLATION_SYNC_WAIT_S = 0
    with FakeServer() as server:
        settings.LIBRETRANSLATE_URL = server.url
        settings.LIBRETRANSLATE_API_KEY = "lt-key"
        yield server


def test_pending_then_ready(make_user, make_note, client_for, on_commit):
    note = make_note(make_user(), title="", body=ZH)
    api = client_for()
    with on_commit():
        response = api.post(f"{BASE}/note/{note.pk}?target=en")
        body = response.json()["fields"]["body"]
        assert response.status_code == 200 and body["status"] == "pending" and body["text"] == ZH
    done = api.post(f"{BASE}/note/{note.pk}?target=en").json()
    assert done["fields"]["body"] == {
        "status": "ready",
        "text": EN,
        "source_language": "zh-Hans",
        "target_language": "en",
        "engine": "libretranslate",
        "is_gloss": False,
        "error": "",
        "error_code": "",
        "gloss_available": False,
        "can_retry": False,
    }
    assert done["fields"]["title"]["status"] == "not_needed"


def test_refuses_what_the_reader_cannot_see(make_user, make_note, client_for):
    author = make_user()
    private = make_note(author, title="", body=ZH, visibility=Visibility.FOLLOWERS)
    assert client_for().post(f"{BASE}/note/{private.pk}?target=en").status_code == 404
    assert client_for(make_user()).post(f"{BASE}/note/{private.pk}?target=en").status_code == 404
    assert client_for(author).post(f"{BASE}/note/{private.pk}?target=en").status_code == 200
    assert client_for().post(f"{BASE}/note/not-a-number?target=en").status_code == 404
    assert client_for().post(f"{BASE}/secret/1?target=en").status_code == 404
    assert client_for(author).post(f"{BASE}/note/{private.pk}?target=klingon").status_code == 422


def test_blocked_readers_get_404_for_notes_comments_and_bios(make_user, make_note, client_for):
    """After A blocks B, B cannot have A's note, comment or bio translated (the pages and the Mastodon
    API already hid them)."""
    author, reader = make_user(), make_user()
    update_profile(user=author, bio=ZH)
    note = make_note(author, title="", body=ZH)
    comment = create_comment(author=author, note_id=make_note(make_user(), body="hello").pk, body=ZH)
    api = client_for(reader)
    paths = [f"{BASE}/note/{note.pk}", f"{BASE}/comment/{comment.pk}", f"{BASE}/bio/{author.pk}"]
    assert [api.post(f"{p}?target=en").status_code for p in paths] == [200, 200, 200]
    block(blocker=author, blocked=reader)
    assert [api.post(f"{p}?target=en").status_code for p in paths] == [404, 404, 404]
    assert [client_for().post(f"{p}?target=en").status_code for p in paths] == [200, 200, 200]


def test_comment_bio_and_alt(make_user, make_note, client_for, on_commit):
    author = make_user()
    update_profile(user=author, bio=ZH)
    note = make_note(author, title="", body="hello")
    comment = create_comment(author=author, note_id=note.pk, body=ZH)
    photo = update_photo(owner=author, photo_id=note.photos.first().pk, alt_text=ZH)
    api = client_for()
    for path, name in (
        (f"{BASE}/comment/{comment.pk}", "body"),
        (f"{BASE}/bio/{author.pk}", "bio"),
        (f"{BASE}/alt/{photo.pk}", "alt_text"),
    ):
        with on_commit():
            assert api.post(f"{path}?target=en").status_code == 200  # the worker runs on commit
        assert api.post(f"{path}?target=en").json()["fields"][name]["text"] == EN


def test_status_is_for_operators(make_user, client_for):
    assert client_for().get(f"{BASE}/status").status_code == 401
    assert client_for(make_user()).get(f"{BASE}/status").status_code == 403
    staff = make_user()
    staff.is_staff = True
    staff.save()
    data = client_for(staff).get(f"{BASE}/status").json()
    assert data["active_engine"] == "opencc" or data["active_engine"] == "libretranslate"
    assert set(data["queue"]) >= {"pending", "running", "failed", "ready"}
    assert "hit_rate" in data["cache"]


def test_a_web_session_reads_and_its_writes_need_the_csrf_token(make_user, make_note):
    note = make_note(make_user(), title="", body=ZH)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user())
    refused = browser.post(f"{BASE}/note/{note.pk}?target=en")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    browser.get("/")  # the page sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    allowed = browser.post(f"{BASE}/note/{note.pk}?target=en", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200 and json.loads(allowed.content)["kind"] == "note"
