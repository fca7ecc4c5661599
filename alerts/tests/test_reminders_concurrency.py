"""Two reminder sweeps at the same moment on PostgreSQL write one row per reminder, and two
outbox senders at once send each reminder once."""

import threading
from datetime import UTC, datetime, time
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection

from accounts.models import NotificationPreference
from alerts import outbox, reminders
from alerts.models import Notification
from conftest import make_patient

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


NOW = datetime(2026, 6, 15, 12, 5, tzinfo=UTC)  # 08:05 in New York


def five_patients_with_reminders():
    for n in range(5):
        patient = make_patient(f"p{n}@example.com", f"Patient {n}")
        NotificationPreference.objects.create(
            user=patient, checkin_reminder=True, checkin_reminder_time=time(8)
        )


def run_twice_at_once(work) -> list[BaseException]:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            start.wait(10)
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_concurrent_sweeps_write_each_reminder_once(require_postgres):
    five_patients_with_reminders()
    assert run_twice_at_once(lambda: reminders.reminders_queue(now=NOW)) == []
    assert Notification.objects.count() == 5
    assert Notification.objects.values("recipient", "reminder_date").distinct().count() == 5


def test_concurrent_senders_send_each_reminder_once(require_postgres):
    five_patients_with_reminders()
    with time_machine.travel(NOW, tick=True):
        # Without the after-commit wake-up (eager here, it would send at once).
        with mock.patch.object(reminders.transaction, "on_commit"):
            reminders.reminders_queue(now=NOW)
        assert mail.outbox == []
        errors = run_twice_at_once(lambda: outbox.send_pending_notifications(batch_size=2))
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.com" for n in range(5)]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
