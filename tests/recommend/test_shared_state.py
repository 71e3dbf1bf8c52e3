"""A reader's For-you state is the same in every web process (core/shared_cache.py): `make run` serves with
two gunicorn workers, and the page, its impressions, the next page and a like land on whichever worker
the browser's connection reaches. On the embedded default the default cache is each process's own
memory; this state was kept there, so impressions posted to the other worker were refused as forged
(422: the browser's console showed it on a newcomer's first Discover), and a like taken by one worker did
not re-rank the next page served by the other."""

from __future__ import annotations

import pytest
import requests

from tests.api.test_revocation_across_workers import oauth_app, two_servers  # noqa: F401  (fixtures)

FOR_YOU = "/api/nb/v1/recommend/for-you"
EVENTS = "/api/nb/v1/recommend/events"


@pytest.mark.django_db(transaction=True)
def test_a_page_served_by_one_process_is_continued_and_acknowledged_by_the_other(
    two_servers,  # noqa: F811  (the shared fixtures)
    oauth_app,  # noqa: F811
    make_user,
    post,
):
    from recommend.models import Interaction, Kind
    from tests.api.test_revocation_across_workers import _token

    author = make_user("chef", languages=["en"], region="GB")
    for i in range(12):
        post(author, f"Noodle soup, day {i} #food", title=f"Noodles {i}", language="en")
    reader = make_user("reader", languages=["en"], region="GB")
    auth = {"Authorization": f"Bearer {_token(reader, oauth_app[0])}"}
    one, two = two_servers

    first = requests.get(one + FOR_YOU, params={"limit": 5}, headers=auth, timeout=60)
    assert first.status_code == 200, first.text[:300]
    page = first.json()
    shown = [(int(item["id"]), item["position"]) for item in page["items"]]
    assert len(shown) == 5

    # The impressions of that page, posted to the other process, are taken as genuine.
    events = [{"note_id": str(pk), "kind": "impression", "surface": "for_you", "position": pos} for pk, pos in shown]
    answer = requests.post(two + EVENTS, json={"events": events}, headers=auth, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json() == {"recorded": 5}
    assert Interaction.objects.filter(user=reader, kind=Kind.IMPRESSION).count() == 5

    # The next page, from the other process, goes on from the same list: no note twice, none skipped.
    second = requests.get(two + FOR_YOU, params={"limit": 5, "cursor": page["next_cursor"]}, headers=auth, timeout=60)
    assert second.status_code == 200, second.text[:300]
    positions = [item["position"] for item in second.json()["items"]]
    assert positions == [5, 6, 7, 8, 9]
    assert not {int(item["id"]) for item in second.json()["items"]} & {pk for pk, _ in shown}

    # A forged position is still refused, by either process.
    forged: list[dict[str, str | int]] = [
        {"note_id": str(shown[0][0]), "kind": "impression", "surface": "for_you", "position": 40}
    ]
    for base in (one, two):
        refused = requests.post(base + EVENTS, json={"events": forged}, headers=auth, timeout=60)
        assert refused.status_code == 422, refused.text[:300]
