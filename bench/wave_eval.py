"""Tell a spam wave from a common phrase: the comment set in bench/data/wave_eval.yaml through the
real screening path.

Every comment is written with ``notes.services.create_comment`` by its own account and screened the
way the site screens it (``review.intake.screen_comment`` from the on-commit task, run inline by the
immediate task backend), with every stage on and no LLM (none is installed on the benchmark box).

Accounts: the benign comments come from a pool of readers, half of them established (joined 3 months
to 3 years ago), half new (joined in the last three days, most of the English ones within the same few
hours: a newcomer wave like January 2025). Each spam wave is posted by its own cluster of new accounts
(created within one hour, the same network country), one comment per account. Benign and wave
comments are interleaved in a seeded random order.

Accounts younger than a week get a sign-up record (``trust.Signup``), as the public sign-up leaves one,
so trust's newcomer rules judge them as on the site (``payload_shared``: the same payload from several
newcomers); ``--no-signup-records`` leaves them out, as the evaluation ran before that rule.

Reports the share of benign comments held or rejected (target at most 1%) and the share of wave
comments held or rejected (target at least 95%), both as first screened ("at post time") and at the
end, after the retroactive wave sweep, plus the benign ones that were held and the wave comments that
got through; for the development part of the set (the screening was tuned while looking at it), the
first held-out part (written afterwards; its first run is the blind figure, and its misses were then
fixed), the second held-out part (written after those fixes, never tuned on) and all of them.

    python bench/wave_eval.py [--seed 7] [--json OUT] [--quiet] [--no-signup-records]

Runs on a throwaway SQLite database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
_tmp = tempfile.mkdtemp(prefix="wave-eval-")
os.environ["NOTEBRIDGE_DATA_DIR"] = _tmp
os.environ["SQLITE_PATH"] = str(Path(_tmp) / "eval.sqlite3")
os.environ["TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
os.environ["REVIEW_USE_LLM"] = "0"

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

DATA = ROOT / "bench" / "data" / "wave_eval.yaml"
EN_REGIONS = ["US", "US", "US", "GB", "CA", "AU", "PH", "DE"]
ZH_REGIONS = ["CN", "CN", "CN", "TW", "HK", "SG", "MY"]
READERS_PER_LANGUAGE = 90
COMMON_REPEATS = (4, 9)  # each common phrase is posted this many times (inclusive range), by different people
NAMES = ("development", "held-out", "held-out 2")
SIGNUP_RECORDS = True  # --no-signup-records: new accounts as the operator's tools make them


def parts(data: dict) -> list[tuple[str, dict]]:
    """(name, section) of the set: the development part, then each held-out round."""
    return [("development", data), ("held-out", data["holdout"]), ("held-out 2", data["holdout2"])]


@dataclass
class Post:
    text: str
    group: str  # unique | common | payload-like | wave name
    language: str
    author: Any  # accounts.models.User
    wave: str = ""
    comment_id: int = 0
    part: str = "development"  # development | held-out | held-out 2


def load() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def make_account(name: str, *, language: str, region: str, joined) -> Any:
    from accounts.models import User
    from accounts.services import register_user

    user = register_user(
        username=name,
        password=None,  # type: ignore[arg-type]
        languages=["en"] if language == "en" else ["zh-Hans"],
        region=region,
        check_password=False,
    )
    # The benchmark needs accounts of known ages; nothing in the product backdates a sign-up.
    User.objects.filter(pk=user.pk).update(date_joined=joined)
    user.date_joined = joined
    if SIGNUP_RECORDS and joined >= timezone.now() - timedelta(days=7):
        # On the site a new account came in through the public sign-up, which leaves this record; trust's
        # newcomer rules (payload_shared) judge only such accounts.
        from trust.models import Signup

        Signup.objects.filter(pk=Signup.objects.create(user=user, country=region).pk).update(created_at=joined)
    return user


def build(data: dict, rng: random.Random) -> tuple[list[Post], list[int]]:
    from notes.models import Note, NoteState
    from notes.services import create_note

    now = timezone.now()
    authors = [
        make_account(f"author{i}", language=lang, region=region, joined=now - timedelta(days=400 + i))
        for i, (lang, region) in enumerate([("en", "US"), ("zh", "CN"), ("en", "GB"), ("zh", "TW")])
    ]
    notes = []
    topics = [
        ("Sunday dumplings", "Folded sixty dumplings with my family, pork and chive, recipe below."),
        ("周末包饺子", "和家人一起包了六十个饺子，猪肉韭菜馅，做法写在下面。"),
        ("Lakeside trail", "An easy two-hour loop with a view of the lake the whole way."),
        ("秋天的穿搭", "米色风衣配白色运动鞋，通勤周末都合适。"),
        ("My balcony herbs", "Basil, mint and chives in three pots, watered every other day."),
        ("考研笔记", "整理了一学期的笔记，分享给同样在准备的朋友。"),
    ]
    for i, (title, body) in enumerate(topics):
        note = create_note(author=authors[i % len(authors)], title=title, body=body)
        notes.append(note.pk)
    published = list(Note.objects.filter(pk__in=notes, state=NoteState.PUBLISHED).values_list("pk", flat=True))
    if not published:
        raise SystemExit("no note was published; the benchmark needs notes to comment on")

    readers: dict[str, list[Any]] = {"en": [], "zh": []}
    for lang, regions in (("en", EN_REGIONS), ("zh", ZH_REGIONS)):
        for i in range(READERS_PER_LANGUAGE):
            if i % 2:
                joined = now - timedelta(days=rng.uniform(90, 1100))
            elif lang == "en" and i % 4 == 0:
                joined = now - timedelta(hours=30) + timedelta(minutes=rng.uniform(0, 240))  # the newcomer wave
            else:
                joined = now - timedelta(hours=rng.uniform(1, 72))
            region = "US" if lang == "en" and i % 4 == 0 else rng.choice(regions)
            readers[lang].append(make_account(f"{lang}reader{i}", language=lang, region=region, joined=joined))

    posts: list[Post] = []
    for part, section in parts(data):
        for lang in ("en", "zh"):
            for text in section["benign"][lang]:
                posts.append(Post(text, "unique", lang, rng.choice(readers[lang]), part=part))
            for text in section["common"][lang]:
                for author in rng.sample(readers[lang], rng.randint(*COMMON_REPEATS)):
                    posts.append(Post(text, "common", lang, author, part=part))
        for item in section["benign_payload"]:
            lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in item["text"]) else "en"
            for author in rng.sample(readers[lang], int(item["times"])):
                posts.append(Post(item["text"], "payload-like", lang, author, part=part))
        for w, wave in enumerate(section["waves"]):
            lang = wave["lang"]
            start = now - timedelta(hours=rng.uniform(2, 48))
            region = "US" if lang == "en" else "CN"
            for c, text in enumerate(wave["comments"]):
                joined = start + timedelta(minutes=rng.uniform(0, 60))
                tag = part.replace(" ", "").replace("-", "")
                author = make_account(f"{tag}wave{w}x{c}", language=lang, region=region, joined=joined)
                posts.append(Post(text, wave["name"], lang, author, wave=wave["name"], part=part))
    rng.shuffle(posts)
    return posts, published


def post_all(posts: list[Post], notes: list[int], rng: random.Random) -> float:
    from notes.services import create_comment

    started = time.perf_counter()
    for post in posts:
        post.comment_id = create_comment(author=post.author, note_id=rng.choice(notes), body=post.text).pk
    return time.perf_counter() - started


def outcomes(posts: list[Post]) -> tuple[dict[int, str], dict[int, str], dict[int, list[str]]]:
    """(first screening outcome, final state, reasons of the last screening) per comment id."""
    from notes.models import Comment
    from review.models import ScreeningResult, TargetType

    ids = [p.comment_id for p in posts]
    first: dict[int, str] = {}
    reasons: dict[int, list[str]] = {}
    for target_id, outcome, why in (
        ScreeningResult.objects.filter(target_type=TargetType.COMMENT, target_id__in=ids)
        .order_by("id")
        .values_list("target_id", "outcome", "reasons")
    ):
        first.setdefault(target_id, outcome)
        reasons[target_id] = why
    final = dict(Comment.objects.filter(pk__in=ids).values_list("pk", "state"))
    return first, final, reasons


def flagged(state: str) -> bool:
    return state in ("hold", "reject", "held", "rejected")


def payload_rule_accounts(posts: list[Post]) -> dict[str, int]:
    """Trust's account-level view: the wave and benign accounts whose kept risk has payload_shared."""
    from trust.models import AccountRisk
    from trust.risk import config

    hold = float(config()["hold_score"])
    flagged_ids: dict[int, float] = {
        user_id: score
        for user_id, score, reasons in AccountRisk.objects.values_list("user_id", "score", "reasons")
        if any(str(r).startswith("payload_shared ") for r in reasons)
    }
    wave_ids = {p.author.pk for p in posts if p.wave}
    benign_ids = {p.author.pk for p in posts if not p.wave}
    now = timezone.now()
    benign_new = {p.author.pk for p in posts if not p.wave and now - p.author.date_joined < timedelta(days=7)}
    return {
        "wave": len(wave_ids & flagged_ids.keys()),
        "wave_total": len(wave_ids),
        "wave_hold": sum(1 for i in wave_ids if flagged_ids.get(i, 0) >= hold),
        "benign": len(benign_ids & flagged_ids.keys()),
        "benign_total": len(benign_ids),
        "benign_new_total": len(benign_new),
        "benign_hold": sum(1 for i in benign_ids if flagged_ids.get(i, 0) >= hold),
    }


