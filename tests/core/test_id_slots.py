"""Ids across processes: each process holds its own slot, so ids minted in the same millisecond by
concurrent processes never collide (core/ids.py)."""

import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from core import ids


def _mint_in_one_millisecond(slot_dir: str, start_at: float, queue: multiprocessing.Queue, done) -> None:
    os.environ["ID_SLOT_DIR"] = slot_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    import django

    django.setup()
    from core import ids as child_ids

    child_ids.current_slot()  # claim before the race, as a worker does on its first id
    frozen = start_at

    # Every process sees the same frozen millisecond: the worst case for a collision.
    child_ids.time.time = lambda: frozen  # type: ignore[attr-defined]
    while time.monotonic() < start_at:  # a common start
        pass
    queue.put([child_ids.new_id() for _ in range(600)])
    done.wait(120)  # all four run at once: none exits (freeing its slot) before the others have minted


def test_concurrent_processes_never_collide_in_the_same_millisecond(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    queue, done = ctx.Queue(), ctx.Event()
    start_at = time.monotonic() + 3.0
    procs = [
        ctx.Process(target=_mint_in_one_millisecond, args=(str(tmp_path), start_at, queue, done)) for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    batches = [queue.get(timeout=120) for _ in procs]
    done.set()
    for proc in procs:
        proc.join(timeout=30)
    minted = [i for batch in batches for i in batch]
    assert len(minted) == 2400
    assert len(set(minted)) == len(minted)  # with random low bits, 600 ids each in 1 ms would collide
    slots = {(i >> 8) & 0xFF for batch in batches for i in batch[:1]}
    assert len(slots) == 4
    assert all(batch == sorted(batch) for batch in batches)


def test_slots_are_exclusive_and_freed_when_the_holder_dies(tmp_path):
    held = [ids.claim_slot(tmp_path, range(0, 3)) for _ in range(3)]
    assert sorted(slot for slot, _ in held) == [0, 1, 2]
    with pytest.raises(ids.NoIdSlot):
        ids.claim_slot(tmp_path, range(0, 3))
    held[1][1].close()  # the process holding slot 1 is gone
    slot, handle = ids.claim_slot(tmp_path, range(0, 3))
    assert slot == 1
    handle.close()
    for _slot, h in held:
        h.close()


def test_a_killed_process_frees_its_slot(tmp_path):
    code = (
        "import sys, time; from pathlib import Path; from core import ids; "
        f"s, h = ids.claim_slot(Path({str(tmp_path)!r}), range(5, 6)); print(s, flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "5"
        with pytest.raises(ids.NoIdSlot):
            ids.claim_slot(tmp_path, range(5, 6))
    finally:
        child.kill()
        child.wait()
    slot, handle = ids.claim_slot(tmp_path, range(5, 6))
    assert slot == 5
    handle.close()


FORK_SCRIPT = """
import os
from core import ids
parent = ids.current_slot()
first = ids.new_id()
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write, f"{ids.current_slot()} {ids.new_id()}".encode())
    os._exit(0)
os.close(write)
child, child_id = os.read(read, 64).decode().split()
os.waitpid(pid, 0)
print(parent, child, (first >> 8) & 255, (int(child_id) >> 8) & 255)
"""


def test_a_forked_child_takes_its_own_slot(tmp_path):
    """gunicorn forks its workers from a parent that may have minted ids: a child must not share the
    parent's slot (an inherited lock is the parent's, not the child's)."""
    env = {**os.environ, "ID_SLOT_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-c", FORK_SCRIPT], env=env, capture_output=True, text=True, check=True)
    parent, child, parent_in_id, child_in_id = (int(x) for x in out.stdout.split())
    assert parent != child
    assert (parent_in_id, child_in_id) == (parent, child)


def test_slot_ranges_are_checked():
    assert ids.parse_slot_range("64-127") == range(64, 128)
    assert ids.parse_slot_range("7") == range(7, 8)
    for bad in ("0-256", "9-3", "-1", "a-b"):
        with pytest.raises(ValueError):
            ids.parse_slot_range(bad)
