"""The sign-up defence and the waitlist, through POST /api/v1/accounts and the web pages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.trust.conftest import api_post, sign_up
from trust import signup as trust_signup
from trust import waitlist
from trust.models import Invite, SecurityEvent, Signup, SignupRule


def _verify(token: str) -> int:
    return Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


# --- e-mail and username normalisation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Mei.Li@Gmail.com", "meili@gmail.com"),
        ("m.e.i.l.i+wave@googlemail.com", "meili@gmail.com"),
        ("mei+tag@example.org", "mei@example.org"),
        ("ＭＥＩ@ＥＸＡＭＰＬＥ.ORG", "mei@example.org"),
        ("first.last@example.org", "first.last@example.org"),  # dots matter outside Gmail
        ("no-at-sign", ""),
        ("+only@example.org", ""),
    ],
)
def test_email_normalisation(raw, key):
    assert trust_signup.normalise_email(raw)[0] == key


def test_username_key_folds_case_and_width():
    assert trust_signup.normalise_username("ＡＤＭＩＮ") == trust_signup.normalise_username("admin")


def test_case_dots_and_tags_do_not_make_a_second_account(app_token):
    assert sign_up(app_token, "meili", email="meili@gmail.com").status_code == 200
    for i, variant in enumerate(["MeiLi@gmail.com", "mei.li@gmail.com", "meili+2@googlemail.com"]):
        again = sign_up(app_token, f"meili{i}", email=variant)
        assert again.status_code == 422, variant
        assert again.json()["details"]["email"][0]["error"] == "ERR_TAKEN"


def test_velocity_per_email_domain_cannot_be_dodged_by_case(app_token, settings):
    settings.RATE_LIMITS = {"signup.domain": "2/1h", "signup.ip": "100/1h", "signup.subnet": "100/1h"}
    codes = [
        sign_up(app_token, f"farm{i}", email=f"bot{i}@{'Farm.Example' if i % 2 else 'farm.example'}").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    # A big provider is not counted: a wave of real people arrives through it.
    assert [sign_up(app_token, f"real{i}", email=f"real{i}@gmail.com").status_code for i in range(3)] == [200] * 3


# --- operator settings ---------------------------------------------------------------------------


def test_disposable_domains_are_refused_or_held(app_token, settings):
    refused = sign_up(app_token, "throwaway", email="x@mailinator.com")
    assert refused.status_code == 422
    assert refused.json()["details"]["base"][0]["error"] == "ERR_BLOCKED"
    assert not User.objects.filter(username="throwaway").exists()
    settings.SIGNUP_DISPOSABLE_EMAIL = "approve"
    held = sign_up(app_token, "throwaway", email="x@mailinator.com")
    assert held.status_code == 200
    assert Signup.objects.get(user__username="throwaway").state == Signup.PENDING


def test_approval_mode_gives_a_token_that_works_once_approved(app_token, settings):
    settings.SIGNUP_MODE = "approval"
    response = sign_up(app_token, "patient")
    assert response.status_code == 200
    token = response.json()["access_token"]
    assert _verify(token) == 403
    assert Client().post("/login/", {"username": "patient", "password": "a long passphrase 9"}).status_code == 200
    waitlist.decide(Signup.objects.get(user__username="patient"), approve=True)
    assert _verify(token) in (200, 403)  # the token's user is cached for up to 30 s
    cache.clear()
    assert _verify(token) == 200


def test_invite_mode_needs_a_valid_code(app_token, settings):
    settings.SIGNUP_MODE = "invite"
    assert sign_up(app_token, "uninvited").status_code == 422
    Invite.objects.create(code="tea-for-two", max_uses=1)
    form = {"username": "invited", "password": "a long passphrase 9", "agreement": True, "invite_code": "tea-for-two"}
    assert api_post("/api/v1/accounts", form, app_token).status_code == 200
    again = {**form, "username": "invited2"}
    assert api_post("/api/v1/accounts", again, app_token).status_code == 422  # used up
    assert Invite.objects.get(code="tea-for-two").uses == 1


def test_blocks_by_address_domain_and_username(app_token):
    SignupRule.objects.create(kind=SignupRule.IP_RANGE, pattern="203.0.113.0/24", action=SignupRule.REFUSE)
    SignupRule.objects.create(kind=SignupRule.EMAIL_DOMAIN, pattern="suspect.example", action=SignupRule.APPROVE)
    SignupRule.objects.create(kind=SignupRule.USERNAME, pattern=r"^promo", action=SignupRule.REFUSE)
    assert sign_up(app_token, "fromthere", REMOTE_ADDR="203.0.113.50").status_code == 422
    assert sign_up(app_token, "fromv6mapped", REMOTE_ADDR="::ffff:203.0.113.9").status_code == 422
    assert sign_up(app_token, "fromelsewhere", REMOTE_ADDR="198.51.100.50").status_code == 200
    assert sign_up(app_token, "PROMO_deals").status_code == 422
    assert sign_up(app_token, "held", email="h@mail.suspect.example").status_code == 200
    assert Signup.objects.get(user__username="held").state == Signup.PENDING
    assert not User.objects.get(username="held").is_active


def test_raw_addresses_only_in_the_expiring_security_log(app_token, settings):
    sign_up(app_token, "logged", REMOTE_ADDR="198.51.100.23")
    event = SecurityEvent.objects.get(user__username="logged")
    assert (event.ip, event.subnet) == ("198.51.100.23", "198.51.100.0/24")
    SecurityEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert trust_signup.purge_security_log() == 1
    assert not SecurityEvent.objects.exists()


def test_deleting_an_account_deletes_what_trust_keeps(app_token):
    sign_up(app_token, "leaving")
    User.objects.get(username="leaving").delete()
    assert not Signup.objects.exists()
    assert not SecurityEvent.objects.filter(user__isnull=False).exists()


# --- the waitlist --------------------------------------------------------------------------------


def test_waitlist_admits_oldest_first_as_capacity_frees(app_token, settings):
    settings.SIGNUP_CAPACITY_PER_HOUR = 12  # two per ten-minute window
    settings.SIGNUP_CAPACITY_WINDOW_S = 600
    responses = [sign_up(app_token, f"wave{i}") for i in range(5)]
    assert [r.status_code for r in responses] == [200] * 5  # nobody gets an error
    states = {s.user.username: s for s in Signup.objects.select_related("user")}
    assert [states[f"wave{i}"].state for i in range(5)] == ["admitted"] * 2 + ["waiting"] * 3
    assert [waitlist.place(states[f"wave{i}"]) for i in range(2, 5)] == [1, 2, 3]
    assert _verify(responses[2].json()["access_token"]) == 403
    assert waitlist.admit_due() == 0  # the window is full
    Signup.objects.filter(state=Signup.ADMITTED).update(decided_at=timezone.now() - timedelta(minutes=11))
    assert waitlist.admit_due() == 2
    after = {s.user.username: s.state for s in Signup.objects.select_related("user")}
    assert [after[f"wave{i}"] for i in range(2, 5)] == ["admitted", "admitted", "waiting"]
    assert waitlist.place(Signup.objects.get(user__username="wave4")) == 1
    assert User.objects.get(username="wave2").is_active
    # A newcomer does not overtake the one still waiting.
    Signup.objects.filter(state=Signup.ADMITTED).update(decided_at=timezone.now() - timedelta(minutes=11))
    settings.SIGNUP_CAPACITY_PER_HOUR = 6  # now one per window
    cache.delete("trust:waitlist-tick")
    sign_up(app_token, "latecomer")  # waits behind wave4; its sign-up ticks the admission
    after = {s.user.username: s.state for s in Signup.objects.select_related("user")}
    assert (after["wave4"], after["latecomer"]) == ("admitted", "waiting")


def test_waitlist_page_shows_the_place_and_signs_in_when_admitted(app_token, settings):
    settings.SIGNUP_CAPACITY_PER_HOUR = 6  # one per window
    sign_up(app_token, "early")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    form = {"username": "queuer", "password": "a long passphrase 9", "email": "", "display_name": ""}
    response = client.post("/signup/", form)
    assert response.status_code == 302 and response["Location"] == "/waitlist/"
    page = client.get("/waitlist/")
    text = page.content.decode()
    assert "你正在排队等候" in text and "第 1 位" in text
    assert 'hx-trigger="every 5s"' in text
    Signup.objects.filter(state=Signup.ADMITTED).update(decided_at=timezone.now() - timedelta(minutes=11))
    cache.delete("trust:waitlist-tick")
    poll = client.get("/waitlist/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"] == "/welcome/"
    assert client.get("/welcome/").status_code == 200  # signed in


def test_waitlist_page_in_english_for_a_pending_approval(settings, db):
    settings.SIGNUP_MODE = "approval"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = {"username": "approveme", "password": "a long passphrase 9", "email": "", "display_name": ""}
    assert client.post("/signup/", form)["Location"] == "/waitlist/"
    assert "waiting for approval" in client.get("/waitlist/").content.decode()
    assert Client().get("/waitlist/").status_code == 302  # another browser has no sign-up to show


# --- bounded password hashing --------------------------------------------------------------------


def test_log_in_waits_for_a_hashing_slot_and_gives_up_with_429(make_user, settings):
    settings.PASSWORD_HASH_CONCURRENCY = 1
    settings.PASSWORD_HASH_WAIT_S = 0.2
    make_user("hasher")
    credentials = {"username": "hasher", "password": "correct horse battery"}
    with trust_signup.hashing_slot():  # another request is hashing
        busy = Client().post("/login/", credentials)
    assert busy.status_code == 429
    assert busy["Retry-After"] == "3"
    assert Client().post("/login/", credentials).status_code == 302


@contextmanager
def _machine_slot_held_elsewhere(settings, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """One machine-wide hashing slot (PASSWORD_HASH_MACHINE_SLOTS = 1), held by another process (as another
    gunicorn worker would) for the duration; when it ends (or the yielded process is killed) the kernel
    releases its lock."""
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASH_MACHINE_SLOTS = 1
    settings.PASSWORD_HASH_WAIT_S = 0.2
    (tmp_path / "hash-slots").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'ab'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); "
            "sys.stdin.read()",
            str(tmp_path / "hash-slots" / "slot-0.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            holder.communicate("", timeout=10)


def test_a_machine_wide_hashing_slot_held_by_another_process_makes_log_in_wait(make_user, settings, tmp_path):
    """PASSWORD_HASH_MACHINE_SLOTS caps hashing across processes (another gunicorn worker, here a plain
    process holding the one slot file's lock): a log-in waits for it, then answers busy."""
    make_user("machine")
    credentials = {"username": "machine", "password": "correct horse battery"}
    with _machine_slot_held_elsewhere(settings, tmp_path):
        busy = Client().post("/login/", credentials)
        assert busy.status_code == 429 and busy["Retry-After"] == "3"
    assert Client().post("/login/", credentials).status_code == 302
    # The per-process slot was given back with the busy answer: a second log-in is not refused either.
    assert Client().post("/login/", credentials).status_code == 302


def test_a_full_waiting_line_for_hashing_answers_429_at_once(make_user, settings):
    """Each waiting request holds a web thread: beyond PASSWORD_HASH_MAX_WAITING they are not kept."""
    import threading
    import time

    settings.PASSWORD_HASH_CONCURRENCY = 1
    settings.PASSWORD_HASH_WAIT_S = 5
    settings.PASSWORD_HASH_MAX_WAITING = 1
    make_user("queued")
    credentials = {"username": "queued", "password": "correct horse battery"}
    release = threading.Event()
    waiting = threading.Event()

    def holder() -> None:
        with trust_signup.hashing_slot():
            release.wait(5)

    def waiter() -> None:
        waiting.set()
        with trust_signup.hashing_slot():
            pass

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    time.sleep(0.1)
    threads.append(threading.Thread(target=waiter))
    threads[1].start()
    waiting.wait(2)
    time.sleep(0.1)
    started = time.perf_counter()
    busy = Client().post("/login/", credentials)  # a slot taken and one already waiting
    assert busy.status_code == 429 and busy["Retry-After"] == "3"
    assert time.perf_counter() - started < 2  # answered at once, not after PASSWORD_HASH_WAIT_S
    release.set()
    for t in threads:
        t.join(5)
    assert Client().post("/login/", credentials).status_code == 302


def test_busy_answers_do_not_use_up_the_sign_ups_of_an_address(app_token, settings):
    """A newcomer who retries a busy server as told (429, Retry-After 3) must not be locked out for the
    hour: the busy answers give back what they counted (found in a 2,000-account burst, where every address
    still trying hit signup.ip's limit with refusals alone)."""
    settings.PASSWORD_HASH_CONCURRENCY = 1
    settings.PASSWORD_HASH_MAX_WAITING = 0  # no waiting line: a taken slot answers busy at once
    settings.RATE_LIMITS = {
        "signup.ip": "2/1h",
        "signup.subnet": "100/1h",
        "signup.domain": "100/1h",
        "api.caller": "5/1h",
    }
    with trust_signup.hashing_slot():  # another sign-up is hashing
        busy = [sign_up(app_token, f"retrier{i}", email=f"retrier{i}@example.org") for i in range(6)]
    assert [r.status_code for r in busy] == [429] * 6
    assert all(r["Retry-After"] == "3" for r in busy)
    # Retried once the server has room: both of the address's sign-ups are still there.
    assert sign_up(app_token, "retrier", email="retrier@example.org").status_code == 200
    assert sign_up(app_token, "retrier2nd", email="retrier2nd@example.org").status_code == 200
    third = sign_up(app_token, "retrier3rd", email="retrier3rd@example.org")
    assert third.status_code == 429 and int(third["Retry-After"]) > 3  # the real limit still holds


def test_busy_log_ins_do_not_count_against_the_account(make_user, settings):
    settings.PASSWORD_HASH_CONCURRENCY = 1
    settings.PASSWORD_HASH_MAX_WAITING = 0
    settings.RATE_LIMITS = {"login.ip": "2/5m", "login.account": "2/15m"}
    make_user("patient")
    credentials = {"username": "patient", "password": "correct horse battery"}
    with trust_signup.hashing_slot():
        assert [Client().post("/login/", credentials).status_code for _ in range(5)] == [429] * 5
    assert Client().post("/login/", credentials).status_code == 302


def test_newcomers_signing_up_through_one_app_do_not_share_one_api_allowance(app_token, settings):
    """Every newcomer using an app signs up with that app's token (Mastodon's POST /api/v1/accounts): the
    per-caller API limit counts them per address, not per token (a 10,000-account burst stopped at 4,058
    when the app's token used up api.caller's 3,000 per 5 minutes)."""
    settings.RATE_LIMITS = {"api.caller": "3/1h", "signup.ip": "3/1h", "signup.subnet": "100/1h"}
    answers = [sign_up(app_token, f"newcomer{i}", REMOTE_ADDR=f"198.51.{i}.7").status_code for i in range(6)]
    assert answers == [200] * 6
    # One address is still held to its allowance.
    same = [sign_up(app_token, f"samehost{i}", REMOTE_ADDR="203.0.113.80").status_code for i in range(4)]
    assert same == [200, 200, 200, 429]


def test_the_machine_wide_slot_covers_the_password_hash_alone(app_token, settings, make_user, tmp_path):
    """PASSWORD_HASH_MACHINE_SLOTS is held around the Argon2 call only: while another process holds the
    one slot, a sign-up whose name is taken is told so at once (its checks ran outside the slot), and one
    that would be created waits, then answers busy with nothing written."""
    make_user("taken_name")
    with _machine_slot_held_elsewhere(settings, tmp_path):
        taken = sign_up(app_token, "taken_name", email="someone@example.org")
        busy = sign_up(app_token, "free_name", email="free@example.org")
    assert taken.status_code == 422 and "taken" in taken.content.decode().lower()
    assert busy.status_code == 429 and busy["Retry-After"] == "3"
    assert not User.objects.filter(username="free_name").exists()
    assert sign_up(app_token, "free_name", email="free@example.org").status_code == 200


def test_a_hashing_slot_whose_holder_dies_is_free_again(app_token, settings, tmp_path):
    """The machine's slot is a kernel lock: a web worker killed while hashing (SIGKILL, the OOM killer)
    cannot keep it, so the next sign-up gets it and nothing waits for a process that is gone."""
    with _machine_slot_held_elsewhere(settings, tmp_path) as holder:
        busy = sign_up(app_token, "while_held", email="held@example.org")
        assert busy.status_code == 429  # the slot really is taken
        holder.kill()  # SIGKILL: no clean release
        holder.wait(10)
    created = sign_up(app_token, "after_death", email="after@example.org")
    assert created.status_code == 200 and created.json()["access_token"]
    assert User.objects.filter(username="after_death").exists()


def test_sign_up_and_log_in_work_when_the_slot_files_cannot_be_made(app_token, settings, tmp_path, caplog):
    """A broken slot folder (here ``hash-slots`` is a plain file; a read-only or full disk is the same
    OSError) costs the machine-wide cap, not the sign-ups: they hash under the per-process slot alone and
    the fault is logged."""
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASH_MACHINE_SLOTS = 1
    (tmp_path / "hash-slots").write_text("not a folder")
    with caplog.at_level("WARNING", logger="trust.signup"):
        created = sign_up(app_token, "no_slot_dir", email="noslot@example.org")
    assert created.status_code == 200 and created.json()["access_token"]
    assert User.objects.filter(username="no_slot_dir").exists()
    assert "without the machine-wide slot" in caplog.text
    assert Client().post("/login/", {"username": "no_slot_dir", "password": "a long passphrase 9"}).status_code == 302


def _hash_in_the_machine_slot(data_dir: str, log: str, rounds: int) -> None:
    """A forked process (another web worker) taking the machine's slot ``rounds`` times and writing, inside
    it, 'in' then 'out' lines with its pid to the shared log."""
    import os
    import time

    from django.conf import settings

    settings.DATA_DIR = Path(data_dir)
    settings.PASSWORD_HASH_MACHINE_SLOTS = 1
    for _ in range(rounds):
        with trust_signup.machine_slot(time.monotonic() + 30):
            with open(log, "a") as out:
                out.write(f"in {os.getpid()}\n")
            time.sleep(0.01)
            with open(log, "a") as out:
                out.write(f"out {os.getpid()}\n")


def test_one_machine_wide_slot_lets_one_process_hash_at_a_time(settings, tmp_path):
    """PASSWORD_HASH_MACHINE_SLOTS = 1 across processes: three forked processes taking the slot over and
    over never have two inside it at once (every 'in' is followed by the same process's 'out')."""
    import multiprocessing

    log = tmp_path / "slot.log"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_hash_in_the_machine_slot, args=(str(tmp_path), str(log), 15)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = log.read_text().split()
    events = list(zip(lines[0::2], lines[1::2], strict=True))
    assert len(events) == 3 * 15 * 2
    assert len({pid for _kind, pid in events}) == 3
    for (kind_in, pid_in), (kind_out, pid_out) in zip(events[0::2], events[1::2], strict=True):
        assert (kind_in, kind_out) == ("in", "out") and pid_in == pid_out
