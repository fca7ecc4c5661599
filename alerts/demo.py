"""Demo alerts for `seed_demo`: evaluate the demo patients' rules so the demo clinician sees
their alerts right after `make run` (called last: after the medicines and the journal).
Idempotent: a second run finds the same alerts and changes nothing."""

from collections.abc import Mapping
from datetime import date

from accounts.models import User
from alerts.services import sync_alerts_batch

DEMO_PATIENTS = ("patient", "patient2")


def seed(*, users: Mapping[str, User], today: date) -> None:
    # `today` is the caller's date; the rules use each patient's own "today" in their zone.
    patient_ids = [users[key].pk for key in DEMO_PATIENTS if key in users]
    sync_alerts_batch(patient_ids=patient_ids, full=True)
