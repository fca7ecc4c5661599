"""The clinician's view of one patient: everything the record page shows, in a fixed number of
queries. The caller has already passed the access gate (accounts.access.access_patient);
clinic/record.py turns the result into charts, timeline and findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from alerts.models import Alert, AlertEvent
from alerts.selectors import events_by_alert, with_people_names
from clinic.selectors.dashboard import UNRESOLVED
from core.timezones import patient_local_date, patient_today
from journal.models import DailyEntry, QuestionnaireResponse
from medications import black_box, interactions
from medications.catalog import courses_facts, ingredient_facts_for, with_drug_facts
from medications.interactions import CourseFacts
from medications.models import MedicationCourse

RECORD_DEFAULT_DAYS = 180
RECORD_DAY_CHOICES = (30, 90, 180, 365)
RECORD_MIN_DAYS = 30


@dataclass
class PatientRecord:
    patient: User
    today: date
    start: date
    entries: list[DailyEntry]
    responses: list[QuestionnaireResponse]
    courses: list[MedicationCourse]
    facts: list[CourseFacts]
    assessment: interactions.Assessment
    black_box_open: bool
    alerts: list[Alert]
    open_alerts: list[Alert]
    # alerts.selectors.events_by_alert of `alerts`: each one's timeline.
    events: dict[int, list[AlertEvent]]


def patient_record(
    patient: User, *, today: date | None = None, days: int | None = None
) -> PatientRecord:
    """Everything on the record page in a fixed number of queries (entries, responses,
    courses, ingredients, alerts, events). Without `days`, the charts span the patient's data
    in the last RECORD_DEFAULT_DAYS days (at least RECORD_MIN_DAYS), so a new patient's month
    is readable.

    Every date is the patient's own (core.timezones): `today` is their local today, a
    questionnaire's date the local date of completed_at."""
    today = today or patient_today(patient)
    start = today - timedelta(days=(days or RECORD_DEFAULT_DAYS) - 1)
    entries = list(
        DailyEntry.objects.filter(patient=patient, date__gte=start, date__lte=today)
        .order_by("date")
        .only(
            "date",
            "pain",
            "fatigue",
            "sleep_quality",
            "cognition",
            "mood",
            "pain_regions",
            "serotonin_symptoms",
            "patient_id",
        )
    )
    responses = list(
        # Scores only: the full answers (every item of every response) are not on this page.
        QuestionnaireResponse.objects.filter(patient=patient)
        .defer("answers")
        .order_by("completed_at", "id")
    )
    # Each drug's FACT_FIELDS only (all the page reads of it), and a combination product's
    # ingredients as plain values: Django's M2M prefetch cost more than the rest of the read.
    courses = list(
        with_drug_facts(MedicationCourse.objects.filter(patient=patient)).order_by(
            "started_on", "id"
        )
    )
    facts = courses_facts(
        courses, ingredients=ingredient_facts_for(course.drug_id for course in courses)
    )
    if days is None:
        firsts = [entries[0].date] if entries else []
        firsts += [
            day
            for day in (patient_local_date(patient, r.completed_at) for r in responses[:1])
            if day >= start
        ]
        firsts += [c.started_on for c in courses if c.started_on >= start][:1]
        earliest = min(firsts, default=today)
        start = max(start, min(earliest, today - timedelta(days=RECORD_MIN_DAYS - 1)))
    alerts = list(
        with_people_names(Alert.objects.filter(patient=patient)).order_by("-created_at", "-id")
    )
    return PatientRecord(
        patient=patient,
        today=today,
        start=start,
        entries=entries,
        responses=responses,
        courses=courses,
        facts=facts,
        assessment=interactions.assess(facts, today),
        black_box_open=black_box.black_box_window_open(facts, today),
        alerts=alerts,
        open_alerts=[a for a in alerts if a.status in UNRESOLVED],
        events=events_by_alert(alert.pk for alert in alerts),
    )
