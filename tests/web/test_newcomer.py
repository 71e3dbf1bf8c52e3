"""What a brand-new English reader met on a phone and that no unit test caught (docs/web.md)."""

from __future__ import annotations

from django.core.cache import cache


def test_an_interest_tab_nobody_tagged_shows_notes_about_it(client, make_user, post, settings):
    """Onboarding puts "#travel" beside For you; when no note carries that tag, the tab shows notes
    about travel in any language (by their text), not "Nothing here yet" and a Post button."""
    from recommend.candidates import rebuild_pool

    settings.RECOMMEND_EMBED_ON_PUBLISH = True  # the notes' text embeddings, as a running server makes
    hiker = make_user("hiker", languages=["en"])
    guide = make_user("guide", languages=["zh-Hans"])
    coder = make_user("coder", languages=["en"])
    post(hiker, "Three days of trails and mountain huts, sleeping above the clouds #dolomites", title="Hiking trip")
    trip = "第一次去云南旅行：大理、丽江和香格里拉，七天的路线和住宿 #云南"
    post(guide, trip, title="云南七日游", language="zh-Hans")
    post(coder, "Lifetimes explained with diagrams #programming", title="Rust borrow checker tips")
    rebuild_pool()
    cache.clear()
    reader = make_user("reader", languages=["en"], interests=["food", "travel"])
    client.force_login(reader)

    html = client.get("/").content.decode()
    assert 'href="/tag/travel/"' in html  # the tab the reader is offered

    html = client.get("/tag/travel/").content.decode()
    assert "Nothing here yet." not in html
    assert "No notes are tagged #travel yet. Here are notes about travel:" in html
    assert "Hiking trip" in html and "云南七日游" in html
    assert "Rust borrow checker tips" not in html

    # A note tagged #travel comes first; the notes about travel still follow it, each once.
    post(hiker, "Packing for ten days in one carry-on #travel", title="Carry-on only")
    html = client.get("/tag/travel/").content.decode()
    assert "No notes are tagged" not in html
    assert html.index("Carry-on only") < html.index("More about Travel") < html.index("Hiking trip")
    assert html.count("Carry-on only") == html.count("Hiking trip")  # one card each (both text notes)
