"""Content review pages: the console for reviewers, decisions and appeals for authors, the report form,
the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from review.models import Report, ReviewItem
from tests.review.fixtures import as_user, old_user


@pytest.fixture(autouse=True)
def _llm_stage_on(settings):
    settings.REVIEW_USE_LLM = True


def test_console_pages_for_reviewers_only(make_user, reviewer, held):
    _note, item = held
    assert as_user(make_user()).get("/review/").status_code == 403
    assert Client().get("/review/").status_code == 302
    mod = as_user(reviewer(languages=["en"]))
    page = mod.get("/review/")
    assert page.status_code == 200 and str(item.pk).encode() in page.content
    detail = mod.get(f"/review/items/{item.pk}/")
    assert detail.status_code == 200 and b"No translation engine available" in detail.content
    response = mod.post(f"/review/items/{item.pk}/decide", {"action": "reject", "reason_code": "harassment"})
    assert response.status_code == 302
    assert ReviewItem.objects.get(pk=item.pk).status == "resolved"


def test_author_sees_statement_and_appeals_on_the_web(make_user, reviewer, post):
    author = old_user(make_user)
    note = post(author, "you are such a loser")
    item = ReviewItem.objects.get(target_id=note.pk)
    as_user(reviewer(languages=["en"])).post(
        f"/review/items/{item.pk}/decide", {"action": "reject", "reason_code": "harassment"}
    )
    page = as_user(author).get("/review/notices/")
    assert b"Keep language civil" not in page.content and b"harassment" in page.content
    decision_id = item.decisions.get().pk
    assert as_user(make_user()).get(f"/review/appeal/{decision_id}/").status_code == 404
    sent = as_user(author).post(f"/review/appeal/{decision_id}/", {"text": "context matters"})
    assert sent.status_code == 302
    assert ReviewItem.objects.filter(source="appeal", target_id=note.pk).exists()


def test_report_form(make_user, post):
    note = post(make_user(), "Tasty noodles")
    client = as_user(make_user())
    assert client.get(f"/review/report/note/{note.pk}/").status_code == 200
    client.post(f"/review/report/note/{note.pk}/", {"category": "illegal", "country": "TH", "good_faith": "on"})
    report = Report.objects.get()
    assert report.country == "TH" and report.good_faith
    assert client.get("/review/report/planet/1/").status_code == 404


def test_audit_page_for_admins_only(make_user, admin_user):
    assert as_user(make_user()).get("/review/audit/").status_code == 403
    assert as_user(admin_user).get("/review/audit/").status_code == 200
