"""Related notes under a note: shared tags, the same place, similar text across languages, through the gate."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from recommend import training
from recommend.candidates import rebuild_pool
from recommend.selectors import RELATED_KEY, related_notes


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


def test_shared_tags_and_place_first_and_never_the_note_itself(make_user, post):
    ada, bo = make_user("ada"), make_user("bo")
    note = post(ada, "Sourdough starter day 3 #bread #baking", title="Starter", place="Leeds Market")
    both = post(bo, "Rye loaf #bread #baking", title="Rye")
    one = post(bo, "Brioche #baking", title="Brioche")
    here = post(bo, "Coffee at the market", title="Coffee", place="Leeds Market")
    post(bo, "Tomatoes on the balcony #gardening", title="Tomatoes")
    rebuild_pool()
    found = related_notes(note, None, country=None)
    assert [n.pk for n in found] == [both.pk, here.pk, one.pk]


def test_the_gate_drops_blocked_muted_withheld_private_and_inactive(make_user, post, admin_user):
    from accounts.services import block, mute
    from review import withholding

    ada, reader = make_user("ada"), make_user("reader", region="TH")
    blocked, muted, gone, fine = (make_user(n) for n in ("blocked", "muted", "gone", "fine"))
    note = post(ada, "Night market #streetfood", title="Night market")
    hidden = [post(u, f"Skewers by {u.username} #streetfood", title=u.username) for u in (blocked, muted, gone)]
    withheld = post(fine, "Noodles #streetfood", title="withheld")
    post(fine, "Only for followers #streetfood", title="followers", visibility="followers")
    shown = post(fine, "Mango sticky rice #streetfood", title="shown")
    block(blocker=blocked, blocked=reader)
    mute(muter=reader, muted=muted)
    gone.is_active = False
    gone.save()
    withholding.withhold_note(actor=admin_user, note=withheld, countries=["TH"], reason_code="state_protection")
    rebuild_pool()
    assert [n.pk for n in related_notes(note, reader, country="TH")] == [shown.pk]
    everyone = {n.pk for n in related_notes(note, None, country="GB")}
    assert withheld.pk in everyone and shown.pk in everyone and not everyone & {h.pk for h in hidden[2:]}


def test_similar_text_in_another_language_is_related(catalogue):
    _authors, notes = catalogue
    training.train()  # embeds the notes (multilingual)
    rebuild_pool()
    cache.clear()
    hot_pot = next(n for n in notes if n.title == "Sichuan hot pot at home")
    titles = [n.title for n in related_notes(hot_pot, None, country=None)]
    assert "麻辣火锅" in titles[:4]  # no shared tag (#food / #美食): only the text says so
    assert "Tuning a violin" not in titles


def test_the_block_is_kept_a_while_and_still_gated_per_reader(make_user, post, settings):
    from accounts.services import block
    from notes.services import set_note_state

    settings.RELATED_BLOCK_SECONDS = 60
    ada, bo, reader = make_user("ada"), make_user("bo"), make_user("reader")
    note = post(ada, "Dim sum #yumcha", title="Dim sum")
    first = post(bo, "Har gow #yumcha", title="Har gow")
    rebuild_pool()
    assert [n.pk for n in related_notes(note, None, country=None)] == [first.pk]
    # Kept: a note posted since waits for the block to expire (the pool behind it is asked afresh)...
    later = post(bo, "Siu mai #yumcha", title="Siu mai")
    rebuild_pool()
    cache.delete(RELATED_KEY.format(note.pk))
    assert [n.pk for n in related_notes(note, None, country=None)] == [first.pk]
    # ... but what the gate refuses goes at once, for each reader.
    block(blocker=bo, blocked=reader)
    assert related_notes(note, reader, country=None) == []
    set_note_state(note=first, state="held")
    assert related_notes(note, None, country=None) == []
    settings.RELATED_BLOCK_SECONDS = 0  # not kept: every page asks the pool
    cache.delete(RELATED_KEY.format(note.pk))
    assert [n.pk for n in related_notes(note, None, country=None)] == [later.pk]


def test_a_reader_who_hides_much_of_the_block_still_gets_a_full_one(make_user, post, settings):
    from accounts.services import mute

    settings.RELATED_BLOCK_SECONDS = 60
    ada, loud, quiet, reader = make_user("ada"), make_user("loud"), make_user("quiet"), make_user("reader")
    note = post(ada, "Tea #oolong", title="Tea")
    # The loud account's notes are the newest, so they fill the cached block.
    quiet_notes = [post(quiet, f"Oolong {i} #oolong", title=f"q{i}") for i in range(12)]
    loud_notes = [post(loud, f"Oolong loud {i} #oolong", title=f"l{i}") for i in range(18)]
    rebuild_pool()
    assert {n.pk for n in related_notes(note, None, country=None)} <= {n.pk for n in loud_notes}
    mute(muter=reader, muted=loud)
    found = related_notes(note, reader, country=None)
    assert len(found) == 12 and {n.pk for n in found} == {n.pk for n in quiet_notes}
