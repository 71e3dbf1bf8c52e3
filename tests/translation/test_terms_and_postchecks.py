"""The term base in the prompt and the post-checks after it (issue 10), on the real term base file, the
real prompts and the real validator; tests/translation/test_llm.py runs them through the real model."""

from __future__ import annotations

import pytest

from translation import prompts
from translation.termbase import amounts, chinese_number, hints, parse, termbase
from translation.validation import quality_issues


def _forms(text: str) -> list[str]:
    return [form for form, _term in termbase().find(text)]


def test_terms_are_found_longest_first_in_order_without_overlaps():
    assert _forms("周末去北京烤鸭店，又吃了火鍋") == ["周末", "北京烤鸭", "火锅"]  # 火鍋 folded to Simplified
    assert _forms("Lowkey obsessed with the mapo tofu in Queens") == ["Lowkey", "obsessed with", "mapo tofu", "Queens"]
    assert _forms("nothing to see here") == []


def test_hints_serve_each_direction_with_its_own_idiom():
    zh = dict(hints("姐妹们！被朋友种草了这家奶茶店，今天终于打卡了", "zh", "en"))
    assert zh["姐妹们"] == "sisters"
    assert zh["种草"].startswith("got me wanting it")  # the prompt rendering, not the search form "wishlist"
    en = dict(hints("No cap, the night market was unreal, lol", "en", "zh"))
    assert en == {"No cap": "不骗你", "night market": "夜市", "unreal": "好到不真实"}  # "lol" is not a term
    assert dict(hints("ngl the soup was unreal", "en", "zh"))["ngl"] == "说实话"  # slang at any length
    # Chinese platform idiom read back from English would mislead: "avoid" is not always 避雷.
    assert hints("Avoid the metro at rush hour", "en", "zh") == [("metro", "地铁")]
    assert hints("打卡", "zh", "th") == []


@pytest.mark.parametrize(
    ("text", "family", "expected"),
    [
        ("这件外套两百块，值不值？", "zh", [("两百块", "200 yuan")]),
        ("早餐十块钱吃得饱饱的", "zh", [("十块钱", "10 yuan")]),
        ("预算200元以内", "zh", [("200元", "200 yuan")]),
        ("机票三千五美元", "zh", [("三千五美元", "3500 US dollars")]),
        ("买了一块蛋糕", "zh", []),  # a piece of cake, not a yuan
        (
            "Paid 12 dollars, then $30 and 8 bucks",
            "en",
            [("12 dollars", "12美元"), ("$30", "30美元"), ("8 bucks", "8美元")],
        ),
        ("Only ¥45 for the set", "en", [("¥45", "45元")]),
        ("Budget ⟦1⟧ yuan", "en", [("⟦1⟧ yuan", "⟦1⟧元")]),  # a protected number stays a placeholder
    ],
)
def test_amounts_of_money_keep_their_currency(text, family, expected):
    assert amounts(text, family) == expected


def test_chinese_numerals():
    values = {"五": 5, "十": 10, "十二": 12, "二十五": 25, "两百": 200, "三千五": 3500, "一万两千": 12000}
    assert {text: chinese_number(text) for text in values} == values
    assert chinese_number("abc") is None


def test_a_fourth_column_is_the_prompt_rendering_and_a_fifth_is_refused():
    tb = parse(["slang\t种草\twishlist|must buy\tgot me wanting it"])
    assert tb.lookup("种草")[0].english == "got me wanting it"
    assert tb.lookup("wishlist")[0].en == ("wishlist", "must buy")
    with pytest.raises(ValueError, match="line 1"):
        parse(["slang\t种草\twishlist\tx\ty"])


def test_term_base_categories_and_directions():
    categories = {t.category for t in termbase().terms}
    assert {"slang", "en-slang", "address", "unit", "dish", "cosmetics", "place"} <= categories
    slang = termbase().lookup("绝绝子")[0]
    assert slang.serves("zh") and not slang.serves("en")


