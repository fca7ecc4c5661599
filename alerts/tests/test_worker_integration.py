"""The pipeline against a real Redis broker and real Celery workers.

Skipped when Redis is unreachable, unless REQUIRE_SERVICES=1 (then they fail). Transactional
tests: the worker reads committed data through its own database connection. All the tests that
consume from the broker live in this one file, so parallel runs (xdist, one file per process)
never share the queue; some flush the Redis database of REDIS_URL, so they refuse DB 0.

The notification outbox against real services:
- Redis loses its queue (restart without persistence) with a notification pending: the beat
  run still sends it, because the row, not the task, is what must be delivered.
- A worker process is SIGKILLed while it is talking to the mail server: after the lease the
  email is still sent, once.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import PatientProfile
from alerts import outbox, tasks
from alerts.models import Alert, AlertEvent, Notification
from alerts.services import sync_alerts
from alerts.tests import factories
from alerts.tests.worker import own_redis_db, reset_producer_pool, wait_for, worker_thread
from journal.selectors import patient_today
from journal.services import daily_entry_save
from portal.celery import app

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.services, pytest.mark.django_db(transaction=True)]

CHECKIN = {"pain": 5, "fatigue": 5, "sleep_quality": 5, "cognition": 5, "mood": 5}
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


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
    assert Notification.objects.get().status == "sent"  # one outbox row


def test_broker_down_then_back_the_sweep_raises_the_alert(pat, live_worker, caplog):
    real_broker = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT_BROKER
    reset_producer_pool()
    try:
        with transaction.atomic():
            entry = save_self_harm_entry(pat)  # the save succeeds although Redis is "down"
    finally:
        app.conf.broker_url = real_broker
        reset_producer_pool()
    assert "Could not enqueue alert evaluation" in caplog.text
    assert "harm" not in caplog.text.lower()
    time.sleep(1.0)
    assert not Alert.objects.exists()  # the evaluation was lost with the broker

    tasks.sweep_changed.delay()  # what beat sends every 5 minutes, broker back
    assert wait_for(lambda: Alert.objects.filter(patient=pat).exists())
    assert Alert.objects.get(patient=pat).dedupe_key == f"suicidal_ideation:entry:{entry.pk}"


# --- the notification outbox ------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def beat_run() -> None:
    """Publish exactly what Celery beat publishes every minute for the outbox."""
    (entry_,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "alerts.tasks.send_pending_notifications"
    ]
    app.send_task(entry_["task"], **entry_.get("options", {}))


def test_redis_flushed_with_notifications_pending_the_beat_run_still_sends_them(
    pat, cleo, broker, mailoutbox
):
    own_redis_db(broker)
    queue = redis.Redis.from_url(broker)
    factories.entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)  # commits the alert and its row; on commit the sender task is queued
    assert queue.llen("celery") == 1
    queue.flushdb()  # Redis restarts without persistence: the queued task is gone
    assert Notification.objects.get().status == "pending"

    with worker_thread():
        time.sleep(1.0)
        assert mailoutbox == []  # nothing in the queue tells the worker about it
        beat_run()
        assert wait_for(lambda: len(mailoutbox) == 1)
        time.sleep(0.5)
    assert mailoutbox[0].to == ["cleo@example.com"]
    assert Notification.objects.get().status == "sent"


class BlackHoleSmtp:
    """A mail server that accepts connections and never answers (the send hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.clients.append(client)
            self.connected.set()

    def close(self):
        self.stop.set()
        self.thread.join()
        for client in self.clients:
            client.close()
        self.sock.close()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"


@pytest.mark.real_clock
def test_a_worker_process_killed_mid_send_the_email_is_still_sent_once(
    pat, cleo, broker, mailoutbox, require_postgres
):
    own_redis_db(broker)
    smtp = BlackHoleSmtp()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),  # the test database
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_TIMEOUT": "120",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,  # its own process group: killed below, with its pool child
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        factories.entry(pat, 0, self_harm_thoughts=True)
        sync_alerts(pat)  # commits; on commit the sender task goes to Redis, the worker takes it
        assert smtp.connected.wait(90), "the worker never reached the mail server"
        row = Notification.objects.get()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.claimed_until > timezone.now()  # leased by the worker, mid-send
        os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, mid-send
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        smtp.close()
        redis.Redis.from_url(broker).flushdb()  # the unacked task message
    assert mailoutbox == []

    # Another sender (the next beat run) leaves the leased row alone until the lease lapses.
    assert outbox.send_pending_notifications().sent == 0
    row.refresh_from_db()
    with time_machine.travel(row.claimed_until + timedelta(seconds=1), tick=False):
        assert outbox.send_pending_notifications().sent == 1
        assert outbox.send_pending_notifications().sent == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert [m.to for m in mailoutbox] == [["cleo@example.com"]]
