"""The sign-up defence: who may open an account, and how it comes in.

``register`` is the one way a person signs up (the web form and ``POST /api/v1/accounts``): it screens
the request, counts it against the per-domain velocity limit, hashes the password under bounded
concurrency, creates the account through ``accounts.services.register_user`` and records how it came in
(``Signup``): admitted at once, waiting on the waitlist (``trust/waitlist.py``), pending an operator's
approval, or refused. Accounts not admitted are created inactive, so their usernames are held and their
tokens exist (Mastodon clients expect one) but they cannot log in or use the API until admitted.

Operator settings (docs/trust.md): ``SIGNUP_MODE`` (``open``, ``approval``, ``invite``, ``closed``),
``SIGNUP_DISPOSABLE_EMAIL`` (``refuse``, ``approve`` or ``allow`` addresses at disposable domains, the
list from the ``disposable-email-domains`` package), and ``SignupRule`` rows (admin) that refuse or
require approval by address range, e-mail domain or username pattern. Rules are read per sign-up.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import register_user
from core.errors import RateLimited, ServiceError
from core.geo import country_for_ip
from core.network import parse_ip, subnet_of
from trust import limits, operator, rules, waitlist
from trust.models import Invite, SecurityEvent, Signup, SignupRule
from trust.tasks import assess_newcomer, schedule_influx_check

logger = logging.getLogger(__name__)

MAX_USERNAME = 64  # longer than any handle: a pattern never runs on more than this
GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
# Big providers: a wave of real newcomers arrives through them, so the per-domain velocity limit skips them.
COMMON_DOMAINS = {
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "163.com",
    "126.com",
    "foxmail.com",
    "sina.com",
    "aliyun.com",
    "yeah.net",
}


# --- normalisation --------------------------------------------------------------------------------


def normalise_email(email: str) -> tuple[str, str]:
    """(key, domain) of an address: NFKC and case-folded, the ``+tag`` dropped, Gmail's dots dropped and
    googlemail.com read as gmail.com, the domain in IDNA form. ("", "") when it is not an address."""
    text = unicodedata.normalize("NFKC", email or "").strip().casefold()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain:
        return "", ""
    domain = domain.rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "", ""
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        domain = "gmail.com"
        local = local.replace(".", "")
    if not local:
        return "", ""
    return f"{local}@{domain}", domain


def normalise_username(username: str) -> str:
    """The key a username is counted and matched under: NFKC, case-folded."""
    return limits.normalise_name(username)


def device_key(token: str) -> str:
    """What is kept of a device cookie: its SHA-256, so the table never holds a usable cookie."""
    token = (token or "").strip()
    if not token or len(token) > 128:
        return ""
    return hashlib.sha256(token.encode()).hexdigest()


def is_disposable(domain: str) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


# --- screening -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    state: str  # Signup.ADMITTED (nothing against it), PENDING or REFUSED
    reason: str = ""


def _domain_matches(domain: str, pattern: str) -> bool:
    pattern = pattern.strip().lower().lstrip("@").lstrip("*.")
    return bool(pattern) and (domain == pattern or domain.endswith("." + pattern))


def _rule_matches(rule: SignupRule, *, ip: str, domain: str, username: str) -> bool:
    if rule.kind == SignupRule.IP_RANGE:
        address = parse_ip(ip)
        try:
            network = ipaddress.ip_network(rule.pattern.strip(), strict=False)
        except ValueError:
            return False
        return address is not None and address.version == network.version and address in network
    if rule.kind == SignupRule.EMAIL_DOMAIN:
        return bool(domain) and _domain_matches(domain, rule.pattern)
    if rule.kind == SignupRule.USERNAME:
        try:
            pattern = rules.safe_regex(rule.pattern)
        except (re.error, rules.UnsafePattern):
            return False  # an unsafe rule saved before the check existed is skipped, never run
        return pattern.search(username[:MAX_USERNAME]) is not None
    return False


def screen(*, username: str, domain: str, ip: str, invite: Invite | None, invite_code: str = "") -> Verdict:
    """What the operator's settings say about a sign-up (the waitlist is decided afterwards)."""
    mode = operator.signup_mode()
    if mode == "closed":
        return Verdict(Signup.REFUSED, "closed")
    if mode == "invite" and invite is None:
        return Verdict(Signup.REFUSED, "invite required" if not invite_code else "invite not valid")
    key = normalise_username(username)
    approve = ""
    for rule in SignupRule.objects.all():
        if _rule_matches(rule, ip=ip, domain=domain, username=key):
            if rule.action == SignupRule.REFUSE:
                return Verdict(Signup.REFUSED, f"rule {rule.pk}: {rule.kind}")
            approve = approve or f"rule {rule.pk}: {rule.kind}"
    if domain and is_disposable(domain):
        action = getattr(settings, "SIGNUP_DISPOSABLE_EMAIL", "refuse")
        if action == "refuse":
            return Verdict(Signup.REFUSED, "disposable e-mail domain")
        if action == "approve":
            approve = approve or "disposable e-mail domain"
    if approve:
        return Verdict(Signup.PENDING, approve)
    if mode == "approval":
        return Verdict(Signup.PENDING, "approval mode")
    return Verdict(Signup.ADMITTED)


