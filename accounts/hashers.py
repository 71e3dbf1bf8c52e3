"""Password hashing parameters (docs/trust.md, "Password hashing").

Django's Argon2 defaults (argon2id, 100 MiB, 2 passes, 8 lanes) cost about a tenth of a second of CPU
and 100 MiB of memory per hash. Sign-up and log-in bursts are bound by it (``PASSWORD_HASH_CONCURRENCY``
slots per process), so this hasher uses OWASP's recommended argon2id configuration instead: 19 MiB,
2 passes, 1 lane (the Password Storage Cheat Sheet's first option). ``bench/password_hash.py`` measures
both on the machine at hand.

The algorithm name stays ``argon2``: every existing hash still verifies (its parameters are read from the
hash itself), and Django re-hashes a password with these parameters the next time its owner logs in
(``must_update`` compares the parameters).

A stored hash that is not a valid Argon2 hash (damaged, or written by hand) is a failed log-in, not a
server error: Django's own hasher raises ``InvalidHashError`` from ``must_update`` for it.
"""

from __future__ import annotations

from argon2.exceptions import InvalidHashError
from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def verify(self, password: str, encoded: str) -> bool:
        try:
            return bool(super().verify(password, encoded))
        except (InvalidHashError, ValueError):
            return False

    def must_update(self, encoded: str) -> bool:
        try:
            return bool(super().must_update(encoded))
        except (InvalidHashError, ValueError):
            return False
