"""Argon2 with OWASP's parameters (accounts/hashers.py): new hashes use them; hashes made with Django's
heavier defaults still verify and are upgraded at the next log-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.test import Client

from accounts.hashers import OwaspArgon2PasswordHasher
from accounts.models import User

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _real_hashers(settings):
    settings.PASSWORD_HASHERS = [
        "accounts.hashers.OwaspArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def params(encoded: str) -> tuple[int, int, int]:
    decoded = OwaspArgon2PasswordHasher().decode(encoded)["params"]
    return decoded.memory_cost, decoded.time_cost, decoded.parallelism


def test_new_hashes_use_owasps_argon2id_parameters():
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    assert params(encoded) == (19 * 1024, 2, 1)
    assert isinstance(identify_hasher(encoded), OwaspArgon2PasswordHasher)


def test_an_old_hash_still_verifies_and_is_upgraded_at_log_in(db, make_user):
    user = make_user("old_timer")
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert params(old) == (102400, 2, 8)
    User.objects.filter(pk=user.pk).update(password=old)
    assert Client().post("/login/", {"username": "old_timer", "password": "wrong one"}).status_code == 200
    assert User.objects.get(pk=user.pk).password == old  # a failed log-in changes nothing
    assert Client().post("/login/", {"username": "old_timer", "password": PASSWORD}).status_code == 302
    upgraded = User.objects.get(pk=user.pk).password
    assert upgraded != old and params(upgraded) == (19 * 1024, 2, 1)
    assert Client().post("/login/", {"username": "old_timer", "password": PASSWORD}).status_code == 302


def test_a_malformed_hash_is_a_failed_log_in_not_an_error(db, make_user):
    user = make_user("broken_hash")
    User.objects.filter(pk=user.pk).update(password="argon2$argon2id$v=19$m=oops")
    response = Client().post("/login/", {"username": "broken_hash", "password": PASSWORD})
    assert response.status_code == 200


def test_with_password_hash_nice_argon2_runs_in_a_thread_at_that_priority(settings):
    """PASSWORD_HASH_NICE: hashing and checking run in this process's dedicated hashing thread, which has
    lowered its own priority by that many steps; the hashes are the same Argon2 and errors come back to the caller."""
    import os
    import threading

    from accounts import hashers

    settings.PASSWORD_HASH_NICE = 12
    thread = hashers.niced_thread()
    assert thread is not None and thread.native_id is not None
    assert thread.native_id != threading.get_native_id()
    assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 12)
    ran_in: list[int] = []
    assert hashers.at_hashing_priority(lambda: ran_in.append(threading.get_native_id())) is None
    assert ran_in == [thread.native_id]
    encoded = make_password(PASSWORD)
    assert params(encoded) == (19 * 1024, 2, 1)
    hasher = OwaspArgon2PasswordHasher()
    assert hasher.verify(PASSWORD, encoded) and not hasher.verify("wrong", encoded)
    assert not hasher.verify(PASSWORD, "argon2$argon2id$not-a-hash")  # raised in the thread, handled here
    with pytest.raises(ZeroDivisionError):
        hashers.at_hashing_priority(lambda: 1 / 0)
    assert hashers.niced_thread() is thread  # one thread per process, kept

    settings.PASSWORD_HASH_NICE = 0
    assert hashers.niced_thread() is None
    here: list[int] = []
    hashers.at_hashing_priority(lambda: here.append(threading.get_native_id()))
    assert here == [threading.get_native_id()]


def test_password_hash_nice_counts_from_the_priority_the_server_runs_at(settings):
    """A server started under ``nice`` (a systemd unit's Nice=, ``nice -n 10``): the hashing thread still
    goes PASSWORD_HASH_NICE steps below the priority it started at, so it stays below that server's page
    reads. (Taken as an absolute value, 4 would leave a thread started at nice 6 level with the reads.)"""
    import os
    import threading

    from accounts import hashers

    settings.PASSWORD_HASH_NICE = 4
    box: dict[str, object] = {}

    def start_from_a_niced_thread() -> None:  # threads start at their creator's priority
        os.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 6))
        box["start"] = os.getpriority(os.PRIO_PROCESS, 0)
        box["thread"] = hashers.niced_thread()

    starter = threading.Thread(target=start_from_a_niced_thread)
    starter.start()
    starter.join(10)
    thread = box["thread"]
    assert isinstance(thread, hashers._NicedThread) and thread.native_id is not None
    assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == min(19, int(str(box["start"])) + 4)
    assert hashers.at_hashing_priority(lambda: "hashed") == "hashed"
