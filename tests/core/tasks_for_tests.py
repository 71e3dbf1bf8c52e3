from core.tasks import background_task


@background_task(max_attempts=3, base_delay=60)
def flaky(value: str) -> None:
    raise RuntimeError(f"always fails: {value}")


@background_task(max_attempts=1)
def sleepy(seconds: float, marker: str) -> str:
    """A task that takes a while, so that a worker can be stopped in the middle of it."""
    import time
    from pathlib import Path

    Path(marker).write_text("started")
    time.sleep(seconds)
    return "done"


RAN: list[str] = []


@background_task(max_attempts=1)
def record(value: str) -> None:
    """Remembers that it ran (with the immediate backend, in this process)."""
    RAN.append(value)


@background_task(queue_name="review", max_attempts=1)
def nice_on_review() -> int:
    """The CPU priority (nice) its work horse ran at."""
    import os

    return os.nice(0)


@background_task(queue_name="review", max_attempts=1, below_reads=True)
def nice_below_reads() -> int:
    """The same, declared ``below_reads``."""
    import os

    return os.nice(0)
