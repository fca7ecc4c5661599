"""Receivers that turn announcements into Celery tasks (connected in AlertsConfig.ready).

Each receiver is one enqueue: ids in, nothing else. A failure to reach the broker is logged
with ids only (never health data) and swallowed: the data is already committed, the
`data_changed_at` marker makes the sweep evaluate the patient, and escalation re-notifies
critical alerts.
"""

import logging

from alerts.tasks import evaluate_patient, notify_clinician

logger = logging.getLogger(__name__)


def enqueue_evaluation(sender, *, patient_id: int, **kwargs) -> None:
    """accounts.signals.patient_data_changed -> alerts.tasks.evaluate_patient."""
    try:
        evaluate_patient.delay(patient_id)
    except Exception:
        logger.warning(
            "Could not enqueue alert evaluation for patient id=%s; the sweep will retry.",
            patient_id,
            exc_info=True,
        )


def enqueue_notifications(sender, *, pairs: list[tuple[int, int]], **kwargs) -> None:
    """alerts.signals.notifications_due -> one alerts.tasks.notify_clinician per recipient."""
    for alert_id, clinician_id in pairs:
        try:
            notify_clinician.delay(alert_id, clinician_id)
        except Exception:
            # Critical alerts are re-notified by escalation.
            logger.warning(
                "Could not enqueue notification for alert id=%s clinician id=%s.",
                alert_id,
                clinician_id,
                exc_info=True,
            )
