"""The native API (/api/nb/v1): notes with titles, boards, places, discover, search, profiles."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from accounts.services import follow
from notes.models import Board, Collect, Note
from tests.conftest import image_bytes


def _upload(api, n: int = 1) -> list[str]:
    """Upload photos and let the media worker make their renditions (it runs on commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return [
            api.client.post(
                "/api/nb/v1/photos",
                {"file": SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg"), "alt_text": f"photo {i}"},
                HTTP_AUTHORIZATION=f"Bearer {api.token}",
            ).json()["id"]
            for i in range(n)
        ]


def test_note_lifecycle(make_user, client_for, on_commit):
    alice = make_user("alice")
    api = client_for(alice)
    photos = _upload(api, 2)
    with on_commit():
        created = api.post(
            "/api/nb/v1/notes",
            {
                "title": "Hotpot night",
                "body": "Mala broth, #spicy",
                "tags": ["Chongqing"],
                "place": {"name": "Chongqing", "country": "cn"},
                "photo_ids": photos[::-1],
            },
        )
    assert created.status_code == 201
    note = created.json()
    assert note["title"] == "Hotpot night" and note["place"]["country"] == "CN"
    assert sorted(note["tags"]) == ["chongqing", "spicy"]
    assert [p["id"] for p in note["photos"]] == photos[::-1]
    assert [p["alt_text"] for p in note["photos"]] == ["photo 1", "photo 0"]

    fetched = Client().get(f"/api/nb/v1/notes/{note['id']}").json()
    assert fetched["author"]["username"] == "alice" and fetched["liked"] is False

    with on_commit():  # changed text is screened again on commit before it is visible again
        edited = api.patch(f"/api/nb/v1/notes/{note['id']}", {"title": "Hotpot night, again"}).json()
    assert edited["title"] == "Hotpot night, again" and edited["body"] == "Mala broth, #spicy"
    assert edited["edited_at"] is not None

    bob = client_for(make_user("bob"))
    assert bob.post(f"/api/nb/v1/notes/{note['id']}/like").json()["liked"] is True
    comment = bob.post(f"/api/nb/v1/notes/{note['id']}/comments", {"body": "Looks great"}).json()
    reply = api.post(f"/api/nb/v1/notes/{note['id']}/comments", {"body": "Thanks!", "parent_id": comment["id"]})
    assert reply.status_code == 201
    threads = Client().get(f"/api/nb/v1/notes/{note['id']}/comments").json()
    assert [(c["body"], [r["body"] for r in c["replies"]]) for c in threads] == [("Looks great", ["Thanks!"])]

    assert api.delete(f"/api/nb/v1/notes/{note['id']}").json() == {"ok": True}
    assert not Note.objects.filter(pk=int(note["id"])).exists()


def test_boards_crud_collect_move(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    note = make_note(bob)
    api = client_for(alice)
    trips = api.post("/api/nb/v1/boards", {"name": "Trips", "description": "Places to go"})
    assert trips.status_code == 201
    trips_id = trips.json()["id"]
    assert api.post("/api/nb/v1/boards", {"name": "Trips"}).status_code == 422
    food = api.post("/api/nb/v1/boards", {"name": "Food", "is_private": True}).json()["id"]
    assert api.post(f"/api/nb/v1/boards/{trips_id}/notes", {"note_id": str(note.pk)}).status_code == 201
    shown = Client().get(f"/api/nb/v1/boards/{trips_id}").json()
    assert [n["id"] for n in shown["notes"]] == [str(note.pk)] and shown["notes_count"] == 1
    moved = api.post(f"/api/nb/v1/boards/{trips_id}/notes/{note.pk}/move", {"to_board_id": food})
    assert moved.status_code == 200
    assert list(Collect.objects.filter(user=alice).values_list("board_id", flat=True)) == [int(food)]
    mine = [b["name"] for b in api.get("/api/nb/v1/boards").json()]
    assert mine == ["Saved", "Food", "Trips"]
    theirs = [b["name"] for b in client_for(bob).get("/api/nb/v1/boards", {"owner": "alice"}).json()]
    assert theirs == ["Trips"]  # private boards (Saved, Food) are not listed to others
    assert api.patch(f"/api/nb/v1/boards/{trips_id}", {"name": "Travel"}).json()["name"] == "Travel"
    assert api.delete(f"/api/nb/v1/boards/{food}/notes/{note.pk}").json() == {"ok": True}
    assert api.delete(f"/api/nb/v1/boards/{food}/notes/{note.pk}").status_code == 404
    assert api.delete(f"/api/nb/v1/boards/{trips_id}").json() == {"ok": True}
    default = Board.objects.get(owner=alice, is_default=True)
    assert api.delete(f"/api/nb/v1/boards/{default.pk}").status_code == 422


def test_places_discover_search_profiles(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    notes = [make_note(alice, title=f"Cafe {i}", place={"name": "Chengdu", "country": "CN"}) for i in range(3)]
    found = Client().get("/api/nb/v1/places", {"q": "cheng"}).json()
    assert [p["name"] for p in found] == ["Chengdu"]
    place = Client().get(f"/api/nb/v1/places/{found[0]['id']}", {"limit": 2}).json()
    assert [n["id"] for n in place["notes"]] == [str(notes[2].pk), str(notes[1].pk)]
    rest = Client().get(f"/api/nb/v1/places/{found[0]['id']}", {"cursor": place["next_cursor"]}).json()
    assert [n["id"] for n in rest["notes"]] == [str(notes[0].pk)]

    first = Client().get("/api/nb/v1/discover", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"] == "2"
    second = Client().get("/api/nb/v1/discover", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None

    results = Client().get("/api/nb/v1/search", {"q": "cafe"}).json()
    assert len(results["notes"]) == 3
    assert Client().get("/api/nb/v1/search", {"q": "alice", "type": "people"}).json()["people"][0]["username"] == (
        "alice"
    )

    follow(follower=bob, followee=alice)
    api = client_for(bob)
    profile = api.get("/api/nb/v1/profiles/alice").json()
    assert profile["notes_count"] == 3 and profile["relationship"]["following"] is True
    assert Client().get("/api/nb/v1/profiles/alice").json()["relationship"] is None
    page = api.get("/api/nb/v1/profiles/alice/notes", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"] == str(notes[1].pk)
    me = api.patch("/api/nb/v1/profiles/me", {"display_name": "Bob B", "languages": ["en", "zh-Hans"]}).json()
    assert me["display_name"] == "Bob B" and me["languages"] == ["en", "zh-Hans"]
    assert api.patch("/api/nb/v1/profiles/me", {"languages": ["klingon"]}).status_code == 422


def test_openapi_docs_are_served(db):
    schema = Client().get("/api/nb/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in ["/api/nb/v1/notes", "/api/nb/v1/boards/{board_id}", "/api/nb/v1/discover", "/api/nb/v1/search"]:
        assert expected in paths
    docs = Client().get("/api/nb/v1/docs")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content and b"/static/ninja/swagger-ui-bundle.js" in docs.content  # works offline


def test_openapi_says_who_may_call_and_what_errors_come_back(db):
    paths = Client().get("/api/nb/v1/openapi.json").json()["paths"]
    signed_in: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
    anonymous_too = [*signed_in, {}]  # the empty requirement: no credentials needed
    assert paths["/api/nb/v1/notes/{note_id}"]["get"]["security"] == anonymous_too
    assert paths["/api/nb/v1/discover"]["get"]["security"] == anonymous_too
    assert paths["/api/nb/v1/notes"]["post"]["security"] == signed_in
    assert paths["/api/nb/v1/profiles/me"]["get"]["security"] == signed_in
    assert "security" not in paths["/api/nb/v1/review/transparency"]["get"]  # public, no auth at all
    create = paths["/api/nb/v1/notes"]["post"]["responses"]
    assert set(create) == {"201", "400", "401", "403", "404", "422"}
    assert create["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(paths["/api/nb/v1/notes/{note_id}"]["get"]["responses"]) == {"200", "401", "403", "404", "422"}
    assert set(paths["/api/nb/v1/profiles/me"]["get"]["responses"]) == {"200", "401", "403"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if "security" in operation:
                assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_every_router_in_api_nb_is_mounted_once():
    import importlib
    import pkgutil

    import api.nb
    from api.native import ROUTERS

    mounted = [router for _prefix, router in ROUTERS]
    modules = [importlib.import_module(f"api.nb.{m.name}") for m in pkgutil.iter_modules(api.nb.__path__)]
    routers = [m.router for m in modules if hasattr(m, "router")]
    assert routers and all(mounted.count(r) == 1 for r in routers)
