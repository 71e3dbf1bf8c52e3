"""The production stack (`runstack --prod`, deploy/gunicorn.conf.py), started as `make run-prod` starts it:
health and readiness, static files with long-lived caching and compression, JSON logs, workers by queue
priority; and readiness that names the database when it is down."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
import requests
from redis import Redis
from rq import Queue

from core.management.commands.runstack import BACKGROUND_QUEUES, URGENT_QUEUES, worker_plan
from core.rq_worker import Worker, job_nice
from tests.servers import free_port, server_env, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_plan_puts_screening_and_fan_out_before_translation_and_training():
    for redis in (True, False):
        plan = dict(worker_plan("python", redis=redis, prod=True))
        urgent = " ".join(plan["urgent"])
        for queue in ("high", "review"):
            assert queue in urgent
        assert "translation" not in urgent and "low" not in urgent
        assert "fallback" in plan if redis else "fallback" not in plan
    # The background worker takes the urgent queues first: RQ reads its queues in the order given.
    assert BACKGROUND_QUEUES[: len(URGENT_QUEUES)] == URGENT_QUEUES
    assert BACKGROUND_QUEUES.index("translation") > BACKGROUND_QUEUES.index("review")


def test_background_jobs_run_niced_and_no_worker_does(settings):
    """BACKGROUND_WORKER_NICE: translation and housekeeping jobs take the CPU page reads and screening leave
    free (a sign-up burst, docs/trust.md); no worker is niced as a whole, since every worker may take
    screening and fan-out (a niced one left notes pending under load: tests/core/test_faults.py)."""
    settings.BACKGROUND_WORKER_NICE = 10
    for redis in (True, False):
        for name, command in worker_plan("python", redis=redis, prod=True):
            assert command[0] == "python", name
    assert job_nice("translation") == 10 and job_nice("low") == 10
    assert job_nice("review") == 0 and job_nice("high") == 0 and job_nice("media") == 0
    settings.BACKGROUND_WORKER_NICE = 0
    assert job_nice("low") == 0


def test_a_low_queue_job_runs_in_a_niced_work_horse_and_a_review_job_does_not(settings):
    """The real RQ worker class, forking its work horses against the test Redis."""
    if not settings.REDIS_URL:
        pytest.skip("RQ runs on Redis (REDIS_URL)")
    settings.BACKGROUND_WORKER_NICE = 7
    connection = Redis.from_url(settings.REDIS_URL)
    low, review = Queue("low", connection=connection), Queue("review", connection=connection)
    jobs = [low.enqueue(os.nice, 0), review.enqueue(os.nice, 0)]
    Worker([low, review], connection=connection).work(burst=True)
    base = os.nice(0)
    results = [job.latest_result() for job in jobs]
    assert all(results), "both jobs ran"
    assert [r.return_value for r in results if r is not None] == [base + 7, base]


def test_a_task_declared_below_reads_runs_niced_from_an_urgent_queue_and_its_neighbours_do_not(settings):
    """``below_reads`` (core/tasks.py): the newcomers' impersonation batch stays on the review queue, where
    it never waits behind translation, yet its work horse runs at BACKGROUND_WORKER_NICE, as a low-queue job
    does; the screening beside it on the same queue keeps the reads' priority. Through the RQ backend and the
    real forking worker against the test Redis."""
    if not settings.REDIS_URL:
        pytest.skip("RQ runs on Redis (REDIS_URL)")
    import django_rq
    from django_tasks import default_task_backend

    from core import rq_backend
    from tests.core.tasks_for_tests import nice_below_reads, nice_on_review
    from trust.tasks import check_newcomers_task

    assert check_newcomers_task.below_reads and not nice_on_review.below_reads
    settings.TASKS = {"default": {"BACKEND": "core.rq_backend.RQBackend", "QUEUES": list(settings.RQ_QUEUES)}}
    settings.BACKGROUND_WORKER_NICE = 6
    review = rq_backend.queue("review")
    review.empty()
    try:
        results = [nice_on_review.enqueue(), nice_below_reads.enqueue()]
        django_rq.get_worker("review", worker_class=Worker).work(burst=True)  # the deployment's job class
        base = os.nice(0)
        assert [default_task_backend.get_result(r.id).return_value for r in results] == [base, base + 6]
    finally:
        review.empty()


def test_production_web_workers_hand_the_interpreter_over_every_millisecond(tmp_path):
    """WEB_SWITCH_INTERVAL_MS (deploy/gunicorn.conf.py, default 1): a read coming back from the database
    waits for the interpreter at most that long while a sign-up in another thread of its worker runs
    Python, not Python's default 5 ms. Read from a real gunicorn worker started with the production config."""
    env = server_env(tmp_path)
    conf = "deploy/gunicorn.conf.py"
    env.pop("WEB_SWITCH_INTERVAL_MS", None)
    for setting, expected in ((None, 0.001), ("3", 0.003)):
        if setting:
            env["WEB_SWITCH_INTERVAL_MS"] = setting
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "tests.core.switch_interval_app", "-c", conf, "--workers", "1"]
        cmd += ["--bind", f"127.0.0.1:{port}"]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_serving(f"http://127.0.0.1:{port}")
            assert float(requests.get(f"http://127.0.0.1:{port}/", timeout=30).text) == expected
        finally:
            server.terminate()
            server.wait(timeout=30)


