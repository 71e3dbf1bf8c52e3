"""The same payload from several new accounts (trust/payloads.py, the ``payload_shared`` rule), and
trust's risk running before review's screening of the same post (core.events priority=EARLY)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import update_profile
from core import events
from notes.events import CommentCreated, NoteSubmitted
from notes.models import Comment, NoteState
from notes.services import create_comment, create_note
from review import intake
from review.models import ReviewItem, ScreeningResult
from tests.review.fixtures import old_user
from trust import payloads, posts, risk
from trust import signup as trust_signup
from trust.models import AccountRisk, PayloadSighting

RULES = {"payload_shared": ("payload", 24, 4, 0.8)}

# One WeChat id in the changing words of a wave (and its disguises: full-width, spaced, a Chinese alias).
WAVE = [
    "好看！想要同款的加微信 meimei_2288 有优惠",
    "姐妹们这个链接买的，V信：meimei_2288",
    "同款找我 ｖｘ：ｍｅｉｍｅｉ＿２２８８",
    "wechat m e i m e i _ 2 2 8 8 包邮",
    "私我 薇信 meimei.2288",
]
COMMON = ["好看！", "Love this!", "求链接", "太美了吧", "Where is this?", "好看！"]


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.TRUST_RISK = {"rules": RULES, "hold_score": 0.8, "review_score": 0.5}


def newcomer(username: str, ip: str, capture) -> User:
    with capture(execute=True):
        user, _signup = trust_signup.register(username=username, password="a long passphrase 9", ip=ip)
    return user


@pytest.fixture
def note(make_user, make_note):
    return make_note(old_user(make_user), title="Autumn coat", body="Beige trench and white sneakers", photos=0)


def comment(author: User, note_id: int, body: str, capture) -> Comment:
    with capture(execute=True):
        made = create_comment(author=author, note_id=note_id, body=body)
    return Comment.objects.get(pk=made.pk)


def test_a_wave_of_newcomers_pushing_one_contact_id_raises_their_risk_with_the_evidence(
    db, note, reviewer, django_capture_on_commit_callbacks
):
    reviewer()
    capture = django_capture_on_commit_callbacks
    # Different networks: no subnet or device rule could tie them; only what they push does.
    bots = [newcomer(f"wave_{i}", f"{20 + i}.1.2.3", capture) for i in range(len(WAVE))]
    posted = [comment(bot, note.pk, text, capture) for bot, text in zip(bots, WAVE, strict=True)]
    fourth = AccountRisk.objects.get(user=bots[3])
    assert fourth.score == 0.8
    # (reassessed again when the fifth joined the wave)
    assert fourth.reasons == ["payload_shared 5 >= 4: id:meimei2288 also from @wave_0, @wave_1, @wave_2, @wave_4"]
    # The post that completed the wave is held at once (trust ran before review's screening of it).
    assert posted[3].state == NoteState.HELD and posted[4].state == NoteState.HELD
    # The earlier members are reassessed in the background: their next post is held too.
    assert AccountRisk.objects.get(user=bots[0]).score == 0.8
    later = comment(bots[0], note.pk, "hello again", capture)
    assert later.state == NoteState.HELD
    # Never a ban: the accounts stay active; a person decides.
    assert User.objects.filter(pk__in=[b.pk for b in bots], is_active=True).count() == len(bots)


def test_a_wave_with_its_contact_in_bios_and_display_names_is_caught_and_plain_bios_are_not(
    db, note, django_capture_on_commit_callbacks
):
    """The wave puts its WeChat id in the profile and posts only innocent comments that lead there."""
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"bio_{i}", f"{120 + i}.1.2.3", capture) for i in range(4)]
    profiles = [
        {"bio": "穿搭分享 | 同款加V：meimei_2288"},
        {"display_name": "美美 vx meimei2288"},
        {"bio": "wechat: m e i m e i _ 2 2 8 8"},
        {"bio": "私我 薇信 meimei.2288 ✨"},
    ]
    for bot, change in zip(bots, profiles, strict=True):
        with capture(execute=True):
            update_profile(user=bot, **change)
    assert AccountRisk.objects.get(user=bots[3]).score == 0.8
    assert "payload_shared 4 >= 4: id:meimei2288" in AccountRisk.objects.get(user=bots[3]).reasons[0]
    assert comment(bots[3], note.pk, "好看！", capture).state == NoteState.HELD  # held for a person, not banned
    # Ordinary bios from as many newcomers carry no payload and change nothing.
    people = [newcomer(f"plain_{i}", f"{140 + i}.1.2.3", capture) for i in range(5)]
    for person in people:
        with capture(execute=True):
            update_profile(user=person, bio="Coffee, film cameras and long walks. 喜欢咖啡和胶片", display_name="Mei")
    assert not PayloadSighting.objects.filter(user__in=people).exists()
    assert not AccountRisk.objects.filter(user__in=people).exists()


def test_below_the_threshold_and_one_account_repeating_itself_do_not_fire(db, note, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"few_{i}", f"{40 + i}.1.2.3", capture) for i in range(3)]
    for bot, text in zip(bots, WAVE, strict=False):
        comment(bot, note.pk, text, capture)
    for text in WAVE:  # the same account pushing it five more times is still one account (review's own
        comment(bots[0], note.pk, text, capture)  # duplicate stage may hold these; trust counts accounts)
    assert not AccountRisk.objects.filter(user__in=bots).exists()
    assert risk.assess(bots[0]) == (0.0, [], [])


def test_a_common_phrase_from_many_newcomers_never_fires(db, note, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    people = [newcomer(f"fan_{i}", f"{60 + i}.1.2.3", capture) for i in range(8)]
    for i, person in enumerate(people):
        assert comment(person, note.pk, COMMON[i % len(COMMON)], capture).state == NoteState.PUBLISHED
    assert not PayloadSighting.objects.exists()  # no payload, nothing kept
    assert not AccountRisk.objects.filter(user__in=people).exists()


def test_established_and_operator_made_accounts_are_not_counted(
    db, note, make_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # Accounts made by the operator's tools (no sign-up record) and old accounts pushing the payload...
    others = [make_user() for _ in range(3)] + [old_user(make_user) for _ in range(3)]
    for person in others:
        comment(person, note.pk, WAVE[0], capture)
    assert not PayloadSighting.objects.exists()
    # ...do not make one newcomer's post part of a wave.
    fresh = newcomer("fresh_one", "80.1.2.3", capture)
    comment(fresh, note.pk, WAVE[1], capture)  # (review's duplicate stage counts young accounts its own way)
    assert PayloadSighting.objects.filter(user=fresh).count() == 1
    assert not AccountRisk.objects.filter(user=fresh).exists()


def test_sightings_outside_the_window_do_not_count(db, note, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"slow_{i}", f"{90 + i}.1.2.3", capture) for i in range(4)]
    for bot, text in zip(bots[:3], WAVE, strict=False):
        comment(bot, note.pk, text, capture)
    PayloadSighting.objects.update(created_at=timezone.now() - timedelta(hours=25))
    comment(bots[3], note.pk, WAVE[3], capture)
    assert not AccountRisk.objects.filter(user=bots[3]).exists()
    assert payloads.purge(older_than_hours=24) == 3


def test_hostile_text_is_read_quickly_and_keeps_at_most_a_few_payloads(db, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bot = newcomer("hostile", "100.1.2.3", capture)
    texts = [
        "a." * 10_000,  # a pattern that backtracks for minutes in a naive link matcher
        "\x00\u202e\u200b" * 3000 + "wx: abc_123",
        " ".join(f"site{i}.top" for i in range(500)),  # hundreds of links in one text
        "@" * 5000 + "1" * 5000,
        "🌸" * 8000,
        "",
    ]
    for text in texts:
        started = time.perf_counter()
        keys = payloads.record(user_id=bot.pk, text=text)
        assert time.perf_counter() - started < 2, text[:30]
        assert len(keys) <= payloads.MAX_KEYS_PER_TEXT
    assert PayloadSighting.objects.filter(user=bot).count() <= payloads.MAX_KEYS_PER_TEXT * len(texts)
    assert all(len(k) <= 200 for k in PayloadSighting.objects.values_list("key", flat=True))


# --- subscriber order (core.events priority) ---------------------------------------------------


def test_trusts_risk_subscribers_run_before_reviews_screening():
    for event_type in (NoteSubmitted, CommentCreated):
        names = [s.name for s in events.subscribers(event_type)]
        trust_at = next(i for i, n in enumerate(names) if n.startswith("trust."))
        review_at = next(i for i, n in enumerate(names) if n.startswith("review."))
        assert trust_at < review_at, names


def test_a_note_screened_inline_is_held_by_the_risk_that_note_makes(
    db, make_note, settings, django_capture_on_commit_callbacks
):
    """Bulk loads screen notes in the caller's transaction; the note that completes a wave is held."""
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"bulk_{i}", f"{120 + i}.1.2.3", capture) for i in range(4)]
    # Eight days old: newcomers to trust (young_days 10 here), no longer new to review's duplicate stage
    # (7 days), so only trust's risk can hold these notes.
    settings.TRUST_RISK = {**settings.TRUST_RISK, "young_days": 10}
    User.objects.filter(pk__in=[b.pk for b in bots]).update(date_joined=timezone.now() - timedelta(days=8))
    with intake.inline_screening():
        made = [make_note(bot, title="Sale", body=text, photos=0) for bot, text in zip(bots, WAVE, strict=False)]
    made[3].refresh_from_db()
    assert made[3].state == NoteState.HELD
    # Held for the risk this very note made (with review's subscriber first, the risk was still 0).
    result = ScreeningResult.objects.filter(target_type="note", target_id=made[3].pk).latest("id")
    assert any(r.startswith("account risk 0.8 >= 0.8: payload_shared 4 >= 4") for r in result.reasons), result.reasons


