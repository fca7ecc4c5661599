"""Enqueue alert evaluation when a patient's data changes.

Called by the journal and medication services *inside* their transaction: the marker update
commits or rolls back with the data, and the task is only sent after commit, so a rolled-back
save enqueues nothing. If the broker is down the save still succeeds; the periodic sweep finds
the patient through `data_changed_at > last_evaluated_at`.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import PatientProfile

logger = logging.getLogger(__name__)


def patient_data_changed(patient_id: int) -> None:
    PatientProfile.objects.filter(user_id=patient_id).update(data_changed_at=timezone.now())
    transaction.on_commit(partial(enqueue_evaluation, patient_id))


def enqueue_evaluation(patient_id: int) -> None:
    from alerts.tasks import evaluate_patient

    try:
        evaluate_patient.delay(patient_id)
    except Exception:
        # Ids only in logs, never health data.
        logger.warning(
            "Could not enqueue alert evaluation for patient id=%s; the sweep will retry.",
            patient_id,
            exc_info=True,
        )
