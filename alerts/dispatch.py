"""Receivers that turn announcements into Celery tasks (connected in AlertsConfig.ready).

Each receiver is one enqueue: ids in, nothing else. A failure to reach the broker is logged
with ids only (never health data) and swallowed: the data is already committed, the
`data_changed_at` marker makes the sweep evaluate the patient, and escalation re-notifies
critical alerts.
"""

import logging
from typing import Any

from alerts.tasks import evaluate_patient, send_pending_notifications

logger = logging.getLogger(__name__)


def enqueue_evaluation(sender: object, *, patient_id: int, **kwargs: Any) -> None:
    """accounts.signals.patient_data_changed -> alerts.tasks.evaluate_patient."""
    try:
        evaluate_patient.delay(patient_id)
    except Exception:
        logger.warning(
            "Could not enqueue alert evaluation for patient id=%s; the sweep will retry.",
            patient_id,
            exc_info=True,
        )


def enqueue_notifications(sender: object, **kwargs: Any) -> None:
    """alerts.signals.notifications_due -> alerts.tasks.send_pending_notifications, once.

    Only for promptness: the outbox rows are already committed and the beat run every minute
    sends them if this enqueue is lost.
    """
    try:
        send_pending_notifications.delay()
    except Exception:
        logger.warning(
            "Could not enqueue the notification sender; the next beat run sends the notifications.",
            exc_info=True,
        )
