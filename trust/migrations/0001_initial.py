# Placeholder so 0002_impersonation has a parent; the rate-limit / sign-up branch ships the real
# 0001_initial (the lead reconciles migrations at merge).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
