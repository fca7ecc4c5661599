"""Thin Celery adapters: ids in, one service call, safe to run twice.

Acks-late with reject-on-worker-lost: a task whose worker dies is delivered again, and every
task is idempotent (profile lock + unique constraint in sync; the outbox's lease and unique rows
for notifications). Retries use bounded exponential backoff that stays well below the broker's
visibility timeout (10 minutes). Emails are not tasks: they are outbox rows (alerts/outbox.py),
sent by `send_pending_notifications`, so nothing is lost with a queued task.
"""

import logging
from collections.abc import Callable, Iterator
from typing import ParamSpec, Protocol, TypeVar, cast

from celery import shared_task
from celery.result import AsyncResult
from django.db import InterfaceError, OperationalError
from django.db.models import QuerySet

from accounts.models import PatientProfile, Role
from alerts import outbox, reminders, selectors, services

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R_co = TypeVar("_R_co", covariant=True)


class Task(Protocol[_P, _R_co]):
    """The part of a Celery task this project uses (Celery ships no type information)."""

    name: str

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R_co: ...

    def delay(self, *args: _P.args, **kwargs: _P.kwargs) -> AsyncResult: ...


RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 300,  # seconds; visibility_timeout is 600
    "retry_jitter": True,
}


def _task(func: Callable[_P, _R_co]) -> Task[_P, _R_co]:
    """`shared_task(**RETRY_OPTIONS)`, keeping the function's signature for the type checker."""
    return cast("Task[_P, _R_co]", shared_task(**RETRY_OPTIONS)(func))


@_task
def evaluate_patient(patient_id: int) -> int:
    """Sync one patient's alerts. A missing (deleted) patient is a no-op, never a retry loop."""
    exists = PatientProfile.objects.filter(user_id=patient_id, user__role=Role.PATIENT).exists()
    if not exists:
        logger.info("Skipping alert evaluation: no patient id=%s.", patient_id)
        return 0
    result = services.sync_alerts_batch(patient_ids=[patient_id], full=True)
    return len(result.created) + len(result.escalated)


def _batches(query: QuerySet[PatientProfile]) -> Iterator[list[int]]:
    """Patient ids in batches of BATCH_SIZE, by keyset pagination (no OFFSET)."""
    last_id = 0
    while True:
        batch = list(
            query.filter(user_id__gt=last_id)
            .order_by("user_id")
            .values_list("user_id", flat=True)[: services.BATCH_SIZE]
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1]


@_task
def evaluate_batch(patient_ids: list[int]) -> int:
    """Sync a batch of patients in one transaction (set-based)."""
    return services.sync_alerts_batch(patient_ids=patient_ids).evaluated


@_task
def sweep_changed() -> int:
    """Patients whose data changed since their last evaluation (or never evaluated)."""
    return sum(
        services.sync_alerts_batch(patient_ids=batch).evaluated
        for batch in _batches(selectors.changed_patient_profiles())
    )


@_task
def sweep_all() -> int:
    """Every patient, nightly: washout and 12-week windows move with the calendar.

    Fans out one evaluate_batch task per batch so the worker pool shares the work (eagerly,
    without a broker, the batches run here one after the other). Returns the patients queued.
    """
    queued = 0
    for batch in _batches(selectors.all_patient_profiles()):
        evaluate_batch.delay(batch)
        queued += len(batch)
    return queued


@_task
def escalate_unacknowledged() -> int:
    return len(services.alerts_remind_unacknowledged())


@_task
def send_pending_notifications() -> int:
    """Beat, every minute (and enqueued after each commit that adds notifications)."""
    return outbox.send_pending_notifications().sent


@_task
def queue_patient_reminders() -> int:
    """Beat, every 5 minutes: outbox rows for patients' reminders whose local time has come."""
    return reminders.reminders_queue()


@_task
def notify_clinician(alert_id: int, clinician_id: int) -> bool:
    """Deprecated: only for tasks queued before the outbox; new code writes outbox rows."""
    return outbox.adopt_legacy_task(alert_id=alert_id, clinician_id=clinician_id)
