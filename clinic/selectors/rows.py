"""One dashboard row per patient, and the per-page reads that fill it.

`build_rows` takes patients annotated by dashboard.summary_queryset (already in triage order)
and adds, in one query each for the whole page, the medication courses that can matter today
and the sparkline points.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from alerts.models import SEVERITY_BY_RANK
from core.timezones import patient_local_date, patient_today
from journal.models import DailyEntry
from medications import black_box, interactions
from medications.catalog import courses_facts, ingredient_facts_for, with_drug_facts
from medications.interactions import CourseFacts
from medications.models import MedicationCourse

# Longest washout in the catalog (fluoxetine, 35 days) and the black-box window (84 days):
# a stopped course older than this cannot change today's assessment.
COURSE_LOOKBACK_DAYS = 90
SPARKLINE_DAYS = 28


if TYPE_CHECKING:
    # A patient as the dashboard query returns them: the User with these annotations.
    class TriagedPatient(User):
        open_alerts: int
        alert_rank: int
        last_entry: date | None
        mood_7: float | None
        pain_7: float | None
        mood_28: float | None
        pain_28: float | None
        phq9_total: int | None
        phq9_band: str | None
        phq9_at: datetime | None


@dataclass
class PatientRow:
    patient: User
    open_alerts: int
    max_severity: str
    last_entry: date | None
    days_since_entry: int | None
    mood_7: float | None
    pain_7: float | None
    mood_change: float | None
    pain_change: float | None
    phq9_total: int | None
    phq9_band: str
    phq9_at: datetime | None
    interaction_severity: str
    interaction_drugs: list[list[str]]
    black_box_open: bool
    sparkline_mood: list[tuple[int, int]]
    sparkline_pain: list[tuple[int, int]]
    # The patient's local date of phq9_at (core.timezones): the date the dashboard shows.
    phq9_on: date | None = None
    # Free-text medicines (not in the catalog) that count today: the engine could not check
    # them; shown on the row, never an alert by themselves.
    unchecked_medicines: list[str] = field(default_factory=list)

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.patient.pk,
            "name": self.patient.display_name,
            "email": self.patient.email,
            "open_alerts": {"count": self.open_alerts, "max_severity": self.max_severity or None},
            "last_entry": {
                "date": self.last_entry.isoformat() if self.last_entry else None,
                "days_since": self.days_since_entry,
            },
            "means_7_days": {"pain": _r(self.pain_7), "mood": _r(self.mood_7)},
            "change_vs_previous_28_days": {
                "pain": _r(self.pain_change),
                "mood": _r(self.mood_change),
            },
            "latest_phq9": (
                {
                    "total": self.phq9_total,
                    "band": self.phq9_band,
                    "completed_at": self.phq9_at.isoformat() if self.phq9_at else None,
                    "date": self.phq9_on.isoformat() if self.phq9_on else None,
                }
                if self.phq9_total is not None
                else None
            ),
            "serotonergic": {
                "severity": self.interaction_severity,
                "findings": self.interaction_drugs,
            },
            "black_box_window_open": self.black_box_open,
            "unchecked_medicines": list(self.unchecked_medicines),
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _diff(recent: float | None, baseline: float | None) -> float | None:
    if recent is None or baseline is None:
        return None
    return recent - baseline


def current_courses_by_patient(
    patient_ids: Iterable[int], *, today: date | Mapping[int, date]
) -> dict[int, list[CourseFacts]]:
    """Courses that can matter today for these patients, in one query. `today`: one date, or
    each patient's own (patient id -> their local today)."""
    days = _days_of(patient_ids, today)
    if not days:
        return {}
    since = min(days.values()) - timedelta(days=COURSE_LOOKBACK_DAYS)
    courses = with_drug_facts(  # a combination product counts each ingredient
        MedicationCourse.objects.filter(patient_id__in=list(days))
        .filter(started_on__lte=max(days.values()))
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=since))
        .order_by("patient_id", "started_on", "id")
    )
    by_patient: dict[int, list[MedicationCourse]] = defaultdict(list)
    for course in courses:
        day = days[course.patient_id]
        if course.started_on > day:
            continue  # starts after this patient's own today
        if course.stopped_on is not None and course.stopped_on < day - timedelta(
            days=COURSE_LOOKBACK_DAYS
        ):
            continue
        by_patient[course.patient_id].append(course)
    # courses_facts links each dose change to the course before it (when that one is in the
    # window), so a dose change is not mistaken for a stop in the black-box window.
    grouped: dict[int, list[CourseFacts]] = defaultdict(list)
    ingredients = ingredient_facts_for(
        course.drug_id for patient_courses in by_patient.values() for course in patient_courses
    )
    for patient_id, patient_courses in by_patient.items():
        grouped[patient_id] = courses_facts(patient_courses, ingredients=ingredients)
    return grouped


