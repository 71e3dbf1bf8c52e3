"""Telling a spam wave from a common phrase: the duplicate stage counts payloads and soliciting text
over new accounts and their clusters, never the short phrases everybody writes; a recognised wave
takes its first (published) members down with it; the embedding stage and the new-account thresholds
leave ordinary comments alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from notes.models import Comment, NoteState
from review import decisions, waves
from review.models import AuditEvent, ReviewItem, ScreeningResult, TextFingerprint
from review.packs import get_packs
from review.screening import ScreenInput, screen
from review.stages import duplicates, embedding

_ids = iter(range(50_000, 60_000))


@pytest.fixture
def account(make_user):
    """An account of a given age and network country (as ``create_comment`` records it)."""

    def make(*, days: float = 0.0, hours: float = 0.0, country: str = ""):
        user = make_user()
        joined = timezone.now() - timedelta(days=days, hours=hours)
        User.objects.filter(pk=user.pk).update(date_joined=joined, last_ip_country=country)
        user.refresh_from_db()
        return user

    return make


def post(user, text, **kwargs):
    return screen(
        ScreenInput(text=text, target_id=next(_ids), author_id=user.pk, author_joined=user.date_joined),
        use_llm=False,
        **kwargs,
    )


def wave_signals(verdict):
    return [s for s in verdict.signals if s.stage == "duplicates"]


# --- common phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["图片好好看！", "Okay the photos are gorgeous.", "求链接", "Love this!"])
def test_a_common_phrase_from_many_new_accounts_of_one_cluster_is_never_a_wave(account, text):
    outcomes = [post(account(hours=i, country="US"), text) for i in range(12)]
    assert {v.outcome for v in outcomes} == {"publish"}
    assert not any(wave_signals(v) for v in outcomes)


def test_a_long_payload_free_text_is_held_only_for_a_cluster_and_never_rejected(account):
    text = (
        "Just arrived from the other app with my whole family, we love the cooking videos here and "
        "hope to learn some Chinese along the way"
    )
    scattered = [post(account(hours=30 * i), text) for i in range(5)]  # no known country: no cluster
    assert {v.outcome for v in scattered} == {"publish"}
    clustered = [post(account(hours=i, country="US"), text) for i in range(9)]
    assert clustered[0].outcome == "publish"
    assert {v.outcome for v in clustered[3:]} == {"hold"}  # five earlier new accounts + a cluster of 3
    assert "near-identical long text" in wave_signals(clustered[-1])[0].reason


# --- payload waves -----------------------------------------------------------------------------------


WECHAT_WAVE = [
    "想要同款加微信 lulu_5566",
    "姐妹们 vx：lulu_5566 有货",
    "同款私我，薇信 lulu_5566",
    "w e c h a t: lulu_5566 便宜出",
    "ＶＸ：ｌｕｌｕ＿５５６６ 包邮",
    "需要的滴滴 威信 lulu_5566",
    "微-信 l u l u _ 5 5 6 6 同款",
]


def test_the_same_payload_in_changing_words_is_held_then_rejected_for_a_cluster(account):
    verdicts = [post(account(hours=1, country="CN"), text) for text in WECHAT_WAVE]
    outcomes = [v.outcome for v in verdicts]
    # The contact marker alone makes a new account's post a scam.contact hit; count the wave signal.
    assert [bool(wave_signals(v)) for v in verdicts] == [False, False, True, True, True, True, True]
    (third,) = wave_signals(verdicts[2])
    assert third.score == duplicates.HOLD_SCORE and third.rule == "payload_wave"
    assert "id lulu5566" in third.reason and "3 new accounts" in third.reason
    assert outcomes[2] in ("hold", "reject") and outcomes[-1] == "reject"
    (last,) = wave_signals(verdicts[-1])
    assert last.score == duplicates.REJECT_SCORE and "from one country" in last.reason


def test_a_payload_wave_without_a_cluster_is_held_not_rejected(account):
    openers = ["my skin cleared with", "half price at", "got mine from", "try", "serum:", "ordered at", "see", "ok"]
    texts = [f"{opener} glowvault-shop.top" for opener in openers]  # the same link in changing words
    verdicts = [post(account(days=i * 0.5), text) for i, text in enumerate(texts)]  # no network country
    assert [v.outcome for v in verdicts[:2]] == ["publish", "publish"]
    assert {v.outcome for v in verdicts[2:]} == {"hold"}


def test_established_accounts_are_not_counted_and_are_not_part_of_a_wave(account):
    text = "Great tips at glowvault-shop.top"
    for _ in range(5):
        assert post(account(days=200, country="US"), text).outcome == "publish"
    assert not wave_signals(post(account(hours=1, country="US"), text))
    # A wave of new accounts does not hold an established member's post either.
    for i in range(4):
        post(account(hours=i, country="US"), text + f" #{i}")
    assert not wave_signals(post(account(days=300, country="US"), text))


def test_payloads_outside_the_window_do_not_count(account):
    text = "order at glowvault-shop.top"
    for i in range(4):
        post(account(hours=i), text)
    hours = get_packs().thresholds()["duplicate_window_hours"]
    TextFingerprint.objects.update(created_at=timezone.now() - timedelta(hours=hours + 1))
    assert not wave_signals(post(account(), text))


def test_thresholds_come_from_the_pack(account):
    thresholds = {**get_packs().thresholds(), "payload_accounts_hold": 2}
    from review.normalize import normalize

    first, second = account(), account()
    for user in (first, second):
        found = duplicates.run(
            normalize("加微信 lulu_5566"),
            target_type="comment",
            target_id=next(_ids),
            author_id=user.pk,
            thresholds=thresholds,
        )
    assert found and found[0].score == duplicates.HOLD_SCORE


def test_soliciting_text_still_counts_as_a_near_duplicate(account):
    text = "Amazing skincare deal this week only, message me for the secret discount code!!"
    verdicts = [post(account(), text) for _ in range(4)]
    assert verdicts[0].outcome == "publish" and verdicts[-1].outcome == "hold"
    assert "near-identical soliciting text" in wave_signals(verdicts[-1])[0].reason


def test_cluster_size_needs_one_country_and_close_sign_up_times():
    now = timezone.now()
    assert duplicates.cluster_size([(now, "US"), (now, "US"), (now, "GB")], 24) == 2
    assert duplicates.cluster_size([(now, "US"), (now - timedelta(hours=30), "US")], 24) == 1
    assert duplicates.cluster_size([(now, ""), (now, ""), (now, "")], 24) == 0


def test_payload_fingerprints_never_collide_with_text_bands():
    band = duplicates.payload_band("id:lulu5566")
    assert band >= duplicates.PAYLOAD_TAG and band < (1 << 63)
    sig = duplicates.signature("a long enough text for a minhash signature here")
    assert sig is not None and max(duplicates.bands(sig)) < duplicates.PAYLOAD_TAG


# --- the retroactive sweep --------------------------------------------------------------------------


@pytest.fixture
def note(make_user, make_note):
    author = make_user()
    User.objects.filter(pk=author.pk).update(date_joined=timezone.now() - timedelta(days=400))
    return make_note(author, title="Dumplings", body="Pork and chive, recipe below")


def comment(user, note, text, on_commit):
    from notes.services import create_comment

    with on_commit():
        made = create_comment(author=user, note_id=note.pk, body=text)
    return Comment.objects.get(pk=made.pk)


def state(obj):
    return type(obj).objects.values_list("state", flat=True).get(pk=obj.pk)


def test_a_recognised_wave_takes_its_first_members_down(account, note, on_commit):
    texts = ["my skin cleared up thanks to glowvault-shop.top", "glowvault-shop[.]top 好用", "GLOWVAULT-SHOP dot TOP"]
    made = [comment(account(hours=1, country="US"), note, text, on_commit) for text in texts]
    benign = comment(account(hours=1, country="US"), note, "Looks delicious", on_commit)
    assert [state(c) for c in made] == [NoteState.HELD] * 3
    assert state(benign) == NoteState.PUBLISHED
    first = list(ScreeningResult.objects.filter(target_type="comment", target_id=made[0].pk).order_by("id"))
    assert [r.outcome for r in first] == ["publish", "hold"]
    assert first[-1].stages["rescreen"] == {"wave": f"comment:{made[2].pk}"}
    assert any("link glowvault-shop.top" in reason for reason in first[-1].reasons)
    assert ReviewItem.objects.filter(target_type="comment", target_id=made[0].pk).exists()
    assert AuditEvent.objects.filter(action="rescreen", target_id=made[0].pk).exists()


def test_a_sweep_keeps_what_a_reviewer_approved_and_never_publishes(account, note, reviewer, on_commit):
    from review import reports

    first = comment(account(hours=1), note, "wechat: lulu_5566 for the price", on_commit)
    reports.file_report(reporter=account(days=90), target_type="comment", target_id=first.pk, category="spam")
    item = ReviewItem.objects.get(target_type="comment", target_id=first.pk, source="report")
    decisions.decide(user=reviewer(), item_id=item.pk, action="approve", reason_code="spam")
    later = [comment(account(hours=1), note, f"加微信 lulu_5566 {i}", on_commit) for i in range(3)]
    assert state(first) == NoteState.PUBLISHED  # a person kept it up: the sweep leaves it
    assert all(state(c) in (NoteState.HELD, NoteState.REJECTED) for c in later)
    counts = waves.sweep(bands=[duplicates.payload_band("id:lulu5566")])
    assert counts["kept_approved"] == 1 and counts.get("held", 0) == 0  # nothing published again


# --- the embedding stage and new accounts --------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["图片好好看！", "Okay the photos are gorgeous.", "Came here from the Discover page, no regrets."]
)
@pytest.mark.parametrize("days", [0, 400])
def test_ordinary_comments_are_not_held_for_new_or_established_accounts(db, text, days):
    verdict = screen(
        ScreenInput(text=text, author_joined=timezone.now() - timedelta(days=days)),
        use_llm=False,
        use_duplicates=False,
    )
    assert verdict.outcome == "publish", verdict.reasons


def test_a_loosely_anchored_match_asks_the_llm_instead_of_holding(db):
    text = "Came here from the Discover page, no regrets."
    match = embedding.score([text])
    assert match.margin >= embedding.model().hold and not match.anchored  # large margin, weak anchor
    assert match.score <= embedding.PIECE_MAX_SCORE
    asked: list[str] = []

    def harmful(prompt: str) -> str:
        asked.append(prompt)
        return "harassment"

    verdict = screen(ScreenInput(text=text), use_duplicates=False, llm_classify=harmful)
    assert asked and verdict.outcome == "hold"  # the signal is not off: the LLM can still escalate it


def test_a_post_shorter_than_the_examples_is_not_held_by_the_embedding_alone(db):
    model = embedding.model()
    assert model.min_hold_weight > 0
    text = "Need this in my life"  # four words; a margin over the self-harm examples means little
    verdict = screen(ScreenInput(text=text), use_llm=False, use_duplicates=False)
    assert verdict.outcome == "publish"
    for signal in verdict.signals:
        assert signal.score <= embedding.PIECE_MAX_SCORE


def test_a_new_accounts_embedding_band_goes_to_the_llm_not_straight_to_a_hold(db):
    text = "people like you ruin every comment section"
    new = ScreenInput(text=text, author_joined=timezone.now() - timedelta(hours=3))
    plain = screen(new, use_duplicates=False, use_llm=False)
    (signal,) = [s for s in plain.signals if s.stage == "embedding"]
    assert get_packs().thresholds()["new_account_hold"] <= signal.score < get_packs().thresholds()["hold"]
    assert plain.outcome == "publish"
    asked: list[str] = []

    def harmful(prompt: str) -> str:
        asked.append(prompt)
        return "harassment"

    assert screen(new, use_duplicates=False, llm_classify=harmful).outcome == "hold" and asked


def test_a_word_rule_still_holds_a_new_account_at_the_stricter_threshold(db):
    text = "call me at 0412 345 678 9"  # scam.contact, 0.45: under the hold threshold, over the new-account one
    old = screen(
        ScreenInput(text=text, author_joined=timezone.now() - timedelta(days=400)), use_duplicates=False, use_llm=False
    )
    new = screen(ScreenInput(text=text, author_joined=timezone.now()), use_duplicates=False, use_llm=False)
    assert old.outcome == "publish" and new.outcome == "hold"
