"""Password hashing cost: Django's Argon2 defaults against OWASP's argon2id parameters
(accounts/hashers.py), hashes per second on one core, with wall and CPU time per hash.

The two hashers are measured in alternating rounds in the same run, so a shared, busy machine slows
both alike; the CPU time per hash (``time.process_time``) is the figure least disturbed by other load.

    python bench/password_hash.py [--rounds 5] [--per-round 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402

from accounts.hashers import OwaspArgon2PasswordHasher  # noqa: E402

HASHERS = {"django default": Argon2PasswordHasher(), "owasp": OwaspArgon2PasswordHasher()}


def describe(hasher: Argon2PasswordHasher) -> str:
    return f"argon2id m={hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism}"


def round_of(hasher: Argon2PasswordHasher, n: int) -> tuple[float, float, float]:
    """(wall s per hash, CPU s per hash, wall s per verify) over ``n`` hashes."""
    wall, cpu = time.perf_counter(), time.process_time()
    encoded = ""
    for i in range(n):
        encoded = hasher.encode(f"a long passphrase {i}", hasher.salt())
    wall_per, cpu_per = (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n
    started = time.perf_counter()
    assert hasher.verify(f"a long passphrase {n - 1}", encoded)
    return wall_per, cpu_per, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in HASHERS}
    for _ in range(args.rounds):
        for name, hasher in HASHERS.items():
            results[name].append(round_of(hasher, args.per_round))
    medians = {}
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        verify = statistics.median(r[2] for r in rows)
        medians[name] = cpu
        print(
            f"{name:15} {describe(HASHERS[name]):32} median per hash: {1000 * wall:6.1f} ms wall, "
            f"{1000 * cpu:6.1f} ms CPU ({1 / cpu:5.1f} hashes/s per core by CPU time, {1 / wall:5.1f} by wall); "
            f"verify {1000 * verify:.1f} ms"
        )
    print(f"CPU time ratio default / owasp: {medians['django default'] / medians['owasp']:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
