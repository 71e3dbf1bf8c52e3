"""Translations written by people (notes/translations.py): the author's own translation of a note, and
readers' suggestions, through the real services, screening (review), notifications and translation
memory. Notes are screened on commit with the immediate task backend, as in production."""

from __future__ import annotations

import pytest

from core.errors import Forbidden, NotFound, ServiceError
from notes import translations
from notes.models import MAX_BODY, Note, NoteState, NoteTranslation, SuggestionState, TranslationSuggestion, Visibility
from notifications.models import Notification
from review.models import ScreeningResult, TargetType
from translation.models import TranslationMemory, text_hash
from translation.services import AUTHOR_ENGINE, get_or_request_translation, rebuild

EN_TITLE, EN_BODY = "Breakfast in Taiwan", "The soy milk here is really good."


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def chen(make_user):
    return make_user("chen", languages=["zh-Hans"])


@pytest.fixture
def sam(make_user):
    return make_user("sam", languages=["en"])


@pytest.fixture
def note(chen, make_note):
    made = make_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans")
    return Note.objects.get(pk=made.pk)


def _view(note, field, target):
    text = note.title if field == "title" else note.body
    return get_or_request_translation(
        obj_kind="note", obj_id=note.pk, field=field, text=text, source=note.language, target=target
    )


# --- the author's translation ---------------------------------------------------------------------


def test_author_translation_is_preferred_and_kept_in_the_memory(chen, note, on_commit):
    assert note.state == NoteState.PUBLISHED
    assert _view(note, "body", "en").status == "failed"  # no engine for zh -> en here: only a gloss
    with on_commit():
        translations.set_author_translation(author=chen, note_id=note.pk, language="en", title=EN_TITLE, body=EN_BODY)
    assert Note.objects.get(pk=note.pk).state == NoteState.PUBLISHED  # screened again, and passed
    title, body = _view(note, "title", "en"), _view(note, "body", "en")
    assert (title.status, title.text, title.engine) == ("ready", EN_TITLE, AUTHOR_ENGINE)
    assert (body.text, body.engine, body.is_gloss) == (EN_BODY, AUTHOR_ENGINE, False)
    # Other readers' languages keep the machine's (OpenCC for Traditional Chinese).
    assert _view(note, "body", "zh-Hant").engine == "opencc"
    pairs = TranslationMemory.objects.filter(engine=AUTHOR_ENGINE, target_language="en")
    assert {(p.source_hash, p.text) for p in pairs} == {
        (text_hash(note.title), EN_TITLE),
        (text_hash(note.body), EN_BODY),
    }
    rebuild(enqueue=False)  # the machine's translations are derived data; people's are not
    assert TranslationMemory.objects.filter(engine=AUTHOR_ENGINE).count() == 2


def test_a_translation_is_screened_with_the_note(chen, note, on_commit):
    with on_commit():
        translations.set_author_translation(
            author=chen, note_id=note.pk, language="en", title=EN_TITLE, body="Sunset. kill yourself, loser"
        )
    assert Note.objects.get(pk=note.pk).state in (NoteState.HELD, NoteState.REJECTED)
    latest = ScreeningResult.objects.filter(target_type=TargetType.NOTE, target_id=note.pk).order_by("-id").first()
    assert latest is not None and latest.outcome in ("hold", "reject")
    assert ScreeningResult.objects.filter(target_id=note.pk).count() == 2  # the post, then the translation


def test_an_unchanged_translation_is_not_screened_again(chen, note, on_commit):
    for _ in range(2):
        with on_commit():
            translations.set_author_translation(
                author=chen, note_id=note.pk, language="en", title=EN_TITLE, body=EN_BODY
            )
    assert ScreeningResult.objects.filter(target_id=note.pk).count() == 2


def test_author_translation_rules(chen, sam, note):
    def save(user=chen, **kw):
        args = {"language": "en", "title": EN_TITLE, "body": EN_BODY} | kw
        return translations.set_author_translation(author=user, note_id=note.pk, **args)

    with pytest.raises(Forbidden):
        save(user=sam)
    with pytest.raises(NotFound):
        translations.set_author_translation(author=chen, note_id=123456789, language="en", title="a", body="b")
    for bad, field in [
        ({"language": "zh-Hans"}, "language"),  # the note's own language
        ({"language": "xx"}, "language"),
        ({"language": "<script>"}, "language"),
        ({"body": "x" * (MAX_BODY + 1)}, "body"),  # refused, never cut
        ({"title": "t" * 101}, "title"),
        ({"body": ""}, "body"),  # half a translation
    ]:
        with pytest.raises(ServiceError) as refused:
            save(**bad)
        assert refused.value.field == field, bad
    assert not NoteTranslation.objects.exists()
    saved = save(body="ok\u202e\x00 fine")  # bidi overrides and control characters are dropped
    assert saved is not None and saved.body == "ok fine"
    assert save(title="", body="") is None  # both empty: removed
    assert not NoteTranslation.objects.exists()


# --- readers' suggestions -------------------------------------------------------------------------


