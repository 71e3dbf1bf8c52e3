"""Mastodon reports: POST /api/v1/reports and the /api/v1/admin/reports family (reviewers)."""

from __future__ import annotations

import pytest
from django.test import Client

from review.models import ReviewItem
from tests.review.fixtures import token_for


@pytest.fixture(autouse=True)
def _llm_stage_on(settings):
    settings.REVIEW_USE_LLM = True


def test_mastodon_report_with_bearer_token(make_user, post):
    author = make_user()
    note = post(author, "Tasty noodles")
    reporter = make_user()
    response = Client().post(
        "/api/v1/reports",
        {"account_id": str(author.pk), "status_ids[]": [str(note.pk)], "comment": "spammy", "category": "spam"},
        **token_for(reporter),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status_ids"] == [str(note.pk)] and data["category"] == "spam"
    assert data["target_account"]["id"] == str(author.pk)
    assert ReviewItem.objects.get(target_id=note.pk).report_count == 1


def test_mastodon_report_bad_input(make_user, post):
    author = make_user()
    note = post(author, "Tasty noodles")
    headers = token_for(make_user())
    assert Client().post("/api/v1/reports", {"account_id": str(author.pk)}).status_code == 401
    assert (
        Client().post("/api/v1/reports", {"account_id": str(author.pk)}, HTTP_AUTHORIZATION="Bearer nope").status_code
        == 401
    )
    assert Client().post("/api/v1/reports", {}, **headers).status_code == 422
    assert Client().post("/api/v1/reports", {"account_id": "999"}, **headers).status_code == 404
    other = make_user()
    # A status that is not the account's is not found, whatever the id.
    assert (
        Client()
        .post("/api/v1/reports", {"account_id": str(other.pk), "status_ids[]": [str(note.pk)]}, **headers)
        .status_code
        == 404
    )
    read_only = token_for(make_user(), scope="read")
    assert Client().post("/api/v1/reports", {"account_id": str(author.pk)}, **read_only).status_code == 403


def test_mastodon_admin_reports_for_reviewers_only(make_user, reviewer, post):
    author = make_user()
    note = post(author, "Tasty noodles")
    Client().post(
        "/api/v1/reports", {"account_id": str(author.pk), "status_ids[]": [str(note.pk)]}, **token_for(make_user())
    )
    assert Client().get("/api/v1/admin/reports", **token_for(make_user())).status_code == 403
    mod = reviewer(languages=["en"])
    headers = token_for(mod)
    listed = Client().get("/api/v1/admin/reports", **headers).json()
    assert len(listed) == 1 and listed[0]["statuses"] == [{"id": str(note.pk)}]
    report_id = listed[0]["id"]
    assigned = Client().post(f"/api/v1/admin/reports/{report_id}/assign_to_self", **headers).json()
    assert assigned["assigned_account"] == {"id": str(mod.pk)}
    resolved = Client().post(f"/api/v1/admin/reports/{report_id}/resolve", **headers).json()
    assert resolved["action_taken"] is True
    assert Client().post(f"/api/v1/admin/reports/{report_id}/explode", **headers).status_code == 404