def report(posts: list[Post], seconds: float, quiet: bool) -> dict:
    first, final, reasons = outcomes(posts)
    benign = [p for p in posts if not p.wave]
    waves = [p for p in posts if p.wave]

    def share(items: list[Post], table: dict[int, str]) -> tuple[int, int]:
        return sum(flagged(table.get(p.comment_id, "")) for p in items), len(items)

    out: dict = {
        "comments": len(posts),
        "seconds": round(seconds, 1),
        "per_comment_ms": round(1000 * seconds / len(posts), 1),
    }
    for part in (*NAMES, "all"):
        in_part = [p for p in posts if part in ("all", p.part)]
        for label, table in (("at_post_time", first), ("final", final)):
            held, total = share([p for p in in_part if not p.wave], table)
            caught, wave_total = share([p for p in in_part if p.wave], table)
            out[f"{part} {label}"] = {
                "benign_flagged": held,
                "benign_total": total,
                "benign_flagged_share": round(held / total, 4),
                "wave_caught": caught,
                "wave_total": wave_total,
                "wave_caught_share": round(caught / wave_total, 4),
            }
    groups: dict[str, list[Post]] = defaultdict(list)
    for p in benign:
        groups[f"{p.part}: benign {p.group} ({p.language})"].append(p)
    for p in waves:
        groups[f"{p.part}: wave: {p.wave}"].append(p)
    out["groups"] = {
        name: {
            "total": len(items),
            "flagged_at_post": share(items, first)[0],
            "flagged_final": share(items, final)[0],
        }
        for name, items in sorted(groups.items())
    }
    now = timezone.now()
    by_age: Counter[str] = Counter()
    by_age_total: Counter[str] = Counter()
    for p in benign:
        age = "new" if now - p.author.date_joined < timedelta(days=7) else "established"
        by_age_total[age] += 1
        by_age[age] += flagged(final.get(p.comment_id, ""))
    out["benign_by_account_age"] = {k: f"{by_age[k]} of {by_age_total[k]}" for k in sorted(by_age_total)}
    out["accounts_payload_shared"] = payload_rule_accounts(posts)
    out["benign_flagged_texts"] = sorted(
        {
            f"[{p.part}] {p.text} -> {final.get(p.comment_id)}: {'; '.join(reasons.get(p.comment_id, []))}"
            for p in benign
            if flagged(final.get(p.comment_id, ""))
        }
    )
    out["wave_missed_texts"] = sorted(
        {f"[{p.part}: {p.wave}] {p.text}" for p in waves if not flagged(final.get(p.comment_id, ""))}
    )
    if not quiet:
        for part in (*NAMES, "all"):
            for label in ("at_post_time", "final"):
                r = out[f"{part} {label}"]
                print(
                    f"{part:11} {label:13} benign held or rejected: {r['benign_flagged']} of {r['benign_total']} "
                    f"({100 * r['benign_flagged_share']:.2f}%)   wave comments held or rejected: "
                    f"{r['wave_caught']} of {r['wave_total']} ({100 * r['wave_caught_share']:.1f}%)"
                )
        print(f"benign by account age (final): {out['benign_by_account_age']}")
        a = out["accounts_payload_shared"]
        print(
            f"accounts whose risk has payload_shared (trust): wave {a['wave']} of {a['wave_total']}, "
            f"benign {a['benign']} of {a['benign_total']} (new benign: {a['benign_new_total']}); "
            f"at or above hold_score: wave {a['wave_hold']}, benign {a['benign_hold']}"
        )
        print(f"{len(posts)} comments in {seconds:.1f} s ({out['per_comment_ms']} ms per comment, screening included)")
        print("\nper group: total, flagged at post time, flagged at the end")
        for name, g in out["groups"].items():
            print(f"  {name:75} {g['total']:4} {g['flagged_at_post']:4} {g['flagged_final']:4}")
        if out["benign_flagged_texts"]:
            print("\nbenign comments held or rejected:")
            for line in out["benign_flagged_texts"]:
                print("  " + line)
        if out["wave_missed_texts"]:
            print("\nwave comments that got through:")
            for line in out["wave_missed_texts"]:
                print("  " + line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--no-signup-records",
        action="store_true",
        help="new accounts without a sign-up record: trust's newcomer rules (payload_shared) stay out",
    )
    args = parser.parse_args()
    global SIGNUP_RECORDS
    SIGNUP_RECORDS = not args.no_signup_records
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    data = load()
    posts, notes = build(data, rng)
    benign = sum(1 for p in posts if not p.wave)
    waves = sum(len(section["waves"]) for _, section in parts(data))
    print(
        f"{benign} benign comments, {len(posts) - benign} wave comments in {waves} waves "
        f"(development and held-out), load average {os.getloadavg()[0]:.1f}"
    )
    seconds = post_all(posts, notes, rng)
    out = report(posts, seconds, args.quiet)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
