from notes.models import Board, Collect
from notes.services import collect_note, create_board


def test_create_board_and_errors(client, make_user, login):
    alice = make_user()
    login(alice)
    response = client.post("/boards/", {"name": "Coffee", "is_private": "on"})
    board = Board.objects.get(owner=alice, name="Coffee")
    assert response["Location"] == f"/boards/{board.pk}/" and board.is_private
    response = client.post("/boards/", {"name": "Coffee"})
    assert response.status_code == 422
    assert "You already have a board with that name." in response.content.decode()
    assert 'id="id_name_error"' in response.content.decode()


def test_private_board_of_another_user_is_404(client, make_user, login):
    alice = make_user()
    private = create_board(owner=alice, name="Secret", is_private=True)
    public = create_board(owner=alice, name="Open")
    assert client.get(f"/boards/{private.pk}/").status_code == 404
    assert client.get(f"/boards/{public.pk}/").status_code == 200
    login(make_user())
    assert client.get(f"/boards/{private.pk}/").status_code == 404
    # Someone else's edit page is missing too, even for a public board.
    assert client.get(f"/boards/{public.pk}/edit/").status_code == 404
    assert client.post(f"/boards/{public.pk}/edit/", {"name": "pwned"}).status_code == 404
    assert client.post(f"/boards/{public.pk}/delete/").status_code == 404
    assert client.post(f"/boards/{public.pk}/move/", {"note": 1, "to_board": 2}).status_code == 404
    assert Board.objects.get(pk=public.pk).name == "Open"


def test_rename_and_make_private(client, make_user, login):
    alice = make_user()
    board = create_board(owner=alice, name="Old")
    login(alice)
    assert client.get(f"/boards/{board.pk}/edit/").status_code == 200
    response = client.post(f"/boards/{board.pk}/edit/", {"name": "New", "is_private": "on"})
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.name == "New" and board.is_private
    response = client.post(f"/boards/{board.pk}/edit/", {"name": ""})
    assert response.status_code == 422 and 'id="id_name_error"' in response.content.decode()


def test_move_and_remove_notes_between_boards(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(make_user())
    a = create_board(owner=alice, name="A")
    b = create_board(owner=alice, name="B")
    collect_note(user=alice, note_id=note.pk, board_id=a.pk)
    login(alice)
    html = client.get(f"/boards/{a.pk}/").content.decode()
    assert f'<option value="{b.pk}">B</option>' in html
    client.post(f"/boards/{a.pk}/move/", {"note": note.pk, "to_board": b.pk, "action": "move"})
    assert list(Collect.objects.values_list("board_id", flat=True)) == [b.pk]
    client.post(f"/boards/{b.pk}/move/", {"note": note.pk, "action": "remove"})
    assert not Collect.objects.exists()


def test_move_into_someone_elses_board_refused(client, make_user, post_note, login):
    alice, mallory = make_user(), make_user()
    note = post_note(make_user())
    a = create_board(owner=alice, name="A")
    theirs = create_board(owner=mallory, name="M")
    collect_note(user=alice, note_id=note.pk, board_id=a.pk)
    login(alice)
    client.post(f"/boards/{a.pk}/move/", {"note": note.pk, "to_board": theirs.pk, "action": "move"})
    assert list(Collect.objects.values_list("board_id", flat=True)) == [a.pk]


def test_delete_board(client, make_user, login):
    alice = make_user()
    board = create_board(owner=alice, name="Gone")
    login(alice)
    assert client.post(f"/boards/{board.pk}/delete/").status_code == 302
    assert not Board.objects.filter(pk=board.pk).exists()
    default = Board.objects.get(owner=alice, is_default=True)
    client.post(f"/boards/{default.pk}/delete/")
    assert Board.objects.filter(pk=default.pk).exists()
