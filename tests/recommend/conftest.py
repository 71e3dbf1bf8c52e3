"""Recommend fixtures: a small multilingual catalogue made through the real services (each test has
a model directory of its own, tests/conftest.py, where its candidate pool is stored too)."""

from __future__ import annotations

import pytest

from tests.review.fixtures import admin_user, post  # noqa: F401  (shared fixtures)

CATALOGUE = [
    # (author key, language, title, body with tags)
    ("chef", "en", "Sichuan hot pot at home", "Spicy broth, tofu and noodles #food"),
    ("chef", "en", "Dumplings from scratch", "Folding dumplings with pork and chives #food"),
    ("chef", "en", "Noodle soup for cold days", "Beef noodle soup recipe #food"),
    ("wok", "zh-Hans", "麻辣火锅", "在家做麻辣火锅，牛油锅底 #美食"),
    ("wok", "zh-Hans", "手工饺子", "猪肉韭菜饺子的包法 #美食"),
    ("hiker", "en", "Hiking the Dolomites", "Three days of trails and mountain huts #travel"),
    ("hiker", "en", "Kyoto temples in autumn", "Red maples and quiet temples #travel"),
    ("guide", "zh-Hans", "西湖一日游", "杭州西湖的步行路线 #旅行"),
    ("coder", "en", "Rust borrow checker tips", "Lifetimes explained with diagrams #programming"),
    ("coder", "en", "Writing a tiny compiler", "Parsing and code generation #programming"),
    ("gamer", "en", "Speedrunning classics", "Frame-perfect tricks #gaming"),
    ("gamer", "en", "Retro console repair", "Capacitors and soldering #gaming"),
    ("driver", "en", "Changing your own oil", "A Saturday job with a drain pan #cars"),
    ("driver", "en", "Winter tyres compared", "Grip on snow and ice #cars"),
    ("gardener", "en", "Tomatoes on a balcony", "Pots, stakes and watering #gardening"),
    ("gardener", "en", "Composting basics", "Greens, browns and patience #gardening"),
    ("player", "en", "Learning jazz chords", "Sevenths and voicings on piano #music"),
    ("player", "en", "Tuning a violin", "Pegs, fine tuners and ears #music"),
]
ON_TOPIC = ("#food", "#travel", "#美食", "#旅行")


@pytest.fixture
def catalogue(make_user, post):  # noqa: F811  (the shared fixture)
    """Authors and their notes (all published), by key."""
    from recommend.candidates import rebuild_pool

    authors: dict[str, object] = {}
    notes = []
    for key, language, title, body in CATALOGUE:
        if key not in authors:
            authors[key] = make_user(key, languages=[language], region="CN" if language.startswith("zh") else "GB")
        notes.append(post(authors[key], body, title=title, language=language))
    rebuild_pool()
    return authors, notes


@pytest.fixture
def reader(make_user):
    return make_user("reader", languages=["en"], region="GB", interests=["food", "travel"])
