"""Demo medicines for `seed_demo` (issue 4): one `major` and one washout `contraindicated`
combination. Idempotent: a medicine the demo patient already has is left alone."""

from collections.abc import Mapping
from datetime import date, timedelta

from accounts.models import User
from medications.catalog import catalog_load
from medications.models import Drug, MedicationCourse
from medications.services import medication_course_change_dose, medication_course_create


def _has(patient: User, name: str) -> bool:
    return MedicationCourse.objects.filter(patient=patient, name__iexact=name).exists()


def seed(*, users: Mapping[str, User], today: date) -> None:
    def days_ago(n: int) -> date:
        return today - timedelta(days=n)

    # The data migration loads the catalog; a flushed database (transactional tests) has none.
    if not Drug.objects.exists():
        catalog_load(Drug)

    jordan = users["patient"]
    # Duloxetine for fibromyalgia, started ~10 months ago at 30 mg, raised to 60 mg two weeks
    # later (the page shows the dose history); pregabalin; tramadol 5 days ago -> major.
    if not _has(jordan, "duloxetine"):
        first = medication_course_create(
            patient=jordan,
            drug="duloxetine",
            dose=30,
            unit="mg",
            frequency="daily",
            started_on=days_ago(300),
            reason="Fibromyalgia pain",
            prescriber="Dr Casey Morgan",
        )
        medication_course_change_dose(course=first, dose=60, changed_on=days_ago(286))
    if not _has(jordan, "Lyrica"):
        medication_course_create(
            patient=jordan,
            drug="Lyrica",
            dose=75,
            unit="mg",
            frequency="twice_daily",
            started_on=days_ago(240),
            reason="Nerve pain and sleep",
            prescriber="Dr Casey Morgan",
        )
    if not _has(jordan, "tramadol"):
        medication_course_create(
            patient=jordan,
            drug="tramadol",
            dose=50,
            unit="mg",
            frequency="as_needed",
            started_on=days_ago(5),
            reason="Flare",
            prescriber="Urgent care",
        )

    riley = users["patient2"]
    # Fluoxetine stopped 28 days ago (35-day washout), phenelzine started 3 days ago.
    if not _has(riley, "fluoxetine"):
        medication_course_create(
            patient=riley,
            drug="fluoxetine",
            dose=20,
            unit="mg",
            frequency="daily",
            started_on=days_ago(400),
            stopped_on=days_ago(28),
            reason="Low mood",
        )
    if not _has(riley, "phenelzine"):
        medication_course_create(
            patient=riley,
            drug="phenelzine",
            dose=15,
            unit="mg",
            frequency="three_times_daily",
            started_on=days_ago(3),
            reason="Low mood",
            prescriber="Dr Sam Patel",
        )
