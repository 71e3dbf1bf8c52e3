"""Mastodon-shaped report URLs and the reviewer web console; the lead includes this in the root URLconf."""

from django.urls import path

from review import mastodon_views, views

app_name = "review"

urlpatterns = [
    path("api/v1/reports", mastodon_views.create_report, name="mastodon-report"),
    path("api/v1/admin/reports", mastodon_views.admin_reports, name="mastodon-admin-reports"),
    path("api/v1/admin/reports/<str:report_id>", mastodon_views.admin_report, name="mastodon-admin-report"),
    path(
        "api/v1/admin/reports/<str:report_id>/<str:action>",
        mastodon_views.admin_report_action,
        name="mastodon-admin-report-action",
    ),
    path("review/", views.console, name="console"),
    path("review/items/<str:item_id>/", views.item_page, name="item"),
    path("review/items/<str:item_id>/decide", views.decide_page, name="decide"),
    path("review/bulk", views.bulk_page, name="bulk"),
    path("review/audit/", views.audit_page, name="audit"),
    path("review/notices/", views.notices_page, name="notices"),
    path("review/appeal/<str:decision_id>/", views.appeal_page, name="appeal"),
    path("review/report/<str:target_type>/<str:target_id>/", views.report_page, name="report"),
    path("transparency/", views.transparency_page, name="transparency"),
]
