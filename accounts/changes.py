"""Mark that a patient's data changed, and announce it after commit.

Called by the journal and medication services *inside* their transaction: the marker update
(`PatientProfile.data_changed_at`) commits or rolls back with the data, and the
`accounts.signals.patient_data_changed` signal is sent only after commit, so a rolled-back save
announces nothing. The alerts app listens (AlertsConfig.ready) and enqueues an evaluation; if
that fails (broker down) the save still succeeds and the periodic sweep finds the patient
through `data_changed_at > last_evaluated_at`. The marker, not the signal, is the guarantee.
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts import signals
from accounts.models import PatientProfile


def patient_data_changed(patient_id: int) -> None:
    """Stamp the marker in the caller's transaction; signal once it commits."""
    patients_data_changed([patient_id])


def patients_data_changed(patient_ids: Iterable[int]) -> None:
    """The same for several patients (e.g. an alias linking many courses): one UPDATE, and one
    signal per patient after commit."""
    ids = sorted(set(patient_ids))
    if not ids:
        return
    PatientProfile.objects.filter(user_id__in=ids).update(data_changed_at=timezone.now())
    for patient_id in ids:
        transaction.on_commit(
            partial(signals.patient_data_changed.send, sender=PatientProfile, patient_id=patient_id)
        )