def valid_invite(code: str) -> Invite | None:
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    invite = Invite.objects.filter(code=code).first()
    if invite is None or invite.uses >= invite.max_uses:
        return None
    if invite.expires_at is not None and invite.expires_at <= timezone.now():
        return None
    return invite


# --- bounded password hashing --------------------------------------------------------------------

_hash_slots: threading.BoundedSemaphore | None = None
_hash_slots_size = 0
_hash_lock = threading.Lock()
_hash_waiting = 0


def _slots() -> threading.BoundedSemaphore:
    global _hash_slots, _hash_slots_size
    size = max(1, int(getattr(settings, "PASSWORD_HASH_CONCURRENCY", 1)))
    with _hash_lock:
        if _hash_slots is None or _hash_slots_size != size:
            _hash_slots, _hash_slots_size = threading.BoundedSemaphore(size), size
        return _hash_slots


def _busy() -> RateLimited:
    """The "busy, come back in 3 s" answer. The request did none of its work, so what it counted against
    the rate limits is given back: a newcomer who retries as told during a burst of sign-ups must not use
    up the address's sign-ups for the hour with refusals (docs/trust.md)."""
    limits.give_back()
    return RateLimited(_("The server is busy. Try again in a few seconds."), retry_after=3)


def _machine_slot_files() -> list[Path]:
    count = int(getattr(settings, "PASSWORD_HASH_MACHINE_SLOTS", 0) or 0)
    if count <= 0:
        return []
    folder = Path(settings.DATA_DIR) / "hash-slots"
    folder.mkdir(parents=True, exist_ok=True)
    return [folder / f"slot-{i}.lock" for i in range(count)]


def _take_machine_slot(files: list[Path], deadline: float) -> IO[bytes] | None:
    """One of the machine's slot files, locked (``flock``, released by the kernel if the process dies),
    polled every 10 ms until ``deadline``; None when none came free in time. Raises ``OSError`` when a
    slot file cannot be opened at all."""
    while True:
        for path in files:
            handle = path.open("ab")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                handle.close()
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


@contextmanager
def machine_slot(deadline: float) -> Iterator[None]:
    """With ``PASSWORD_HASH_MACHINE_SLOTS`` set, one of that many slots shared by every process on the
    machine (files under ``DATA_DIR/hash-slots``): a burst's hashing then uses at most that many cores,
    whatever the number of web workers. Raises the busy answer when none comes free by ``deadline``.

    When the slot files cannot be made or opened (``DATA_DIR`` read-only or full, ``hash-slots`` not a
    folder), the hash runs without the machine's cap, under the per-process slot alone, and the fault is
    logged: a broken slot folder must not turn every sign-up and log-in into a server error."""
    try:
        files = _machine_slot_files()
        handle = _take_machine_slot(files, deadline) if files else None
    except OSError as exc:
        logger.warning("password hashing without the machine-wide slot: %s", exc)
        files, handle = [], None
    if not files:
        yield
        return
    if handle is None:
        raise _busy()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def hashing_slot(*, machine: bool = True) -> Iterator[float]:
    """Hold one of ``PASSWORD_HASH_CONCURRENCY`` slots (per process) around password hashing (sign-up)
    or checking (log-in), so that a burst of them leaves the other threads free for page reads. Waits at
    most ``PASSWORD_HASH_WAIT_S``; then the request is answered 429 with a short ``Retry-After``.

    At most ``PASSWORD_HASH_MAX_WAITING`` requests per process wait for a slot; one more is answered 429
    at once. A waiting request holds a web thread: without the cap, a burst of sign-ups with more clients
    than threads kept every thread waiting here and home timelines queued behind them for seconds
    (docs/benchmarks.md, "Sign-up burst"). ``PASSWORD_HASH_MACHINE_SLOTS`` adds a cap across processes
    (``machine_slot``), within the same wait; ``machine=False`` leaves it to the caller, who gets the
    deadline (a sign-up takes the machine's slot around the Argon2 call alone: ``register``)."""
    global _hash_waiting
    slots = _slots()
    deadline = time.monotonic() + float(getattr(settings, "PASSWORD_HASH_WAIT_S", 10))
    if not slots.acquire(blocking=False):
        with _hash_lock:
            queue_full = _hash_waiting >= int(getattr(settings, "PASSWORD_HASH_MAX_WAITING", 1))
            if not queue_full:
                _hash_waiting += 1
        if queue_full:
            raise _busy()
        try:
            acquired = slots.acquire(timeout=float(getattr(settings, "PASSWORD_HASH_WAIT_S", 10)))
        finally:
            with _hash_lock:
                _hash_waiting -= 1
        if not acquired:
            raise _busy()
    try:
        if machine:
            with machine_slot(deadline):
                yield deadline
        else:
            yield deadline
    finally:
        slots.release()


