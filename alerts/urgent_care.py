"""Rule S1 for the synchronous notice (registered as journal.safety's check).

Reads the patient's courses (one query) and applies the same pure S1 predicate as the alert
rules, so the patient notice and the clinician alert never disagree: an entry of T-2..T gets
the urgent-care notice, a back-filled one the milder "tell your clinician"
(docs/clinical-rules.md#serotonin-toxicity-symptoms).
"""

from collections.abc import Iterable
from datetime import date

from accounts.models import User
from alerts.rules.symptoms import NOTICE_URGENT_CARE, S1_MIN_SYMPTOMS, s1_notice
from core.timezones import patient_today
from medications.catalog import courses_facts
from medications.models import MedicationCourse


def symptom_notice(*, patient: User, symptoms: Iterable[str], on: date) -> str | None:
    """ "urgent_care", "tell_clinician" or None for symptoms ticked on an entry dated `on`."""
    symptoms = tuple(symptoms)
    if len(set(symptoms)) < S1_MIN_SYMPTOMS:
        return None  # no query for the common case: few or no symptoms ticked
    courses = (
        MedicationCourse.objects.filter(patient=patient)
        .select_related("drug")
        .prefetch_related("drug__ingredients")
    )
    return s1_notice(symptoms, tuple(courses_facts(courses)), on, patient_today(patient))


def urgent_care_needed(*, patient: User, symptoms: Iterable[str], on: date) -> bool:
    """Kept for callers of v1: True only for the urgent-care case."""
    return symptom_notice(patient=patient, symptoms=symptoms, on=on) == NOTICE_URGENT_CARE
