from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The plumbing every app shares: API errors and paging, permissions, middleware, throttles, schedules."""

    name = "core"

    def ready(self):
        from django.apps import apps

        from .schedules import schedules_create

        # Sent once per app with models; beat's own signal comes when its tables exist.
        beat = apps.get_app_config("django_celery_beat")
        post_migrate.connect(schedules_create, sender=beat, dispatch_uid="core.schedules_create")

        from celery.signals import before_task_publish, task_postrun, task_prerun

        from . import request_id

        before_task_publish.connect(request_id.task_published, dispatch_uid="core.request_id.published")
        task_prerun.connect(request_id.task_starting, dispatch_uid="core.request_id.starting")
        task_postrun.connect(request_id.task_finished, dispatch_uid="core.request_id.finished")
