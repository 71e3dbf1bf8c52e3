"""Payload extraction (core/payloads.py): what a spam wave pushes, read through its disguises, and
the common phrases and ordinary mentions of prices, shops and friends that carry nothing to count."""

from __future__ import annotations

import pytest

from core.payloads import extract, prepare
from review.normalize import text_weight


def keys(text: str) -> list[str]:
    return extract(text).keys()


@pytest.mark.parametrize(
    "text",
    [
        "好看",
        "求链接",
        "求地址！",
        "Love this!",
        "Link please?",
        "图片好好看！",
        "Okay the photos are gorgeous.",
        "Came here from the Discover page, no regrets.",
        "同款在哪买的？",
        "Hello from the US! 👋",
        "Following for more like this!",
    ],
)
def test_common_phrases_carry_no_payload(text):
    found = extract(text)
    assert found.payloads == () and found.keys() == [] and not found.solicits


@pytest.mark.parametrize(
    "text",
    [
        "Bought it at Uniqlo for $49, very warm",
        "在优衣库买的，¥199，很保暖",
        "The entry ticket was 80 yuan",
        "@bestie look, we have to go here",
        "Found the song https://www.youtube.com/watch?v=abc123XYZ",
        "Wiki page: https://en.wikipedia.org/wiki/Hot_pot",
        "Wear SPF30 even in winter",
        "Open 9:30 to 17:00, closed 2025-01-14",
        "The line was long but worth it",
        "Seattle, WA 98101 has great coffee",
    ],
)
def test_prices_mentions_common_links_and_codes_count_only_in_a_text_that_solicits(text):
    found = extract(text)
    assert found.keys() == [], (found.payloads, found.lures)


def test_a_weak_payload_counts_once_the_text_solicits():
    assert keys("这款包只要¥399") == []
    assert keys("这款包只要¥399，私信我") == ["price:399"]
    assert keys("@june.fit thanks for the plan") == []
    assert keys("follow @june.fit for a free plan, link in bio") == ["id:junefit"]
    assert keys("SAVE20 is a nice name") == []
    assert keys("SAVE20 at checkout, 20% off") == ["code:save20"]


@pytest.mark.parametrize(
    "text",
    [
        "加微信 lulu_5566",
        "vx：lulu_5566 有货",
        "薇信lulu_5566",
        "V信 lulu_5566 包邮",
        "威 信 lulu_5566",
        "徽信：lulu_5566",
        "w e c h a t: lulu_5566",
        "W.E.C.H.A.T lulu_5566",
        "w🌸e🌸c🌸h🌸a🌸t lulu_5566",
        "ＶＸ：ｌｕｌｕ＿５５６６",
        "微-信 l u l u _ 5 5 6 6",
        "加v❤ lulu_5566",
        "weixin lulu.5566",
        "wx lu\u200blu_5566",  # a zero-width space inside the id
        "微信 LULU-5566",
    ],
)
def test_a_wechat_id_is_found_through_its_disguises(text):
    assert "id:lulu5566" in keys(text)


def test_cyrillic_look_alikes_inside_an_id_are_folded():
    assert "id:coco5566" in keys("微信 сосо_5566")  # Cyrillic с and о


@pytest.mark.parametrize(
    "text",
    [
        "联系 137 0024 6810",
        "电话13700246810",
        "一三七零零二四六八一零",
        "幺三七 零零二四 六八幺零",
        "１３７００２４６８１０",
        "①③⑦⓪⓪②④⑥⑧①⓪",
        "137-0024-6810",
        "1 3 7 0 0 2 4 6 8 1 0",
        "137.0024.6810",
        "+86 137 0024 6810",
        "1370024681O",  # the letter O for a zero
        "137OO246810",
    ],
)
def test_a_phone_number_is_found_however_the_digits_are_written(text):
    assert "phone:700246810" in keys(text)


def test_english_number_words_and_the_whatsapp_link_give_the_same_number():
    spelled = keys("whatsapp four one five five five five zero one two three")
    assert "phone:155550123" in spelled
    assert "phone:155550123" in keys("wa.me/14155550123 for the job")
    assert "phone:155550123" in keys("(415) 555-0123 text me")


