"""The native review API (/api/nb/v1/review) at its real URL: who may do what, with a session or a token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from review.models import PolicyPackOverride, Report, ReviewItem
from review.packs import shipped_source
from tests.review.fixtures import as_user, old_user, token_for

BASE = "/api/nb/v1/review"


@pytest.fixture(autouse=True)
def _llm_stage_on(settings):
    settings.REVIEW_USE_LLM = True


def test_anonymous_gets_401(db):
    assert Client().get(f"{BASE}/queues").status_code == 401
    assert Client().post(f"{BASE}/reports", "{}", content_type="application/json").status_code == 401


def test_only_reviewers_see_queues_and_items(make_user, reviewer, held):
    _note, item = held
    assert as_user(make_user()).get(f"{BASE}/queues").status_code == 403
    assert as_user(make_user()).get(f"{BASE}/items/{item.pk}").status_code == 403
    en = as_user(reviewer(languages=["en"]))
    queues = en.get(f"{BASE}/queues").json()
    assert queues[0]["count"] == 1
    detail = en.get(f"{BASE}/items/{item.pk}").json()
    assert detail["content"]["body"].startswith("you are")
    assert detail["translation"] is None  # no translation engine on this branch
    assert detail["screening"]["reasons"]
    assert as_user(reviewer(languages=["th"])).get(f"{BASE}/items/{item.pk}").status_code == 404


def test_reviewer_decides_through_the_api(reviewer, held):
    _note, item = held
    client = as_user(reviewer(languages=["en"]))
    assert client.post(f"{BASE}/items/{item.pk}/claim").status_code == 200
    response = client.post(
        f"{BASE}/items/{item.pk}/decide",
        json.dumps({"action": "reject", "reason_code": "harassment", "note": "threat"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["statement"]["ground"]["category"] == "harassment"
    again = client.post(
        f"{BASE}/items/{item.pk}/decide",
        json.dumps({"action": "approve", "reason_code": "other"}),
        content_type="application/json",
    )
    assert again.status_code == 422


@pytest.mark.parametrize("item_id", ["abc", "-1", "9" * 30, "0"])
def test_malformed_ids_are_404(reviewer, item_id):
    assert as_user(reviewer()).get(f"{BASE}/items/{item_id}").status_code == 404


def test_session_posts_need_csrf(make_user, post):
    note = post(make_user(), "Tasty noodles")
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(
        f"{BASE}/reports",
        json.dumps({"target_type": "note", "target_id": str(note.pk), "category": "spam"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not Report.objects.exists()


def test_report_and_appeal_through_the_api(make_user, reviewer, post):
    author = make_user()
    note = post(author, "Tasty noodles")
    reporter = as_user(make_user())
    response = reporter.post(
        f"{BASE}/reports",
        json.dumps({"target_type": "note", "target_id": str(note.pk), "category": "harassment", "explanation": "rude"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    item = ReviewItem.objects.get(target_id=note.pk)
    mod = as_user(reviewer(languages=["en"]))
    decision = mod.post(
        f"{BASE}/items/{item.pk}/decide",
        json.dumps({"action": "remove", "reason_code": "harassment"}),
        content_type="application/json",
    ).json()
    mine = as_user(author)
    assert mine.get(f"{BASE}/decisions").json()[0]["id"] == decision["id"]
    # Someone else cannot appeal it; the author can, once.
    assert (
        reporter.post(
            f"{BASE}/appeals", json.dumps({"decision_id": decision["id"], "text": "x"}), content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        mine.post(
            f"{BASE}/appeals",
            json.dumps({"decision_id": decision["id"], "text": "it was fine"}),
            content_type="application/json",
        ).status_code
        == 201
    )
    kinds = {n["kind"] for n in mine.get(f"{BASE}/notices").json()}
    assert "decision" in kinds


def test_only_admins_edit_packs_and_roles(make_user, reviewer, admin_user):
    body = json.dumps({"source": shipped_source("TH")})
    target = make_user()
    for client in (as_user(make_user()), as_user(reviewer())):
        assert client.put(f"{BASE}/packs/TH", body, content_type="application/json").status_code == 403
        assert client.get(f"{BASE}/packs").status_code == 403
        assert (
            client.put(
                f"{BASE}/reviewers/{target.pk}", json.dumps({"languages": ["en"]}), content_type="application/json"
            ).status_code
            == 403
        )
        assert client.get(f"{BASE}/audit").status_code == 403
    admin = as_user(admin_user)
    assert admin.put(f"{BASE}/packs/TH", body, content_type="application/json").status_code == 200
    assert PolicyPackOverride.objects.filter(code="TH").exists()
    bad = admin.put(
        f"{BASE}/packs/TH", json.dumps({"source": "code: TH\ncountries: [nope]"}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert (
        admin.put(
            f"{BASE}/reviewers/{target.pk}", json.dumps({"languages": ["en"]}), content_type="application/json"
        ).status_code
        == 200
    )
    assert admin.get(f"{BASE}/audit?action=pack_update").json()[0]["reason_code"] == "TH"
    assert admin.get(f"{BASE}/status").json()["llm"] == "unavailable"


def test_transparency_is_public(db):
    assert Client().get(f"{BASE}/transparency").status_code == 200
    page = Client().get("/transparency/")
    assert page.status_code == 200 and b"Transparency report" in page.content


def test_admin_withholds_and_lifts_through_the_api(make_user, post, admin_user):
    note = post(make_user(), "Tasty noodles")
    body = json.dumps({"note_id": str(note.pk), "countries": ["th", "GB", "nonsense"], "reason_code": "illegal_local"})
    assert as_user(make_user()).post(f"{BASE}/withholdings", body, content_type="application/json").status_code == 403
    admin = as_user(admin_user)
    assert admin.post(f"{BASE}/withholdings", body, content_type="application/json").json()["countries"] == ["GB", "TH"]
    lifted = admin.delete(f"{BASE}/withholdings/{note.pk}?countries=TH").json()
    assert lifted["withheld_in"] == ["GB"]
    assert as_user(make_user()).delete(f"{BASE}/withholdings/{note.pk}").status_code == 403


def test_bulk_decisions_reach_their_route(reviewer, make_user, post):
    """``POST /items/bulk`` once answered 405: the ``/items/{item_id}`` route matched "bulk" first."""
    notes = [post(old_user(make_user), f"you are such a loser, number {i}") for i in range(2)]
    items = [ReviewItem.objects.get(target_id=n.pk) for n in notes]
    client = as_user(reviewer(languages=["en"]))
    response = client.post(
        f"{BASE}/items/bulk",
        json.dumps({"item_ids": [str(i.pk) for i in items], "action": "reject", "reason_code": "harassment"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (
        sorted(response.json()["decided"]) == sorted(str(i.pk) for i in items) or len(response.json()["decided"]) == 2
    )
    assert all(ReviewItem.objects.get(pk=i.pk).status == "resolved" for i in items)


def test_bearer_tokens_write_without_csrf(make_user, reviewer, admin_user, post):
    """Every write works with a token and no session, through Django's CSRF checks (the router once tried
    the session first and refused every token write with 403 "CSRF check Failed")."""
    browser = Client(enforce_csrf_checks=True)
    tokens: dict = {}

    def send(method, path, body, user, scope="read write"):
        if (user.pk, scope) not in tokens:
            tokens[user.pk, scope] = token_for(user, scope)
        headers = tokens[user.pk, scope]
        return browser.generic(method, f"{BASE}{path}", json.dumps(body), "application/json", **headers)

    author = old_user(make_user)
    note = post(author, "you are such a loser")
    item = ReviewItem.objects.get(target_id=note.pk)
    published = post(make_user(), "Tasty noodles")
    report = send(
        "POST", "/reports", {"target_type": "note", "target_id": str(published.pk), "category": "spam"}, make_user()
    )
    assert report.status_code == 201, report.content
    mod = reviewer(languages=["en"])
    assert send("POST", f"/items/{item.pk}/claim", {}, mod).status_code == 200
    decided = send("POST", f"/items/{item.pk}/decide", {"action": "reject", "reason_code": "harassment"}, mod)
    assert decided.status_code == 200, decided.content
    appeal = send("POST", "/appeals", {"decision_id": decided.json()["id"], "text": "context matters"}, author)
    assert appeal.status_code == 201, appeal.content
    withheld = send(
        "POST",
        "/withholdings",
        {"note_id": str(published.pk), "countries": ["TH"], "reason_code": "illegal_local"},
        admin_user,
    )
    assert withheld.status_code == 200, withheld.content
    assert send("PUT", "/packs/TH", {"source": shipped_source("TH")}, admin_user).status_code == 200
    assert send("POST", f"/items/{item.pk}/escalate", {}, mod, scope="read").status_code == 403  # scope still applies


def test_a_session_write_needs_the_csrf_token_and_passes_with_it(make_user, post):
    note = post(make_user(), "Tasty noodles")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user())
    body = json.dumps({"target_type": "note", "target_id": str(note.pk), "category": "spam"})
    refused = browser.post(f"{BASE}/reports", body, content_type="application/json")
    assert refused.status_code == 403 and not Report.objects.exists()
    browser.get("/")
    allowed = browser.post(
        f"{BASE}/reports", body, content_type="application/json", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )
    assert allowed.status_code == 201 and Report.objects.count() == 1
