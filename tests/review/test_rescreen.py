"""A policy-pack edit rescreens recent content in the background: newly banned phrases take effect,
regional withholding is re-evaluated, and nothing a person decided is undone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from notes import selectors as note_selectors
from notes.models import Comment, Note, NoteState
from review import decisions, pack_edits, reports, rescreen
from review.models import AuditEvent, ItemStatus, ReviewItem, ScreeningResult, Withholding
from review.packs import shipped_source

BANNED = "pineapple pizza forever"
TH_PHRASE = "durian festival protest"


def global_with(rule: str) -> str:
    return shipped_source("global").rstrip("\n") + "\n" + rule


def banned_rule(score: float = 0.6, category: str = "spam") -> str:
    return f'  - id: test.banned\n    category: {category}\n    score: {score}\n    phrases: ["{BANNED}"]\n'


def th_with_phrase() -> str:
    return shipped_source("TH").replace('"down with the king"', f'"down with the king", "{TH_PHRASE}"')


def state(obj):
    return type(obj).objects.values_list("state", flat=True).get(pk=obj.pk)


@pytest.fixture
def edit_pack(admin_user, on_commit):
    """Edit a pack the way an admin does (native API service) and run what the commit triggers."""

    def edit(code: str, source: str) -> None:
        with on_commit():
            pack_edits.update_pack(actor=admin_user, code=code, source=source)

    return edit


def test_a_newly_banned_phrase_holds_recent_notes_and_comments(make_user, post, edit_pack, on_commit):
    from notes.services import create_comment

    author, reader = make_user(), make_user()
    note = post(author, f"Hot take: {BANNED} and nothing else")
    clean = post(author, "Sunday market peaches")
    with on_commit():
        comment = create_comment(author=reader, note_id=clean.pk, body=f"Agreed, {BANNED}")
    assert state(note) == NoteState.PUBLISHED and state(comment) == NoteState.PUBLISHED

    edit_pack("global", global_with(banned_rule()))

    assert state(note) == NoteState.HELD
    assert state(comment) == NoteState.HELD
    assert state(clean) == NoteState.PUBLISHED
    item = ReviewItem.objects.get(target_type="note", target_id=note.pk, status=ItemStatus.OPEN)
    assert item.screening is not None and item.screening.stages["rescreen"] == {"pack": "global"}
    assert ReviewItem.objects.filter(target_type="comment", target_id=comment.pk, status=ItemStatus.OPEN).exists()
    events = AuditEvent.objects.filter(action="rescreen")
    assert {e.target_id for e in events} == {note.pk, comment.pk}
    summary = AuditEvent.objects.get(action="rescreen_run")
    assert summary.reason_code == "global"
    assert summary.detail["counts"]["held"] == 2
    assert AuditEvent.objects.filter(action="rescreen_scheduled").exists()


def test_a_ban_strong_enough_rejects_with_a_statement(make_user, post, edit_pack):
    note = post(make_user(), f"{BANNED} is the only truth")
    edit_pack("global", global_with(banned_rule(score=0.95, category="harassment")))
    assert state(note) == NoteState.REJECTED
    from review.models import Decision

    decision = Decision.objects.get(target_type="note", target_id=note.pk)
    assert decision.automated_decision and decision.statement


def test_content_outside_the_window_is_left_alone(make_user, post, edit_pack, settings):
    settings.REVIEW_RESCREEN_DAYS = 7
    old = post(make_user(), f"Old post: {BANNED}", created_at=timezone.now() - timedelta(days=30))
    assert state(old) == NoteState.PUBLISHED
    edit_pack("global", global_with(banned_rule()))
    assert state(old) == NoteState.PUBLISHED
    # The command reaches further back when asked.
    call_command("rescreen", "--since", "40", stdout=_Sink())
    assert state(old) == NoteState.HELD


def test_rescreen_never_publishes_what_is_held_or_rejected(make_user, post, reviewer, edit_pack):
    author = make_user()
    held = post(author, "you are such an idiot loser")
    assert state(held) == NoteState.HELD
    rejected = post(author, f"{BANNED} and more")
    person = reviewer()
    # A reviewer takes the second one down by hand after a report.
    reports.file_report(reporter=make_user(), target_type="note", target_id=rejected.pk, category="spam")
    item = ReviewItem.objects.get(target_type="note", target_id=rejected.pk, source="report")
    decisions.decide(user=person, item_id=item.pk, action="reject", reason_code="spam")
    open_items = ReviewItem.objects.exclude(status=ItemStatus.RESOLVED).count()

    # A pack edit that loosens everything: nothing comes back into view.
    loose = shipped_source("global").replace("hold: 0.5 ", "hold: 0.8 ").replace("reject: 0.9 ", "reject: 0.99 ")
    assert loose != shipped_source("global")
    edit_pack("global", loose)
    assert state(held) == NoteState.HELD
    assert state(rejected) == NoteState.REJECTED
    assert ReviewItem.objects.exclude(status=ItemStatus.RESOLVED).count() == open_items


def test_what_a_person_approved_is_not_requeued_for_the_same_text(make_user, post, reviewer, edit_pack, on_commit):
    from notes.services import edit_note

    author = make_user()
    note = post(author, f"Honest review: {BANNED}")
    reports.file_report(reporter=make_user(), target_type="note", target_id=note.pk, category="spam")
    item = ReviewItem.objects.get(target_type="note", target_id=note.pk, source="report")
    decisions.decide(user=reviewer(), item_id=item.pk, action="approve", reason_code="spam")

    edit_pack("global", global_with(banned_rule()))
    assert state(note) == NoteState.PUBLISHED
    assert not ReviewItem.objects.filter(target_type="note", target_id=note.pk).exclude(status="resolved").exists()
    kept = AuditEvent.objects.get(action="rescreen", target_id=note.pk)
    assert kept.detail["kept"]
    assert AuditEvent.objects.get(action="rescreen_run").detail["counts"] == {"kept_approved": 1}

    # A new text is a new version: the approval does not cover it.
    with on_commit():
        edit_note(author=author, note_id=note.pk, body=f"Edited, still saying {BANNED}")
    assert state(note) == NoteState.HELD  # the edit's own screening uses the new pack
    assert not rescreen.kept_up_by_a_person("note", note.pk)


def test_a_regional_pack_edit_withholds_there_and_lifts_when_undone(make_user, post, edit_pack, on_commit):
    from notes.services import create_comment

    author, reader = make_user(), make_user()
    note = post(author, f"Photos from the {TH_PHRASE} this morning")
    with on_commit():
        create_comment(author=reader, note_id=note.pk, body=f"I was at the {TH_PHRASE} too")
    assert note_selectors.get_visible_note(viewer=reader, note_id=note.pk, country="TH") is not None

    edit_pack("TH", th_with_phrase())
    row = Withholding.objects.get(note=note)
    assert (row.country, row.provisional) == ("TH", True)
    assert state(note) == NoteState.PUBLISHED
    assert note_selectors.get_visible_note(viewer=reader, note_id=note.pk, country="TH") is None
    assert note_selectors.get_visible_note(viewer=reader, note_id=note.pk, country="GB") is not None
    assert ReviewItem.objects.filter(target_id=note.pk, region="TH", status=ItemStatus.OPEN).exists()
    # Comments are not withheld by country: a regional edit does not rescreen them.
    assert AuditEvent.objects.get(action="rescreen_run").detail["counts"] == {"withheld": 1}

    edit_pack("TH", shipped_source("TH"))
    assert not Withholding.objects.filter(note=note).exists()
    lift = AuditEvent.objects.get(action="withhold_lift", target_id=note.pk)
    assert lift.countries == ["TH"] and lift.detail["rescreen"] == {"pack": "TH"}
    assert note_selectors.get_visible_note(viewer=reader, note_id=note.pk, country="TH") is not None


def test_a_withholding_a_reviewer_confirmed_is_never_lifted(make_user, post, reviewer, edit_pack):
    note = post(make_user(), f"More from the {TH_PHRASE}")
    edit_pack("TH", th_with_phrase())
    item = ReviewItem.objects.get(target_id=note.pk, region="TH", status=ItemStatus.OPEN)
    decisions.decide(
        user=reviewer(regions=["TH"]),
        item_id=item.pk,
        action="withhold",
        reason_code="state_protection",
        countries=["TH"],
    )
    assert Withholding.objects.get(note=note).provisional is False
    edit_pack("TH", shipped_source("TH"))
    assert Withholding.objects.filter(note=note, country="TH").exists()


def test_a_regional_edit_leaves_the_global_outcome_alone(make_user, post, edit_pack, admin_user, on_commit):
    note = post(make_user(), f"Again: {BANNED}")
    # The global ban exists in the database but the version bump is lost (another process's view):
    # a TH edit must not hold notes for global reasons.
    from review.models import PolicyPackOverride

    PolicyPackOverride.objects.create(code="global", source=global_with(banned_rule()), updated_by=admin_user)
    edit_pack("TH", th_with_phrase())
    assert state(note) == NoteState.PUBLISHED
    counts = AuditEvent.objects.get(action="rescreen_run").detail["counts"]
    assert "held" not in counts


def test_batches_chain_through_the_whole_window(make_user, post, edit_pack, settings, on_commit):
    from notes.services import create_comment

    settings.REVIEW_RESCREEN_BATCH = 2
    author = make_user()
    notes = [post(author, f"{BANNED} number {i} with distinct words {'x' * i}") for i in range(5)]
    with on_commit():
        create_comment(author=make_user(), note_id=post(author, "plain").pk, body=f"{BANNED} in a comment")
    edit_pack("global", global_with(banned_rule()))
    assert all(state(n) == NoteState.HELD for n in notes)
    assert Comment.objects.get().state == NoteState.HELD
    assert AuditEvent.objects.get(action="rescreen_run").detail["counts"] == {"held": 6, "unchanged": 1}


def test_rescreen_twice_changes_nothing_more(make_user, post, admin_user):
    note = post(make_user(), f"Twice: {BANNED}")
    pack_edits.update_pack(actor=admin_user, code="global", source=global_with(banned_rule()))
    pack_edits.packs_changed()
    first = rescreen.run(pack="global", days=1)
    second = rescreen.run(pack="global", days=1)
    assert first["held"] == 1 and "held" not in second
    assert ReviewItem.objects.filter(target_id=note.pk).count() == 1
    assert ScreeningResult.objects.filter(target_id=note.pk).count() == 2  # first screening + one rescreen


def test_pending_notes_get_their_first_screening(make_user, admin_user, django_capture_on_commit_callbacks):
    from notes.services import create_note

    # Posted while the worker is down: still pending when the pack changes.
    note = create_note(author=make_user(), title="", body=f"Queued: {BANNED}")
    assert state(note) == NoteState.PENDING
    pack_edits.update_pack(actor=admin_user, code="global", source=global_with(banned_rule()))
    pack_edits.packs_changed()
    assert rescreen.run(days=1)["screened"] == 1
    assert state(note) == NoteState.HELD


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_rescreen_command_reports_and_refuses_bad_input(make_user, post, admin_user):
    post(make_user(), f"Command: {BANNED}")
    pack_edits.update_pack(actor=admin_user, code="global", source=global_with(banned_rule()))
    pack_edits.packs_changed()
    out = _Sink()
    call_command("rescreen", "--since", "2", "--pack", "global", stdout=out)
    assert "held 1" in out.text
    with pytest.raises(CommandError, match="Unknown pack"):
        call_command("rescreen", "--pack", "XX", stdout=_Sink())
    with pytest.raises(CommandError, match="0 or more"):
        call_command("rescreen", "--since", "-3", stdout=_Sink())


def test_editing_a_pack_in_the_django_admin_rescreens(make_user, post, admin_user, on_commit):
    note = post(make_user(), f"Admin: {BANNED}")
    client = Client()
    client.force_login(admin_user)
    with on_commit():
        response = client.post(
            "/admin/review/policypackoverride/add/", {"code": "global", "source": global_with(banned_rule())}
        )
    assert response.status_code == 302, response.content[:500]
    assert state(note) == NoteState.HELD
    assert AuditEvent.objects.filter(action="rescreen_scheduled", actor=admin_user).exists()

    # Deleting the override brings the shipped pack back; the held note stays held (never published).
    from review.models import PolicyPackOverride

    pk = PolicyPackOverride.objects.get(code="global").pk
    with on_commit():
        response = client.post(f"/admin/review/policypackoverride/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PolicyPackOverride.objects.exists()
    assert state(note) == NoteState.HELD
    assert AuditEvent.objects.filter(action="rescreen_scheduled").count() == 2


def test_a_bad_edit_in_the_admin_is_refused_and_rescreens_nothing(make_user, admin_user, on_commit):
    client = Client()
    client.force_login(admin_user)
    with on_commit():
        response = client.post("/admin/review/policypackoverride/add/", {"code": "TH", "source": "code: TH\nrules: 3"})
    assert response.status_code == 200
    assert b"rules" in response.content
    assert not AuditEvent.objects.filter(action__startswith="rescreen").exists()


def test_the_native_api_says_a_rescreen_follows(admin_user, on_commit):
    import json

    client = Client()
    client.force_login(admin_user)
    with on_commit():
        response = client.put(
            "/api/nb/v1/review/packs/TH", json.dumps({"source": th_with_phrase()}), content_type="application/json"
        )
    assert response.status_code == 200
    assert response.json()["rescreen_days"] == 14
    assert AuditEvent.objects.filter(action="rescreen_run", reason_code="TH").exists()


def test_unknown_pack_or_kind_is_refused(db):
    with pytest.raises(ValueError):
        rescreen.kinds_for("XX")
    with pytest.raises(ValueError):
        rescreen.rescreen_batch(kind="photo", pack=None, since_id=0, until_id=1)
    with pytest.raises(ValueError):
        rescreen.window(-1)


def test_held_note_unknown_to_rescreen_is_skipped(db):
    assert rescreen.rescreen_note(note_id=123) == "skipped"
    assert rescreen.rescreen_comment(comment_id=123) == "skipped"
    assert Note.objects.count() == 0
