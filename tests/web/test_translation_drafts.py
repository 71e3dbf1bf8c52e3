"""A translation shown as it is written: the worker's draft on the page while the job runs, then the
final answer, or the original with the reason when the final answer is refused.

In production the local model reports its text so far (translation/engines/llm_engine.py); here the
worker's side is driven through the same calls (``progress.reporting`` with the job's ``JobDrafts``)
and the job is finished by the real chain with the fake LibreTranslate server. The real model's
streaming is tested in tests/translation/test_llm_streaming.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import block, update_profile
from tests.translation.fake_servers import FakeServer
from translation import progress
from translation.models import JobState, TranslationJob
from translation.services import _claim, process_jobs

HX = {"HX-Request": "true"}


@pytest.fixture
def remote(settings):
    with FakeServer() as server:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = server.url
        yield server


@pytest.fixture
def sam(make_user, login):
    user = update_profile(user=make_user("sam", languages=["en"]), auto_translate=False)
    login(user)
    return user


def _note(make_user, post_note, body):
    author = make_user("chen", languages=["zh-Hans"])
    return post_note(author, title="", body=body, photos=0, language="zh-Hans")


def _worker_writes(job: TranslationJob, *drafts: str) -> progress.JobDrafts:
    """What the worker does while the model writes: the job claimed, its drafts reported."""
    assert _claim(job.pk) is not None
    publisher = progress.JobDrafts([job.pk], every_s=0)
    with progress.reporting(publisher):
        for text in drafts:
            progress.report(0, text)
    return publisher


def _worker_finishes(job: TranslationJob) -> None:
    """The note's jobs run to their end by the engine chain (the draft's claim given up first, as after
    a restart)."""
    TranslationJob.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    process_jobs(list(TranslationJob.objects.filter(obj_id=job.obj_id).values_list("pk", flat=True)))


def test_the_draft_grows_on_the_page_and_the_final_replaces_it(client, make_user, post_note, sam, remote):
    note = _note(make_user, post_note, "周末去了西湖，风景绝了")
    partial_url = f"/translate/note/{note.pk}/partial/"
    html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert "Translating…" in html and f'data-partial-url="{partial_url}"' in html
    assert 'hx-trigger="load delay:2s, tr-done"' in html
    assert 'data-tr-field="body"' in html and "tr-partial" not in html
    assert client.get(partial_url).json() == {"pending": True, "target": "en", "fields": {}}

    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    _worker_writes(job, "Went to", "Went to West Lake at")
    state = client.get(partial_url)
    assert state["Cache-Control"] == "no-store"
    assert state.json() == {"pending": True, "target": "en", "fields": {"body": "Went to West Lake at"}}
    # The block itself (its two-second poll, or a reload) shows the same draft, labelled as one.
    html = client.get(f"/translate/note/{note.pk}/?n=1", headers=HX).content.decode()
    assert "Went to West Lake at" in html and "风景绝了" not in html
    assert 'class="note-body tr-partial" data-tr-field="body" lang="en"' in html
    assert '<span class="tr-draft-label">Draft by this server\'s language model, still being written' in html
    assert "Translated by" not in html

    _worker_finishes(job)
    assert client.get(partial_url).json() == {"pending": False, "target": "en", "fields": {}}
    html = client.get(f"/translate/note/{note.pk}/?n=2", headers=HX).content.decode()
    assert "Went to West Lake at the weekend, the scenery was amazing" in html
    assert "Translated by LibreTranslate" in html
    assert "tr-partial" not in html and "Draft by" not in html and "data-partial-url" not in html
    assert TranslationJob.objects.get(pk=job.pk).partial_text == ""


def test_a_refused_answer_never_stays_on_the_page(settings, client, make_user, post_note, sam, remote):
    # The fake server does not know this sentence and answers it unchanged: validation refuses it (no
    # word gloss configured to stand in).
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
    note = _note(make_user, post_note, "这句话服务器不认识")
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    _worker_writes(job, "This sentence")
    assert client.get(f"/translate/note/{note.pk}/partial/").json()["fields"] == {"body": "This sentence"}

    _worker_finishes(job)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.partial_text == ""
    assert client.get(f"/translate/note/{note.pk}/partial/").json() == {"pending": False, "target": "en", "fields": {}}
    html = client.get(f"/translate/note/{note.pk}/?n=1", headers=HX).content.decode()
    assert "这句话服务器不认识" in html and "This sentence" not in html
    assert 'data-state="failed"' in html and "tr-reason" in html and "tr-partial" not in html


def test_drafts_only_while_the_job_runs_and_only_for_readers(client, make_user, post_note, sam, remote):
    note = _note(make_user, post_note, "周末去了西湖")
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    # Not claimed yet: a late draft from an earlier run is not written.
    with progress.reporting(progress.JobDrafts([job.pk], every_s=0)):
        progress.report(0, "Went")
    assert TranslationJob.objects.get(pk=job.pk).partial_text == ""
    # A job nobody waits for (translated ahead of readers) gets no drafts; throttled writes for the rest.
    assert _claim(job.pk) is not None
    ahead = progress.JobDrafts([None])
    with progress.reporting(ahead):
        progress.report(0, "Went")
    assert ahead.writes == 0 and TranslationJob.objects.get(pk=job.pk).partial_text == ""
    reader = progress.JobDrafts([job.pk], every_s=60)
    with progress.reporting(reader):
        progress.report(0, "Went")
        progress.report(0, "Went to West")  # within the interval: kept for the next write
    assert reader.writes == 1 and TranslationJob.objects.get(pk=job.pk).partial_text == "Went"


def test_drafts_of_a_note_after_an_edit_are_not_shown(client, make_user, post_note, sam, remote):
    note = _note(make_user, post_note, "周末去了西湖")
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    job = TranslationJob.objects.get(obj_id=note.pk, field="body")
    _worker_writes(job, "Went to")
    # The job is for another text than the note now has: its draft is not this text's.
    assert client.get(f"/translate/note/{note.pk}/partial/").json()["fields"] == {"body": "Went to"}
    TranslationJob.objects.filter(pk=job.pk).update(source_hash="0" * 64)
    assert client.get(f"/translate/note/{note.pk}/partial/").json()["fields"] == {}


def test_the_drafts_follow_the_blocks_visibility(client, make_user, post_note, sam, remote):
    note = _note(make_user, post_note, "周末去了西湖")
    assert client.get(f"/translate/note/{note.pk + 1000}/partial/").status_code == 404
    assert client.get(f"/translate/kind/{note.pk}/partial/").status_code == 404
    block(blocker=sam, blocked=note.author)
    assert client.get(f"/translate/note/{note.pk}/partial/").status_code == 404


def test_reading_drafts_does_not_use_up_the_translation_limit(settings, client, make_user, post_note, sam, remote):
    settings.RATE_LIMITS = {"translate.user": "3/5m", "translate.user_new": "3/5m", "translate.ip": "3/5m"}
    note = _note(make_user, post_note, "周末去了西湖")
    assert client.get(f"/translate/note/{note.pk}/", headers=HX).status_code == 200
    for _ in range(6):  # a second and a half of the page's polling
        assert client.get(f"/translate/note/{note.pk}/partial/").status_code == 200
    statuses = [client.get(f"/translate/note/{note.pk}/?n=1", headers=HX).status_code for _ in range(3)]
    assert statuses[-1] == 429  # the translation requests themselves are still limited


def test_a_growing_draft_is_not_taking_a_while(client, make_user, post_note, sam, remote):
    note = _note(make_user, post_note, "周末去了西湖")
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    html = client.get(f"/translate/note/{note.pk}/?n=30", headers=HX).content.decode()
    assert "The translation is taking a while." in html  # nothing written yet after a minute
    _worker_writes(TranslationJob.objects.get(obj_id=note.pk, field="body"), "Went to")
    html = client.get(f"/translate/note/{note.pk}/?n=30", headers=HX).content.decode()
    assert "taking a while" not in html and "Went to" in html and "data-partial-url" in html


def test_a_taps_stages_are_traced_in_order_only_when_asked(
    settings, tmp_path, client, make_user, post_note, sam, remote, django_capture_on_commit_callbacks
):
    """translation/trace.py: with TRANSLATION_TRACE_PATH set, the page's request, the job queued and
    run (here inline: the tests' task backend is immediate), the worker's first draft, the poll that
    returns it and the final are each one JSON line, in the order they happened; without it nothing
    is written."""
    trace = tmp_path / "stages.jsonl"
    first = _note(make_user, post_note, "周末去了西湖，风景绝了")
    client.get(f"/translate/note/{first.pk}/", headers=HX)
    assert not trace.exists()

    settings.TRANSLATION_TRACE_PATH = str(trace)
    second = post_note(first.author, title="", body="今天的早餐是豆浆油条", photos=0, language="zh-Hans")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/translate/note/{second.pk}/", headers=HX)
    job = TranslationJob.objects.get(obj_id=first.pk, field="body")
    _worker_writes(job, "Went to")
    client.get(f"/translate/note/{first.pk}/partial/")
    lines = [json.loads(line) for line in trace.read_text().splitlines()]
    stages = [line["stage"] for line in lines]
    jobs = TranslationJob.objects.filter(obj_id=second.pk).count()
    # The test's own transaction holds the jobs' commit until the request is over (in a server it
    # comes before the response); each of the note's jobs then runs inline.
    each = ["commit", "job_start", "claimed", "engine_call", "final", "queued"]
    assert jobs >= 1
    assert stages == ["request", "response", *each * jobs, "draft_written", "poll_in", "poll_out"]
    assert [line["t"] for line in lines] == sorted(line["t"] for line in lines)
    assert lines[0]["obj"] == second.pk and lines[-1]["obj"] == first.pk
    assert lines[-1]["draft"] is True and lines[-1]["pending"] is True
    assert lines[-3]["text"] == "Went to" and lines[-3]["job"] == job.pk
