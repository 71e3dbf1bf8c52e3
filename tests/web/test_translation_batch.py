"""Card titles and comments translated in one request per page (not one per item), never blocking."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from accounts.services import update_profile
from notes.models import Visibility
from notes.services import create_comment
from translation.models import TranslationJob
from translation.services import process_jobs
from web.translation import MAX_BATCH, MAX_POLLS

HX = {"HX-Request": "true"}
TRIGGER = re.compile(r'<div class="tr-batch" hidden data-batch="(\w+)" hx-get="([^"]+)" hx-trigger="([^"]+)"')


def _person(make_user, name, langs, *, auto):
    return update_profile(user=make_user(name, languages=langs), auto_translate=auto)


def _triggers(html: str) -> list[tuple[str, str, str]]:
    return [(m[1], m[2].replace("&amp;", "&"), m[3]) for m in TRIGGER.finditer(html)]


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def notes(make_user, post_note):
    """Three Simplified Chinese notes and one Traditional, newest last."""
    chen = make_user("chen", languages=["zh-Hans"])
    lin = make_user("lin", languages=["zh-Hant"])
    zh = [
        post_note(chen, title=title, body="这里的豆浆很好喝。", photos=1, language="zh-Hans", tags=["早餐"])
        for title in ("台湾的早餐", "周末去了西湖", "这家火锅店太好吃了")
    ]
    tw = post_note(lin, title="臺灣的早餐", body="這裡的豆漿很好喝。", photos=1, language="zh-Hant")
    return zh, tw


# --- cards -------------------------------------------------------------------------------------------


def test_discover_asks_once_for_every_card_in_another_language(client, make_user, login, notes):
    zh, _tw = notes
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get("/").content.decode()
    assert "台湾的早餐" in html  # originals render at once
    triggers = _triggers(html)
    assert len(triggers) == 1
    kind, url, trigger = triggers[0]
    assert kind == "card" and trigger == "load"
    query = parse_qs(urlsplit(url).query)
    wanted = {int(i) for i in query["ids"][0].split(",")}
    assert wanted == {n.pk for n in zh}  # the Traditional note needs nothing
    assert "/translate/note/" not in html  # no per-card requests


def test_batch_swaps_translated_titles_out_of_band(client, make_user, login, notes):
    zh, _tw = notes
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    ids = ",".join(str(n.pk) for n in zh)
    html = client.get(f"/translate/batch/card/?ids={ids}", headers=HX).content.decode()
    for note in zh:
        assert f'<div class="card-title-box" id="ct-{note.pk}" hx-swap-oob="true">' in html
    assert '<h3 class="card-title" lang="zh-Hant" data-engine="opencc">臺灣的早餐</h3>' in html
    assert "這家火鍋店太好吃了" in html and "Translated by OpenCC" in html
    assert "tr-batch" not in html  # nothing pending: no further request


def test_pending_cards_are_polled_in_one_request(settings, client, make_user, login, notes, libretranslate):
    zh, _tw = notes
    login(_person(make_user, "amy", ["en"], auto=True))
    ids = [n.pk for n in zh]
    first = client.get(f"/translate/batch/card/?ids={','.join(map(str, ids))}", headers=HX).content.decode()
    assert "card-title-box" not in first  # originals stay while the worker runs
    [(kind, url, trigger)] = _triggers(first)
    assert kind == "card" and trigger == "load delay:2s" and "n=1" in url
    process_jobs(list(TranslationJob.objects.filter(obj_id=ids[1]).values_list("pk", flat=True)))
    second = client.get(url, headers=HX).content.decode()
    assert f'id="ct-{ids[1]}"' in second and "Went to West Lake" in second and "Translated by LibreTranslate" in second
    assert "gloss" not in second.lower()
    [(_kind, url2, _trigger)] = _triggers(second)
    assert str(ids[1]) not in url2.split("ids=")[1].split("&")[0].split("%2C") and "n=2" in url2


def test_card_polling_stops_after_a_while(client, make_user, login, notes):
    zh, _tw = notes
    login(_person(make_user, "amy", ["en"], auto=True))
    html = client.get(f"/translate/batch/card/?ids={zh[0].pk}&n={MAX_POLLS - 1}", headers=HX).content.decode()
    assert "tr-batch" not in html


def test_no_card_batch_without_auto_translate_or_for_visitors(client, make_user, login, notes):
    assert _triggers(client.get("/").content.decode()) == []
    login(_person(make_user, "lin2", ["zh-Hant"], auto=False))
    assert _triggers(client.get("/").content.decode()) == []


def test_card_batch_on_following_profile_tag_search_and_board_grids(client, make_user, login, notes, on_commit):
    from accounts.services import follow
    from notes.services import collect_note, create_board

    zh, _tw = notes
    reader = _person(make_user, "mei", ["zh-Hant"], auto=True)
    with on_commit():  # following backfills the home timeline after commit
        follow(follower=reader, followee=zh[0].author)
    board = create_board(owner=reader, name="Eats")
    collect_note(user=reader, note_id=zh[0].pk, board_id=board.pk)
    login(reader)
    for path in ("/following/", "/u/chen/", "/tag/早餐/", "/search/?q=豆浆", f"/boards/{board.pk}/"):
        triggers = _triggers(client.get(path).content.decode())
        assert [t[0] for t in triggers] == ["card"], path


def test_card_batch_leaves_out_what_the_viewer_may_not_see(client, make_user, login, post_note):
    chen = make_user("chen", languages=["zh-Hans"])
    secret = post_note(
        chen, title="私密的早餐", body="只给关注者看", language="zh-Hans", visibility=Visibility.FOLLOWERS
    )
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get(f"/translate/batch/card/?ids={secret.pk},424242", headers=HX)
    assert html.status_code == 200 and "card-title-box" not in html.content.decode()


@pytest.mark.parametrize(
    "query,message",
    [
        ("", "ids: give a comma-separated list of ids"),
        ("?ids=1,abc", "ids: 'abc' is not an id"),
        ("?ids=" + ",".join(str(i) for i in range(1, MAX_BATCH + 2)), f"at most {MAX_BATCH}"),
        ("?ids=1&n=x", "n: the poll count must be a number"),
    ],
)
def test_bad_batch_requests_are_400(client, make_user, login, query, message):
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    response = client.get(f"/translate/batch/card/{query}", headers=HX)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_batch_kind_is_404(client, db):
    response = client.get("/translate/batch/bio/?ids=1", headers=HX)
    assert response.status_code == 404
    assert "unknown kind 'bio': use card or comment" in response.content.decode()


# --- comments ----------------------------------------------------------------------------------------


@pytest.fixture
def commented(make_user, post_note):
    chen = make_user("chen", languages=["zh-Hans"])
    note = post_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", photos=0, language="zh-Hans")
    first = create_comment(author=chen, note_id=note.pk, body="欢迎来吃早餐")
    reply = create_comment(author=chen, note_id=note.pk, body="豆浆要趁热喝", parent_id=first.pk)
    second = create_comment(author=chen, note_id=note.pk, body="明天还会开门")
    return note, [first, reply, second]


def test_comments_are_asked_for_in_one_request(client, make_user, login, commented):
    note, comments = commented
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get(f"/n/{note.pk}/").content.decode()
    for c in comments:
        assert f'id="tr-comment-{c.pk}" data-state="auto">' in html  # no request of its own
        assert f'hx-get="/translate/comment/{c.pk}/" hx-trigger="load"' not in html
    [(_kind, url, trigger)] = [t for t in _triggers(html) if t[0] == "comment"]
    assert trigger == "load"
    assert url == "/translate/batch/comment/?ids=" + "%2C".join(str(c.pk) for c in comments)
    batch = client.get(url, headers=HX).content.decode()
    for c in comments:
        assert f'id="tr-comment-{c.pk}" data-state="ready" hx-swap-oob="true"' in batch
    assert "歡迎來吃早餐" in batch and "豆漿要趁熱喝" in batch and "Translated by OpenCC" in batch
    assert "tr-batch" not in batch


def test_comments_pending_then_polled_then_slow(client, make_user, login, commented, libretranslate):
    _note, comments = commented
    login(_person(make_user, "amy", ["en"], auto=True))
    ids = ",".join(str(c.pk) for c in comments)
    first = client.get(f"/translate/batch/comment/?ids={ids}", headers=HX).content.decode()
    assert "hx-swap-oob" not in first  # still "Translating…" on the page: nothing to swap yet
    [(_kind, url, trigger)] = _triggers(first)
    assert trigger == "load delay:2s" and "n=1" in url
    slow = client.get(f"/translate/batch/comment/?ids={ids}&n={MAX_POLLS - 1}", headers=HX).content.decode()
    assert slow.count('data-state="slow" hx-swap-oob="true"') == 3
    assert "The translation is taking a while." in slow and "tr-batch" not in slow
    process_jobs(list(TranslationJob.objects.filter(obj_kind="comment").values_list("pk", flat=True)))
    done = client.get(url, headers=HX).content.decode()
    # The stand-in knows none of these comments: each says why, in plain words, and none is glossed.
    assert done.count('data-state="failed" hx-swap-oob="true"') == 3 and "Word gloss" not in done
    assert "The machine translation did not pass our checks, so it is not shown." in done


def test_comments_without_auto_translate_offer_the_button(client, make_user, login, commented):
    note, comments = commented
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    html = client.get(f"/n/{note.pk}/").content.decode()
    assert [t for t in _triggers(html) if t[0] == "comment"] == []
    assert f'hx-get="/translate/comment/{comments[0].pk}/"' in html and ">Translate<" in html


def test_comment_batch_hides_comments_on_notes_the_viewer_may_not_see(client, make_user, login, post_note):
    chen = make_user("chen", languages=["zh-Hans"])
    secret = post_note(
        chen, title="私密", body="只给关注者看", photos=0, language="zh-Hans", visibility=Visibility.FOLLOWERS
    )
    hidden = create_comment(author=chen, note_id=secret.pk, body="欢迎来吃早餐")
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get(f"/translate/batch/comment/?ids={hidden.pk}", headers=HX).content.decode()
    assert "歡迎" not in html and "tr-comment" not in html


def test_visitors_get_nothing_translated_unasked(db, make_user, post_note):
    """The batch is auto-translate's, which visitors do not have: it answers, with nothing to swap."""
    chen = make_user("chen", languages=["zh-Hans"])
    note = post_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans")
    response = Client().get(f"/translate/batch/card/?ids={note.pk}", headers=HX)
    assert response.status_code == 200
    assert "card-title-box" not in response.content.decode() and "tr-batch" not in response.content.decode()
    assert not TranslationJob.objects.exists()


def test_card_batch_queries_do_not_grow_with_the_cards(client, make_user, login, post_note):
    """Answered from the translation cache: as many queries for six cards as for two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chen = make_user("chen", languages=["zh-Hans"])
    notes = [post_note(chen, title=f"第{i}天的早餐很好吃", language="zh-Hans") for i in range(6)]
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))

    def queries(batch):
        url = "/translate/batch/card/?ids=" + ",".join(str(n.pk) for n in batch)
        client.get(url, headers=HX)  # OpenCC translates and the cache keeps the answers
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url, headers=HX).content.decode()
        assert html.count("card-title-box") == len(batch)
        return len(captured)

    assert queries(notes[:2]) == queries(notes)
