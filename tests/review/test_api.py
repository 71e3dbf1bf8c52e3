"""Native review API, Mastodon report endpoints and console pages: who may do what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from review.models import PolicyPackOverride, Report, ReviewItem
from review.packs import shipped_source

pytestmark = pytest.mark.urls("tests.review.urls")
BASE = "/api/nb/v1/review"


def token_for(user, scope="read write"):
    from oauth2_provider.models import AccessToken, Application

    app = Application.objects.create(
        name="test", client_type="confidential", authorization_grant_type="authorization-code", user=user
    )
    token = AccessToken.objects.create(
        user=user,
        application=app,
        token=f"tok-{user.pk}-{scope.replace(' ', '')}",
        expires=timezone.now() + timedelta(days=1),
        scope=scope,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def old_user(make_user):
    from accounts.models import User

    user = make_user()
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=365))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def held(make_user, post):
    note = post(old_user(make_user), "you are such a loser")
    return note, ReviewItem.objects.get(target_id=note.pk)


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


# --- Mastodon-shaped endpoints ---------------------------------------------------------------


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
    assert Client().post("/api/v1/reports", {"account_id": str(author.pk)}, **read_only).status_code == 401


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


# --- pages -----------------------------------------------------------------------------------


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


def test_admin_withholds_and_lifts_through_the_api(make_user, post, admin_user):
    note = post(make_user(), "Tasty noodles")
    body = json.dumps({"note_id": str(note.pk), "countries": ["th", "GB", "nonsense"], "reason_code": "illegal_local"})
    assert as_user(make_user()).post(f"{BASE}/withholdings", body, content_type="application/json").status_code == 403
    admin = as_user(admin_user)
    assert admin.post(f"{BASE}/withholdings", body, content_type="application/json").json()["countries"] == ["GB", "TH"]
    lifted = admin.delete(f"{BASE}/withholdings/{note.pk}?countries=TH").json()
    assert lifted["withheld_in"] == ["GB"]
    assert as_user(make_user()).delete(f"{BASE}/withholdings/{note.pk}").status_code == 403