@pytest.mark.parametrize(
    "text",
    [
        "shop-xyz.top",
        "https://www.shop-xyz.top/deal?id=7",
        "shop-xyz[.]top",
        "shop-xyz(.)top",
        "shop-xyz dot top",
        "shop-xyz 点 top",
        "shop-xyz。top",
        "shop-xyz . top",
        "SHOP-XYZ.TOP",
        "m.shop-xyz.top",
        "shop\u2011xyz.top",  # a non-breaking hyphen
    ],
)
def test_a_link_is_found_through_bracketed_spoken_and_spaced_dots(text):
    assert keys(text) == ["link:shop-xyz.top"]


def test_shortened_links_keep_their_code_and_different_codes_differ():
    assert keys("领取 t.cn/Ab3xY") == ["link:t.cn/ab3xy"]
    assert keys("t . cn / Ab3xY") == ["link:t.cn/ab3xy"]
    assert keys("t.cn/Zz9") != keys("t.cn/Ab3xY")


@pytest.mark.parametrize(
    "text",
    [
        "mail deals.kim@gmail.com",
        "deals.kim at gmail dot com",
        "deals.kim(at)gmail(dot)com",
        "deals.kim [at] gmail [dot] com",
        "deals.kim＠gmail．com",
        "d e a l s . k i m @ gmail . com",
        "DEALS.KIM@GMAIL.COM",
        "dealskim+promo@gmail.com",
    ],
)
def test_an_email_address_is_found_through_its_disguises(text):
    assert "email:dealskim@gmail.com" in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "t.me/MoonCalls",
        "telegram @MoonCalls daily",
        "tg: mooncalls",
        "IG: moon.calls",
        "instagram.com/moon_calls",
        "follow @Moon_Calls, link in bio",
        "LINE ID: moon_calls",
    ],
)
def test_an_account_on_another_platform_is_one_id_however_it_is_written(text):
    assert "id:mooncalls" in keys(text)


def test_an_id_before_its_marker_and_slang_markers_are_read():
    assert "id:lulu5566" in keys("ｌｕｌｕ＿５５６６ 加我微信")
    assert "id:lulu5566" in keys("卫星 lulu_5566 了解详情")
    assert keys("卫星照片好清晰") == [] and not extract("卫星照片好清晰").solicits  # "satellite" is a word too
    assert not extract("我用微信支付的，很方便").solicits  # WeChat Pay is not a contact


def test_short_capital_codes_and_id_like_words_count_when_the_text_solicits():
    assert keys("用 HB2088 下单立减") == ["code:hb2088"]
    assert keys("HB 2088 折扣码，私我") == ["code:hb2088"]
    assert keys("需要的滴滴 ＤＫ＿５２０１３") == ["id:dk52013"]
    assert keys("my_cat_is_cute lol") == [] and keys("HB2088 was my flight number") == []


def test_dm_to_a_handle_solicits():
    assert keys("dm @june.fit for the plan") == ["id:junefit"]


def test_an_id_cut_in_two_is_also_read_joined():
    assert "id:sweetbun77" in keys("add line sweet bun_77")


def test_codes_after_a_code_word_are_strong_and_spaced_codes_are_joined():
    assert keys("use code GLOW25 today") == ["code:glow25"]
    assert "code:glow25" in keys("code g l o w 2 5 for the discount")
    assert "code:glow25" in keys("优惠码：GLOW25")


def test_bad_input_gives_no_payload_and_no_error():
    for text in ("", "   ", "\x00\x01", "🎉" * 50, "@", "http://", "www.", "微信", "code:"):
        assert extract(text).keys() == []
    assert extract(None or "").payloads == ()


@pytest.mark.parametrize(
    "text",
    [
        "a." * 10_000,
        "a" + " " * 19_990 + "b",
        "a@" + "b." * 9_990,
        "1 " * 10_000,
        "w-" * 10_000,
        "一" * 20_000,
    ],
)
def test_hostile_long_inputs_finish(text):
    # Patterns of the form (label.)+tld or \s*x\s* rescan such inputs for minutes; these must not.
    extract(text)


def test_prepare_folds_width_spacing_and_spoken_digits():
    assert prepare("ＷＥＣＨＡＴ") == "wechat"
    assert prepare("w e c h a t") == "wechat"
    assert prepare("一五九二七六三四零八一") == "15927634081"
    assert "example.com" in prepare("example dot com")


def test_text_weight_counts_a_cjk_character_as_three_letters():
    assert text_weight("lovethis") == 8
    assert text_weight("好看") == 6