def test_priority_orders_subscribers_and_rejects_unknown_values():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Probe(events.Event):
        n: int

    seen: list[str] = []

    def late(event: Probe) -> None:
        seen.append("late")

    def early(event: Probe) -> None:
        seen.append("early")

    try:
        events.subscribe(Probe, late, when=events.IN_TRANSACTION)
        events.subscribe(Probe, early, when=events.IN_TRANSACTION, priority=events.EARLY)
        events.emit(Probe(n=1))
        assert seen == ["early", "late"]
        with pytest.raises(ValueError):
            events.subscribe(Probe, lambda e: None, priority=5)
    finally:
        events._subscribers.pop(Probe, None)


# --- the author's assessment runs with the screening, off the posting request ---------------------


def test_a_note_screened_in_the_worker_is_held_by_the_risk_that_note_makes(
    db, settings, django_capture_on_commit_callbacks
):
    """The request leaves the newcomer's assessment to the screening task, which does it first."""
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"worker_{i}", f"{140 + i}.1.2.3", capture) for i in range(4)]
    settings.TRUST_RISK = {**settings.TRUST_RISK, "young_days": 10}
    User.objects.filter(pk__in=[b.pk for b in bots]).update(date_joined=timezone.now() - timedelta(days=8))
    made = []
    for bot, text in zip(bots, WAVE, strict=False):
        with capture(execute=False) as worker_jobs:
            note = create_note(author=bot, title="Sale", body=text)
        # Nothing of trust's ran in the request: no payload kept, no risk yet.
        assert not PayloadSighting.objects.filter(user=bot).exists()
        assert note.state == NoteState.PENDING
        for job in worker_jobs:  # the commit: the screening task (immediate backend) assesses, then screens
            job()
        assert PayloadSighting.objects.filter(user=bot).exists()
        note.refresh_from_db()
        made.append(note)
    assert made[3].state == NoteState.HELD
    results = [ScreeningResult.objects.filter(target_type="note", target_id=n.pk).latest("id") for n in made]
    # The first three were screened with no account risk (review's own stages may hold a contact id)...
    assert not any(r.startswith("account risk") for result in results[:3] for r in result.reasons)
    # ...the fourth with the risk that very note made.
    assert any(r.startswith("account risk 0.8 >= 0.8: payload_shared 4 >= 4") for r in results[3].reasons)


