"""A note is embedded when it is published (a low-priority task after commit), re-embedded after an
edit, and ``embed_notes`` backfills the rest; related notes and For you use the stored embeddings."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from recommend import embeddings, tasks
from recommend.candidates import rebuild_pool
from recommend.models import NoteEmbedding
from recommend.selectors import related_note_ids


def test_a_published_note_is_embedded_and_found_in_another_language(make_user, post, settings):
    settings.RECOMMEND_EMBED_ON_PUBLISH = True
    cook = make_user("cook", languages=["zh-Hans"])
    chef = make_user("chef", languages=["en"])
    hot_pot = post(cook, "在家做麻辣火锅，牛油锅底 #美食", title="麻辣火锅", language="zh-Hans")
    other = post(chef, "Capacitors and soldering on an old console #gaming", title="Retro console repair")
    assert NoteEmbedding.objects.filter(note_id__in=[hot_pot.pk, other.pk]).count() == 2
    english = post(chef, "Spicy broth, tofu and noodles #food", title="Sichuan hot pot at home")
    assert NoteEmbedding.objects.filter(note_id=english.pk).exists()
    rebuild_pool()
    # No training run happened: related notes already find the Chinese hot pot by its text.
    related = related_note_ids(english)
    assert hot_pot.pk in related
    assert other.pk not in related or related.index(hot_pot.pk) < related.index(other.pk)


def test_an_edit_re_embeds_the_note(make_user, post, settings, on_commit):
    from notes.services import edit_note

    settings.RECOMMEND_EMBED_ON_PUBLISH = True
    author = make_user("writer", languages=["en"])
    note = post(author, "Folding dumplings with pork and chives #food", title="Dumplings")
    before = embeddings.from_bytes(NoteEmbedding.objects.get(note_id=note.pk).vector)
    with on_commit():  # re-screened, published again: re-embedded
        edit_note(author=author, note_id=note.pk, title="Winter tyres", body="Grip on snow and ice #cars")
    after = embeddings.from_bytes(NoteEmbedding.objects.get(note_id=note.pk).vector)
    assert float(before @ after) < 0.9


def test_the_task_is_idempotent_and_leaves_missing_notes_alone(make_user, post):
    author = make_user("writer", languages=["en"])
    note = post(author, "Tomatoes on a balcony #gardening", title="Tomatoes")
    assert not NoteEmbedding.objects.filter(note_id=note.pk).exists()  # off in tests by default
    assert tasks.embed_note.call(note.pk) == 1
    assert tasks.embed_note.call(note.pk) == 0
    assert tasks.embed_note.call(10**12) == 0
    assert NoteEmbedding.objects.count() == 1


def test_embed_notes_backfills_what_has_no_embedding(make_user, post, capsys):
    author = make_user("writer", languages=["en"])
    notes = [post(author, f"Note number {i} about hiking #travel", title=f"Hike {i}") for i in range(3)]
    call_command("embed_notes", verbosity=0)
    assert NoteEmbedding.objects.filter(note_id__in=[n.pk for n in notes]).count() == 3
    assert "embedded 3 notes" in capsys.readouterr().out
    call_command("embed_notes", verbosity=0)
    assert "embedded 0 notes" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("embed_notes", days=0, verbosity=0)
