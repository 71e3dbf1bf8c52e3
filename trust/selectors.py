"""What trust knows about one account, for the reviewers' console (the trust section of a review item).

Linked accounts are the ones that share something with this account that a cluster of counterfeit
accounts tends to share: the sign-up /24 (or /64), while the short security log still holds it; the
device cookie (kept as a hash); the e-mail domain, except the big providers everyone uses.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from trust.models import AccountRisk, ProfileLink, SecurityEvent, Signup
from trust.signup import COMMON_DOMAINS

LINKED_PER_KIND = 20


def _users(ids: Any) -> list[User]:
    return list(User.objects.filter(pk__in=ids).only("id", "username", "display_name", "date_joined", "is_active"))


def linked_accounts(user_id: int) -> dict[str, list[User]]:
    """Other accounts by what links them (``subnet``, ``device``, ``email_domain``), newest first."""
    linked: dict[str, list[User]] = {}
    subnets = list(
        SecurityEvent.objects.filter(user_id=user_id, kind="signup").exclude(subnet="").values_list("subnet", flat=True)
    )
    if subnets:
        ids = (
            SecurityEvent.objects.filter(kind="signup", subnet__in=subnets, user__isnull=False)
            .exclude(user_id=user_id)
            .order_by("-id")
            .values_list("user_id", flat=True)[: LINKED_PER_KIND * 2]
        )
        linked["subnet"] = _users(set(ids))
    signup = Signup.objects.filter(user_id=user_id).first()
    if signup is not None and signup.device:
        same_device = (
            Signup.objects.filter(device=signup.device)
            .exclude(user_id=user_id)
            .order_by("-id")
            .values_list("user_id", flat=True)[:LINKED_PER_KIND]
        )
        linked["device"] = _users(list(same_device))
    if signup is not None and signup.email_domain and signup.email_domain not in COMMON_DOMAINS:
        same_domain = (
            Signup.objects.filter(email_domain=signup.email_domain)
            .exclude(user_id=user_id)
            .order_by("-id")
            .values_list("user_id", flat=True)[:LINKED_PER_KIND]
        )
        linked["email_domain"] = _users(list(same_domain))
    for kind in linked:
        linked[kind] = sorted(linked[kind], key=lambda u: u.date_joined, reverse=True)[:LINKED_PER_KIND]
    return {kind: users for kind, users in linked.items() if users}


def account_overview(user_id: int) -> dict[str, Any]:
    """The account's risk (score and reasons), its sign-up (how and from where), linked accounts and
    verified profile links."""
    risk = AccountRisk.objects.filter(user_id=user_id).first()
    signup = Signup.objects.filter(user_id=user_id).first()
    return {
        "score": risk.score if risk else 0.0,
        "reasons": list(risk.reasons) if risk else [],
        "updated_at": risk.updated_at if risk else None,
        "signup": signup,
        "linked": linked_accounts(user_id),
        "links": list(ProfileLink.objects.filter(user_id=user_id).order_by("id")),
    }
