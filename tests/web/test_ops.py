"""The operators' translation page: staff only, what it shows, and "retry failed" (POST, CSRF)."""

from __future__ import annotations

import pytest
from django.test import Client

from translation.models import JobState, TranslationJob
from translation.services import get_or_request_translation, process_jobs

PAGE = "/ops/translation/"
RETRY = "/ops/translation/retry/"


@pytest.fixture(autouse=True)
def _engines(settings):
    """OpenCC only: Chinese scripts translate at once, anything else fails (no engine for the pair)."""
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
    settings.LIBRETRANSLATE_URL = "http://127.0.0.1:9"  # nothing listens there: a remote engine down
    settings.TRANSLATION_REMOTE_TIMEOUT = 1.0


@pytest.fixture
def staff(make_user):
    user = make_user("kai")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def failed_job(db):
    """A job the remote engine could not do: its error is what operators need to see."""
    view = get_or_request_translation(
        obj_kind="note", obj_id=1, field="body", text="The soy milk here is great.", source="en", target="zh-Hans"
    )
    assert view.status == "pending"
    job = TranslationJob.objects.get(obj_id=1)
    process_jobs([job.pk])
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    return job


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/ops/translation/")
    response = client.post(RETRY)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_non_staff_is_403(client, make_user, login, failed_job):
    login(make_user("amy"))
    response = client.get(PAGE)
    assert response.status_code == 403 and "Only operators" in response.content.decode()
    assert client.post(RETRY).status_code == 403
    failed_job.refresh_from_db()
    assert failed_job.state == JobState.FAILED  # nothing changed


def test_staff_sees_engines_model_queue_cache_and_failures(client, login, staff, failed_job):
    get_or_request_translation(
        obj_kind="note", obj_id=2, field="body", text="这里很好", source="zh-Hans", target="zh-Hant"
    )
    get_or_request_translation(
        obj_kind="note", obj_id=2, field="body", text="这里很好", source="zh-Hans", target="zh-Hant"
    )
    login(staff)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr data-engine="opencc">' in html and '<tr data-engine="libretranslate">' in html
    assert '<tr data-pair="zh-Hans-zh-Hant"><td>zh-Hans</td><td>zh-Hant</td><td>opencc</td>' in html
    assert '<tr data-pair="en-zh-Hans"><td>en</td><td>zh-Hans</td><td>libretranslate</td>' in html
    assert '<dd data-stat="failed">1</dd>' in html and '<dd data-stat="pending">0</dd>' in html
    assert '<dd data-stat="backend">' in html and '<dd data-stat="oldest">—</dd>' in html
    # Two reads of the OpenCC text: one miss (translated and stored), one hit; the failed one missed.
    assert "33.3%" in html and "1 hits, 2 misses" in html
    assert "1 stored translation" in html
    assert f'<tr data-job="{failed_job.pk}">' in html and "libretranslate:" in html
    assert "Local model" in html and "not installed" in html
    assert "Retry failed jobs now" in html and 'name="csrfmiddlewaretoken"' in html


def test_pairs_without_an_engine_say_so(client, login, staff, settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    login(staff)
    html = client.get(PAGE).content.decode()
    assert '<tr data-pair="th-ko"><td>th</td><td>ko</td><td><strong>none</strong>' in html
    assert (
        '<tr data-pair="en-zh-Hans"><td>en</td><td>zh-Hans</td><td>gloss <span class="pill">gloss only</span>' in html
    )


def test_oldest_pending_age_is_shown(client, login, staff, db):
    from datetime import timedelta

    from django.utils import timezone

    get_or_request_translation(
        obj_kind="note", obj_id=3, field="body", text="Good morning all", source="en", target="zh-Hans"
    )
    TranslationJob.objects.filter(obj_id=3).update(updated_at=timezone.now() - timedelta(minutes=7))
    login(staff)
    html = client.get(PAGE).content.decode()
    assert '<dd data-stat="pending">1</dd>' in html and '<dd data-stat="oldest">7 min</dd>' in html


def test_retry_failed_requeues_every_failed_job(client, login, staff, failed_job):
    TranslationJob.objects.filter(pk=failed_job.pk).update(attempts=5)  # used up: retry_due_jobs would skip it
    login(staff)
    response = client.post(RETRY)
    assert response.status_code == 302 and response["Location"] == PAGE
    failed_job.refresh_from_db()
    assert failed_job.state == JobState.PENDING and failed_job.attempts == 0 and failed_job.next_attempt_at is None
    page = client.get(PAGE).content.decode()
    assert "1 failed job queued again." in page
    client.post(RETRY)
    assert "No failed jobs to retry." in client.get(PAGE).content.decode()


def test_retry_is_post_only_and_checks_csrf(login, staff, failed_job):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.get(RETRY).status_code == 405
    assert strict.post(RETRY).status_code == 403  # no CSRF token
    failed_job.refresh_from_db()
    assert failed_job.state == JobState.FAILED
    page = strict.get(PAGE).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post(RETRY, {"csrfmiddlewaretoken": token}).status_code == 302
    failed_job.refresh_from_db()
    assert failed_job.state == JobState.PENDING


def test_page_rejects_other_methods(client, login, staff):
    login(staff)
    assert client.post(PAGE).status_code == 405


def test_nav_link_for_staff_only(client, make_user, login, staff):
    login(make_user("amy"))
    assert PAGE not in client.get("/settings/").content.decode()
    client.logout()
    login(staff)
    assert f'<a href="{PAGE}">Translation</a>' in client.get("/settings/").content.decode()


def test_chinese_interface(client, login, staff, failed_job):
    from accounts.services import update_profile

    update_profile(user=staff, ui_language="zh-hans")
    login(staff)
    html = client.get(PAGE).content.decode()
    assert "<h1>翻译</h1>" in html and "最近的失败" in html and "立即重试失败的任务" in html and "缓存命中率" in html
