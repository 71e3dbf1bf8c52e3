"""The per-item figures docs/scaling.md multiplies out: what one photo, one timeline and one action cost.

1. Bytes stored per photo: the demo's nature photographs (Debian's mate-backgrounds, 1920-4000 px
   JPEGs, like a phone's) through ``core.images.process_photo``: original (2048 px), large, thumb.
2. Redis memory per home timeline of N entries (``MEMORY USAGE`` of a sorted set written as
   ``feeds.timelines.RedisTimelines`` writes it), on a redis-server of its own (a free port).
3. Rows written and queries per action (a note with one photo, a like, a comment, a follow) through
   the services, on a throwaway SQLite database, task execution left out (a task row is not counted
   as a row written: on RQ it is a Redis command).

    python bench/capacity_inputs.py [--photos 12]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
WORK = Path(tempfile.mkdtemp(prefix="nb-capacity-"))
os.environ["NOTEBRIDGE_DATA_DIR"] = str(WORK)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ["TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
os.environ["FAST_PASSWORD_HASHER"] = "1"
os.environ["REVIEW_SCREENING"] = "0"
os.environ["NOTEBRIDGE_LOCAL_MODEL"] = "0"

PHOTOS = Path("/usr/share/backgrounds/mate/nature")


def photo_sizes(limit: int) -> None:
    from core.images import process_photo

    files = sorted(PHOTOS.glob("*.jpg"))[:limit]
    if not files:
        print("photos: none (apt-get install mate-backgrounds)")
        return
    sizes: dict[str, list[int]] = {"source": [], "original": [], "large": [], "thumb": []}
    for path in files:
        data = path.read_bytes()
        done = process_photo(data)
        sizes["source"].append(len(data))
        for name in ("original", "large", "thumb"):
            sizes[name].append(len(getattr(done, name).read()))
    print(f"photos: {len(files)} from {PHOTOS}")
    for name, values in sizes.items():
        median, mean = statistics.median(values) / 1024, statistics.mean(values) / 1024
        print(f"  {name:9s} median {median:7.1f} KB  mean {mean:7.1f} KB")
    total = [sum(v) for v in zip(sizes["original"], sizes["large"], sizes["thumb"], strict=True)]
    print(f"  stored per photo (3 renditions): median {statistics.median(total) / 1024:.1f} KB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timeline_memory() -> None:
    import redis

    if shutil.which("redis-server") is None:
        print("timelines: no redis-server")
        return
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        base = (int(time.time() * 1000) << 16) | 12345
        for n in (20, 128, 200, 400, 800):
            key = f"nb:tl:{n}"
            client.zadd(key, {f"{base + i * 70000}:{(base >> 20) + i}": base + i * 70000 for i in range(n)})
            used = int(client.memory_usage(key) or 0)
            print(f"timeline of {n:3d} entries: {used:7,d} bytes ({used / n:5.1f} per entry)")
    finally:
        server.terminate()
        server.wait()


def writes_per_action() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from accounts.services import follow, register_user
    from notes.services import create_comment, create_note, like_note, upload_photo

    author = register_user(username="author", password="correct horse battery", languages=["en"])
    readers = [register_user(username=f"r{i}", password="correct horse battery", languages=["en"]) for i in range(3)]
    with open(sorted(PHOTOS.glob("*.jpg"))[0], "rb") if PHOTOS.exists() else open(os.devnull, "rb") as f:
        data = f.read()

    def measure(name: str, action) -> None:
        with CaptureQueriesContext(connection) as ctx:
            action()
        sql = [q["sql"].lstrip().split(" ", 1)[0].upper() for q in ctx.captured_queries]
        writes = [s for s in sql if s in {"INSERT", "UPDATE", "DELETE"}]
        task_rows = sum(1 for q in ctx.captured_queries if "django_tasks" in q["sql"] and q["sql"].startswith("INSERT"))
        print(f"{name:28s} queries {len(sql):3d}  writes {len(writes) - task_rows:3d}")

    for r in readers:
        measure("follow", lambda r=r: follow(follower=r, followee=author))
    photo_ids: list[int] = []
    if data:
        measure("upload a photo", lambda: photo_ids.append(upload_photo(owner=author, file=data).pk))
    holder: dict[str, object] = {}
    measure(
        "note with one photo" if photo_ids else "note (text)",
        lambda: holder.setdefault("note", create_note(author=author, title="T", body="B #food", photo_ids=photo_ids)),
    )
    note = holder["note"]
    assert hasattr(note, "pk")
    measure("like", lambda: like_note(user=readers[0], note_id=note.pk))
    measure("comment", lambda: create_comment(author=readers[1], note_id=note.pk, body="Looks great"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=12)
    args = parser.parse_args()
    try:
        import django

        django.setup()
        photo_sizes(args.photos)
        timeline_memory()
        writes_per_action()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