def _children(pid: int) -> list[str]:
    return [" ".join(c.cmdline()) for c in psutil.Process(pid).children()]


def test_the_production_stack_serves_health_static_files_and_json_logs(tmp_path, settings):
    env = server_env(tmp_path)
    env.update(STATIC_MANIFEST="1", LOG_FORMAT="json", DEBUG="0", SECRET_KEY="a-test-secret-" + "x" * 40)
    env["REVIEW_SCREENING"] = "0"
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True, timeout=300)
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    # The largest stylesheet: whitenoise keeps a compressed copy only where it saves space.
    css = max((n for n in manifest if n.endswith(".css")), key=lambda n: (tmp_path / "static" / n).stat().st_size)

    port = free_port()
    log = (tmp_path / "stack.log").open("w+")
    cmd = [sys.executable, "manage.py", "runstack", "--prod", "--port", str(port), "--workers", "1", "--no-prepare"]
    stack = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url)
        assert requests.get(url + "/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(url + "/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        assert ready.json()["failed"] == []

        # Hashed static names are cached for ten years and served compressed.
        static = requests.get(f"{url}/static/{manifest[css]}", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert static.status_code == 200
        assert "immutable" in static.headers["Cache-Control"]
        assert "max-age=315360000" in static.headers["Cache-Control"]
        assert static.headers.get("Content-Encoding") in {"gzip", "br"}
        assert requests.get(f"{url}/static/no-such-file.css", timeout=10).status_code == 404

        # Workers by priority: an urgent one and a background one (and the fallback drain with Redis).
        deadline = time.monotonic() + 60
        while len(workers := [c for c in _children(stack.pid) if "rqworker" in c or "db_worker" in c]) < 2:
            assert time.monotonic() < deadline, _children(stack.pid)
            time.sleep(0.5)
        urgent = [w for w in workers if "translation" not in w and "*" not in w]
        assert urgent, workers
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
    log.seek(0)
    lines = [line for line in log.read().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r.get("logger") == "gunicorn.access" and r.get("path") == "/healthz"]
    assert access, lines[-20:]
    assert access[0]["status"] in (200, "200")
    assert access[0]["method"] == "GET"
    assert isinstance(access[0]["duration_ms"], int | str)


def test_readiness_names_the_database_when_it_is_down(tmp_path):
    env = server_env(tmp_path, redis=False)
    env.pop("SQLITE_PATH", None)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{free_port()}/notebridge"  # nothing listens there
    port = free_port()
    conf = "deploy/gunicorn.conf.py"
    cmd = [sys.executable, "-m", "gunicorn", "notebridge.wsgi:application", "-c", conf]
    server = subprocess.Popen([*cmd, "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                live = requests.get(url + "/healthz", timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert live.status_code == 200  # alive: a supervisor must not restart it for the database
        ready = requests.get(url + "/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["failed"] == ["database", "queue"]
        assert ready.json()["checks"]["database"]["error"] == "OperationalError"
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_web_process_freezes_what_importing_the_application_left(settings):
    """notebridge/wsgi.py hands what the import left alive (~330,000 tracked objects, most of them
    pypinyin's phrase lists) to the collector's permanent generation: a full collection in a web process
    walks only what requests allocated since, rather than stalling the worker's threads for 100-200 ms
    each time (docs/benchmarks.md, 2026-12-05)."""
    script = "import gc, notebridge.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120, check=True
    )
    frozen, walked = (int(x) for x in done.stdout.split()[-2:])
    assert frozen > 100_000
    assert walked < frozen / 10
