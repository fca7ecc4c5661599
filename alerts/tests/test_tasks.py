"""Celery adapters run eagerly: triggers, sweeps, escalation reminders and the outbox sender.

The outbox itself (claims, retries, failures) is tested in test_outbox.py."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.changes import patient_data_changed
from accounts.models import PatientProfile
from alerts import tasks
from alerts.models import Alert, AlertEvent, Notification
from alerts.services import alert_acknowledge, sync_alerts
from alerts.tests.factories import NOW, course, entry
from conftest import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_saving_enqueues_an_evaluation_after_commit(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        entry(pat, 0, self_harm_thoughts=True)
        patient_data_changed(pat.pk)
        assert not Alert.objects.exists()  # nothing runs before commit
    assert len(callbacks) == 1
    assert Alert.objects.get(patient=pat).kind == "suicidal_ideation"


def test_evaluate_patient_for_a_deleted_patient_is_a_no_op(pat):
    patient_id = pat.pk
    pat.delete()
    assert tasks.evaluate_patient.delay(patient_id).get() == 0
    assert tasks.evaluate_patient.delay(987654).get() == 0


def test_evaluate_patient_ignores_non_patients(cleo):
    assert tasks.evaluate_patient.delay(cleo.pk).get() == 0


def test_tasks_are_acks_late_with_bounded_retries():
    from django.conf import settings

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for task in (
        tasks.evaluate_patient,
        tasks.sweep_changed,
        tasks.sweep_all,
        tasks.escalate_unacknowledged,
        tasks.send_pending_notifications,
        tasks.notify_clinician,
    ):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.max_retries == 5
        assert task.retry_backoff_max < visibility


def test_sweep_changed_evaluates_changed_and_never_evaluated_patients(pat, sam):
    entry(pat, 0, self_harm_thoughts=True)
    entry(sam, 0, self_harm_thoughts=True)
    sync_alerts(sam)
    Alert.objects.filter(patient=sam).delete()  # would come back if sam were re-evaluated
    assert tasks.sweep_changed.delay().get() == 1
    assert Alert.objects.filter(patient=pat).count() == 1
    assert not Alert.objects.filter(patient=sam).exists()
    # Sam's data changes later: the next sweep picks her up.
    PatientProfile.objects.filter(user=sam).update(data_changed_at=NOW + timedelta(seconds=1))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert tasks.sweep_changed.delay().get() == 1
    assert Alert.objects.filter(patient=sam).count() == 1


def test_sweep_all_evaluates_everyone_in_batches(pat, sam, monkeypatch):
    from alerts import services

    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    others = [make_patient(f"o{i}@example.com", "O") for i in range(3)]
    for patient in [pat, sam, *others]:
        course(patient, "sertraline", -30)
        course(patient, "tramadol", -1)
    assert tasks.sweep_all.delay().get() == 5
    assert Alert.objects.count() == 5
    assert tasks.sweep_all.delay().get() == 5
    assert Alert.objects.count() == 5


def test_sweep_all_catches_a_window_that_moved_with_the_calendar(pat):
    # Tramadol starts tomorrow: no combination today, one the day after.
    course(pat, "sertraline", -30)
    course(pat, "tramadol", 1)
    tasks.sweep_all.delay().get()
    assert not Alert.objects.exists()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        tasks.sweep_all.delay().get()
    assert Alert.objects.get().dedupe_key == "serotonergic_combination"


def _critical_alert(patient):
    entry(patient, 0, self_harm_thoughts=True)
    sync_alerts(patient)
    return Alert.objects.get(patient=patient)


def test_send_pending_notifications_is_scheduled_every_minute(settings):
    (entry_,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "alerts.tasks.send_pending_notifications"
    ]
    assert entry_["schedule"] == timedelta(seconds=60)


def test_unacknowledged_critical_alerts_are_notified_again_once_per_period(
    pat, cleo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_ESCALATE_AFTER = timedelta(hours=4)
    alert = _critical_alert(pat)
    assert tasks.send_pending_notifications.delay().get() == 1  # the alert's first email
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_unacknowledged.delay().get() == 0  # too early
    later = NOW + timedelta(hours=4, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_unacknowledged.delay().get() == 1
        assert tasks.escalate_unacknowledged.delay().get() == 0  # same period
    assert len(mailoutbox) == 2
    assert AlertEvent.objects.filter(alert=alert, kind="reminded").count() == 1
    second_period = later + timedelta(hours=4, minutes=1)
    with (
        time_machine.travel(second_period, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.escalate_unacknowledged.delay().get() == 1
    assert len(mailoutbox) == 3
    # Each reminder went through the outbox: one row per round, all sent.
    rows = Notification.objects.filter(alert=alert).order_by("notify_round")
    assert [(n.kind, n.notify_round, n.status) for n in rows] == [
        ("initial", 1, "sent"),
        ("reminder", 2, "sent"),
        ("reminder", 3, "sent"),
    ]
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 3


def test_acknowledged_or_non_critical_alerts_are_not_reminded(pat, cleo):
    alert = _critical_alert(pat)
    alert_acknowledge(alert=alert, actor=cleo)
    course(pat, "sertraline", -30)
    course(pat, "tramadol", -1)  # high, not critical
    sync_alerts(pat)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert tasks.escalate_unacknowledged.delay().get() == 0


def test_one_notification_per_linked_verified_clinician(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    pat = personas["pat"]  # linked: Cleo (verified), Val (unverified); Rex revoked; Uma none
    course(pat, "sertraline", -30)
    course(pat, "tramadol", -1)
    with django_capture_on_commit_callbacks(execute=True):
        sync_alerts(pat)
    assert [m.to for m in mailoutbox] == [["cleo@example.com"]]
    (mail,) = mailoutbox
    assert mail.subject == "A patient needs review"
    assert "/clinician/alerts/" in mail.body
    for secret in (
        "sertraline",
        "tramadol",
        "Pat Patient",
        "pat@example",
        "interaction",
        "seroton",
    ):
        assert secret.lower() not in (mail.subject + mail.body).lower()


def test_a_legacy_notify_clinician_task_goes_through_the_outbox_once(pat, cleo, uma, mailoutbox):
    # A task queued before the outbox existed, delivered after the upgrade (and redelivered).
    alert = _critical_alert(pat)
    Notification.objects.all().delete()  # as if the alert predated the outbox
    assert tasks.notify_clinician.delay(alert.pk, cleo.pk).get() is True
    assert tasks.notify_clinician.delay(alert.pk, cleo.pk).get() is False
    assert tasks.notify_clinician.delay(alert.pk, uma.pk).get() is False  # not linked
    assert tasks.notify_clinician.delay(999999, cleo.pk).get() is False
    assert [m.to for m in mailoutbox] == [["cleo@example.com"]]
    assert Notification.objects.get().status == "sent"


def test_a_broker_error_while_enqueueing_notifications_does_not_fail_the_sync(
    pat, cleo, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_pending_notifications, "delay", broken)
    entry(pat, 0, self_harm_thoughts=True)
    with django_capture_on_commit_callbacks(execute=True):
        sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 1
    assert "Could not enqueue the notification sender" in caplog.text
    assert "harm" not in caplog.text.lower()
    # The row is in the outbox all the same: the beat run sends it.
    assert Notification.objects.get().status == "pending"
    monkeypatch.undo()
    assert tasks.send_pending_notifications() == 1
    assert Notification.objects.get().status == "sent"


def test_timestamps_are_aware():
    assert timezone.is_aware(NOW)
