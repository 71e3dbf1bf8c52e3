"""The instance-wide entries a For-you page reads (operator settings, the policy packs' version, the
countries with withholdings) and the viewer's hidden authors are read once per
request, together (core/request_reads.py), and never kept past the request: a block, a mute, a
withholding or an operator's change applies on the viewer's next page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client

from accounts.selectors import hidden_author_ids, hidden_authors_key
from core import request_reads
from review.packs import PACKS_VERSION_KEY
from review.selectors import countries_with_withholdings, forget_withheld_countries, withheld_countries_key
from tests.api.test_revocation_across_workers import oauth_app, two_servers  # noqa: F401  (fixtures)
from trust.operator import CACHE_KEY as OPERATOR_KEY

FOR_YOU = "/api/nb/v1/recommend/for-you"


def in_a_request(view):
    """Run ``view()`` as the body of one request, through the real middleware; returns what it returned."""
    out = {}

    def get_response(request: HttpRequest) -> HttpResponse:
        out["value"] = view()
        return HttpResponse()

    request_reads.RequestReadsMiddleware(get_response)(HttpRequest())
    return out["value"]


def test_the_registered_entries_are_read_together_and_only_for_that_request(db):
    cache.set(PACKS_VERSION_KEY, 1, None)
    cache.set(withheld_countries_key(), {"DE"}, 300)

    def reads():
        first = request_reads.get(PACKS_VERSION_KEY)
        # Written elsewhere after this request's one read: the request goes on with what it read...
        cache.set(withheld_countries_key(), {"DE", "GB"}, 300)
        return first, countries_with_withholdings()

    assert in_a_request(reads) == (1, {"DE"})
    # ...and the next request reads it again.
    assert in_a_request(countries_with_withholdings) == {"DE", "GB"}
    for key in (OPERATOR_KEY, PACKS_VERSION_KEY, withheld_countries_key()):
        assert key in request_reads._registered()


def test_a_change_made_in_the_request_is_read_back_in_it(db, make_user):
    viewer = make_user("vera")
    cache.set(withheld_countries_key(), {"DE"}, 300)

    def change_then_read():
        before = countries_with_withholdings()
        forget_withheld_countries()  # as a withholding does: the set is read again (from the database)
        return before, countries_with_withholdings()

    assert in_a_request(change_then_read) == ({"DE"}, set())

    def read_ahead():
        got = request_reads.get_many(["rec:nothing"], also=[hidden_authors_key(viewer.pk)])
        return got, hidden_author_ids(viewer)

    cache.set(hidden_authors_key(viewer.pk), [7, 8], 30)
    assert in_a_request(read_ahead) == ({}, {7, 8})


def test_outside_a_request_each_read_is_the_cache_s(db):
    cache.set(PACKS_VERSION_KEY, 3, None)
    assert request_reads.get(PACKS_VERSION_KEY) == 3
    cache.set(PACKS_VERSION_KEY, 4, None)
    assert request_reads.get(PACKS_VERSION_KEY) == 4


@pytest.fixture
def api(reader):
    client = Client()
    client.force_login(reader)
    return client


def served(client) -> set[int]:
    answer = client.get(FOR_YOU, {"limit": 60})
    assert answer.status_code == 200, answer.content[:300]
    return {int(item["id"]) for item in answer.json()["items"]}


def test_a_block_a_mute_and_a_withholding_apply_on_the_next_page(catalogue, reader, api, admin_user):
    from accounts.services import block, mute
    from review import withholding

    authors, notes = catalogue
    first = served(api)
    chef = {n.pk for n in notes if n.author_id == authors["chef"].pk}
    wok = {n.pk for n in notes if n.author_id == authors["wok"].pk}
    hiker = {n.pk for n in notes if n.author_id == authors["hiker"].pk}
    assert first & chef and first & wok and first & hiker
    block(blocker=reader, blocked=authors["chef"])
    assert not served(api) & chef
    mute(muter=reader, muted=authors["wok"])
    assert not served(api) & (chef | wok)
    # The reader's region is GB: a note withheld there is gone from their next page.
    withheld = next(iter(first & hiker))
    withholding.withhold_note(
        actor=admin_user, note=next(n for n in notes if n.pk == withheld), countries=["GB"], reason_code="other"
    )
    assert withheld not in served(api)


def test_an_operator_s_limit_applies_on_the_next_request(catalogue, reader, api, settings):
    from trust import operator

    settings.RATE_LIMITS_ENABLED = True
    assert api.get(FOR_YOU, {"limit": 5}).status_code == 200
    operator.update_rate_limits(actor_id=None, values={"api.caller": "1/1h"})
    answers = [api.get(FOR_YOU, {"limit": 5}).status_code for _ in range(2)]
    assert answers[-1] == 429
    operator.update_rate_limits(actor_id=None, values={"api.caller": "off"})
    assert api.get(FOR_YOU, {"limit": 5}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_block_and_a_withholding_apply_in_another_server_process_at_once(
    two_servers,  # noqa: F811  (the shared fixture)
    oauth_app,  # noqa: F811
    catalogue,
    make_user,
    admin_user,
):
    """Two gunicorn processes (each its own in-process cache on the embedded default, or the shared
    Redis); both have served the reader's For you, so both hold the reader's hidden authors and the
    countries with withholdings; a block and a withholding made here apply on the next page of each."""
    import requests

    from accounts.services import block
    from review import withholding
    from tests.api.test_revocation_across_workers import _token

    authors, notes = catalogue
    reader = make_user("wren", languages=["en"], region="GB")  # no interests: no encoder in the servers
    token = _token(reader, oauth_app[0])

    def page(base: str) -> set[int]:
        answer = requests.get(
            base + FOR_YOU, params={"limit": 60}, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        assert answer.status_code == 200, answer.text[:300]
        return {int(item["id"]) for item in answer.json()["items"]}

    chef = {n.pk for n in notes if n.author_id == authors["chef"].pk}
    hiker = [n for n in notes if n.author_id == authors["hiker"].pk]
    for base in two_servers:
        for _ in range(2):
            shown = page(base)
            assert shown & chef and hiker[0].pk in shown
    block(blocker=reader, blocked=authors["chef"])
    withholding.withhold_note(actor=admin_user, note=hiker[0], countries=["GB"], reason_code="other")
    for base in two_servers:
        shown = page(base)
        assert not shown & chef
        assert hiker[0].pk not in shown
