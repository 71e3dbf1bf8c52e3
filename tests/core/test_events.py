"""The domain events: every event has subscribers, none twice, and a failing subscriber never loses
the write that emitted the event."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.db import transaction

from accounts import events as account_events
from core import events
from notes import events as note_events
from notes.models import Note
from trust import events as trust_events

# The whole map, as docs/architecture.md lists it. A new event or subscriber changes this test on purpose.
EXPECTED = {
    "accounts.events.AccessChanged": ["api.subscribers.forget_cached_account", "api.subscribers.sign_apps_out"],
    "accounts.events.Followed": [
        "feeds.subscribers.backfill_followed",
        "notifications.subscribers.on_follow",
        "recommend.subscribers.record_follow",
        "trust.subscribers.count_follow",
    ],
    "core.events.StackStarted": ["translation.subscribers.announce_preparation"],
    "accounts.events.ProfileChanged": [
        "api.subscribers.forget_cached_account",
        "review.subscribers.screen_changed_profile",
        "translation.subscribers.bio_changed",
        "trust.subscribers.check_changed_profile",
        "trust.subscribers.reassess_profile_text",
        "trust.subscribers.verify_links",
    ],
    "accounts.events.Unfollowed": ["feeds.subscribers.drop_unfollowed", "trust.subscribers.count_unfollow"],
    "accounts.events.UserRegistered": ["notes.subscribers.default_board", "trust.subscribers.check_new_account"],
    "notes.events.CommentCreated": [
        "notifications.subscribers.on_comment",
        "recommend.subscribers.record_comment",
        "review.subscribers.screen_new_comment",
        "trust.subscribers.reassess_commenter",
    ],
    "notes.events.CommentLiked": ["notifications.subscribers.on_comment_like"],
    "notes.events.NoteCollected": [
        "notifications.subscribers.on_collect",
        "recommend.subscribers.record_collect",
        "translation.subscribers.keep_trending_translated",
    ],
    "notes.events.NoteDeleted": ["notes.subscribers.unindex_deleted"],
    "notes.events.NoteEdited": ["notes.subscribers.reindex_edited", "translation.subscribers.note_text_changed"],
    "notes.events.NoteHidden": ["notes.subscribers.unindex_hidden"],
    "notes.events.NoteLiked": [
        "notifications.subscribers.on_like",
        "recommend.subscribers.record_like",
        "translation.subscribers.keep_trending_translated",
    ],
    "notes.events.NotePublished": [
        "feeds.subscribers.fan_out_published",
        "notes.subscribers.index_published",
        "recommend.subscribers.embed_published",
        "translation.subscribers.translate_published",
    ],
    "notes.events.NoteSubmitted": [
        "feeds.subscribers.own_entry_at_once",
        "review.subscribers.screen_submitted_note",
        "trust.subscribers.reassess_poster",
    ],
    "notes.events.NoteTranslationSaved": ["translation.subscribers.keep_author_translation"],
    "notes.events.PhotoDescribed": ["translation.subscribers.alt_text_changed"],
    "notes.events.TagFollowed": ["feeds.subscribers.backfill_followed_tag"],
    "notes.events.TagUnfollowed": ["feeds.subscribers.drop_unfollowed_tag"],
    "notes.events.VideoFailed": ["notifications.subscribers.on_video_failed"],
    "notes.events.TranslationSuggested": ["review.subscribers.screen_suggested_translation"],
    "notes.events.TranslationSuggestionDecided": ["notifications.subscribers.on_suggestion_decided"],
    "notes.events.TranslationSuggestionOpened": ["notifications.subscribers.on_suggestion"],
    "notes.events.UsersMentioned": ["notifications.subscribers.on_mention", "trust.subscribers.reassess_mentioner"],
    "trust.events.AccountRiskRaised": ["review.subscribers.flag_risky_account"],
    "trust.events.ImpersonationSuspected": ["review.subscribers.flag_suspected_impersonation"],
    "trust.events.TrustSettingChanged": [
        "review.subscribers.alert_operators_of_influx",
        "review.subscribers.audit_trust_setting",
    ],
}


def _domain_events() -> list[type[events.Event]]:
    assert account_events and note_events and trust_events  # the apps' event modules are imported
    return [e for e in events.all_event_types() if not e.__module__.startswith("tests.")]


def test_every_event_has_the_subscribers_the_docs_list():
    found = {f"{e.__module__}.{e.__name__}": sorted(s.name for s in events.subscribers(e)) for e in _domain_events()}
    assert found == EXPECTED
    assert all(found.values()), "an event nobody subscribes to"


def test_a_subscriber_registered_twice_is_refused():
    sub = events.subscribers(note_events.NoteLiked)[0]
    with pytest.raises(events.DuplicateSubscriber):
        events.subscribe(note_events.NoteLiked, sub.handler)


def test_only_event_dataclasses_can_be_subscribed_to():
    class NotAnEvent:
        pass

    with pytest.raises(TypeError):
        events.subscribe(NotAnEvent, lambda e: None)  # type: ignore[type-var]
    with pytest.raises(ValueError):
        events.subscribe(note_events.NoteLiked, lambda e: None, when="later")


@dataclass(frozen=True)
class Probe(events.Event):
    note_id: int


@pytest.fixture
def probe_subscribers():
    yield
    events._subscribers.pop(Probe, None)


def _title_writer_then_fail(event: Probe) -> None:
    Note.objects.filter(pk=event.note_id).update(title="written by a subscriber that then failed")
    raise RuntimeError("subscriber broke")


def _after_commit_fail(event: Probe) -> None:
    raise RuntimeError("subscriber broke after commit")


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_never_loses_the_write(make_user, photo_bytes, probe_subscribers, caplog):
    from notes.services import create_note

    events.subscribe(Probe, _title_writer_then_fail, when=events.IN_TRANSACTION)
    events.subscribe(Probe, _after_commit_fail, when=events.AFTER_COMMIT)
    author = make_user()
    with caplog.at_level(logging.ERROR, logger="notebridge.events"), transaction.atomic():
        note = create_note(author=author, title="kept", body="the user's write")
        events.emit(Probe(note_id=note.pk))
        # The in-transaction subscriber's own write was rolled back with its savepoint; ours stands.
        assert Note.objects.get(pk=note.pk).title == "kept"
    assert Note.objects.get(pk=note.pk).title == "kept"
    failures = [r.getMessage() for r in caplog.records if r.name == "notebridge.events"]
    assert any("_title_writer_then_fail" in m for m in failures)
    assert any("_after_commit_fail" in m for m in failures)
