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


def _operator(make_user):
    from accounts.models import User

    boss = make_user("boss", languages=["en", "zh-Hans"])
    User.objects.filter(pk=boss.pk).update(is_staff=True)
    return User.objects.get(pk=boss.pk)


def test_an_operator_becomes_a_reviewer_in_one_click(make_user, held):
    _note, item = held
    operator = as_user(_operator(make_user))
    first = operator.get("/review/", follow=True)
    assert first.redirect_chain[-1][0] == "/review/reviewers/"
    assert "not a reviewer yet" in first.content.decode() and "Make me a reviewer" in first.content.decode()
    done = operator.post("/review/reviewers/", {"action": "self"}, follow=True)
    assert done.redirect_chain[-1][0] == "/review/" and str(item.pk) in done.content.decode()
    from review.models import AuditEvent, Reviewer

    assert Reviewer.objects.get(user__username="boss").languages == ["en", "zh-Hans"]
    assert AuditEvent.objects.filter(action="reviewer_set").exists()


def test_operators_find_people_and_appoint_or_retire_them(make_user):
    operator = as_user(_operator(make_user))
    lin = make_user("lin_reads", languages=["zh-Hant"])
    found = operator.get("/review/reviewers/", {"q": "lin_re"})
    assert found.status_code == 200 and "@lin_reads" in found.content.decode()
    base = {"action": "appoint", "user_id": lin.pk}
    assert operator.post("/review/reviewers/", {**base, "regions": "TW"}).status_code == 422  # no language
    bad = operator.post("/review/reviewers/", {**base, "languages": ["zh-Hant"], "regions": "Taiwan"})
    assert bad.status_code == 422 and "two-letter" in bad.content.decode()
    assert operator.post("/review/reviewers/", {**base, "user_id": "nope", "languages": ["en"]}).status_code == 422
    ok = operator.post("/review/reviewers/", {**base, "languages": ["zh-Hant", "xx"], "regions": "tw, hk"})
    assert ok.status_code == 302
    from review.models import Reviewer

    appointed = Reviewer.objects.get(user=lin)
    assert appointed.languages == ["zh-Hant"] and appointed.regions == ["TW", "HK"] and appointed.active
    # The new reviewer sees the Review link and opens the console.
    reader = as_user(lin)
    assert 'href="/review/"' in reader.get("/").content.decode()
    assert reader.get("/review/").status_code == 200
    operator.post("/review/reviewers/", {"action": "retire", "user_id": lin.pk})
    assert not Reviewer.objects.get(user=lin).active
    assert reader.get("/review/").status_code == 403


def test_only_operators_open_the_reviewers_page(make_user, reviewer):
    someone = as_user(make_user())
    page = someone.get("/review/reviewers/")
    assert page.status_code == 403 and "Only operators can appoint reviewers." in page.content.decode()
    assert 'href="/review/"' not in someone.get("/").content.decode()  # no Review link for readers
    assert someone.post("/review/reviewers/", {"action": "self"}).status_code == 403
    assert as_user(reviewer(languages=["en"])).get("/review/reviewers/").status_code == 403
