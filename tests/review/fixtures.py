"""Review fixtures shared by the review tests and the tests of its delivery (tests/api, tests/web):
reviewers, an admin, and notes posted (and screened) through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from review.models import ReviewItem


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


def token_for(user, scope="read write"):
    from oauth2_provider.models import AccessToken, Application

    app = Application.objects.create(
        name="test", client_type="confidential", authorization_grant_type="authorization-code", user=user
    )
    token = AccessToken.objects.create(
        user=user,
        application=app,
        token=f"tok-{user.pk}-{scope.replace(' ', '')}",
        expires=timezone.now() + timedelta(days=1),
        scope=scope,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def old_user(make_user):
    from accounts.models import User

    user = make_user()
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=365))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def held(make_user, post):
    """A note held for review (a new insult by an established account) and its review item."""
    note = post(old_user(make_user), "you are such a loser")
    return note, ReviewItem.objects.get(target_id=note.pk)
