"""A save while Redis is down costs no more than a failed connection attempt (issue 11 §3).

A real Celery app (not eager) publishing to a closed port on loopback: Redis stopped answers
"connection refused". The save must stay fast (no publish retries, a short connect timeout) and
still leave the marker that the sweep uses to evaluate the patient once the broker is back.
"""

import contextlib
import socket
import statistics
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction

from alerts import selectors
from journal.selectors import patient_today
from journal.services import daily_entry_save
from portal.celery import app

pytestmark = [pytest.mark.clock, pytest.mark.django_db(transaction=True)]

CHECKIN = {"pain": 5, "fatigue": 5, "sleep_quality": 5, "cognition": 5, "mood": 5}
SAVES = 5
BOUND_SECONDS = 1.5


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_producer_pool() -> None:
    # Publishing connections are pooled per broker URL: forget them when the URL changes.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """Publish for real (not eagerly) to the given broker URL until the test ends."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)

    def point(url: str) -> None:
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        _reset_producer_pool()

    yield point
    app.conf.task_always_eager, app.conf.broker_url = saved
    _reset_producer_pool()


def timed_saves(patient, first_back: int) -> list[float]:
    timings = []
    for back in range(first_back, first_back + SAVES):
        started = time.perf_counter()
        with transaction.atomic():  # the task is published when this commits
            daily_entry_save(
                patient=patient,
                entry_date=patient_today(patient) - timedelta(days=back),
                values=CHECKIN,
            )
        timings.append(time.perf_counter() - started)
    return timings


def test_publishing_gives_up_at_once_when_the_broker_is_down():
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert app.conf.task_publish_retry is False
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_connect_timeout"] <= 1
    assert options["max_retries"] == 0


def warm_up_publishing() -> float:
    """The first publish of a process imports the Redis transport (kombu, redis-py: ~0.6 s on
    an idle machine, whether Redis is up or not): time it apart, it is not the outage's cost."""
    from alerts.tasks import evaluate_patient

    started = time.perf_counter()
    with contextlib.suppress(Exception):
        evaluate_patient.delay(0)
    return time.perf_counter() - started


def test_a_save_with_the_broker_down_stays_fast_and_the_sweep_still_finds_it(
    pat, broker_at, caplog
):
    broker_at("memory://")  # the floor: publishing costs nothing
    warm_up_publishing()
    floor = timed_saves(pat, first_back=0)
    broker_at(f"redis://127.0.0.1:{closed_port()}/0")
    first_publish = warm_up_publishing()
    caplog.clear()
    down = timed_saves(pat, first_back=SAVES)
    print(
        f"\nsave latency, broker up (in-memory): median {statistics.median(floor) * 1000:.0f} ms;"
        f" Redis down: {', '.join(f'{t * 1000:.0f}' for t in down)} ms"
        f" (median {statistics.median(down) * 1000:.0f} ms, max {max(down) * 1000:.0f} ms);"
        f" first publish of the process (transport set-up): {first_publish * 1000:.0f} ms"
    )
    assert max(down) < BOUND_SECONDS
    # One refused connection per save: no retries with back-off (the old policy slept 0.2 s
    # and reconnected twice per save, 3-5 times the save itself).
    assert statistics.median(down) - statistics.median(floor) < 0.15
    assert caplog.text.count("Could not enqueue alert evaluation") == SAVES
    # Nothing was queued, but the marker is set: the sweep evaluates the patient later.
    assert selectors.changed_patient_profiles().filter(user=pat).exists()
