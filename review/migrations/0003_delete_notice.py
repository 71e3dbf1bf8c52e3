from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_notices_to_notifications"),
    ]

    operations = [migrations.DeleteModel(name="Notice")]