# --- registering ---------------------------------------------------------------------------------


def log_event(kind: str, *, ip: str, user: User | None = None, detail: str = "") -> None:
    """One entry in the short security log (raw address kept ``SECURITY_LOG_DAYS`` days)."""
    address = parse_ip(ip)
    SecurityEvent.objects.create(
        kind=kind, ip=str(address) if address else None, subnet=subnet_of(ip), user=user, detail=detail[:200]
    )


def purge_security_log(now: Any = None) -> int:
    days = float(getattr(settings, "SECURITY_LOG_DAYS", 14))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _rows = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def register(
    *,
    username: str,
    password: str,
    email: str = "",
    ip: str = "",
    invite_code: str = "",
    device: str = "",
    **profile: Any,
) -> tuple[User, Signup]:
    """Sign a person up (see the module's docstring). ``device`` is the browser's long-lived device
    cookie (``web``; kept only as a hash). Raises ``ServiceError`` (refused, taken, invalid) or
    ``RateLimited`` (too many sign-ups with this e-mail domain)."""
    email = (email or "").strip()
    key, domain = normalise_email(email)
    if email and not key:
        raise ServiceError(_("Enter a valid e-mail address."), field="email", code="invalid")
    invite = valid_invite(invite_code)
    verdict = screen(username=username, domain=domain, ip=ip, invite=invite, invite_code=invite_code)
    if verdict.state == Signup.REFUSED:
        log_event("signup_refused", ip=ip, detail=verdict.reason)
        if verdict.reason.startswith("invite"):
            raise ServiceError(_("Sign-ups here need a valid invitation code."), field="invite_code", code="invite")
        raise ServiceError(_("Sign-ups like this one are not accepted here."), code="blocked")
    if domain and domain not in COMMON_DOMAINS:
        limits.check("signup", {"domain": domain})
    if key and Signup.objects.filter(email_key=key).exists():
        raise ServiceError(_("That email is already registered."), field="email", code="taken")
    # The process's slot bounds the sign-ups a web worker runs at once (its threads stay free for reads);
    # the machine's slot (PASSWORD_HASH_MACHINE_SLOTS) is held around the Argon2 call alone, so that the
    # checks and inserts of one process's sign-up never hold up another's hashing (docs/trust.md,
    # "Keeping page reads fast during a burst").
    with hashing_slot(machine=False) as deadline:
        user = register_user(
            username=username, password=password, email=email, hashing=lambda: machine_slot(deadline), **profile
        )
    state, reason = verdict.state, verdict.reason
    if state == Signup.ADMITTED and not waitlist.has_room():
        state, reason = Signup.WAITING, "capacity"
    with transaction.atomic():
        if state != Signup.ADMITTED:
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.is_active = False
        signup = Signup.objects.create(
            user=user,
            state=state,
            reason=reason,
            email_key=key,
            email_domain=domain,
            invite=invite,
            country=country_for_ip(ip),
            # The interface language they will see (the site's default when they chose none).
            language=str(profile.get("ui_language") or settings.LANGUAGE_CODE)[:16],
            device=device_key(device),
            decided_at=timezone.now() if state == Signup.ADMITTED else None,
        )
        if invite is not None:
            Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
        log_event("signup", ip=ip, user=user, detail=state)
        # Counterfeit signals that need the sign-up's subnet and device (trust.risk).
        transaction.on_commit(lambda: assess_newcomer(user.pk))
    schedule_influx_check()
    if state == Signup.WAITING:
        waitlist.tick()
        signup.refresh_from_db()
    return user, signup
