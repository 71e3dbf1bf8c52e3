"""Precision and recall of the impersonation detector's name comparison, per trick.

Reads ``bench/data/impersonation_pairs.tsv`` (trick, label, candidate, protected, note; label 1 = must be
flagged, 0 = an honest name that must not be), runs ``trust.impersonation.compare_names`` with the
configured thresholds (``TRUST_IMPERSONATION`` over the defaults) and prints, per trick, how many pairs
were flagged, with recall for imitation tricks and the false-positive rate for honest ones; then overall
precision and recall, a sweep of the fuzzy threshold and of the pinyin minimum length, and the time per
comparison. No database is needed.

    python bench/impersonation_eval.py [--tsv PATH] [--misses] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_TSV = Path(__file__).resolve().parent / "data" / "impersonation_pairs.tsv"


def load(path: Path) -> list[tuple[str, int, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        trick, label, candidate, protected, note = line.split("\t")
        rows.append((trick, int(label), candidate, protected, note))
    return rows


def evaluate(rows: list[tuple[str, int, str, str, str]], cfg: dict[str, Any]) -> dict[str, Any]:
    from trust.impersonation import Name, compare_names

    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "label": 0, "flagged": 0, "signals": {}})
    tp = fp = fn = tn = 0
    misses = []
    for trick, label, candidate, protected, note in rows:
        found = compare_names(Name.of(candidate), Name.of(protected), cfg)
        flagged = found is not None and found.score >= cfg["flag_score"]
        row = per[trick]
        row["n"] += 1
        row["label"] = label
        row["flagged"] += int(flagged)
        if flagged and found is not None:
            row["signals"][found.signal] = row["signals"].get(found.signal, 0) + 1
        tp += int(flagged and label == 1)
        fp += int(flagged and label == 0)
        fn += int(not flagged and label == 1)
        tn += int(not flagged and label == 0)
        if flagged != bool(label):
            misses.append(
                {
                    "trick": trick,
                    "label": label,
                    "candidate": candidate,
                    "protected": protected,
                    "got": f"{found.signal} {found.score}" if found else "-",
                    "note": note,
                }
            )
    for row in per.values():
        row["rate"] = round(row["flagged"] / row["n"], 3)
    return {
        "pairs": len(rows),
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "per_trick": dict(sorted(per.items(), key=lambda kv: (-kv[1]["label"], kv[0]))),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--misses", action="store_true", help="list every pair the detector got wrong")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    import django

    django.setup()
    from trust.impersonation import Name, compare_names, config

    rows = load(args.tsv)
    cfg = config()
    result = evaluate(rows, cfg)
    sweeps: dict[str, dict[str, Any]] = {}
    for threshold in (85, 88, 90, 92, 93, 95, 97):
        r = evaluate(rows, {**cfg, "fuzzy_threshold": threshold})
        sweeps[f"fuzzy_threshold={threshold}"] = {"precision": r["precision"], "recall": r["recall"], "fp": r["fp"]}
    for length in (4, 5, 6, 7, 8):
        r = evaluate(rows, {**cfg, "pinyin_min_length": length})
        sweeps[f"pinyin_min_length={length}"] = {"precision": r["precision"], "recall": r["recall"], "fp": r["fp"]}
    for length in (6, 8, 10):
        r = evaluate(rows, {**cfg, "fuzzy_min_length": length})
        sweeps[f"fuzzy_min_length={length}"] = {"precision": r["precision"], "recall": r["recall"], "fp": r["fp"]}
    # Time per comparison with both names folded beforehand (the detector folds each protected name once).
    names = [(Name.of(c), Name.of(p)) for _t, _l, c, p, _n in rows]
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for c, p in names:
            compare_names(c, p, cfg)
    compare_us = (time.perf_counter() - started) / (rounds * len(names)) * 1e6
    started = time.perf_counter()
    for row in rows:
        Name.of(row[2])
    fold_us = (time.perf_counter() - started) / len(rows) * 1e6
    result.update(
        {"config": cfg, "sweeps": sweeps, "compare_us": round(compare_us, 1), "fold_name_us": round(fold_us, 1)}
    )
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "misses" or args.misses}, ensure_ascii=False))
        return
    print(f"{result['pairs']} pairs; precision {result['precision']}, recall {result['recall']} ", end="")
    print(f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']}, tn {result['tn']})")
    print(f"{'trick':<20} {'label':>5} {'pairs':>5} {'flagged':>7} {'rate':>6}  signals")
    for trick, row in result["per_trick"].items():
        what = "recall" if row["label"] else "FP rate"
        signals = ", ".join(f"{k} {v}" for k, v in sorted(row["signals"].items(), key=lambda kv: -kv[1]))
        print(f"{trick:<20} {row['label']:>5} {row['n']:>5} {row['flagged']:>7} {row['rate']:>6}  ({what}) {signals}")
    print("sweeps:")
    for key, r in sweeps.items():
        print(f"  {key:<22} precision {r['precision']:<6} recall {r['recall']:<6} fp {r['fp']}")
    print(f"compare: {result['compare_us']} µs per pair (names folded); folding a name: {result['fold_name_us']} µs")
    if args.misses:
        print("misses:")
        for m in result["misses"]:
            pair = f"{m['candidate']!r} vs {m['protected']!r}"
            print(f"  [{m['trick']}] label {m['label']}: {pair} -> {m['got']}  ({m['note']})")


if __name__ == "__main__":
    main()
