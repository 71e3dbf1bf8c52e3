import hashlib

from django.db import migrations, models


def fill_author_sources(apps, schema_editor):
    """The authors' pairs already in the memory get their source back from the notes they translate."""
    memory = apps.get_model("translation", "TranslationMemory")
    note_translation = apps.get_model("notes", "NoteTranslation")
    for row in note_translation.objects.select_related("note").iterator():
        for original in (row.note.title, row.note.body):
            if original:
                digest = hashlib.sha256(original.encode("utf-8")).hexdigest()
                memory.objects.filter(engine="author", source_hash=digest, source_text="").update(
                    source_text=original
                )


class Migration(migrations.Migration):
    dependencies = [
        ("translation", "0002_translationjob_partial_text"),
        ("notes", "0009_translations_by_people"),
    ]

    operations = [
        migrations.AddField(
            model_name="translationmemory",
            name="source_text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_author_sources, migrations.RunPython.noop),
    ]
