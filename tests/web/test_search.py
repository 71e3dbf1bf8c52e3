def test_search_notes_english_and_chinese(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="Best dumplings in Queens", body="pork and chive")
    post_note(alice, title="成都火锅推荐", body="牛油锅底非常香")
    html = client.get("/search/", {"q": "dumplings"}).content.decode()
    assert "Best <mark>dumplings</mark> in Queens" in html and "成都火锅推荐" not in html
    html = client.get("/search/", {"q": "火锅"}).content.decode()
    assert "成都<mark>火锅</mark>推荐" in html and "Best dumplings" not in html
    html = client.get("/search/", {"q": "sushi"}).content.decode()
    assert "No notes match" in html


def test_search_tags_and_people(client, make_user, post_note):
    alice = make_user("alice", display_name="小红")
    post_note(alice, title="x", tags=["旅行", "travel"])
    html = client.get("/search/", {"q": "旅", "type": "tags"}).content.decode()
    assert "#旅行" in html and "#travel" not in html
    html = client.get("/search/", {"q": "小红", "type": "people"}).content.decode()
    assert "@alice" in html
    html = client.get("/search/", {"q": "@ALI", "type": "people"}).content.decode()
    assert "@alice" in html


def test_search_hostile_input(client, db):
    for q in ['" OR * NEAR( --', "a" * 5000, "<script>alert(1)</script>"]:
        response = client.get("/search/", {"q": q, "type": "notes", "page": "999999999"})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.get("/search/", {"type": "bogus"}).status_code == 200


def test_hot_pot_finds_chinese_notes_with_the_original_marked_and_the_reverse(client, make_user, post_note):
    alice = make_user("alice")
    zh = post_note(alice, title="成都火锅推荐", body="牛油锅底非常香", language="zh-Hans")
    tw = post_note(alice, title="台北的火鍋店", body="湯頭很好喝", language="zh-Hant")
    en = post_note(alice, title="Best hot pot in Flushing", body="spicy broth, long queue", language="en")
    post_note(alice, title="A pot of tea", body="it was hot outside", language="en")
    html = client.get("/search/", {"q": "hot pot"}).content.decode()
    assert "Also searching in other languages: 火锅, hotpot" in html
    client.cookies["django_language"] = "zh-hans"
    assert "同时搜索其他语言：火锅、hotpot" in client.get("/search/", {"q": "hot pot"}).content.decode()
    client.cookies.pop("django_language")
    assert "成都<mark>火锅</mark>推荐" in html  # the original, with what matched marked
    assert "台北的<mark>火鍋</mark>店" in html  # Traditional, matched through script folding
    assert "Best <mark>hot pot</mark> in Flushing" in html
    assert "A pot of tea" not in html
    html = client.get("/search/", {"q": "火鍋"}).content.decode()
    for note in (zh, tw, en):
        assert f'href="/n/{note.pk}/?src=search"' in html
    assert "Best <mark>hot pot</mark> in Flushing" in html


def test_a_match_in_the_text_is_shown_under_the_title(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="周末的晚饭", body="和朋友们去吃了很正宗的火锅，排队一个小时", language="zh-Hans")
    html = client.get("/search/", {"q": "hotpot"}).content.decode()
    assert '<h3 class="card-title" lang="zh-Hans">周末的晚饭</h3>' in html
    assert '<p class="card-snippet" lang="zh-Hans">和朋友们去吃了很正宗的<mark>火锅</mark>，排队一个小时</p>' in html


def test_tags_across_scripts_and_languages(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="x", tags=["火锅", "travel"])
    html = client.get("/search/", {"q": "火鍋", "type": "tags"}).content.decode()
    assert "#火锅" in html and "#travel" not in html
    html = client.get("/search/", {"q": "hot pot", "type": "tags"}).content.decode()
    assert "#火锅" in html


def test_search_results_keep_the_original_when_translated(settings, client, make_user, login, post_note, on_commit):
    """An English reader with auto-translate: the card keeps the matched Chinese title and gets the
    translation beneath (``keep=1``), never in its place."""
    from accounts.services import update_profile
    from tests.translation.fake_servers import FakeServer
    from translation.services import get_or_request_translation

    alice = make_user("alice", languages=["zh-Hans"])
    note = post_note(alice, title="周末去了西湖", body="风景绝了，推荐西湖边的火锅", language="zh-Hans")
    login(update_profile(user=make_user("amy", languages=["en"]), auto_translate=True))
    html = client.get("/search/", {"q": "west lake"}).content.decode()
    assert "周末去了<mark>西湖</mark>" in html and f'id="cx-{note.pk}"' in html
    assert f"/translate/batch/card/?ids={note.pk}&amp;keep=1" in html
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        with on_commit():  # translated before: the memory answers the batch
            get_or_request_translation(
                obj_kind="note", obj_id=note.pk, field="title", text="周末去了西湖", source="zh-Hans", target="en"
            )
        fragment = client.get(f"/translate/batch/card/?ids={note.pk}&keep=1", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert f'<p class="card-tr" id="cx-{note.pk}" hx-swap-oob="true" lang="en"' in html
    assert "Went to West Lake at the weekend" in html and "card-title-box" not in html
