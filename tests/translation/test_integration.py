"""Translation wired into writes (detection), ahead-of-time work, the Mastodon functions and the API."""

import pytest
from ninja.testing import TestClient

from accounts.services import block, follow, update_profile
from notes.services import create_comment, edit_note, update_photo
from translation.api import router
from translation.mastodon import TranslationUnavailable, translate_status_for_mastodon, translation_languages
from translation.models import JobState, TranslationJob

pytestmark = pytest.mark.django_db

ZH = "今天天气很好，我们去公园吧"
EN = "The weather is nice today, let's go to the park"


def test_note_language_detected_on_create_and_edit(make_user, make_note):
    author = make_user()
    note = make_note(author, title="", body=ZH)
    assert note.language == "zh-Hans" and not note.language_set_by_author
    edited = edit_note(author=author, note_id=note.pk, body="Went to the park today, the weather was lovely")
    assert edited.language == "en"
    chosen = make_note(author, title="", body="短", language="zh-Hant")
    assert chosen.language == "zh-Hant" and chosen.language_set_by_author
    kept = edit_note(author=author, note_id=chosen.pk, body="Now it is written in English, but the author chose")
    assert kept.language == "zh-Hant"  # the author's choice wins over detection


def test_emoji_only_note_has_no_language(make_user, make_note):
    note = make_note(make_user(), title="", body="😂😂😂")
    assert note.language == ""


def test_comment_bio_and_alt_text_languages(make_user, make_note):
    author = make_user()
    note = make_note(author, title="", body=ZH)
    comment = create_comment(author=make_user(), note_id=note.pk, body="This looks amazing, where is it?")
    assert comment.language == "en"
    user = update_profile(user=author, bio="我喜欢旅行和美食，住在成都")
    assert user.bio_language == "zh-Hans"
    photo = note.photos.first()
    photo = update_photo(owner=author, photo_id=photo.pk, alt_text="A bowl of noodles on a wooden table")
    assert photo.alt_language == "en"


def test_editing_a_note_drops_its_translations(make_user, make_note, libretranslate, on_commit):
    author = make_user()
    note = make_note(author, title="", body=ZH)
    with on_commit():
        translate_note(note, "en")
    assert TranslationJob.objects.filter(obj_id=note.pk).exists()
    with on_commit():
        edit_note(author=author, note_id=note.pk, body="周末去了西湖，风景绝了")
    assert not TranslationJob.objects.filter(obj_id=note.pk).exists()


def translate_note(note, target, user=None):
    client = TestClient(router)
    kwargs = {"user": user} if user is not None else {}
    return client.post(f"/note/{note.pk}?target={target}", **kwargs)


def test_ahead_of_time_translation_for_followers_languages(make_user, make_note, libretranslate, on_commit):
    author = make_user(languages=["en"])
    reader = make_user(languages=["zh-Hans"])
    follow(follower=reader, followee=author)
    make_user(languages=["en"])  # not a follower: their language does not count
    note = make_note(author, title="", body="I love this little coffee shop by the river")
    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    assert job.target_language == "zh-Hans" and job.reason == "ahead" and job.state == JobState.READY
    response = translate_note(note, "zh-Hans", user=reader)
    assert response.status_code == 200
    assert response.json()["fields"]["body"]["text"] == "我喜欢河边的这家小咖啡店"


def test_api_translate_pending_then_ready(make_user, make_note, libretranslate, on_commit):
    note = make_note(make_user(), title="", body=ZH)
    with on_commit():
        response = translate_note(note, "en")
        body = response.json()["fields"]["body"]
        assert response.status_code == 200 and body["status"] == "pending" and body["text"] == ZH
    done = translate_note(note, "en").json()
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


def test_api_refuses_what_the_reader_cannot_see(make_user, make_note, libretranslate):
    author = make_user()
    private = make_note(author, title="", body=ZH, visibility="followers")
    assert translate_note(private, "en").status_code == 404
    assert translate_note(private, "en", user=make_user()).status_code == 404
    assert translate_note(private, "en", user=author).status_code == 200
    client = TestClient(router)
    assert client.post("/note/not-a-number?target=en").status_code == 404
    assert client.post("/secret/1?target=en").status_code == 404
    assert client.post(f"/note/{private.pk}?target=klingon", user=author).status_code == 422


def test_api_hides_notes_from_blocked_readers(make_user, make_note):
    author, reader = make_user(), make_user()
    note = make_note(author, title="", body=ZH)
    assert translate_note(note, "en", user=reader).status_code == 200
    block(blocker=author, blocked=reader)
    assert translate_note(note, "en", user=reader).status_code == 404


