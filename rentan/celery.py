"""Celery application: Redis broker, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentan.settings")

app = Celery("rentan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
