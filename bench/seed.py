"""Seed the benchmark data set: 200 users, each following 50 others, each with 20 notes (4,000 notes).

Run through the real services. Fan-out is timed on its own: notes are created with fan-out deferred,
then every note is fanned out and the timeline inserts per second are reported. Each user gets an
OAuth access token (scopes read write follow), written to ``tokens.txt`` in the output folder.

    python bench/seed.py OUT_DIR [--users 200 --follows 50 --notes 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
# The data set lives in OUT_DIR (the SQLite file beside tokens.txt, as bench/api_cpu.py expects it), unless
# NOTEBRIDGE_DATA_DIR or DATABASE_URL says otherwise; it must never land in the checkout's own var/.
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    os.environ.setdefault("NOTEBRIDGE_DATA_DIR", str(Path(sys.argv[1]).resolve()))
# Fan-out is measured separately below, so the seeding itself must not run it.
os.environ["TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
# No screening task runs on the dummy backend, so notes must publish at once (see docs/review.md).
os.environ["REVIEW_SCREENING"] = "0"

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import AccessToken, Application  # noqa: E402

from accounts.models import Follow, User  # noqa: E402
from accounts.services import follow, register_user  # noqa: E402
from feeds.services import fan_out  # noqa: E402
from feeds.timelines import store  # noqa: E402
from notes.models import Note  # noqa: E402
from notes.services import create_note  # noqa: E402

TOPICS_EN = ["coffee", "brunch", "hiking", "skincare", "cat", "study", "gym", "ramen", "thrift", "plants"]
TOPICS_ZH = ["咖啡", "早午餐", "徒步", "护肤", "猫咪", "学习", "健身", "拉面", "穿搭", "绿植"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--follows", type=int, default=50)
    parser.add_argument("--notes", type=int, default=20)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)

    call_command("migrate", verbosity=0)
    if User.objects.filter(username__startswith="bench").exists():
        print("already seeded", file=sys.stderr)
        return

    started = time.perf_counter()
    users = [
        register_user(
            username=f"bench{i:04d}", password="bench-password-1", languages=["en", "zh-Hans"], check_password=False
        )
        for i in range(args.users)
    ]
    for user in users:
        for other in rng.sample([u for u in users if u.pk != user.pk], args.follows):
            follow(follower=user, followee=other)
    t_users = time.perf_counter() - started

    started = time.perf_counter()
    base = timezone.now() - timedelta(days=10)
    for n in range(args.notes):
        for i, user in enumerate(users):
            zh = (i + n) % 2 == 1
            topic = (TOPICS_ZH if zh else TOPICS_EN)[rng.randrange(10)]
            create_note(
                author=user,
                title=f"{topic} #{n}" if not zh else f"{topic}笔记 {n}",
                body=(f"今天的{topic}分享，超级推荐！#{topic}" if zh else f"Loving this {topic} spot today. #{topic}"),
                created_at=base + timedelta(seconds=n * args.users + i),
            )
    t_notes = time.perf_counter() - started

    # Fan-out, timed alone.
    note_ids = list(Note.objects.order_by("id").values_list("id", flat=True))
    started = time.perf_counter()
    inserts = sum(fan_out(note_id=nid) for nid in note_ids)
    t_fan = time.perf_counter() - started
    # Every timeline now holds every note it should, as after a rebuild of all timelines: say so, or the
    # Redis store takes its sets for lost and serves every reader from the notes (feeds/timelines.py).
    store().mark_complete()

    app = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    expires = timezone.now() + timedelta(days=30)
    tokens = []
    for user in users:
        token = f"bench-{user.username}-{rng.getrandbits(64):016x}"
        AccessToken.objects.create(user=user, application=app, token=token, expires=expires, scope="read write follow")
        tokens.append(token)
    (args.out / "tokens.txt").write_text("\n".join(tokens) + "\n")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    summary = {
        "database": connection.vendor,
        "timelines": settings.TIMELINE_BACKEND,
        "users": len(users),
        "follows": Follow.objects.count(),
        "notes": len(note_ids),
        "seconds_users_and_follows": round(t_users, 1),
        "seconds_notes": round(t_notes, 1),
        "notes_per_second_create": round(len(note_ids) / t_notes, 1),
        "fan_out_inserts": inserts,
        "fan_out_seconds": round(t_fan, 2),
        "fan_out_inserts_per_second": round(inserts / t_fan),
    }
    (args.out / "seed.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