def sparklines_by_patient(
    patient_ids: Iterable[int], *, today: date | Mapping[int, date]
) -> dict[int, list[tuple[int, int, int]]]:
    """(day offset, mood, pain) for each patient's last SPARKLINE_DAYS days (their own
    dates), one query."""
    days = _days_of(patient_ids, today)
    if not days:
        return {}
    span = timedelta(days=SPARKLINE_DAYS - 1)
    rows = (
        DailyEntry.objects.filter(
            patient_id__in=list(days),
            date__gte=min(days.values()) - span,
            date__lte=max(days.values()),
        )
        .order_by("patient_id", "date")
        .values_list("patient_id", "date", "mood", "pain")
    )
    grouped: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for patient_id, day, mood, pain in rows:
        start = days[patient_id] - span
        if start <= day <= days[patient_id]:
            grouped[patient_id].append(((day - start).days, mood, pain))
    return grouped


def _days_of(patient_ids: Iterable[int], today: date | Mapping[int, date]) -> dict[int, date]:
    if isinstance(today, Mapping):
        return {pk: today[pk] for pk in patient_ids}
    return dict.fromkeys(patient_ids, today)


def build_rows(
    patients: Sequence[TriagedPatient], *, now: datetime | None = None, today: date | None = None
) -> list[PatientRow]:
    """Rows of `patients` (with their patient_profile loaded), each counted from the patient's
    own today (their local date at `now`); `today` pins one date for all (tests, benches)."""
    now = now or timezone.now()
    days = {p.pk: today or patient_today(p, now) for p in patients}
    courses = current_courses_by_patient(days, today=days) if days else {}
    lines = sparklines_by_patient(days, today=days) if days else {}
    rows = []
    for p in patients:
        today_p = days[p.pk]
        facts = courses.get(p.pk, [])
        assessment = interactions.assess(facts, today_p)
        points = lines.get(p.pk, [])
        rows.append(
            PatientRow(
                patient=p,
                open_alerts=p.open_alerts,
                max_severity=SEVERITY_BY_RANK.get(p.alert_rank, ""),
                last_entry=p.last_entry,
                days_since_entry=(today_p - p.last_entry).days if p.last_entry else None,
                mood_7=p.mood_7,
                pain_7=p.pain_7,
                mood_change=_diff(p.mood_7, p.mood_28),
                pain_change=_diff(p.pain_7, p.pain_28),
                phq9_total=p.phq9_total,
                phq9_band=p.phq9_band or "",
                phq9_at=p.phq9_at,
                phq9_on=patient_local_date(p, p.phq9_at) if p.phq9_at else None,
                interaction_severity=assessment.severity,
                interaction_drugs=[list(f.drugs) for f in assessment.findings],
                black_box_open=black_box.black_box_window_open(facts, today_p),
                sparkline_mood=[(x, mood) for x, mood, _ in points],
                sparkline_pain=[(x, pain) for x, _, pain in points],
                unchecked_medicines=sorted(assessment.unknown, key=str.casefold),
            )
        )
    return rows
