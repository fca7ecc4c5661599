"""Two reminder sweeps at the same moment on PostgreSQL write one row per reminder."""

import threading
from datetime import UTC, datetime, time

import pytest
from django.db import connection

from accounts.models import NotificationPreference
from alerts import reminders
from alerts.models import Notification
from conftest import make_patient

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_sweeps_write_each_reminder_once(require_postgres):
    for n in range(5):
        patient = make_patient(f"p{n}@example.com", f"Patient {n}")
        NotificationPreference.objects.create(
            user=patient, checkin_reminder=True, checkin_reminder_time=time(8)
        )
    now = datetime(2026, 6, 15, 12, 5, tzinfo=UTC)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait(10)
            reminders.reminders_queue(now=now)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Notification.objects.count() == 5
    assert Notification.objects.values("recipient", "reminder_date").distinct().count() == 5
