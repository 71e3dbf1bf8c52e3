"""Hostile texts are folded before matching: zero-width characters, homoglyphs, full width, maths
letters, leetspeak, spacing, repeated letters, Traditional Chinese, mixed scripts."""

from __future__ import annotations

import pytest

from review.normalize import MAX_SCREEN_CHARS, fold_phrase, match_text, normalize
from review.screening import ScreenInput, screen


@pytest.mark.parametrize(
    "hostile",
    [
        "kill yourself",
        "k\u200bi\u200bl\u200bl y\u200bo\u200bu\u200brself",  # zero-width spaces
        "kіll уоurself",  # Cyrillic і, у, о
        "ｋｉｌｌ ｙｏｕｒｓｅｌｆ",  # full width
        "𝐤𝐢𝐥𝐥 𝐲𝐨𝐮𝐫𝐬𝐞𝐥𝐟",  # mathematical bold
        "k i l l yourself",  # spaced letters
        "k.i.l.l yourself",
        "kiiiiill yourselffff",  # repeated letters
        "K1ll y0urs3lf",  # leetspeak
        "k\u00adill yourself",  # soft hyphen
        "KILL YOURSELF",
        "kíll yöurself",  # diacritics
    ],
)
def test_evasions_fold_to_the_phrase(hostile):
    assert " " + fold_phrase("kill yourself") + " " in match_text(normalize(hostile))


def test_chinese_split_by_junk_and_traditional_folds_to_simplified():
    for text in ["傻\u200b逼", "傻 逼", "傻.逼", "傻*逼"]:
        assert "傻逼" in normalize(text).squashed
    # Traditional to Simplified via OpenCC.
    assert "杀了你" in normalize("殺了你").squashed


def test_thai_marks_survive_folding():
    assert "ไอ้สัตว์" in normalize("ไอ้ สัตว์").squashed


def test_mixed_script_is_noticed():
    assert normalize("уоu аrе а lоsеr").mixed_script
    assert not normalize("you are a loser").mixed_script


def test_blocked_domain_found_in_links():
    norm = normalize("go to HTTPS://Free-Crypto-Gift.TEST/claim now")
    assert "free-crypto-gift.test" in norm.domains


def test_oversize_text_is_cut_not_crashed():
    norm = normalize("a" * (MAX_SCREEN_CHARS * 3))
    assert len(norm.text) <= MAX_SCREEN_CHARS


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x02", "🙂🙂🙂", "\u202egnp.exe", "#️⃣" * 50, "ｰ" * 1000],
)
def test_odd_input_screens_without_error(db, text):
    verdict = screen(ScreenInput(text=text), use_duplicates=False, use_llm=False)
    assert verdict.errors == []
    assert verdict.outcome == "publish"


@pytest.mark.parametrize(
    "hostile",
    [
        "уоu аrе а lоsеr",  # homoglyphs
        "y o u  a r e  a  l o s e r",
        "you are a l0s3r",
        "傻\u200b逼，滾開",
        "約炮 加微信",
        "Ｄｏｕｂｌｅ ｙｏｕｒ ｂｉｔｃｏｉｎ now",
    ],
)
def test_hostile_texts_are_not_published(db, hostile):
    verdict = screen(ScreenInput(text=hostile), use_duplicates=False, use_llm=False)
    assert verdict.outcome in ("hold", "reject"), verdict.reasons
