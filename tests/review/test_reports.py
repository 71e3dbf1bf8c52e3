from __future__ import annotations

import pytest

from core.errors import NotFound, ServiceError
from notifications.models import Notification
from review import decisions, reports
from review.models import Report, ReviewItem


def test_many_reports_on_one_item_merge_into_one_review(make_user, post):
    note = post(make_user(), "Tasty noodles")
    for _ in range(3):
        reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="spam")
    item = ReviewItem.objects.get(target_id=note.pk, source="report")
    assert item.report_count == 3
    assert Report.objects.filter(item=item).count() == 3


def test_reporter_gets_receipt_and_outcome(make_user, reviewer, post):
    note = post(make_user(), "Tasty noodles")
    reporter = make_user()
    reports.file_report(
        reporter=reporter,
        target_type="note",
        target_id=note.pk,
        category="harassment",
        explanation="rude",
        good_faith=True,
    )
    assert Notification.objects.filter(recipient=reporter, kind="report_received").exists()
    item = ReviewItem.objects.get(target_id=note.pk)
    decisions.decide(user=reviewer(languages=["en"]), item_id=item.pk, action="approve", reason_code="other")
    outcome = Notification.objects.get(recipient=reporter, kind="report_outcome")
    assert "does not break" in outcome.text
    assert Report.objects.get(reporter=reporter).outcome_sent_at is not None


def test_severity_rises_with_worse_reports(make_user, post):
    note = post(make_user(), "Tasty noodles")
    reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="spam")
    reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="violence")
    item = ReviewItem.objects.get(target_id=note.pk)
    assert item.severity == 3 and item.category == "violence"


def test_illegal_needs_a_country_and_routes_to_its_region(make_user, post):
    note = post(make_user(), "Tasty noodles")
    with pytest.raises(ServiceError):
        reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="illegal")
    reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="illegal", country="th")
    assert ReviewItem.objects.get(target_id=note.pk).region == "TH"


def test_translation_wrong_is_a_category(make_user, post):
    note = post(make_user(), "Tasty noodles")
    report = reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="translation")
    assert report.item.category == "translation"


@pytest.mark.parametrize("category", ["", "nonsense", "<script>"])
def test_unknown_category_refused(make_user, post, category):
    note = post(make_user(), "Tasty noodles")
    with pytest.raises(ServiceError):
        reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category=category)


def test_reporting_twice_or_the_invisible_is_refused(make_user, post):
    note = post(make_user(), "Tasty noodles")
    reporter = make_user()
    reports.file_report(reporter=reporter, target_type="note", target_id=note.pk, category="spam")
    with pytest.raises(ServiceError):
        reports.file_report(reporter=reporter, target_type="note", target_id=note.pk, category="spam")
    held = post(make_user(), "kill yourself loser")
    with pytest.raises(NotFound):
        reports.file_report(reporter=make_user(), target_type="note", target_id=held.pk, category="spam")
    with pytest.raises(NotFound):
        reports.file_report(reporter=make_user(), target_type="note", target_id=12345, category="spam")
    with pytest.raises(ServiceError):
        reports.file_report(reporter=make_user(), target_type="planet", target_id=note.pk, category="spam")


def test_hostile_explanation_is_cleaned_and_capped(make_user, post):
    note = post(make_user(), "Tasty noodles")
    report = reports.file_report(
        reporter=make_user(),
        target_type="note",
        target_id=note.pk,
        category="spam",
        explanation="\u202e\x00" + "x" * 5000,
    )
    assert len(report.explanation) == 2000 and "\x00" not in report.explanation


def test_a_followers_only_note_or_its_comment_cannot_be_reported_by_a_stranger(make_user, post, on_commit):
    from accounts.services import follow
    from notes.services import create_comment

    author = make_user()
    private = post(author, "Our family dinner", visibility="followers")
    follower = make_user()
    follow(follower=follower, followee=author)
    with on_commit():
        comment = create_comment(author=follower, note_id=private.pk, body="Looks lovely")
    stranger = make_user()
    # A stranger learns nothing: the same answer as for a note that does not exist.
    with pytest.raises(NotFound):
        reports.file_report(reporter=stranger, target_type="note", target_id=private.pk, category="spam")
    with pytest.raises(NotFound):
        reports.file_report(reporter=stranger, target_type="comment", target_id=comment.pk, category="spam")
    assert not Report.objects.exists()
    # A follower sees both and may report them.
    reports.file_report(reporter=follower, target_type="note", target_id=private.pk, category="spam")
    reports.file_report(reporter=make_user(), target_type="profile", target_id=author.pk, category="spam")
    assert Report.objects.count() == 2
