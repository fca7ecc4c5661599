"""Medication starts, stops and dose changes as chart markers (no query: courses are loaded).

A dose change ends one course and starts the next (`previous_course`): the next course's first
day is marked as a dose change, and the end of the previous course is not a stop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from core.chart_series import Marker
from medications.models import MedicationCourse


def _dose(course: MedicationCourse) -> str:
    if course.dose is None:
        return ""
    amount = Decimal(str(course.dose)).normalize()
    return f"{amount:f} {course.unit}".strip()


def _name(course: MedicationCourse) -> str:
    return course.drug.name if course.drug_id and course.drug else course.name


def course_markers(courses: Iterable[MedicationCourse], *, start: date, end: date) -> list[Marker]:
    """Markers within [start, end], by date."""
    courses = list(courses)
    by_id = {course.pk: course for course in courses}
    continued = {c.previous_course_id for c in courses if c.previous_course_id is not None}
    markers = []
    for course in courses:
        name, dose = _name(course), _dose(course)
        previous = by_id.get(course.previous_course_id) if course.previous_course_id else None
        if course.previous_course_id is not None:
            before = _dose(previous) if previous is not None else ""
            change = f"{before} → {dose}" if before and dose else dose or "changed"
            markers.append(Marker(course.started_on, "dose_change", f"{name} dose {change}"))
        else:
            markers.append(
                Marker(course.started_on, "start", " ".join(filter(None, (name, dose, "started"))))
            )
        if course.stopped_on is not None and course.pk not in continued:
            markers.append(Marker(course.stopped_on, "stop", f"{name} stopped (last dose)"))
    return sorted(
        (m for m in markers if start <= m.day <= end), key=lambda m: (m.day, m.kind, m.label)
    )
