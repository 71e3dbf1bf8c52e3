"""The review pages, statements of reasons and the OAuth consent page read in Simplified Chinese for a
user who chose it; codes (categories, countries, actions) are shown as words, and notices are written
in the recipient's language even when a reviewer working in English decides."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notifications.models import Notification
from review import decisions, reports
from review.models import ReviewItem

ENGLISH_LEFTOVERS = [
    "Review queues",
    "Bulk action",
    "Apply to selected",
    "Machine translation",
    "Keep / publish",
    "Decisions about your content",
    "Transparency report",
    "Median time",
    "Appeal a decision",
    "Your note was",
    "under our rule",
    "Authorize an app",
    "severity",
]
# Pages for reviewers and operators also show machine data as it is (rule ids, audit records).
OPERATOR_DATA = ["harassment"]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    # Only what a reader sees: drop scripts, tags and attribute values.
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def in_chinese(user) -> Client:
    user.ui_language = "zh-hans"
    user.save(update_fields=["ui_language"])
    client = Client()
    client.force_login(user)
    return client


def assert_chinese(text: str, *expected: str, operator: bool = False) -> None:
    for phrase in expected:
        assert phrase in text, phrase
    for english in ENGLISH_LEFTOVERS + ([] if operator else OPERATOR_DATA):
        assert english not in text, english


@pytest.fixture
def decided(make_user, reviewer, post):
    """A held Chinese note, a TH-region item, and a rejection by an English-speaking reviewer."""
    author = make_user(languages=["zh-Hans"])
    held = post(author, "你真是个傻逼，滚开")
    item = ReviewItem.objects.get(target_id=held.pk)
    english_reviewer = reviewer(languages=["zh-Hans", "en"], senior=True)
    decision = decisions.decide(user=english_reviewer, item_id=item.pk, action="reject", reason_code="harassment")
    waiting = post(make_user(), "楼主真是个智障")
    return author, decision, ReviewItem.objects.get(target_id=waiting.pk)


def test_review_console_and_item_in_chinese(decided, reviewer):
    _author, _decision, waiting = decided
    client = in_chinese(reviewer(languages=["zh-Hans"]))
    console = page(client, "/review/")
    assert_chinese(console, "审核队列", "批量操作", "骚扰或威胁", "严重程度", "自动审核", "笔记")
    item = page(client, f"/review/items/{waiting.pk}/")
    assert_chinese(
        item, "原文", "机器翻译", "风险值", "认领 (c)", "保留 / 发布 (a)", "禁止威胁、欺凌或骚扰他人。", operator=True
    )


def test_statement_of_reasons_notices_and_appeal_in_chinese(decided):
    author, decision, _waiting = decided
    client = in_chinese(author)
    notices = page(client, "/review/notices/")
    assert_chinese(
        notices,
        "关于你的内容的处理决定",
        "你的笔记未予发布（范围：所有地区），依据我们的规则“禁止威胁、欺凌或骚扰他人。”［骚扰或威胁］",
        "申诉",
    )
    # The notice was written in the author's language although the reviewer worked in English.
    stored = Notification.objects.filter(recipient=author, kind="decision").latest("id").text
    assert stored.startswith("你的笔记未予发布")
    held = Notification.objects.filter(recipient=author, kind="under_review").latest("id").text
    assert held == "你的笔记正在由人工审核，审核通过后才会对他人显示。原因：骚扰或威胁、粗俗语言"
    appeal = page(client, f"/review/appeal/{decision.pk}/")
    assert_chinese(appeal, "对处理决定提出申诉", "提交申诉")


def test_transparency_and_audit_in_chinese(decided, admin_user):
    client = in_chinese(admin_user)
    transparency = page(client, "/transparency/")
    assert_chinese(transparency, "透明度报告", "按理由", "骚扰或威胁", "不予通过", "处理用时中位数")
    audit = page(client, "/review/audit/")
    assert_chinese(audit, "审计日志", "系统", operator=True)


def test_report_outcome_goes_out_in_each_reporters_language(make_user, reviewer, post, admin_user):
    note = post(make_user(), "A perfectly fine note about dumplings")
    reader_zh = make_user(ui_language="zh-hans")
    reader_en = make_user()
    for who in (reader_zh, reader_en):
        reports.file_report(reporter=who, target_type="note", target_id=note.pk, category="spam")
    item = ReviewItem.objects.get(target_id=note.pk, source="report")
    decisions.decide(user=reviewer(), item_id=item.pk, action="withhold", reason_code="spam", countries=["TH"])
    zh = Notification.objects.get(recipient=reader_zh, kind="report_outcome").text
    en = Notification.objects.get(recipient=reader_en, kind="report_outcome").text
    assert zh == "我们已审核你举报的内容，并已在以下国家或地区限制显示：泰国。"
    assert en == "We reviewed the content you reported and withheld it in Thailand."
    assert Notification.objects.get(recipient=reader_zh, kind="report_received").text.startswith("我们已收到你的举报")


def test_oauth_consent_page_in_chinese(make_user):
    app = Client().post("/api/v1/apps", {"client_name": "Toot!", "scopes": "read write"}).json()
    client = in_chinese(make_user())
    consent = page(
        client,
        "/oauth/authorize?"
        + "&".join(
            f"{k}={v}"
            for k, v in {
                "client_id": app["client_id"],
                "response_type": "code",
                "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
                "scope": "read write",
            }.items()
        ),
    )
    assert_chinese(consent, "允许 Toot! 使用你的账号吗？", "读取你的账号、笔记和时间线", "授权", "拒绝")