def test_a_rescreen_does_not_assess_the_author_again(db, settings, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bot = newcomer("again_0", "160.1.2.3", capture)
    with capture(execute=True):
        note = create_note(author=bot, title="Sale", body=WAVE[0])
    assert PayloadSighting.objects.filter(user=bot).count() == 1
    intake.screen_note(note_id=note.pk)  # no longer pending: nothing happens, nothing is counted twice
    assert PayloadSighting.objects.filter(user=bot).count() == 1


def test_without_screening_the_assessment_is_queued_not_done_in_the_request(
    db, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_SCREENING = False
    capture = django_capture_on_commit_callbacks
    bots = [newcomer(f"unscreened_{i}", f"{170 + i}.1.2.3", capture) for i in range(4)]
    for bot, text in zip(bots, WAVE, strict=False):
        with capture(execute=False) as jobs:
            note = create_note(author=bot, title="Sale", body=text)
        assert note.state == NoteState.PUBLISHED  # published at once, as without screening always
        assert not PayloadSighting.objects.filter(user=bot).exists()
        for job in jobs:
            job()
        assert PayloadSighting.objects.filter(user=bot).exists()
    # Nothing is held without screening, but the wave is found and goes to review as before.
    assert AccountRisk.objects.get(user=bots[3]).score == 0.8
    assert ReviewItem.objects.filter(target_type="profile", target_id=bots[3].pk).exists()


def test_an_unknown_kind_of_post_is_refused():
    with pytest.raises(ValueError):
        posts.assess_poster("board", 1, 1)
