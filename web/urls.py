from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from web.views import (
    account,
    boards,
    compose,
    feed,
    links,
    notes,
    notifications,
    ops,
    profiles,
    search,
    translations,
)

app_name = "web"

urlpatterns = [
    path("", feed.discover_page, name="discover"),
    path("following/", feed.following_page, name="following"),
    path("tag/<str:name>/", feed.tag_page, name="tag"),
    path("n/<int:note_id>/", notes.note_page, name="note"),
    path("n/<int:note_id>/like/", notes.like, name="like"),
    path("n/<int:note_id>/collect/", notes.collect, name="collect"),
    path("n/<int:note_id>/comments/", notes.comment, name="comment"),
    path("n/<int:note_id>/delete/", notes.delete_note, name="delete_note"),
    path("n/<int:note_id>/edit/", compose.edit_note, name="edit_note"),
    path("translate/batch/<str:kind>/", translations.translate_batch, name="translate_batch"),
    path("translate/<str:kind>/<int:obj_id>/", translations.translate, name="translate"),
    path("comments/<int:comment_id>/delete/", notes.delete_comment, name="delete_comment"),
    path("compose/", compose.compose, name="compose"),
    path("compose/photos/", compose.compose_photos, name="compose_photos"),
    path("tags/suggest/", compose.tag_suggestions, name="tag_suggestions"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    # Mastodon's spelling of the same pages (clients and people write these); a trailing slash is optional.
    re_path(r"^@(?P<username>[^/]+)/?$", links.account, name="mastodon_account"),
    re_path(r"^@(?P<username>[^/]+)/(?P<status_id>[0-9]{1,20})/?$", links.status, name="mastodon_status"),
    path("u/<str:username>/followers/", profiles.followers, name="followers"),
    path("u/<str:username>/following/", profiles.following, name="following_list"),
    path("u/<str:username>/follow/", profiles.follow, name="follow"),
    path("boards/", boards.my_boards, name="boards"),
    path("boards/<int:board_id>/", boards.board_page, name="board"),
    path("boards/<int:board_id>/edit/", boards.edit_board, name="edit_board"),
    path("boards/<int:board_id>/delete/", boards.delete_board, name="delete_board"),
    path("boards/<int:board_id>/move/", boards.move_note, name="move_note"),
    path("search/", search.search, name="search"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("settings/", account.settings_page, name="settings"),
    path("settings/profile/", profiles.edit_profile, name="edit_profile"),
    path("settings/sessions/", account.sign_out_others, name="sign_out_others"),
    path("signup/", account.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("welcome/", account.welcome, name="welcome"),
    path("language/", account.set_language, name="set_language"),
    path("ops/translation/", ops.translation_page, name="ops_translation"),
    path("ops/translation/retry/", ops.retry_failed, name="ops_translation_retry"),
]
