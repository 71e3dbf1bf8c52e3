import pytest

from core.language_detection import chinese_script, detect_language, strip_non_linguistic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("omg love this!!", "en"),
        ("Best sourdough in town, highly recommend", "en"),
        ("今天天气很好，我们去公园吧", "zh-Hans"),
        ("今天天氣很好，我們去公園吧", "zh-Hant"),
        ("台灣的夜市真的太好逛了", "zh-Hant"),
        ("后来我们去了台北，干杯！", "zh-Hans"),
        ("สวัสดีครับ วันนี้อากาศดีมาก", "th"),
        ("こんにちは、今日はいい天気ですね", "ja"),
        ("안녕하세요 오늘 날씨가 좋네요", "ko"),
        # Mixed: the dominant language wins.
        ("I love 火锅 so much, best dinner in Chengdu lol", "en"),
        ("今天去了 Central Park，太美了，推荐大家去", "zh-Hans"),
    ],
)
def test_detects_content_languages(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😂😂😂", "👍🏽🇨🇳❤️", "ok", "好", "12345 678", "#foodie @bob https://example.org/x", "!!!???"],
)
def test_no_answer_for_text_without_language(text):
    assert detect_language(text) == ""


def test_tags_mentions_links_do_not_sway_detection():
    text = "#travel #foodie @anna_b https://example.org/trip 今天去了西湖，人很多但是很漂亮"
    assert detect_language(text) == "zh-Hans"
    assert strip_non_linguistic(text) == "今天去了西湖，人很多但是很漂亮"


def test_long_and_hostile_input_does_not_crash():
    assert detect_language("hello world " * 1000) == "en"
    assert detect_language("\x00\u202e" * 50 + "今天天气很好") == "zh-Hans"
    assert detect_language(None) == ""  # type: ignore[arg-type]


def test_detection_is_limited_to_instance_languages(settings):
    settings.CONTENT_LANGUAGES = ["en", "zh-Hans"]
    assert detect_language("今天天氣很好，我們去公園吧") == "zh-Hans"  # Traditional not offered here
    assert detect_language("สวัสดีครับ วันนี้อากาศดีมาก") in ("", "en", "zh-Hans")


def test_chinese_script():
    assert chinese_script("這個麵包發了很久") == "zh-Hant"
    assert chinese_script("这个面包发了很久") == "zh-Hans"
    assert chinese_script("no han at all") == "zh-Hans"
