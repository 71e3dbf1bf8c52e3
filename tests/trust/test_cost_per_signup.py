"""What keeps a sign-up cheap in the task workers (docs/trust.md, "Cost per sign-up") finds all that the
full work finds: the protected-name index lets through every protected name the full comparison flags,
a newcomer named like a verified account is still flagged, the index never goes stale, a new account's
first assessment is the full one, and cluster reassessments are coalesced without missing a sign-up."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from accounts.services import update_profile
from trust import risk
from trust import signup as trust_signup
from trust.impersonation import (
    INDEX_VERSION,
    Name,
    ProtectedIndex,
    compare_names,
    config,
    folded,
    protected_accounts,
    protected_index,
)
from trust.models import AccountRisk, ImpersonationFlag
from trust.verification import verify_account

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def _pairs() -> list[tuple[str, str]]:
    rows = []
    for path in (DATA / "impersonation_pairs.tsv", DATA / "impersonation_pairs_holdout.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                _trick, _label, candidate, protected, _note = line.split("\t")
                rows.append((candidate, protected))
    return rows


@pytest.mark.parametrize(
    "override",
    [{}, {"fuzzy_threshold": 80, "fuzzy_min_length": 5}, {"pinyin_min_length": 3}],
    ids=["defaults", "looser-fuzzy", "short-pinyin"],
)
def test_the_index_lets_through_every_protected_name_the_full_comparison_flags(override):
    """Every candidate of the evaluation sets (and every protected name, as a candidate) against all the
    protected names at once: what ``compare_names`` flags is always among the names ``near`` returns,
    which are few."""
    cfg = {**config(), **override}
    pairs = _pairs()
    protected = sorted({p for _c, p in pairs})
    index = ProtectedIndex.build(protected)
    flagged_total = near_total = 0
    candidates = sorted({c for c, _p in pairs} | set(protected))
    for candidate in candidates:
        name = folded(candidate)
        flagged = {p for p in protected if compare_names(name, folded(p), cfg) is not None}
        near = index.near(name, cfg)
        assert flagged <= near, (candidate, flagged - near)
        flagged_total += len(flagged)
        near_total += len(near)
    assert flagged_total > 200  # the sets do exercise every signal
    assert near_total / len(candidates) < len(protected) / 10  # and the index does narrow the comparison


@pytest.fixture
def verified(make_user):
    for username, display_name in [
        ("jess_t", "Jess Tremblay"),
        ("zhang_wei_cn", "张伟"),
        ("gabriel_r", "Gabriel Reyes"),
        ("actress_liu", "刘亦菲"),
    ]:
        make_user(username, display_name=display_name)
        verify_account(username=username)


def sign_up(username: str, display_name: str, django_capture_on_commit_callbacks, ip: str = "192.0.2.10") -> User:
    with django_capture_on_commit_callbacks(execute=True):
        user, _signup = trust_signup.register(
            username=username, password="a long passphrase 9", display_name=display_name, ip=ip
        )
    return user


@pytest.mark.parametrize(
    ("display_name", "protected_username", "signal"),
    [
        ("Jеss Tremblay", "jess_t", "homoglyph"),  # Cyrillic е
        ("Jess Tremb1ay", "jess_t", "lookalike"),
        ("Jess Tremblay Official", "jess_t", "affix"),
        ("Zhang Wei", "zhang_wei_cn", "pinyin"),
        ("張偉", "zhang_wei_cn", "traditional_simplified"),
        ("Gabriel Reyess", "gabriel_r", "fuzzy"),  # a near name, not equal under any folding
        ("刘亦非", "actress_liu", "homophone"),
    ],
)
def test_a_newcomer_named_like_a_verified_account_is_still_flagged(
    db, verified, display_name, protected_username, signal, django_capture_on_commit_callbacks
):
    user = sign_up("newbie", display_name, django_capture_on_commit_callbacks)
    flag = ImpersonationFlag.objects.get(user=user, protected_user__username=protected_username)
    assert flag.signal == signal
    assert ImpersonationFlag.objects.filter(user=user).count() == 1  # and no other protected account


def test_a_name_far_from_every_protected_one_is_not_flagged(db, verified, django_capture_on_commit_callbacks):
    user = sign_up("ana_lima", "Ana Lima", django_capture_on_commit_callbacks)
    assert not ImpersonationFlag.objects.filter(user=user).exists()


def test_the_index_is_kept_between_checks_and_follows_a_renamed_protected_account(
    db, verified, django_capture_on_commit_callbacks
):
    sign_up("first", "Someone", django_capture_on_commit_callbacks)
    raws = sorted({n for u in protected_accounts() for n in (u.username, u.display_name) if n})
    key = f"trust:protected-index:{INDEX_VERSION}:" + hashlib.sha256("\n".join(raws).encode()).hexdigest()[:32]
    assert isinstance(cache.get(key), ProtectedIndex)  # kept for the next job, in another process
    gabriel = User.objects.get(username="gabriel_r")
    update_profile(user=gabriel, display_name="Maria Papadopoulou")
    # The renamed account's new name is compared (a new index), the old one no longer.
    renamed = sign_up("maria_fan", "Maria Papad0poulou", django_capture_on_commit_callbacks, ip="192.0.2.11")
    assert ImpersonationFlag.objects.get(user=renamed).protected_user == gabriel
    old = sign_up("gabriel_fan", "Gabriel Reyess", django_capture_on_commit_callbacks, ip="192.0.2.12")
    assert not ImpersonationFlag.objects.filter(user=old).exists()
    assert protected_index(protected_accounts()).names.keys() >= {"Maria Papadopoulou"}


def test_an_avatar_check_still_compares_with_every_protected_account(db, verified):
    """With an avatar to compare, the names' index does not narrow the protected accounts (a copied
    picture under an unrelated name must still be found): the avatar test in test_impersonation.py
    covers the finding; here, that ``near`` alone would have left the account out."""
    index = protected_index(protected_accounts())
    assert index.near(Name.of("Bob"), config()) == set()


@pytest.fixture
def rules(settings):
    """Every rule, with a subnet threshold of 3 (tests/trust/test_counterfeit.py's)."""
    settings.TRUST_RISK = {"rules": {**risk.DEFAULTS["rules"], "subnet_signups": ("subnet", 24, 3, 0.9)}}


def newcomer(username: str, ip: str, django_capture_on_commit_callbacks) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        user, _signup = trust_signup.register(username=username, password="a long passphrase 9", ip=ip)
    return user


def test_a_just_signed_up_accounts_first_assessment_is_the_full_one(db, rules, django_capture_on_commit_callbacks):
    users = [newcomer(f"farm{i}", f"198.51.100.{i + 1}", django_capture_on_commit_callbacks) for i in range(3)]
    full = risk.assess(users[-1])
    assert full[1] == ["subnet_signups"]
    assert risk.assess(users[-1], skip=risk.NEW_ACCOUNT_SKIPS) == full
    assert AccountRisk.objects.get(user=users[-1]).reasons == full[2]  # what the sign-up kept


def test_cluster_reassessments_are_coalesced_without_missing_a_sign_up(db, rules, django_capture_on_commit_callbacks):
    first, second, third = (
        newcomer(f"wave{i}", f"203.0.113.{i + 1}", django_capture_on_commit_callbacks) for i in range(3)
    )
    # The third fired the subnet rule; its cluster job (run at once here) reassessed the first two.
    assert AccountRisk.objects.get(user=first).reasons == ["subnet_signups 3 >= 3"]
    since = timezone.now().timestamp()  # a job for a sign-up that committed now
    assert risk.reassess_cluster(user_id=third.pk, since=since) == 2  # reassessed before it: again
    # A job for a sign-up that committed before those reassessments began: nothing left to do.
    assert risk.reassess_cluster(user_id=third.pk, since=since) == 0
    # Without a time (a post's payload, which may not have committed yet): every account, as before.
    assert risk.reassess_cluster(user_id=third.pk) == 2
    # A later sign-up is counted for the earlier accounts: their reassessments began before it.
    newcomer("wave3", "203.0.113.4", django_capture_on_commit_callbacks)
    assert AccountRisk.objects.get(user=first).reasons == ["subnet_signups 4 >= 3"]
    assert AccountRisk.objects.get(user=second).reasons == ["subnet_signups 4 >= 3"]
