"""Translations written by people in the native API: /api/nb/v1/notes/{id}/translations (the author's
own) and /translations/suggestions (readers'), at their real URLs with real tokens; the Mastodon
translate endpoint answers with the author's translation too."""

from __future__ import annotations

import pytest

from notes.models import NoteTranslation, SuggestionState, TranslationSuggestion, Visibility
from notifications.models import Notification

EN_TITLE, EN_BODY = "Breakfast in Taiwan", "The soy milk here is really good."


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    settings.TRANSLATION_SYNC_WAIT_S = 0


@pytest.fixture
def chen(make_user):
    return make_user("chen", languages=["zh-Hans"])


@pytest.fixture
def note(chen, make_note):
    return make_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans")


def base(note) -> str:
    return f"/api/nb/v1/notes/{note.pk}/translations"


def test_author_sets_lists_and_deletes_a_translation(client_for, chen, make_user, make_note, note, on_commit):
    author, reader = client_for(chen), client_for(make_user("sam"))
    with on_commit():
        response = author.put(f"{base(note)}/en", {"title": EN_TITLE, "body": EN_BODY})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "language": "en",
        "title": EN_TITLE,
        "body": EN_BODY,
        "suggested_by": None,
        "updated_at": response.json()["updated_at"],
    }
    listed = client_for().get(base(note))  # anyone who can read the note
    assert [t["language"] for t in listed.json()] == ["en"]
    # The native translation endpoint and Mastodon's both answer with the author's words.
    fields = reader.post(f"/api/nb/v1/translation/note/{note.pk}?target=en").json()["fields"]
    assert fields["body"]["text"] == EN_BODY and fields["body"]["engine"] == "author"
    status = reader.post(f"/api/v1/statuses/{note.pk}/translate", {"lang": "en"})
    assert status.status_code == 200, status.content
    assert EN_BODY in status.json()["content"] and "author" in status.json()["provider"]
    # Someone else may not write it; nobody writes an empty one.
    assert reader.put(f"{base(note)}/ja", {"title": "朝", "body": "豆乳"}).status_code == 403
    assert author.put(f"{base(note)}/ja", {"title": " ", "body": ""}).status_code == 422
    assert author.put(f"{base(note)}/zh-Hans", {"title": "a", "body": "b"}).json()["field"] == "language"
    assert author.put(f"{base(note)}/en", ["not", "an", "object"]).status_code == 422
    untitled = make_note(chen, title="", body="只有正文", language="zh-Hans")
    assert author.put(f"{base(untitled)}/en", {"title": "Only a title", "body": ""}).status_code == 422
    assert reader.delete(f"{base(note)}/en").status_code == 403
    assert author.delete(f"{base(note)}/en").json() == {"ok": True}
    assert author.delete(f"{base(note)}/en").status_code == 404
    assert not NoteTranslation.objects.exists()


def test_suggest_list_approve_and_decline(client_for, chen, make_user, note, on_commit):
    author, sam, eve = client_for(chen), client_for(make_user("sam")), client_for(make_user("eve"))
    with on_commit():
        made = sam.post(f"{base(note)}/suggestions", {"language": "en", "title": EN_TITLE, "body": EN_BODY})
    assert made.status_code == 201, made.content
    suggestion = made.json()
    assert suggestion["suggester"]["username"] == "sam" and suggestion["language"] == "en"
    assert TranslationSuggestion.objects.get(pk=int(suggestion["id"])).state == SuggestionState.OPEN
    assert Notification.objects.filter(recipient=chen, type="suggestion").exists()
    with on_commit():
        second = eve.post(f"{base(note)}/suggestions", {"language": "en", "title": "Taiwan breakfast", "body": "Good"})
    listed = author.get(f"{base(note)}/suggestions").json()
    assert [s["id"] for s in listed] == [second.json()["id"], suggestion["id"]]
    # Only the author lists and decides.
    assert sam.get(f"{base(note)}/suggestions").status_code == 403
    assert eve.post(f"{base(note)}/suggestions/{suggestion['id']}/approve").status_code == 403
    assert sam.post(f"{base(note)}/suggestions/{suggestion['id']}/approve").status_code == 403
    assert author.post(f"/api/nb/v1/notes/1/translations/suggestions/{suggestion['id']}/approve").status_code == 404
    assert author.post(f"{base(note)}/suggestions/not-an-id/approve").status_code == 404
    with on_commit():
        approved = author.post(f"{base(note)}/suggestions/{suggestion['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    declined = author.post(f"{base(note)}/suggestions/{second.json()['id']}/decline")
    assert declined.json()["state"] == "declined"
    again = author.post(f"{base(note)}/suggestions/{suggestion['id']}/decline")
    assert again.status_code == 422 and again.json()["code"] == "already_decided"
    translation = client_for().get(base(note)).json()[0]
    assert translation["body"] == EN_BODY and translation["suggested_by"]["username"] == "sam"


def test_suggestion_refusals(client_for, chen, make_user, make_note, note, settings):
    settings.RATE_LIMITS = {"suggest.user_new": "100/1h"}
    sam = client_for(make_user("sam"))
    private = make_note(chen, title="私人", body="只给关注者看", language="zh-Hans", visibility=Visibility.FOLLOWERS)
    ok = {"language": "en", "title": "a", "body": "b"}
    assert sam.post(f"{base(private)}/suggestions", ok).status_code == 404
    assert sam.post("/api/nb/v1/notes/42/translations/suggestions", ok).status_code == 404
    assert client_for(chen).post(f"{base(note)}/suggestions", ok).status_code == 403
    assert client_for().post(f"{base(note)}/suggestions", ok).status_code == 401
    for bad, status in [
        ({"language": "klingon", "title": "a", "body": "b"}, 422),
        ({"language": "en", "title": "a", "body": "b" * 5001}, 422),
        ({"language": "en", "title": "a", "body": "b" * 20001}, 422),  # refused before the service
        ({"language": "en", "title": 5, "body": None}, 422),
        ({"title": "a"}, 422),
    ]:
        assert sam.post(f"{base(note)}/suggestions", bad).status_code == status, bad
    assert sam.raw("POST", f"{base(note)}/suggestions", b"{not json", "application/json").status_code in (400, 422)
    assert not TranslationSuggestion.objects.exists()


def test_suggestions_are_rate_limited(client_for, chen, make_user, make_note, settings):
    settings.RATE_LIMITS = {"suggest.user": "1/1h", "suggest.user_new": "1/1h"}
    notes = [make_note(chen, title=f"早餐{i}", body="豆浆", language="zh-Hans") for i in range(2)]
    sam = client_for(make_user("sam"))
    first = sam.post(f"{base(notes[0])}/suggestions", {"language": "en", "title": "Breakfast", "body": "Soy milk"})
    refused = sam.post(f"{base(notes[1])}/suggestions", {"language": "en", "title": "Breakfast", "body": "Soy milk"})
    assert first.status_code == 201 and refused.status_code == 429
    assert refused.headers["Retry-After"] and TranslationSuggestion.objects.count() == 1
