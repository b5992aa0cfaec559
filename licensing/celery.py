"""The Celery application. Workers and beat are started with ``-A licensing``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings")

app = Celery("licensing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