def test_suggestion_is_screened_then_the_author_is_notified_and_approves(chen, sam, note, on_commit):
    with on_commit():
        suggestion = translations.suggest_translation(
            user=sam, note_id=note.pk, language="en", title=EN_TITLE, body=EN_BODY
        )
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.OPEN
    assert ScreeningResult.objects.filter(target_type=TargetType.SUGGESTION, target_id=suggestion.pk).exists()
    notice = Notification.objects.get(recipient=chen, type="suggestion")
    assert notice.actor_id == sam.pk and notice.note_id == note.pk
    assert [s.pk for s in translations.open_suggestions(author=chen, note_id=note.pk)] == [suggestion.pk]

    with on_commit():
        translations.decide_suggestion(user=chen, suggestion_id=suggestion.pk, approve=True)
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.APPROVED and suggestion.decided_at is not None
    row = NoteTranslation.objects.get(note=note, language="en")
    assert (row.title, row.body, row.suggested_by_id) == (EN_TITLE, EN_BODY, sam.pk)
    assert _view(note, "body", "en").engine == AUTHOR_ENGINE
    assert TranslationMemory.objects.filter(engine=AUTHOR_ENGINE, text=EN_BODY).exists()
    assert Notification.objects.filter(recipient=sam, type="suggest_approved", note=note).exists()
    with pytest.raises(ServiceError, match="not waiting"):
        translations.decide_suggestion(user=chen, suggestion_id=suggestion.pk, approve=False)


def test_declined_suggestion_is_kept_out(chen, sam, note, on_commit):
    with on_commit():
        suggestion = translations.suggest_translation(user=sam, note_id=note.pk, language="en", title="x", body="y")
    with on_commit():
        translations.decide_suggestion(user=chen, suggestion_id=suggestion.pk, approve=False)
    assert TranslationSuggestion.objects.get(pk=suggestion.pk).state == SuggestionState.DECLINED
    assert not NoteTranslation.objects.exists()
    assert not TranslationMemory.objects.filter(text="y").exists()
    assert translations.open_suggestions(author=chen, note_id=note.pk) == []
    assert not Notification.objects.filter(recipient=sam).exists()


@pytest.mark.parametrize(
    "hostile", ["你真是个傻逼，滚开", "Double your bitcoin, guaranteed returns: https://free-crypto-gift.test"]
)
def test_suggestion_that_fails_screening_never_reaches_the_author(chen, sam, note, on_commit, hostile):
    with on_commit():
        suggestion = translations.suggest_translation(
            user=sam, note_id=note.pk, language="en", title=EN_TITLE, body=hostile
        )
    assert TranslationSuggestion.objects.get(pk=suggestion.pk).state == SuggestionState.REFUSED
    assert translations.open_suggestions(author=chen, note_id=note.pk) == []
    assert not Notification.objects.filter(recipient=chen, type="suggestion").exists()
    with pytest.raises(ServiceError):
        translations.decide_suggestion(user=chen, suggestion_id=suggestion.pk, approve=True)
    assert not NoteTranslation.objects.exists()


def test_a_suggestion_not_screened_yet_is_not_the_authors_to_decide(chen, sam, note):
    pending = translations.suggest_translation(user=sam, note_id=note.pk, language="en", title="z", body="z")
    assert pending.state == SuggestionState.PENDING  # the commit (and the screening after it) has not happened
    with pytest.raises(ServiceError, match="not waiting"):
        translations.decide_suggestion(user=chen, suggestion_id=pending.pk, approve=True)
    assert translations.open_suggestions(author=chen, note_id=note.pk) == []


def test_who_may_suggest_and_decide(chen, sam, make_user, make_note, note, on_commit):
    eve = make_user("eve")
    with pytest.raises(Forbidden):  # the author writes their own
        translations.suggest_translation(user=chen, note_id=note.pk, language="en", title="a", body="b")
    private = make_note(chen, title="私人", body="只给关注者看", language="zh-Hans", visibility=Visibility.FOLLOWERS)
    with pytest.raises(NotFound):  # a note sam cannot see does not exist for him
        translations.suggest_translation(user=sam, note_id=private.pk, language="en", title="a", body="b")
    with pytest.raises(NotFound):
        translations.suggest_translation(user=sam, note_id=987654321, language="en", title="a", body="b")
    with on_commit():
        suggestion = translations.suggest_translation(user=sam, note_id=note.pk, language="en", title="a", body="b")
    for stranger in (sam, eve):
        with pytest.raises(Forbidden):
            translations.decide_suggestion(user=stranger, suggestion_id=suggestion.pk, approve=True)
        with pytest.raises(Forbidden):
            translations.open_suggestions(author=stranger, note_id=note.pk)
    assert TranslationSuggestion.objects.get(pk=suggestion.pk).state == SuggestionState.OPEN
    with pytest.raises(ServiceError, match="already suggested"):
        translations.suggest_translation(user=sam, note_id=note.pk, language="en", title="c", body="d")
    for bad in ({"language": "zh-Hans"}, {"body": "x" * (MAX_BODY + 1)}, {"title": ""}):
        with pytest.raises(ServiceError):
            translations.suggest_translation(
                user=eve, note_id=note.pk, **({"language": "ja", "title": "a", "body": "b"} | bad)
            )
    assert TranslationSuggestion.objects.count() == 1
