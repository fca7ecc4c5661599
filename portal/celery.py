"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

# An empty value counts as unset (setdefault would keep it).
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or "portal.settings"

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
