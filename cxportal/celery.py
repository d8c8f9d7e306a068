"""The Celery app. Tasks live in each app's tasks.py and call that app's services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxportal.settings.local")

app = Celery("cxportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
