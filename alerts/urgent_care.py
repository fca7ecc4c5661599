"""Rule S1 for the synchronous urgent-care notice (registered as journal.safety's check).

Reads the patient's courses (one query) and applies the same pure S1 predicate as the alert
rules, so the patient notice and the clinician alert never disagree.
"""

from collections.abc import Iterable
from datetime import date

from accounts.models import User
from alerts.rules.symptoms import S1_MIN_SYMPTOMS, s1_applies
from medications.catalog import course_facts
from medications.models import MedicationCourse


def urgent_care_needed(*, patient: User, symptoms: Iterable[str], on: date) -> bool:
    """Enough serotonin toxicity symptoms plus a serotonergic risk on `on`."""
    symptoms = tuple(symptoms)
    if len(set(symptoms)) < S1_MIN_SYMPTOMS:
        return False  # no query for the common case: few or no symptoms ticked
    courses = MedicationCourse.objects.filter(patient=patient).select_related("drug")
    return s1_applies(symptoms, tuple(course_facts(c) for c in courses), on)
