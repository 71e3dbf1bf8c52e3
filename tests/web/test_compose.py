from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import update_profile
from notes.models import Note, Photo
from notes.services import upload_photo
from tests.conftest import image_bytes


def jpeg(name="a.jpg", color=(200, 120, 40)):
    return SimpleUploadedFile(name, image_bytes(color=color), content_type="image/jpeg")


def test_compose_needs_login(client, db):
    response = client.get("/compose/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_compose_with_two_photos_order_and_alt(client, make_user, login):
    alice = make_user()
    login(alice)
    first = upload_photo(owner=alice, file=image_bytes())
    second = upload_photo(owner=alice, file=image_bytes(color=(10, 10, 10)))
    response = client.post(
        "/compose/",
        {
            "title": "Weekend market",
            "body": "Fresh peaches",
            "tags": "food, market #夏天",
            "place": "Union Square",
            "visibility": "public",
            "photo_ids": [second.pk, first.pk],
            f"alt_{second.pk}": "A crate of peaches",
            "action": "post",
        },
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert response["Location"] == f"/n/{note.pk}/"
    assert [p.pk for p in note.photos.order_by("position")] == [second.pk, first.pk]
    assert note.photos.get(pk=second.pk).alt_text == "A crate of peaches"
    assert {t.name for t in note.tags.all()} == {"food", "market", "夏天"}
    assert note.place is not None and note.place.name == "Union Square"


def test_compose_uploads_files_in_the_same_post(client, make_user, login):
    login(make_user())
    response = client.post(
        "/compose/",
        {"title": "Two photos", "visibility": "public", "photos": [jpeg(), jpeg("b.png")], "action": "post"},
    )
    assert response.status_code == 302
    assert Note.objects.get().photos.count() == 2


def test_non_image_is_refused_and_draft_kept(client, make_user, login):
    alice = make_user()
    login(alice)
    kept = upload_photo(owner=alice, file=image_bytes())
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post(
        "/compose/",
        {
            "title": "My draft title",
            "body": "draft body",
            "tags": "draft",
            "visibility": "public",
            "photo_ids": [kept.pk],
            f"alt_{kept.pk}": "kept alt",
            "photos": [fake],
            "action": "post",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "evil.jpg: The file is not an image." in html
    assert 'value="My draft title"' in html and "draft body" in html and 'value="draft"' in html
    assert f'name="photo_ids" value="{kept.pk}"' in html and "kept alt" in html
    assert not Note.objects.exists()


def test_oversize_upload_refused_in_users_language(client, make_user, login, settings):
    settings.PHOTO_MAX_BYTES = 1024
    alice = make_user()
    update_profile(user=alice, ui_language="zh-hans")
    login(alice)
    response = client.post("/compose/", {"title": "x", "visibility": "public", "photos": [jpeg()], "action": "post"})
    assert response.status_code == 422
    assert "文件太大" in response.content.decode()
    assert not Photo.objects.exists()


def test_text_errors_next_to_fields(client, make_user, login):
    alice = make_user()
    login(alice)
    photo = upload_photo(owner=alice, file=image_bytes())
    response = client.post(
        "/compose/", {"title": "", "body": "", "visibility": "public", "photo_ids": [photo.pk], "action": "post"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_body_error"' in html and "Write a title or some text." in html
    response = client.post("/compose/", {"title": "t" * 101, "visibility": "public", "photo_ids": [photo.pk]})
    assert 'id="id_title_error"' in response.content.decode()
    response = client.post("/compose/", {"title": "no photo", "visibility": "public"})
    assert "Add at least one photo or a video." in response.content.decode()
    assert not Note.objects.exists()


def test_someone_elses_or_used_photo_is_ignored(client, make_user, post_note, login):
    alice, bob = make_user(), make_user()
    bobs = upload_photo(owner=bob, file=image_bytes())
    login(alice)
    response = client.post("/compose/", {"title": "x", "visibility": "public", "photo_ids": [bobs.pk]})
    assert response.status_code == 422
    assert f'value="{bobs.pk}"' not in response.content.decode()
    assert not Note.objects.exists()


def test_remove_button_drops_photo_without_posting(client, make_user, login):
    alice = make_user()
    login(alice)
    a, b = upload_photo(owner=alice, file=image_bytes()), upload_photo(owner=alice, file=image_bytes())
    response = client.post(
        "/compose/", {"title": "x", "visibility": "public", "photo_ids": [a.pk, b.pk], "remove": str(a.pk)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="photo_ids" value="{b.pk}"' in html and f'name="photo_ids" value="{a.pk}"' not in html
    assert not Note.objects.exists()


def test_htmx_photo_upload_returns_tiles_and_errors(client, make_user, login):
    login(make_user())
    bad = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client.post("/compose/photos/", {"photos": [jpeg(), bad]}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.count('class="tile"') == 1
    assert "notes.txt: The file is not an image." in html and 'hx-swap-oob="true"' in html
    assert Photo.objects.count() == 1


def test_at_most_nine_photos(client, make_user, login):
    alice = make_user()
    login(alice)
    have = [upload_photo(owner=alice, file=image_bytes()).pk for _ in range(9)]
    response = client.post("/compose/photos/", {"photo_ids": have, "photos": [jpeg()]}, headers={"HX-Request": "true"})
    assert "at most 9 photos" in response.content.decode()
    assert Photo.objects.count() == 9


def test_tag_suggestions(client, make_user, post_note):
    post_note(make_user(), title="x", tags=["travel", "trains"])
    html = client.get("/tags/suggest/", {"tags": "food tra"}).content.decode()
    assert 'data-add-tag="travel"' in html and 'data-add-tag="trains"' in html


def test_tag_suggestions_leave_out_the_tags_already_typed(client, make_user, post_note):
    post_note(make_user(), title="x", tags=["travel", "trains", "food"])
    typing = client.get("/tags/suggest/", {"tags": "travel tr"}).content.decode()
    assert 'data-add-tag="trains"' in typing and 'data-add-tag="travel"' not in typing
    finished = client.get("/tags/suggest/", {"tags": "travel, "}).content.decode()
    assert 'data-add-tag="food"' in finished and 'data-add-tag="travel"' not in finished


def test_edit_note_by_author(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(alice, title="Old title", photos=2, tags=["food"], place="Queens")
    first, second = list(note.photos.order_by("position"))
    login(alice)
    html = client.get(f"/n/{note.pk}/edit/").content.decode()
    assert 'value="Old title"' in html and 'value="food"' in html and 'value="Queens"' in html
    response = client.post(
        f"/n/{note.pk}/edit/",
        {
            "title": "New title",
            "body": "new body",
            "tags": "food travel",
            "place": "",
            "visibility": "public",
            "photo_ids": [second.pk, first.pk],
            "photos": [jpeg()],
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "New title" and note.place is None
    photos = list(note.photos.order_by("position"))
    assert [p.pk for p in photos[:2]] == [second.pk, first.pk] and len(photos) == 3
    assert {t.name for t in note.tags.all()} == {"food", "travel"}


def test_edit_note_errors_keep_the_draft(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(alice, title="Keep")
    login(alice)
    photo = note.photos.get()
    response = client.post(
        f"/n/{note.pk}/edit/",
        {"title": "x" * 101, "body": "typed body", "visibility": "public", "photo_ids": [photo.pk]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_title_error"' in html and "typed body" in html and f'value="{photo.pk}"' in html
    note.refresh_from_db()
    assert note.title == "Keep"


def test_edit_page_of_another_user_is_404(client, make_user, post_note, login):
    note = post_note(make_user(), title="Theirs")
    assert client.get(f"/n/{note.pk}/edit/").status_code == 302
    mallory = make_user()
    login(mallory)
    assert client.get(f"/n/{note.pk}/edit/").status_code == 404
    photo = note.photos.get()
    assert client.post(f"/n/{note.pk}/edit/", {"title": "pwned", "photo_ids": [photo.pk]}).status_code == 404
    note.refresh_from_db()
    assert note.title == "Theirs"


def test_photo_of_another_note_cannot_be_moved_in(client, make_user, post_note, login):
    alice = make_user()
    one, two = post_note(alice), post_note(alice)
    login(alice)
    other_photo = two.photos.get()
    response = client.post(f"/n/{one.pk}/edit/", {"title": "x", "visibility": "public", "photo_ids": [other_photo.pk]})
    assert response.status_code == 422  # only its own and unattached photos are kept: none here
    assert two.photos.count() == 1


def test_popular_tag_suggestions_come_in_the_authors_languages_first(client, make_user, post_note, login):
    """Before a word is typed, a Chinese author is offered Chinese tags first, though English ones are used
    more; an English author the other way round."""
    writer = make_user()
    for i in range(3):
        post_note(writer, title=f"x{i}", tags=["newhere", "roadtrip"])
    post_note(writer, title="y", tags=["收纳"])
    login(make_user("mei", languages=["zh-Hans"]))
    offered = client.get("/compose/").content.decode()
    assert offered.index('data-add-tag="收纳"') < offered.index('data-add-tag="newhere"')
    typed = client.get("/tags/suggest/", {"tags": "旅行 "}).content.decode()
    assert typed.index('data-add-tag="收纳"') < typed.index('data-add-tag="newhere"')
    client.logout()
    login(make_user("sam", languages=["en"]))
    offered = client.get("/compose/").content.decode()
    assert offered.index('data-add-tag="newhere"') < offered.index('data-add-tag="收纳"')
