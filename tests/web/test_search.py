def test_search_notes_english_and_chinese(client, make_user, post_note):
    alice = make_user("alice")
    post_note(alice, title="Best dumplings in Queens", body="pork and chive")
    post_note(alice, title="成都火锅推荐", body="牛油锅底非常香")
    html = client.get("/search/", {"q": "dumplings"}).content.decode()
    assert "Best dumplings in Queens" in html and "成都火锅推荐" not in html
    html = client.get("/search/", {"q": "火锅"}).content.decode()
    assert "成都火锅推荐" in html and "Best dumplings" not in html
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
