from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from django_tasks.signals import task_enqueued

        from core.worker_wake import on_task_enqueued  # (registry ready) it imports django_tasks_db's models

        # A task queued on the database queue wakes its workers once it commits (core/worker_wake.py).
        task_enqueued.connect(on_task_enqueued, dispatch_uid="core.worker_wake")
