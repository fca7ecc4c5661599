"""The pipeline against a real Redis broker and a real Celery worker (start_worker).

Skipped when Redis is unreachable, unless REQUIRE_SERVICES=1 (then they fail). Transactional
tests: the worker thread reads committed data through its own database connection.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from accounts.models import PatientProfile
from alerts import tasks
from alerts.models import Alert, AlertEvent
from journal.selectors import patient_today
from journal.services import daily_entry_save
from portal.celery import app

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.services, pytest.mark.django_db(transaction=True)]

CHECKIN = {"pain": 5, "fatigue": 5, "sleep_quality": 5, "cognition": 5, "mood": 5}
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _reset_producer_pool() -> None:
    # Publishing connections are pooled for the broker URL of the moment: forget the pools
    # (without closing them: kombu may hand the same pool back for the same URL later).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def live_worker(require_redis):
    """A Celery worker thread on the real broker, tasks no longer eager (restored after)."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = require_redis
    _reset_producer_pool()
    app.control.purge()
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_producer_pool()


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def save_self_harm_entry(patient):
    return daily_entry_save(
        patient=patient,
        entry_date=patient_today(patient),
        values={**CHECKIN, "self_harm_thoughts": True},
    ).entry


@pytest.fixture
def delay_calls(monkeypatch):
    """Count evaluate_patient.delay calls while still sending them."""
    calls = []
    original = tasks.evaluate_patient.delay

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.evaluate_patient, "delay", counting)
    return calls


def test_a_committed_save_is_evaluated_by_the_worker(pat, live_worker, delay_calls):
    with transaction.atomic():
        entry = save_self_harm_entry(pat)
        assert delay_calls == []  # nothing is sent before commit
    assert delay_calls == [(pat.pk,)]
    assert wait_for(lambda: Alert.objects.filter(patient=pat).exists())
    alert = Alert.objects.get(patient=pat)
    assert alert.dedupe_key == f"suicidal_ideation:entry:{entry.pk}"
    assert wait_for(
        lambda: PatientProfile.objects.filter(user=pat, last_evaluated_at__isnull=False).exists()
    )


def test_a_rolled_back_save_enqueues_nothing(pat, live_worker, delay_calls):
    with pytest.raises(RuntimeError), transaction.atomic():
        save_self_harm_entry(pat)
        raise RuntimeError("something later in the request failed")
    assert delay_calls == []
    time.sleep(1.0)
    assert not Alert.objects.exists()
    assert PatientProfile.objects.get(user=pat).data_changed_at is None


def test_the_same_task_delivered_twice_gives_one_alert(pat, cleo, live_worker, mailoutbox):
    with transaction.atomic():
        save_self_harm_entry(pat)
    # The trigger sent one; deliver the same evaluation twice more, concurrently.
    tasks.evaluate_patient.delay(pat.pk)
    tasks.evaluate_patient.delay(pat.pk)
    assert wait_for(lambda: Alert.objects.filter(patient=pat).exists())
    assert wait_for(lambda: len(mailoutbox) >= 1)
    time.sleep(2.0)  # let the remaining deliveries finish
    assert Alert.objects.filter(patient=pat).count() == 1
    assert AlertEvent.objects.filter(kind="created").count() == 1
    assert len(mailoutbox) == 1  # one clinician, one email


def test_broker_down_then_back_the_sweep_raises_the_alert(pat, live_worker, caplog):
    real_broker = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT_BROKER
    _reset_producer_pool()
    try:
        with transaction.atomic():
            entry = save_self_harm_entry(pat)  # the save succeeds although Redis is "down"
    finally:
        app.conf.broker_url = real_broker
        _reset_producer_pool()
    assert "Could not enqueue alert evaluation" in caplog.text
    assert "harm" not in caplog.text.lower()
    time.sleep(1.0)
    assert not Alert.objects.exists()  # the evaluation was lost with the broker

    tasks.sweep_changed.delay()  # what beat sends every 5 minutes, broker back
    assert wait_for(lambda: Alert.objects.filter(patient=pat).exists())
    assert Alert.objects.get(patient=pat).dedupe_key == f"suicidal_ideation:entry:{entry.pk}"
