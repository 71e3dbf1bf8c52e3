"""Server time to render the main web pages, measured in-process with Django's test client.

Seeds a fresh SQLite (or ``--database-url``) data set through the services: 40 authors, 300 notes with
two photos each, places, likes, collects and comments, and searches for the hot list; then requests each
page ``--repeat`` times, signed in and not,
and prints one JSON line per page: median and p90 milliseconds, median CPU milliseconds, and the number
of SQL queries of one cold request (caches cleared) and one warm request. Pages include the inbox's
likes tab and its second page (more groups than a page holds), a note page reached with ``?src=``, and
the note page with the related block's ids not kept (``note_related_uncached``), for the ratio.

    python bench/web_pages.py [--notes 300] [--repeat 50]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def counter(log: list[str]):
    def wrapper(execute, sql, params, many, context):
        log.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="nb-bench-web-"))
    os.environ.update(
        NOTEBRIDGE_DATA_DIR=str(data),
        FAST_PASSWORD_HASHER="1",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="notebridge.settings",
        TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django.test import Client
    from PIL import Image, ImageDraw

    from accounts.services import follow, register_user, update_profile
    from notes import search_trends
    from notes.services import collect_note, create_board, create_comment, create_note, like_note, upload_photo

    def jpeg(i: int) -> bytes:
        # Every photo different (random blocks): review holds photos and texts shared by several accounts.
        rng = random.Random(i)
        size = (600, 800 if i % 2 else 600)
        image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(10):
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            draw.rectangle([x, y, x + rng.randrange(50, 300), y + rng.randrange(50, 300)], fill=rng.randrange(256))
        out = io.BytesIO()
        image.save(out, "JPEG")
        return out.getvalue()

    words = [
        "dumplings",
        "hotpot",
        "noodles",
        "matcha",
        "latte",
        "bakery",
        "hiking",
        "lake",
        "museum",
        "garden",
        "puppy",
        "kitten",
        "film",
        "vinyl",
    ]

    def text(i: int) -> str:
        rng = random.Random(i)
        return " ".join(rng.choice(words) for _ in range(16)) + f" 火锅 {i}"

    authors = [register_user(username=f"author{i}", password="x", check_password=False) for i in range(40)]
    viewer = register_user(username="viewer", password="bench-pass-1", check_password=False)
    for author in authors[:20]:
        follow(follower=viewer, followee=author)
    notes = []
    for i in range(args.notes):
        author = authors[i % len(authors)]
        photos = [upload_photo(owner=author, file=jpeg(i + k)).pk for k in range(2)]
        place = f"Market {i % 12}" if i % 3 else ""
        notes.append(create_note(author=author, title=f"Note {i} #food", body=text(i), photo_ids=photos, place=place))
    from notes.models import Note

    # Screening may hold a few (new accounts posting fast); react only to what others can see.
    created = len(notes)
    notes = list(Note.objects.filter(state="published").order_by("pk"))
    for i, note in enumerate(notes[:200]):
        like_note(user=authors[(i + 1) % len(authors)], note_id=note.pk)
        create_comment(author=authors[(i + 2) % len(authors)], note_id=note.pk, body=f"Looks great {i}")
    # author1 shows likes and collects on the profile's tabs; searches make a hot list.
    update_profile(user=authors[1], show_likes=True)
    picks = create_board(owner=authors[1], name="Picks")
    for note in notes[-60:]:
        if note.author_id != authors[1].pk:
            like_note(user=authors[1], note_id=note.pk)
            collect_note(user=authors[1], note_id=note.pk, board_id=picks.pk)
    for i, query in enumerate(words * 3):
        for reader in range(3 + i % 5):
            search_trends.record_search(query=query, language="en", region="", repeat_token=f"bench{reader}")
    own = create_note(author=viewer, title="The viewer's own note", body=text(9999))
    placed = next(n for n in notes if n.place_id)
    # The viewer's inbox: 120 text notes of theirs liked by one to three people each, so the likes tab has
    # more groups than a page holds (100) and a second page exists.
    from django.test import override_settings

    with override_settings(REVIEW_SCREENING=False):  # a new account posting fast would be held
        for i in range(120):
            mine = create_note(author=viewer, title=f"Inbox note {i}", body=text(20000 + i), photo_ids=[])
            for k in range(1 + i % 3):
                like_note(user=authors[(i + k) % len(authors)], note_id=mine.pk)
    from notifications.selectors import inbox_page

    _entries, inbox_cursor = inbox_page(viewer, "likes")

    pages = {
        "discover": "/",
        "following": "/following/",
        "note": f"/n/{notes[0].pk}/",
        "profile": "/u/author1/",
        "search_en": "/search/?q=dumplings",
        "search_zh": "/search/?q=火锅",
        "tag": "/tag/food/",
        "search_empty": "/search/",
        "search_suggest": "/search/suggest/?q=dum",
        "place": f"/place/{placed.place_id}/",
        "profile_collects": "/u/author1/collects/",
        "profile_liked": "/u/author1/liked/",
        "note_stats": f"/n/{own.pk}/stats/",
        "note_src": f"/n/{notes[0].pk}/?src=discover",
        "inbox_likes": "/notifications/?tab=likes",
        "inbox_likes_page2": f"/notifications/?tab=likes&cursor={inbox_cursor}",
    }
    # The same note page with the related block's ids not kept (RELATED_BLOCK_SECONDS=0), for the ratio.
    variants: dict[str, tuple[str, dict[str, object]]] = {
        "note_related_uncached": (f"/n/{notes[0].pk}/", {"RELATED_BLOCK_SECONDS": 0})
    }
    anonymous, signed_in = Client(), Client()
    signed_in.post("/login/", {"username": "viewer", "password": "bench-pass-1"})
    print(json.dumps({"notes": created, "published": len(notes)}))
    from django.test import override_settings

    signed_only = ("following", "note_stats", "inbox_likes", "inbox_likes_page2")
    plan: list[tuple[str, str, dict[str, object]]] = [(name, path, {}) for name, path in pages.items()]
    plan += [(n, p, o) for n, (p, o) in variants.items()]
    for who, client in (("anonymous", anonymous), ("signed_in", signed_in)):
        for name, path, overrides in plan:
            if name in signed_only and who == "anonymous":
                continue
            with override_settings(**overrides):
                measure(client, who, name, path, args.repeat)


def measure(client, who: str, name: str, path: str, repeat: int) -> None:
    """One JSON line for a page: wall and CPU medians (CPU time is the fairer figure on a busy machine)
    and the queries of one cold (caches cleared) and one warm request."""
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    cold: list[str] = []
    warm: list[str] = []
    with connection.execute_wrapper(counter(cold)):
        status = client.get(path).status_code
    with connection.execute_wrapper(counter(warm)):
        client.get(path)
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    print(
        json.dumps(
            {
                "page": name,
                "viewer": who,
                "status": status,
                "median_ms": round(statistics.median(times), 1),
                "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
                "median_cpu_ms": round(statistics.median(cpu), 1),
                "queries_cold": len(cold),
                "queries_warm": len(warm),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
