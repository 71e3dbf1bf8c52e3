"""core.standing: the policies trust installs for review's screening (docs/architecture.md, "Between
siblings"). A failing poster assessment loses nothing: the post is written and screened all the same."""

from __future__ import annotations

import pytest
from django.db import connection

from core import standing
from notes.models import Note, NoteState
from notes.services import create_note
from review import intake
from tests.review.fixtures import old_user
from trust import posts


@pytest.fixture
def broken_assessment():
    """The assessment as a broken database would leave it: a real SQL error (it aborts a PostgreSQL
    transaction unless it runs in a savepoint of its own). Trust's own policy is put back afterwards."""

    def fails(kind: str, target_id: int, author_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_for_standing")

    standing.set_poster_assessment(fails)
    yield
    standing.set_poster_assessment(posts.assess_poster)


def test_trust_installs_its_policies_and_review_says_posts_are_screened(settings):
    assert standing._assessment is posts.assess_poster
    assert standing.screens_posts() is True
    settings.REVIEW_SCREENING = False
    assert standing.screens_posts() is False


def test_a_failing_assessment_under_inline_screening_loses_nothing(db, make_user, broken_assessment, caplog):
    author = old_user(make_user)
    with intake.inline_screening():
        note = create_note(author=author, title="Still here", body="A plain note")
    assert Note.objects.get(pk=note.pk).state == NoteState.PUBLISHED
    assert "assessing the author of note" in caplog.text


def test_a_failing_assessment_in_the_worker_still_screens(
    db, make_user, broken_assessment, django_capture_on_commit_callbacks
):
    author = old_user(make_user)
    with django_capture_on_commit_callbacks(execute=True):
        note = create_note(author=author, title="Still here", body="A plain note")
    assert Note.objects.get(pk=note.pk).state == NoteState.PUBLISHED


def test_an_unknown_kind_of_post_is_refused():
    with pytest.raises(ValueError):
        standing.assess_poster("board", 1, 1)
