from core.tasks import background_task


@background_task(max_attempts=3, base_delay=60)
def flaky(value: str) -> None:
    raise RuntimeError(f"always fails: {value}")
