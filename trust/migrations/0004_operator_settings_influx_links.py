import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("trust", "0003_rate_limits_and_signups"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="country",
            field=models.CharField(blank=True, max_length=2),
        ),
        migrations.AddField(
            model_name="signup",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="signup",
            name="device",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="signup",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True),
        ),
        migrations.CreateModel(
            name="OperatorSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("signup_mode", models.CharField(blank=True, max_length=16)),
                ("capacity_per_hour", models.PositiveIntegerField(blank=True, null=True)),
                ("influx_capacity_per_hour", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "rate_limits",
                    models.JSONField(blank=True, default=dict, help_text="limit name -> rate text or 'off'"),
                ),
                ("influx_active", models.BooleanField(default=False)),
                (
                    "influx_manual",
                    models.BooleanField(default=False, help_text="switched by an operator, not by detection"),
                ),
                ("influx_since", models.DateTimeField(blank=True, null=True)),
                ("influx_language", models.CharField(blank=True, max_length=16)),
                ("influx_country", models.CharField(blank=True, max_length=2)),
                ("influx_detail", models.CharField(blank=True, max_length=200)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="ProfileLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.URLField(max_length=500)),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=200)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="profile_links",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("user", "url"), name="one_profile_link_per_url")],
            },
        ),
    ]
