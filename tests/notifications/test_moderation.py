"""Moderation notices are notifications of their own kind: left by review in the recipient's language,
from no actor, never silenced by a block or a mute, and read back by review's notices page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.services import block, mute
from notes.services import like_note
from notifications.models import Notification
from notifications.selectors import notifications_for, unread_count
from notifications.services import clear, dismiss, mark_read, notify
from review import decisions
from review.models import Reviewer, ReviewItem
from review.selectors import notices_for

HARASSMENT_ZH = "你真是个傻逼，滚开"
HARASSMENT_EN = "you are a worthless idiot, kill yourself loser"


def test_held_note_leaves_a_chinese_speaking_author_a_chinese_moderation_notification(make_user, make_note):
    author = make_user(languages=["zh-Hans"])
    note = make_note(author, title="", body=HARASSMENT_ZH, photos=0)
    (n,) = notifications_for(author)
    assert n.type == "moderation" and n.actor_id is None and not n.read
    assert n.kind == "under_review" and n.target_type == "note" and n.target_id == note.pk
    assert n.text == "你的笔记正在由人工审核，审核通过后才会对他人显示。原因：骚扰或威胁、粗俗语言"
    assert unread_count(author) == 1
    # Review's own notices page reads the same record.
    assert [x.pk for x in notices_for(author)] == [n.pk]


def test_english_speaking_author_gets_english_text(make_user, make_note):
    author = make_user()
    make_note(author, title="", body=HARASSMENT_ZH, photos=0)
    (n,) = notifications_for(author)
    assert n.text == (
        "Your note is being reviewed by a person before it is shown to others. "
        "Reasons: Harassment or threats, Profanity"
    )


def test_a_blocked_or_muted_actor_never_notifies_but_moderation_notices_always_arrive(make_user, make_note):
    author, stranger, pest, moderator = make_user(), make_user(), make_user(), make_user()
    Reviewer.objects.create(user=moderator, languages=["zh-Hans", "en"], senior=True)
    note = make_note(author, title="Dumplings", body="Lovely dumplings at the night market", photos=0)
    block(blocker=author, blocked=stranger)
    mute(muter=author, muted=pest)
    block(blocker=author, blocked=moderator)
    assert notify(recipient_id=author.pk, actor_id=stranger.pk, type="follow") is None
    like_note(user=pest, note_id=note.pk)
    assert not Notification.objects.filter(recipient=author).exists()

    held = make_note(author, title="", body=HARASSMENT_ZH, photos=0)
    item = ReviewItem.objects.get(target_id=held.pk)
    decision = decisions.decide(user=moderator, item_id=item.pk, action="reject", reason_code="harassment")
    kinds = [(n.kind, n.decision_id) for n in notifications_for(author)]
    assert kinds == [("decision", decision.pk), ("under_review", None)]


def test_dismiss_clear_and_mark_read_cover_moderation_notices(make_user, make_note):
    author, fan = make_user(), make_user()
    note = make_note(author, title="Dumplings", body="Lovely dumplings at the night market", photos=0)
    make_note(author, title="", body=HARASSMENT_ZH, photos=0)
    like_note(user=fan, note_id=note.pk)
    like, notice = sorted(notifications_for(author), key=lambda n: n.type)
    assert (like.type, notice.type) == ("like", "moderation")
    assert mark_read(user_id=author.pk) == 2 and unread_count(author) == 0
    assert not dismiss(user_id=fan.pk, notification_id=notice.pk)
    assert dismiss(user_id=author.pk, notification_id=notice.pk)
    assert [n.pk for n in notifications_for(author)] == [like.pk]
    make_note(author, title="", body=HARASSMENT_EN, photos=0)
    assert clear(user_id=author.pk) == 2 and notifications_for(author) == []


def test_only_a_moderation_notice_goes_without_an_actor(make_user):
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=user, actor=None, type="like")


# --- the data migration ----------------------------------------------------------------------------

BEFORE = [("review", "0001_initial"), ("notifications", "0002_moderation_notices")]


@pytest.mark.django_db(transaction=True)
def test_migration_copies_review_notices_into_notifications_and_back():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    # The other apps stay where they are: their models are read at their latest state.
    others = [node for node in latest if node[0] not in ("review", "notifications")]
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE + others).apps
        User = old.get_model("accounts", "User")
        Decision = old.get_model("review", "Decision")
        Notice = old.get_model("review", "Notice")
        author = User.objects.create(username="author", languages=["zh-Hans"])
        reporter = User.objects.create(username="reporter")
        decision = Decision.objects.create(
            target_type="note", target_id=42, author=author, action="reject", reason_code="harassment"
        )
        sent = timezone.now() - timedelta(days=30)
        rows = [
            Notice.objects.create(
                recipient=author, kind="under_review", target_type="note", target_id=42, text="你的笔记正在由人工审核"
            ),
            Notice.objects.create(
                recipient=author,
                kind="decision",
                target_type="note",
                target_id=42,
                decision=decision,
                text="你的笔记未予发布",
                read=True,
            ),
            Notice.objects.create(
                recipient=reporter,
                kind="report_received",
                target_type="note",
                target_id=42,
                text="We received your report.",
            ),
        ]
        Notice.objects.filter(pk=rows[0].pk).update(created_at=sent)

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        new = executor.loader.project_state(latest).apps
        Notification = new.get_model("notifications", "Notification")
        copied = {n.pk: n for n in Notification.objects.all()}
        assert set(copied) == {r.pk for r in rows}
        for r in rows:
            n = copied[r.pk]
            assert (n.type, n.actor_id, n.recipient_id, n.kind, n.text, n.target_type, n.target_id, n.read) == (
                "moderation",
                None,
                r.recipient_id,
                r.kind,
                r.text,
                r.target_type,
                r.target_id,
                r.read,
            )
            assert n.decision_id == r.decision_id
        assert copied[rows[0].pk].created_at == sent
        assert "review_notice" not in connection.introspection.table_names()

        # And back: the notices return to review's table and leave the notifications.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE + others).apps
        back = {n.pk: n for n in old.get_model("review", "Notice").objects.all()}
        assert set(back) == {r.pk for r in rows}
        assert back[rows[1].pk].decision_id == decision.pk and back[rows[1].pk].read
        assert back[rows[0].pk].created_at == sent
        assert not old.get_model("notifications", "Notification").objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
