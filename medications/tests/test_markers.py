"""Medication starts, stops and dose changes as chart markers (medications.markers)."""

from datetime import date, timedelta

import pytest

from medications.markers import course_markers
from medications.selectors import chart_markers
from tests.builders import course

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 1)


def _marks(markers):
    return [(m.day, m.kind, m.label) for m in markers]


def test_a_start_a_dose_change_and_a_stop(pat):
    first = course(pat, "sertraline", DAY - timedelta(days=40), DAY - timedelta(days=11))
    second = course(
        pat,
        "sertraline",
        DAY - timedelta(days=10),
        DAY - timedelta(days=2),
        dose=100,
        previous=first,
    )
    course(pat, "Mystery tea", DAY - timedelta(days=5), dose=None)
    markers = course_markers([first, second], start=DAY - timedelta(days=60), end=DAY)
    name = first.drug.name
    assert _marks(markers) == [
        (DAY - timedelta(days=40), "start", f"{name} 50 mg started"),
        # the end of the first course is a dose change, not a stop
        (DAY - timedelta(days=10), "dose_change", f"{name} dose 50 mg → 100 mg"),
        (DAY - timedelta(days=2), "stop", f"{name} stopped (last dose)"),
    ]
    all_markers = _marks(chart_markers(pat, DAY - timedelta(days=60), DAY))
    assert (DAY - timedelta(days=5), "start", "Mystery tea started") in all_markers
    assert len(all_markers) == 4


def test_markers_outside_the_period_are_left_out(pat):
    old = course(pat, "fluoxetine", DAY - timedelta(days=400), DAY - timedelta(days=200))
    ongoing = course(pat, "fluoxetine", DAY - timedelta(days=30))
    markers = course_markers([old, ongoing], start=DAY - timedelta(days=89), end=DAY)
    assert _marks(markers) == [
        (DAY - timedelta(days=30), "start", f"{ongoing.drug.name} 50 mg started")
    ]


def test_another_patients_courses_are_not_marked(pat, sam):
    course(pat, "sertraline", DAY - timedelta(days=3))
    assert chart_markers(sam, DAY - timedelta(days=30), DAY) == []
