"""Translation wired into writes (detection) and ahead-of-time work. The APIs: tests/api/test_nb_translation.py
and tests/api/test_translate.py."""

import pytest

from accounts.services import follow, update_profile
from notes.services import create_comment, edit_note, update_photo
from translation.fields import note_fields
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


def translate_note(note, target):
    """Ask for every text of a note in ``target``, as a reader's page or API call does."""
    return {f.name: f.translation(target) for f in note_fields(note)}


def test_ahead_of_time_translation_for_followers_languages(make_user, make_note, libretranslate, on_commit):
    author = make_user(languages=["en"])
    reader = make_user(languages=["zh-Hans"])
    follow(follower=reader, followee=author)
    make_user(languages=["en"])  # not a follower: their language does not count
    note = make_note(author, title="", body="I love this little coffee shop by the river")
    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    assert job.target_language == "zh-Hans" and job.reason == "ahead" and job.state == JobState.READY
    assert translate_note(note, "zh-Hans")["body"].text == "我喜欢河边的这家小咖啡店"


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
