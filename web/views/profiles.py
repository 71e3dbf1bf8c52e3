"""Profiles: the Notes / Collects / Liked tabs, public boards, followers and following, follow button,
edit profile."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import User
from accounts.selectors import follow_page, get_by_username, is_following
from accounts.services import is_blocked_between
from core.errors import ServiceError
from core.geo import viewer_country
from notes.selectors import (
    author_note_ids,
    boards_of,
    collected_note_ids,
    count_seen_from,
    liked_note_ids,
    likes_and_collects_received,
    visible_notes,
    with_counts_seen_from,
)
from web.forms import ProfileForm
from web.translation import translate_mode
from web.views.common import (
    PAGE_SIZE,
    add_service_error,
    card_state,
    is_htmx,
    login_required_page,
    me,
    parse_id,
    redirect_back,
    viewer,
    with_covers,
)


def _user_or_404(request: HttpRequest, username: str) -> User:
    user = get_by_username(username)
    who = viewer(request)
    # Blocked either way: the profile does not exist for this viewer.
    if user is None or (who is not None and who.pk != user.pk and is_blocked_between(who, user)):
        raise Http404
    return user


def profile(request: HttpRequest, username: str) -> HttpResponse:
    return _profile_page(request, username, "notes")


def profile_collects(request: HttpRequest, username: str) -> HttpResponse:
    return _profile_page(request, username, "collects")


def profile_liked(request: HttpRequest, username: str) -> HttpResponse:
    return _profile_page(request, username, "liked")


def _tab_page(user: User, who: User | None, tab: str, max_id: int | None) -> tuple[list[int], int | None]:
    """The note ids of one tab's page and the cursor of the next page (None at the end)."""
    if tab == "notes":
        ids = author_note_ids(user, who, max_id=max_id, limit=PAGE_SIZE)
        return ids, (ids[-1] if len(ids) == PAGE_SIZE else None)
    if tab == "collects":
        rows = collected_note_ids(user, who, max_id=max_id, limit=PAGE_SIZE)
    else:
        rows = liked_note_ids(user, max_id=max_id, limit=PAGE_SIZE)
    return [note_id for _row, note_id in rows], (rows[-1][0] if len(rows) == PAGE_SIZE else None)


def _profile_page(request: HttpRequest, username: str, tab: str) -> HttpResponse:
    """Notes / Collects / Liked. A tab the owner keeps private is absent for others, and its URL is 404."""
    user = _user_or_404(request, username)
    who = viewer(request)
    tabs = ["notes"]
    if user.shows_collects_to(who):
        tabs.append("collects")
    if user.shows_likes_to(who):
        tabs.append("liked")
    if tab not in tabs:
        raise Http404
    max_id = parse_id(request.GET.get("cursor"))
    country = viewer_country(who)
    ids, cursor = _tab_page(user, who, tab, max_id)
    # Others' collects and likes pass the same gate as any feed (blocked, muted, withheld, held notes).
    notes = visible_notes(ids, who, country=country, for_feed=tab != "notes")
    context: dict[str, object] = {
        "profile_user": user,
        "tab": tab,
        "tabs": tabs,
        "notes": notes,
        "next_url": f"{request.path}?cursor={cursor}" if cursor else None,
        **card_state(notes, who),
    }
    if is_htmx(request) and max_id:
        return render(request, "web/_cards.html", context)
    context.update(
        {
            "boards": with_covers(with_counts_seen_from(boards_of(user, who), country), who, country)
            if tab == "notes"
            else [],
            "notes_count": count_seen_from(user, country),
            "likes_received": likes_and_collects_received(user),
            "is_me": bool(who and who.pk == user.pk),
            "following": is_following(who, user.pk),
            "translate_mode": translate_mode(request),
        }
    )
    return render(request, "web/profile.html", context)


def _people_page(request: HttpRequest, username: str, which: str) -> HttpResponse:
    user = _user_or_404(request, username)
    rows = follow_page(user.pk, followers=which == "followers", max_id=parse_id(request.GET.get("cursor")), limit=50)
    context = {
        "profile_user": user,
        "which": which,
        "people": [person for _follow_id, person in rows],
        "next_url": f"{request.path}?cursor={rows[-1][0]}" if len(rows) == 50 else None,
    }
    return render(request, "web/people.html", context)


def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "followers")


def following(request: HttpRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "following")


@require_POST
@login_required_page
def follow(request: HttpRequest, username: str) -> HttpResponse:
    other = _user_or_404(request, username)
    try:
        if request.POST.get("action") == "unfollow":
            account_services.unfollow(follower=me(request), followee=other)
        else:
            account_services.follow(follower=me(request), followee=other)
    except ServiceError as exc:
        messages.error(request, exc.message)
    if is_htmx(request):
        context = {"profile_user": other, "following": is_following(me(request), other.pk)}
        return render(request, "web/_follow_button.html", context)
    return redirect_back(request, reverse("web:profile", args=[other.username]))


@login_required_page
def edit_profile(request: HttpRequest) -> HttpResponse:
    user = me(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                account_services.update_profile(
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    avatar=form.cleaned_data.get("avatar"),
                )
                messages.success(request, _("Profile saved."))
                return redirect("web:profile", username=user.username)
            except ServiceError as exc:
                add_service_error(form, exc, {"file": "avatar"})
                user.refresh_from_db()
        status = 422
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
        status = 200
    return render(request, "web/edit_profile.html", {"form": form}, status=status)
