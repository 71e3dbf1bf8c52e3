"""Spam waves across accounts: the same payload, or the same soliciting text, from several new
accounts; photos compare their perceptual hash (``Photo.phash``), videos their poster's (``Video.phash``).

People post the same short comment all the time ("Love this!", 好看, 求链接); a wave pushes the same
*payload* (a link, a contact id, a phone number, an e-mail address, a price, a code; see
``core.payloads``) from a cluster of new accounts, in changing words. So the stage counts:

* **payloads**: each payload key of the text, over the distinct *new* accounts (younger than
  ``new_account_days``) that posted it within ``duplicate_window_hours``. Held at
  ``payload_accounts_hold`` accounts; rejected at ``payload_accounts_reject`` when at least
  ``payload_accounts_hold`` of them form a cluster (below).
* **soliciting text** (a payload or a lure such as "DM me", 私信, 主页): near-duplicates by MinHash over
  character 5-gram shingles with banded LSH, over the distinct new accounts: held at
  ``duplicate_accounts_hold``, rejected at ``duplicate_accounts_reject``, as before.
* **payload-free text**: a phrase shorter than ``duplicate_min_weight`` (Latin letters; a CJK character
  counts three) is never a duplicate, however many people write it. A longer one held only, never
  rejected: at ``duplicate_accounts_hold`` new accounts that form a cluster, or at
  ``duplicate_accounts_reject`` new accounts.

Established accounts are not counted: a wave is pushed by new accounts. A **cluster** is the largest
set of those accounts that share a network country (``User.last_ip_country``) and were created within
``wave_cluster_hours`` of each other.

A wave is recognised only once it has several members, so its first ones were published. When a
signal reaches the hold level, ``review.waves.sweep`` (a task, on commit) screens the earlier members
again and holds or rejects them the same way.

Fingerprints live in ``TextFingerprint``: the MinHash bands (below 2^35) and one row per payload key
(``payload_band``: bit 60 set, so the two can never collide). Character shingles work for Chinese and
Thai, which have no spaces. Eight bands of four rows find pairs with Jaccard similarity above about 0.6
with high probability.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from accounts.models import User
from core import payloads
from core.tasks import enqueue_on_commit
from notes.models import Photo, Video
from review.models import TextFingerprint
from review.normalize import Normalized, text_weight
from review.stages import Signal

STAGE = "duplicates"
SHINGLE = 5
BANDS = 8
ROWS = 4
MIN_CHARS = 24
HOLD_SCORE = 0.6
REJECT_SCORE = 0.95
PAYLOAD_TAG = 1 << 60
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


def payload_band(key: str) -> int:
    """A payload key as a fingerprint row: 56 bits of its hash with bit 60 set."""
    return PAYLOAD_TAG | int.from_bytes(hashlib.blake2b(key.encode(), digest_size=7).digest(), "big")


def cluster_size(accounts: Iterable[tuple[datetime, str]], hours: float) -> int:
    """The largest number of accounts (date joined, network country) that share a country and were
    created within ``hours`` of each other. Accounts of unknown country form no cluster."""
    by_country: dict[str, list[datetime]] = defaultdict(list)
    for joined, country in accounts:
        if country:
            by_country[country].append(joined)
    best = 0
    span = timedelta(hours=hours)
    for times in by_country.values():
        times.sort()
        start = 0
        for end in range(len(times)):
            while times[end] - times[start] > span:
                start += 1
            best = max(best, end - start + 1)
    return best


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
    now = timezone.now()
    window = now - timedelta(hours=float(thresholds["duplicate_window_hours"]))
    new_since = now - timedelta(days=float(thresholds["new_account_days"]))
    found = payloads.extract(norm.original)
    counted = {p.key: p for p in found.counted}
    key_bands = {payload_band(key): key for key in counted}
    solicits = found.solicits
    sig = None
    if solicits or text_weight(norm.squashed) >= int(thresholds["duplicate_min_weight"]):
        sig = signature(norm.squashed)
    text_bands = bands(sig) if sig is not None else []
    all_bands = text_bands + list(key_bands)

    signals: list[Signal] = []
    crossed: list[int] = []
    if all_bands:
        rows = list(
            TextFingerprint.objects.filter(band__in=all_bands, created_at__gte=window)
            .exclude(author_id=author_id)
            .values_list("band", "author_id")
            .distinct()
        )
        accounts = {
            pk: (joined, country)
            for pk, joined, country in User.objects.filter(pk__in={a for _, a in rows} | {author_id}).values_list(
                "pk", "date_joined", "last_ip_country"
            )
            if joined >= new_since
        }
        if author_id in accounts:  # a wave is pushed by new accounts; an established author is not in one
            carriers: dict[int, set[int]] = defaultdict(set)
            for band, author in rows:
                if author in accounts:
                    carriers[band].add(author)
            hours = float(thresholds["wave_cluster_hours"])
            best: tuple[float, str, list[int]] | None = None
            for band, key in key_bands.items():
                members = carriers[band] | {author_id}
                score = _payload_score(len(members), cluster_size((accounts[a] for a in members), hours), thresholds)
                if score and (best is None or score > best[0]):
                    best = (score, _payload_reason(counted[key], members, accounts, hours), [band])
            if text_bands:
                members = set().union(*(carriers[b] for b in text_bands)) | {author_id}
                cluster = cluster_size((accounts[a] for a in members), hours)
                score = _text_score(len(members), cluster, solicits, thresholds)
                if score and (best is None or score > best[0]):
                    what = "near-identical soliciting text" if solicits else "near-identical long text"
                    best = (score, f"{what} from {len(members)} new accounts{_cluster_words(cluster)}", text_bands)
            if best is not None:
                score, reason, crossed = best
                rule = "payload_wave" if crossed[0] & PAYLOAD_TAG else "near_duplicate"
                signals.append(Signal(STAGE, "spam", score, reason, rule))
    if record:
        TextFingerprint.objects.filter(target_type=target_type, target_id=target_id).delete()
        TextFingerprint.objects.bulk_create(
            [
                TextFingerprint(target_type=target_type, target_id=target_id, author_id=author_id, band=k)
                for k in all_bands
            ]
        )
        if crossed:
            _sweep_later(target_type, target_id, crossed)
    hashes = [h for h in (photo_hashes or []) if h]
    if hashes:
        owners = {
            owner
            for model in (Photo, Video)  # a video is compared by its poster frame's hash
            for owner in model.objects.filter(phash__in=hashes, created_at__gte=window)
            .exclude(owner_id=author_id)
            .values_list("owner_id", flat=True)
            .distinct()
        }
        signals.extend(_photo_score(len(owners) + 1, thresholds))
    return signals


def _payload_score(accounts: int, cluster: int, thresholds: dict) -> float:
    hold = int(thresholds["payload_accounts_hold"])
    if accounts >= int(thresholds["payload_accounts_reject"]) and cluster >= hold:
        return REJECT_SCORE
    return HOLD_SCORE if accounts >= hold else 0.0


def _text_score(accounts: int, cluster: int, solicits: bool, thresholds: dict) -> float:
    hold, reject = int(thresholds["duplicate_accounts_hold"]), int(thresholds["duplicate_accounts_reject"])
    if solicits:
        return REJECT_SCORE if accounts >= reject else HOLD_SCORE if accounts >= hold else 0.0
    # Without a payload or a lure the text sells nothing: held for a person at most.
    return HOLD_SCORE if accounts >= reject or (accounts >= hold and cluster >= hold) else 0.0


def _cluster_words(cluster: int) -> str:
    return f", {cluster} of them created close together from one country" if cluster >= 2 else ""


def _payload_reason(
    found: payloads.Payload, members: set[int], accounts: dict[int, tuple[datetime, str]], hours: float
) -> str:
    cluster = cluster_size((accounts[a] for a in members), hours)
    return f"the same {found.describe()} posted by {len(members)} new accounts{_cluster_words(cluster)}"


def _sweep_later(target_type: str, target_id: int, crossed: list[int]) -> None:
    # review.tasks imports the screening pipeline and so this module: imported here to break the cycle.
    from review.tasks import sweep_wave_task

    enqueue_on_commit(sweep_wave_task, target_type=target_type, target_id=target_id, bands=crossed)


def _photo_score(accounts: int, thresholds: dict) -> list[Signal]:
    hold, reject = int(thresholds["duplicate_accounts_hold"]), int(thresholds["duplicate_accounts_reject"])
    if accounts >= reject:
        return [Signal(STAGE, "spam", REJECT_SCORE, f"same photo posted by {accounts} accounts", "near_duplicate")]
    if accounts >= hold:
        return [Signal(STAGE, "spam", HOLD_SCORE, f"same photo posted by {accounts} accounts", "near_duplicate")]
    return []
