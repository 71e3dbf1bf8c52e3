"""Moderation notices become notifications of type ``moderation``: copy every ``review.Notice`` into
``notifications.Notification`` (same id, so order and read state are kept). The next migration drops
the old table; on the way back this copies them out again."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 1000
FIELDS = ("id", "recipient_id", "kind", "text", "target_type", "target_id", "decision_id", "read", "created_at")


def copy_notices(apps, schema_editor):
    Notice = apps.get_model("review", "Notice")
    Notification = apps.get_model("notifications", "Notification")
    db = schema_editor.connection.alias
    rows = Notice.objects.using(db).order_by("id").values(*FIELDS)
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(Notification(type="moderation", actor_id=None, **row))
        if len(batch) == BATCH:
            Notification.objects.using(db).bulk_create(batch)
            batch = []
    Notification.objects.using(db).bulk_create(batch)
    # created_at is auto_now_add, so the copies were stamped with the time of the copy: put the
    # original times back (no notification had this type before this migration).
    original = Notice.objects.using(db).filter(pk=OuterRef("pk")).values("created_at")[:1]
    Notification.objects.using(db).filter(type="moderation").update(created_at=Subquery(original))


def copy_back(apps, schema_editor):
    Notice = apps.get_model("review", "Notice")
    Notification = apps.get_model("notifications", "Notification")
    Decision = apps.get_model("review", "Decision")
    db = schema_editor.connection.alias
    moderation = Notification.objects.using(db).filter(type="moderation")
    decisions = set(Decision.objects.using(db).values_list("id", flat=True))
    batch = []
    for row in moderation.order_by("id").values(*FIELDS).iterator(chunk_size=BATCH):
        if row["decision_id"] not in decisions:
            row["decision_id"] = None
        batch.append(Notice(**row))
    Notice.objects.using(db).bulk_create(batch, batch_size=BATCH)
    original = moderation.filter(pk=OuterRef("pk")).values("created_at")[:1]
    Notice.objects.using(db).update(created_at=Subquery(original))
    moderation.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("notifications", "0002_moderation_notices"),
    ]

    operations = [migrations.RunPython(copy_notices, copy_back)]