def test_api_comment_bio_and_alt(make_user, make_note, libretranslate, on_commit):
    author = make_user()
    update_profile(user=author, bio=ZH)
    note = make_note(author, title="", body="hello")
    comment = create_comment(author=author, note_id=note.pk, body=ZH)
    client = TestClient(router)
    for path in (f"/comment/{comment.pk}", f"/bio/{author.pk}"):
        with on_commit():
            assert client.post(f"{path}?target=en").status_code == 200
        fields = client.post(f"{path}?target=en").json()["fields"]
        assert next(iter(fields.values()))["text"] == EN
    photo = note.photos.first()
    assert client.post(f"/alt/{photo.pk}?target=zh-Hans").status_code == 200


def test_status_endpoint_is_for_operators(make_user, libretranslate):
    client = TestClient(router)
    assert client.get("/status").status_code == 403
    assert client.get("/status", user=make_user()).status_code == 403
    staff = make_user()
    staff.is_staff = True
    data = client.get("/status", user=staff).json()
    assert data["active_engine"] == "libretranslate"
    assert set(data["queue"]) >= {"pending", "running", "failed", "ready"}
    assert "hit_rate" in data["cache"] and data["model"]["model_installed"] is False


def test_mastodon_translation_entity(make_user, make_note, libretranslate, on_commit):
    note = make_note(make_user(), title="", body=ZH)
    with on_commit(), pytest.raises(TranslationUnavailable) as pending:
        translate_status_for_mastodon(note, "en", wait_seconds=0)
    assert pending.value.status == "pending"
    entity = translate_status_for_mastodon(note, "en", wait_seconds=0)
    assert entity["content"] == f"<p>{EN.replace(chr(39), '&#x27;')}</p>"
    assert entity["detected_source_language"] == "zh" and entity["language"] == "en"
    assert entity["provider"] == "Notebridge (libretranslate)" and entity["spoiler_text"] == ""
    assert entity["media_attachments"] == []


def test_mastodon_refusals(make_user, make_note, settings):
    note = make_note(make_user(), title="", body="This is written in English already, friends")
    with pytest.raises(TranslationUnavailable) as same:
        translate_status_for_mastodon(note, "en", wait_seconds=0)
    assert same.value.status == "not_needed"
    with pytest.raises(TranslationUnavailable) as bad:
        translate_status_for_mastodon(note, "xx", wait_seconds=0)
    assert bad.value.status == "failed"


def test_translation_languages(settings, libretranslate):
    langs = translation_languages()
    assert "zh" in langs and "en" in langs["zh"] and "zh-TW" in langs["zh"]
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    assert translation_languages() == {"zh": ["zh-TW"], "zh-TW": ["zh"]}


def test_mounted_in_the_native_api(make_user, make_note, libretranslate, on_commit, client):
    note = make_note(make_user(), title="", body=ZH)
    with on_commit():
        response = client.post(f"/api/nb/v1/translation/note/{note.pk}?target=en")  # anonymous reader
    assert response.status_code == 200 and response.json()["fields"]["body"]["status"] == "pending"
    assert client.post(f"/api/nb/v1/translation/note/{note.pk}?target=en").json()["fields"]["body"]["text"] == EN
    assert client.get("/api/nb/v1/translation/status").status_code == 401
    staff = make_user()
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    status = client.get("/api/nb/v1/translation/status").json()
    assert status["active_engine"] == "libretranslate" and status["queue"]["ready"] >= 1


def test_a_note_is_posted_even_if_translation_cannot_be_queued(settings, make_user, make_note):
    # A deployment whose task backend lacks the translation queue: posting must still work.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "high", "review", "media", "low"],
        }
    }
    note = make_note(make_user(), title="", body=ZH)
    assert note.pk and note.language == "zh-Hans"


def test_trending_notes_translated_ahead_into_readers_languages(make_user, make_note, libretranslate, on_commit):
    from django.core.cache import cache

    from feeds.selectors import discover
    from notes.services import like_note

    cache.clear()
    make_user(languages=["zh-Hans"])  # a reader nobody's note is followed by
    author = make_user(languages=["en"])
    note = make_note(author, title="", body="I love this little coffee shop by the river")
    assert not TranslationJob.objects.filter(obj_id=note.pk, target_language="zh-Hans").exists()
    # Reading Discover queues nothing: a page view never writes.
    with on_commit():
        assert note.pk in [n.pk for n in discover(None, limit=20)[0]]
    assert not TranslationJob.objects.exists()
    # Engagement does: the worker reads the ranking and translates its top for the readers.
    with on_commit():
        like_note(user=make_user(), note_id=note.pk)
    job = TranslationJob.objects.get(obj_id=note.pk, field="body", target_language="zh-Hans")
    assert job.reason == "ahead" and job.state == JobState.READY
    # Throttled: more engagement right away queues nothing more.
    TranslationJob.objects.all().delete()
    with on_commit():
        like_note(user=make_user(), note_id=note.pk)
    assert not TranslationJob.objects.exists()
