"""Notes and comments through the real notes services: pending -> screened on commit -> published,
held (author told) or rejected (statement of reasons)."""

from __future__ import annotations

from notes.models import Comment, Note
from notifications.models import Notification
from review.models import Decision, ItemStatus, ReviewItem, ScreeningResult


def test_benign_note_is_published_after_screening(make_user, post):
    note = post(make_user(), "Lovely dumplings at the night market today")
    assert note.state == "published"
    result = ScreeningResult.objects.get(target_id=note.pk)
    assert result.outcome == "publish"


def test_note_is_pending_until_the_commit(make_user, db):
    from notes.services import create_note

    note = create_note(author=make_user(), title="", body="Lovely dumplings")
    # Without the commit (the test's transaction is still open) the screening task has not run.
    assert Note.objects.get(pk=note.pk).state == "pending"


def test_harmful_note_is_held_queued_by_language_and_author_told(make_user, post):
    author = make_user()
    note = post(author, "你真是个傻逼，滚开")
    assert note.state == "held"
    item = ReviewItem.objects.get(target_id=note.pk)
    assert item.language == "zh-Hans" and item.status == ItemStatus.OPEN and item.category == "harassment"
    notice = Notification.objects.get(recipient=author, kind="under_review")
    assert notice.target_id == note.pk


def test_clear_scam_is_rejected_with_a_statement_of_reasons(make_user, post):
    author = make_user()
    note = post(author, "Double your bitcoin, guaranteed returns: https://free-crypto-gift.test")
    assert note.state == "rejected"
    decision = Decision.objects.get(target_id=note.pk)
    assert decision.automated_decision and decision.reason_code == "scam"
    statement = decision.statement
    assert statement["restriction"] == "not published"
    assert statement["ground"]["eu_database_category"] == "scams_and_fraud"
    assert statement["redress"]["appeal_deadline"]
    assert Notification.objects.filter(recipient=author, kind="decision", decision_id=decision.pk).exists()


def test_edited_note_is_screened_again(make_user, post, on_commit):
    from notes.services import edit_note

    author = make_user()
    note = post(author, "Sunset over the river")
    assert note.state == "published"
    with on_commit():
        edit_note(author=author, note_id=note.pk, body="Sunset over the river. kill yourself, loser")
    assert Note.objects.get(pk=note.pk).state in ("held", "rejected")
    assert ScreeningResult.objects.filter(target_id=note.pk).count() == 2


def test_screening_switched_off_publishes_at_once(make_user, settings, db):
    from notes.services import create_note

    settings.REVIEW_SCREENING = False
    note = create_note(author=make_user(), body="kill yourself")
    assert Note.objects.get(pk=note.pk).state == "published"
    assert not ScreeningResult.objects.exists()


def test_screening_task_is_idempotent(make_user, post):
    from review.intake import screen_note

    note = post(make_user(), "Lovely dumplings")
    assert screen_note(note_id=note.pk) is None  # no longer pending: left alone
    assert ScreeningResult.objects.filter(target_id=note.pk).count() == 1


def test_harmful_comment_is_hidden_and_queued(make_user, post, on_commit):
    from notes.services import create_comment

    author, commenter = make_user(), make_user()
    note = post(author, "My sourdough starter is alive")
    with on_commit():
        good = create_comment(author=commenter, note_id=note.pk, body="Looks great, share the recipe?")
        bad = create_comment(author=commenter, note_id=note.pk, body="you are a worthless idiot, go die")
    assert Comment.objects.get(pk=good.pk).state == "published"
    assert Comment.objects.get(pk=bad.pk).state in ("held", "rejected")


def test_regionally_flagged_note_is_published_and_withheld_provisionally(make_user, post):
    from review.models import Withholding

    note = post(make_user(), "Down with the king, abolish the monarchy")
    assert note.state == "published"
    row = Withholding.objects.get(note=note)
    assert row.country == "TH" and row.provisional
    item = ReviewItem.objects.get(target_id=note.pk)
    assert item.region == "TH"


def test_comment_is_screened_once(make_user, post, on_commit):
    from notes.services import create_comment
    from review.intake import screen_comment

    note = post(make_user(), "My sourdough starter is alive")
    with on_commit():
        comment = create_comment(author=make_user(), note_id=note.pk, body="Lovely crumb!")
    assert screen_comment(comment_id=comment.pk) is None
    assert ScreeningResult.objects.filter(target_type="comment", target_id=comment.pk).count() == 1


def test_risky_bio_is_queued_for_a_human(make_user):
    from accounts.services import update_profile
    from review.intake import screen_profile

    user = update_profile(user=make_user(), bio="Double your bitcoin, guaranteed returns, dm me to invest")
    result = screen_profile(user_id=user.pk)
    assert result is not None and result.outcome != "publish"
    assert ReviewItem.objects.filter(target_type="profile", target_id=user.pk).exists()
    baker = update_profile(user=make_user(), bio="Baker in Lyon")
    clean = screen_profile(user_id=baker.pk)
    assert clean is not None and clean.outcome == "publish"


def test_photo_reused_across_accounts_is_a_spam_signal(make_user, db, photo_bytes):
    from notes.models import Photo
    from review.screening import ScreenInput, screen

    phash = "f0e1d2c3b4a59687"
    owners = [make_user() for _ in range(3)]
    for owner in owners[:2]:
        Photo.objects.create(owner=owner, original="photos/o/x.jpg", phash=phash)
    verdict = screen(ScreenInput(text="", target_id=1, author_id=owners[2].pk, photo_hashes=[phash]), use_llm=False)
    assert verdict.outcome == "hold" and "spam" in verdict.labels


def test_profile_edit_is_screened_on_commit(make_user, on_commit):
    from accounts.services import update_profile

    user = make_user()
    with on_commit():
        update_profile(user=user, bio="约炮 一夜情 加微信 abc12345")
    assert ReviewItem.objects.filter(target_type="profile", target_id=user.pk).exists()


def test_a_shared_photo_pool_is_not_a_spam_wave_only_when_the_loader_says_so(make_user):
    from notes.services import create_note, upload_photo
    from review.intake import inline_screening
    from tests.conftest import image_bytes

    photo = image_bytes(size=(320, 240), color=(10, 140, 90))

    def post_from_four_accounts(prefix: str) -> list[str]:
        states = []
        for i in range(4):
            author = make_user(f"{prefix}{i}")
            pid = upload_photo(owner=author, file=photo).pk
            states.append(create_note(author=author, title=f"Walk {i}", body=f"Park day {i}", photo_ids=[pid]).state)
        return states

    with inline_screening(photos_from_a_shared_pool=True):
        assert post_from_four_accounts("pool") == ["published"] * 4
    with inline_screening():
        assert post_from_four_accounts("wave")[-1] != "published"
