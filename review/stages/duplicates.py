"""Near-duplicate spam across accounts: MinHash over character 5-gram shingles with banded LSH,
stored per item in ``TextFingerprint``; photos compare their perceptual hash (``Photo.phash``).

Character shingles work for Chinese and Thai, which have no spaces. Eight bands of four rows find
pairs with Jaccard similarity above about 0.6 with high probability.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

import numpy as np
from django.utils import timezone

from review.normalize import Normalized
from review.stages import Signal

STAGE = "duplicates"
SHINGLE = 5
BANDS = 8
ROWS = 4
MIN_CHARS = 24
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20250114)
_A = _rng.integers(1, 1 << 31, size=BANDS * ROWS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, size=BANDS * ROWS, dtype=np.uint64)


def signature(squashed: str) -> list[int] | None:
    if len(squashed) < MIN_CHARS:
        return None
    shingles = {squashed[i : i + SHINGLE] for i in range(len(squashed) - SHINGLE + 1)}
    hashes = np.fromiter((zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles))
    # (a*x + b) mod 2^32 per hash function, minimum over shingles: a 32-row MinHash signature.
    table = (np.outer(_A, hashes) + _B[:, None]) & np.uint64(0xFFFFFFFF)
    return [int(v) for v in table.min(axis=1)]


def bands(sig: list[int]) -> list[int]:
    out = []
    for b in range(BANDS):
        chunk = ",".join(str(v) for v in sig[b * ROWS : (b + 1) * ROWS])
        # Signed 63-bit so it fits a BigIntegerField on every database.
        out.append(zlib.crc32(f"{b}:{chunk}".encode()) | (b << 32))
    return out


def run(
    norm: Normalized,
    *,
    target_type: str,
    target_id: int,
    author_id: int,
    thresholds: dict,
    photo_hashes: list[str] | None = None,
    record: bool = True,
) -> list[Signal]:
    from notes.models import Photo
    from review.models import TextFingerprint

    window = timezone.now() - timedelta(hours=float(thresholds["duplicate_window_hours"]))
    signals: list[Signal] = []
    sig = signature(norm.squashed)
    if sig is not None:
        keys = bands(sig)
        others = (
            TextFingerprint.objects.filter(band__in=keys, created_at__gte=window)
            .exclude(author_id=author_id)
            .values_list("author_id", flat=True)
            .distinct()
        )
        count = len(set(others)) + 1
        if record:
            TextFingerprint.objects.filter(target_type=target_type, target_id=target_id).delete()
            TextFingerprint.objects.bulk_create(
                [
                    TextFingerprint(target_type=target_type, target_id=target_id, author_id=author_id, band=k)
                    for k in keys
                ]
            )
        signals.extend(_score(count, thresholds, "text"))
    hashes = [h for h in (photo_hashes or []) if h]
    if hashes:
        owners = (
            Photo.objects.filter(phash__in=hashes, created_at__gte=window)
            .exclude(owner_id=author_id)
            .values_list("owner_id", flat=True)
            .distinct()
        )
        signals.extend(_score(len(set(owners)) + 1, thresholds, "photo"))
    return signals


def _score(accounts: int, thresholds: dict, what: str) -> list[Signal]:
    hold, reject = int(thresholds["duplicate_accounts_hold"]), int(thresholds["duplicate_accounts_reject"])
    if accounts >= reject:
        return [Signal(STAGE, "spam", 0.95, f"same {what} posted by {accounts} accounts", "near_duplicate")]
    if accounts >= hold:
        return [Signal(STAGE, "spam", 0.6, f"same {what} posted by {accounts} accounts", "near_duplicate")]
    return []
