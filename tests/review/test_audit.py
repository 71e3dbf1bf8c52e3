from __future__ import annotations

import pytest

from review import appeals, decisions, selectors
from review.models import AuditEvent, ReviewItem


def test_screening_and_human_actions_are_audited(make_user, reviewer, post):
    note = post(make_user(), "你真是个傻逼")
    item = ReviewItem.objects.get(target_id=note.pk)
    zh = reviewer(languages=["zh"])
    decisions.claim(user=zh, item_id=item.pk)
    decisions.decide(user=zh, item_id=item.pk, action="reject", reason_code="harassment", note="insult")
    actions = list(AuditEvent.objects.filter(target_id=note.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["screened", "claim", "decide"]
    decided = AuditEvent.objects.get(target_id=note.pk, action="decide")
    assert decided.actor_id == zh.pk and decided.before["state"] == "held" and decided.after["state"] == "rejected"
    assert list(selectors.search_audit(q="harassment", action="decide")) == [decided]


def test_audit_log_is_append_only(db):
    event = AuditEvent.objects.create(action="screened")
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_transparency_report_counts(make_user, reviewer, post):
    note = post(make_user(), "你真是个傻逼")
    item = ReviewItem.objects.get(target_id=note.pk)
    author = item.author
    decision = decisions.decide(
        user=reviewer(languages=["zh"]), item_id=item.pk, action="reject", reason_code="harassment"
    )
    appeals.file_appeal(user=author, decision=decision, text="please")
    post(make_user(), "Double your bitcoin, guaranteed returns now")
    report = selectors.transparency_report()
    assert report["by_reason"]["harassment"] == 1
    assert report["by_reason"]["scam"] == 1
    assert report["automated_decisions"] == 1
    assert report["by_language"]["zh-Hans"] == 1
    assert report["appeals"] == {"open": 1}
    assert report["median_seconds_to_decision"] is not None
