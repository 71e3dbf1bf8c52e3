from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_llm(settings):
    # The LLM second opinion needs a model file; review tests that want it install a fake chat function.
    settings.REVIEW_USE_LLM = True


@pytest.fixture
def reviewer(make_user):
    from review.models import Reviewer

    def make(languages=("en",), regions=(), senior=False, **kwargs):
        user = make_user(**kwargs)
        Reviewer.objects.create(user=user, languages=list(languages), regions=list(regions), senior=senior)
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    user = make_user()
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def post(make_note):
    """A note through notes.services.create_note, screened on commit (immediate task backend)."""
    from notes.models import Note

    def make(author, body, title="", photos=0, **kwargs):
        note = make_note(author, title=title, body=body, photos=photos, **kwargs)
        return Note.objects.get(pk=note.pk)

    return make
