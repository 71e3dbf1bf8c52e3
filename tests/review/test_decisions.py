"""Human review: queues by language, claims, decisions, appeals to a different reviewer, strikes,
escalation, bulk actions, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Forbidden, ServiceError
from notes.models import Note
from notifications.models import Notification
from review import appeals, decisions, reviewers, selectors
from review.models import Appeal, ItemStatus, ReviewItem, Strike


@pytest.fixture
def held_zh(make_user, post):
    author = make_user()
    note = post(author, "你真是个傻逼，滚开")
    return author, note, ReviewItem.objects.get(target_id=note.pk)


def test_reviewers_see_only_languages_they_read(reviewer, held_zh):
    _author, _note, item = held_zh
    en_only = reviewer(languages=["en"])
    zh = reviewer(languages=["zh-Hans"])
    assert list(selectors.queue_for(en_only)) == []
    assert list(selectors.queue_for(zh)) == [item]
    with pytest.raises(Forbidden):
        decisions.claim(user=en_only, item_id=item.pk)


def test_non_reviewers_see_no_queue(make_user, held_zh):
    user = make_user()
    assert list(selectors.queue_for(user)) == []
    with pytest.raises(Forbidden):
        decisions.decide(user=user, item_id=held_zh[2].pk, action="approve", reason_code="other")


def test_queue_summary_gives_age_of_oldest(reviewer, held_zh):
    zh = reviewer(languages=["zh"])
    ReviewItem.objects.filter(pk=held_zh[2].pk).update(created_at=timezone.now() - timedelta(hours=2))
    rows = selectors.queue_summary(zh)
    assert rows[0]["language"] == "zh-Hans" and rows[0]["count"] == 1
    assert rows[0]["oldest_age_seconds"] >= 7000


def test_claim_is_a_lock_that_expires(reviewer, held_zh):
    a, b = reviewer(languages=["zh"]), reviewer(languages=["zh"])
    item = held_zh[2]
    decisions.claim(user=a, item_id=item.pk)
    with pytest.raises(ServiceError):
        decisions.claim(user=b, item_id=item.pk)
    with pytest.raises(ServiceError):
        decisions.decide(user=b, item_id=item.pk, action="approve", reason_code="other")
    ReviewItem.objects.filter(pk=item.pk).update(claim_expires_at=timezone.now() - timedelta(seconds=1))
    assert decisions.claim(user=b, item_id=item.pk).claimed_by_id == b.pk


def test_reject_with_reason_tells_author_and_adds_a_strike(reviewer, held_zh):
    author, note, item = held_zh
    zh = reviewer(languages=["zh"])
    decision = decisions.decide(user=zh, item_id=item.pk, action="reject", reason_code="harassment", note="insult")
    assert Note.objects.get(pk=note.pk).state == "rejected"
    assert ReviewItem.objects.get(pk=item.pk).status == ItemStatus.RESOLVED
    assert decision.statement["ground"]["terms_clause"]
    assert decision.automated_detection and not decision.automated_decision
    assert Notification.objects.filter(recipient=author, kind="decision", decision_id=decision.pk).exists()
    assert appeals.active_strikes(author) == 1
    Strike.objects.filter(user=author).update(expires_at=timezone.now() - timedelta(days=1))
    assert appeals.active_strikes(author) == 0


def test_approve_publishes_held_note(reviewer, held_zh):
    _author, note, item = held_zh
    decisions.decide(user=reviewer(languages=["zh"]), item_id=item.pk, action="approve", reason_code="other")
    assert Note.objects.get(pk=note.pk).state == "published"


def test_nobody_decides_their_own_content(reviewer, post):
    me = reviewer(languages=["en"])
    note = post(me, "kill yourself, loser")
    item = ReviewItem.objects.filter(target_id=note.pk).first() or ReviewItem.objects.create(
        target_type="note", target_id=note.pk, note=note, author=me, language="en", category="harassment"
    )
    assert item not in list(selectors.queue_for(me))
    with pytest.raises(Forbidden):
        decisions.decide(user=me, item_id=item.pk, action="approve", reason_code="other")


def test_appeal_goes_to_a_different_reviewer(reviewer, held_zh):
    author, note, item = held_zh
    first, second = reviewer(languages=["zh"]), reviewer(languages=["zh"])
    decision = decisions.decide(user=first, item_id=item.pk, action="reject", reason_code="harassment")
    appeal = appeals.file_appeal(user=author, decision=decision, text="It was a joke between friends")
    appeal_item = ReviewItem.objects.get(appeal=appeal)
    assert appeal_item not in list(selectors.queue_for(first))
    with pytest.raises(Forbidden):
        decisions.decide(user=first, item_id=appeal_item.pk, action="approve", reason_code="other")
    decisions.decide(user=second, item_id=appeal_item.pk, action="approve", reason_code="other", note="context")
    assert Appeal.objects.get(pk=appeal.pk).status == "reversed"
    assert Note.objects.get(pk=note.pk).state == "published"
    assert appeals.active_strikes(author) == 0
    assert Notification.objects.filter(recipient=author, kind="appeal_outcome").exists()


def test_only_the_author_appeals_once_within_the_deadline(make_user, reviewer, held_zh):
    author, _note, item = held_zh
    decision = decisions.decide(
        user=reviewer(languages=["zh"]), item_id=item.pk, action="reject", reason_code="harassment"
    )
    with pytest.raises(Forbidden):
        appeals.file_appeal(user=make_user(), decision=decision, text="not mine")
    with pytest.raises(ServiceError):
        appeals.file_appeal(user=author, decision=decision, text="   ")
    appeals.file_appeal(user=author, decision=decision, text="please look again")
    with pytest.raises(ServiceError):
        appeals.file_appeal(user=author, decision=decision, text="again")


def test_appeal_after_deadline_refused(reviewer, held_zh):
    author, _note, item = held_zh
    decision = decisions.decide(
        user=reviewer(languages=["zh"]), item_id=item.pk, action="reject", reason_code="harassment"
    )
    decision.appeal_deadline = timezone.now() - timedelta(days=1)
    decision.save()
    with pytest.raises(ServiceError):
        appeals.file_appeal(user=author, decision=decision, text="late")


def test_escalated_items_need_a_senior(reviewer, held_zh):
    item = held_zh[2]
    junior, senior = reviewer(languages=["zh"]), reviewer(languages=["en"], senior=True)
    decisions.escalate(user=junior, item_id=item.pk, note="not sure")
    assert item not in list(selectors.queue_for(junior))
    with pytest.raises(Forbidden):
        decisions.decide(user=junior, item_id=item.pk, action="approve", reason_code="other")
    decisions.decide(user=senior, item_id=item.pk, action="reject", reason_code="harassment")


def test_withhold_decision_limits_to_countries(reviewer, make_user, post):
    note = post(make_user(), "Down with the king, abolish the monarchy")
    item = ReviewItem.objects.get(target_id=note.pk)
    th = reviewer(languages=["en"], regions=["TH"])
    decisions.decide(user=th, item_id=item.pk, action="withhold", reason_code="state_protection", countries=["TH"])
    assert selectors.withheld_countries(note.pk) == ["TH"]
    row = note.withholdings.get()
    assert not row.provisional
    with pytest.raises(ServiceError):
        decisions.decide(user=th, item_id=item.pk, action="withhold", reason_code="state_protection", countries=[])


def test_bulk_reject_for_a_spam_wave_skips_what_it_may_not_decide(reviewer, make_user):
    en = reviewer(languages=["en"])
    spammers = [make_user() for _ in range(3)]
    items = [
        ReviewItem.objects.create(target_type="profile", target_id=u.pk, author=u, language="en", category="spam")
        for u in spammers
    ]
    own = ReviewItem.objects.create(target_type="profile", target_id=en.pk, author=en, language="en", category="spam")
    result = decisions.bulk_decide(
        user=en, item_ids=[i.pk for i in items] + [own.pk], action="reject", reason_code="spam"
    )
    assert len(result["decided"]) == 3
    assert result["skipped"][0]["id"] == str(own.pk)
    with pytest.raises(ServiceError):
        decisions.bulk_decide(user=en, item_ids=list(range(1, 300)), action="reject", reason_code="spam")


@pytest.mark.parametrize("action, reason", [("delete_everything", "spam"), ("reject", "no_such_code")])
def test_unknown_actions_and_reasons_refused(reviewer, held_zh, action, reason):
    with pytest.raises(ServiceError):
        decisions.decide(user=reviewer(languages=["zh"]), item_id=held_zh[2].pk, action=action, reason_code=reason)


def test_only_admins_manage_reviewer_roles(make_user, admin_user):
    target = make_user()
    with pytest.raises(Forbidden):
        reviewers.set_reviewer(actor=make_user(), user=target, languages=["en"])
    r = reviewers.set_reviewer(actor=admin_user, user=target, languages=["th", "x" * 40], regions=["th", "bad"])
    assert r.languages == ["th"] and r.regions == ["TH"]