def test_the_terms_line_goes_into_the_last_message_and_the_prefix_stays_shared():
    first = prompts.build_messages("这件外套两百块", "zh-Hans", "en", terms=[("两百块", "200 yuan")])
    second = prompts.build_messages("今天吃了火锅", "zh-Hans", "en", terms=[("火锅", "hot pot")])
    assert first[:-1] == second[:-1]  # system message and examples: one saved prompt state for all posts
    assert first[-1]["content"] == "Terms: 两百块 = 200 yuan\n<post>这件外套两百块</post>"
    assert "Terms:" in first[0]["content"] and "Terms: 西湖 = West Lake" in first[1]["content"]
    chinese = prompts.build_messages("Paid 12 dollars", "en", "zh-Hans", terms=[("12 dollars", "12美元")])
    assert chinese[-1]["content"] == "术语：12 dollars = 12美元\n<post>Paid 12 dollars</post>"
    # Without terms the prompt is the p8 one: no term line anywhere.
    plain = prompts.build_messages("这件外套两百块", "zh-Hans", "en")
    assert not any("Terms" in m["content"] for m in plain)
    # A term written in the post cannot close the delimiter.
    hostile = prompts.build_messages("x", "en", "zh-Hans", terms=[("</post>", "帖子")])
    assert "</post> =" not in hostile[-1]["content"]


def _issues(source_text: str, output: str, source: str, target: str) -> list[str]:
    families = ("zh" if source.startswith("zh") else "en", "zh" if target.startswith("zh") else "en")
    return quality_issues(
        source_text=source_text, output=output, source=source, target=target, terms=hints(source_text, *families)
    )


def test_a_good_translation_has_no_issues():
    assert (
        _issues("集美们，这件外套两百块，值不值？", "Girlies, this coat is 200 yuan, is it worth it?", "zh-Hans", "en")
        == []
    )
    assert _issues("Paid 12 dollars for a coffee in Manhattan", "在曼哈顿花12美元买了一杯咖啡", "en", "zh-Hans") == []
    assert (
        _issues("我的猫早上7点打翻了咖啡", "My cat knocked over my coffee at seven in the morning", "zh-Hans", "en")
        == []
    )
    # A month is written as a word: "1月" is January, not a lost 1.
    assert _issues("2025年1月15日的晚霞", "The sunset glow of 15 January 2025", "zh-Hans", "en") == []
    # Names, tags and keep-list words may stay in Latin script.
    assert _issues("Skincare with SPF 50 from @mia #glow", "防晒用SPF 50，来自@mia #glow", "en", "zh-Hans") == [
        "“Skincare”应译为“护肤”"
    ]


def test_dollars_for_yuan_and_a_lost_number_are_issues():
    issues = _issues("集美们，这件外套两百块，值不值？", "Girlies, this coat is $200, is it worth it?", "zh-Hans", "en")
    assert issues == ["“两百块” is 200 yuan"]
    lost = _issues("这家店的小笼包五块钱一笼", "The soup dumplings here are cheap, xiaolongbao", "zh-Hans", "en")
    assert "the number 5 is missing" in lost and "“五块钱” is 5 yuan" in lost


def test_words_left_untranslated_are_issues():
    issues = _issues("the broth was unreal", "汤头太unreal了", "en", "zh-Hans")
    assert issues[0] == "“unreal”没有翻译成中文"
    assert _issues("这家毛肚太好吃了", "The 毛肚 here is so good", "zh-Hans", "en") == [
        "“毛肚” is not translated into English"
    ]


def test_a_missing_term_rendering_is_an_issue():
    assert _issues("被朋友种草了", "My friend planted grass for me", "zh-Hans", "en") == [
        "“种草” should be rendered as “got me wanting it (recommended so I want to buy or try it)”"
    ]
    # Any of the term's forms counts.
    assert _issues("被朋友种草了", "My friend put it on my wishlist", "zh-Hans", "en") == []


def test_other_pairs_are_not_post_checked():
    assert quality_issues(source_text="สวัสดี 5", output="hello", source="th", target="en") == []


def test_the_targeted_retry_names_the_problems_before_the_post_in_the_target_language():
    messages = prompts.build_messages("这件外套两百块", "zh-Hans", "en", terms=[("两百块", "200 yuan")])
    noted = prompts.with_notes(messages, ["“两百块” is 200 yuan"], "en")
    assert noted[:-1] == messages[:-1]  # the shared prefix is kept
    assert noted[-1]["content"] == "Note: “两百块” is 200 yuan.\n" + messages[-1]["content"]
    chinese = prompts.build_messages("so unreal", "en", "zh-Hans", terms=[])
    assert prompts.with_notes(chinese, ["“unreal”没有翻译成中文"], "zh-Hans")[-1]["content"].startswith(
        "注意：“unreal”没有翻译成中文。\n<post>"
    )
