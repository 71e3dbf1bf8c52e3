from django.db import models

from core.ids import new_id


class SnowflakeField(models.BigIntegerField):
    """Primary key holding a 64-bit time-sortable id (see core/ids.py)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("default", new_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs
