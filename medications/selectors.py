"""Reads of medication data. Callers pass a patient they obtained through accounts.access."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from accounts.models import User
from core.chart_series import Marker
from core.timezones import patient_today
from medications.black_box import black_box_window_open
from medications.catalog import courses_facts, drug_facts
from medications.interactions import (
    Assessment,
    Finding,
    assess,
    display_name,
    ingredient_order,
    patient_words,
)
from medications.markers import course_markers
from medications.models import Drug, MedicationCourse


def product_ingredients(drug: Drug | None) -> list[str]:
    """Generic names of a combination product's ingredients, in interactions.ingredient_order
    (tramadol before acetaminophen); [] for a single drug or None. No query when the
    ingredients were prefetched (`drug__ingredients`)."""
    if drug is None:
        return []
    return [part.name for part in sorted(drug_facts(drug).ingredients, key=ingredient_order)]


def medication_courses(patient: User) -> QuerySet[MedicationCourse]:
    """The patient's courses, newest first, with their drugs and the ingredients of combination
    products loaded (what courses_facts needs without further queries): two queries."""
    return (
        MedicationCourse.objects.filter(patient=patient)
        .select_related("drug")
        .prefetch_related("drug__ingredients")
        .order_by("-started_on", "-id")
    )


def patient_assessment(patient: User, *, on: date | None = None) -> Assessment:
    """The combination assessment of everything the patient takes on `on` (default: their
    today). Two queries (courses, ingredients)."""
    day = on or patient_today(patient)
    return assess(courses_facts(medication_courses(patient)), day)


@dataclass
class CourseLine:
    """A medicine as the patient page shows it: the latest course and its earlier doses."""

    course: MedicationCourse
    earlier_doses: list[MedicationCourse] = field(default_factory=list)
    recognised: bool = True
    planned: bool = False  # starts after today
    # A combination product's ingredients as written in sentences ("tramadol", ...); empty
    # for a single drug or free text.
    contains: list[str] = field(default_factory=list)

    @property
    def contains_text(self) -> str:
        """ "Ultracet contains tramadol and acetaminophen" ("" for a single drug)."""
        if not self.contains:
            return ""
        parts = self.contains
        listed = (
            parts[0]
            if len(parts) == 1
            else gettext("%(first)s and %(last)s")
            % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
        )
        return gettext("%(product)s contains %(ingredients)s") % {
            "product": self.course.name,
            "ingredients": listed,
        }


@dataclass
class MedicationOverview:
    today: date
    current: list[CourseLine]
    past: list[CourseLine]
    assessment: Assessment
    black_box_window_open: bool


def medication_overview(patient: User, *, on: date | None = None) -> MedicationOverview:
    """Current and past medicines with their dose history, and today's assessment. Two queries
    (courses, ingredients of combination products)."""
    day = on or patient_today(patient)
    courses = list(medication_courses(patient))
    facts = courses_facts(courses)
    has_next = {course.previous_course_id for course in courses if course.previous_course_id}
    by_id = {course.pk: course for course in courses}
    current, past = [], []
    for course in courses:
        if course.pk in has_next:
            continue  # shown as an earlier dose of its latest course
        earlier: list[MedicationCourse] = []
        previous_id = course.previous_course_id
        while previous_id is not None and previous_id in by_id and len(earlier) < len(courses):
            earlier.append(by_id[previous_id])
            previous_id = by_id[previous_id].previous_course_id
        line = CourseLine(
            course=course,
            earlier_doses=earlier,
            recognised=course.drug_id is not None,
            planned=course.started_on > day,
            contains=[display_name(name) for name in product_ingredients(course.drug)],
        )
        if course.stopped_on is None or course.stopped_on >= day:
            current.append(line)
        else:
            past.append(line)
    return MedicationOverview(
        today=day,
        current=current,
        past=past,
        assessment=assess(facts, day),
        black_box_window_open=black_box_window_open(facts, day),
    )


def patient_explanation(finding: Finding) -> str:
    """The finding's plain words for the patient in the active language."""
    if not finding.patient_sentences:
        return gettext(finding.patient_explanation)
    return patient_words(finding.patient_sentences, gettext)


def assessment_data(assessment: Assessment, *, on: date | None = None) -> dict[str, Any]:
    """The API shape of an assessment (DESIGN.md interactions/check response, plus extras)."""
    data = {
        "severity": assessment.severity,
        "findings": [
            {
                "drugs": list(finding.drugs),
                "severity": finding.severity,
                "mechanism": finding.mechanism,
                "rule": finding.rule,
                "explanation": finding.explanation,
                "patient_explanation": patient_explanation(finding),
            }
            for finding in assessment.findings
        ],
        "unknown": list(assessment.unknown),
        "counted": list(assessment.counted),
    }
    if on is not None:
        data["on"] = on.isoformat()
    return data


def chart_markers(patient: User, start: date, end: date) -> list[Marker]:
    """The patient's medication markers for a chart period (one query)."""
    courses = MedicationCourse.objects.filter(patient=patient).select_related("drug")
    return course_markers(courses, start=start, end=end)
