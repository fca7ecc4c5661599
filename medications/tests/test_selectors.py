from datetime import date

import pytest

from medications.selectors import (
    assessment_data,
    medication_courses,
    medication_overview,
    patient_assessment,
)
from medications.services import medication_course_change_dose, medication_course_create

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)


def add(patient, drug, **extra):
    values = {"dose": 10, "unit": "mg", "started_on": date(2026, 1, 5)} | extra
    return medication_course_create(patient=patient, drug=drug, **values)


def test_courses_are_the_patients_own_newest_first(pat, sam):
    older = add(pat, "sertraline", started_on=date(2026, 1, 1))
    newer = add(pat, "tramadol", started_on=date(2026, 3, 1))
    add(sam, "fluoxetine")
    assert list(medication_courses(pat)) == [newer, older]


@pytest.mark.parametrize("size", [2, 20])
def test_the_assessment_is_two_queries(pat, django_assert_num_queries, size):
    for i in range(size):
        add(pat, ["sertraline", "tramadol"][i % 2], started_on=date(2026, 1, 1 + i))
    with django_assert_num_queries(2):  # courses, ingredients of combination products
        assessment = patient_assessment(pat, on=T)
    assert assessment.severity == "major"
    assert assessment.counted == ("sertraline", "tramadol")


def test_the_assessment_counts_a_washout_on_the_date(pat):
    add(pat, "Prozac", started_on=date(2026, 1, 1), stopped_on=date(2026, 5, 1))
    add(pat, "Nardil", started_on=date(2026, 6, 1))
    assert patient_assessment(pat, on=date(2026, 6, 4)).severity == "contraindicated"
    assert patient_assessment(pat, on=date(2026, 6, 5)).severity == "none"


def test_the_overview_groups_dose_history_and_splits_current_from_past(
    pat, django_assert_num_queries
):
    first = add(pat, "sertraline", started_on=date(2026, 1, 1))
    second = medication_course_change_dose(course=first, dose=50, changed_on=date(2026, 2, 1))
    third = medication_course_change_dose(course=second, dose=100, changed_on=date(2026, 3, 1))
    stopped = add(pat, "ibuprofen", started_on=date(2026, 1, 1), stopped_on=date(2026, 5, 31))
    ends_today = add(pat, "turmeric", dose=None, unit="", stopped_on=T)
    planned = add(pat, "linezolid", started_on=date(2026, 6, 10))

    with django_assert_num_queries(2):  # courses, ingredients of combination products
        overview = medication_overview(pat, on=T)

    assert [line.course for line in overview.current] == [planned, third, ends_today]
    (sertraline,) = [line for line in overview.current if line.course == third]
    assert sertraline.earlier_doses == [second, first]
    assert [line.course for line in overview.past] == [stopped]
    assert overview.current[0].planned is True
    assert overview.current[2].recognised is False
    assert overview.assessment.unknown == ("turmeric",)
    assert overview.black_box_window_open is False  # last sertraline change was 92 days ago


def test_the_black_box_window_opens_after_a_dose_change(pat):
    first = add(pat, "sertraline", started_on=date(2026, 1, 1))
    medication_course_change_dose(course=first, dose=50, changed_on=date(2026, 5, 1))
    assert medication_overview(pat, on=T).black_box_window_open is True


def test_assessment_data_is_the_api_shape(pat):
    add(pat, "sertraline")
    add(pat, "Ultram")
    add(pat, "turmeric", dose=None, unit="")
    data = assessment_data(patient_assessment(pat, on=T), on=T)
    assert data["severity"] == "major"
    assert data["unknown"] == ["turmeric"]
    assert data["on"] == "2026-06-01"
    assert set(data["findings"][0]) == {
        "drugs", "severity", "mechanism", "rule", "explanation", "patient_explanation"
    }  # fmt: skip
    assert data["findings"][0]["mechanism"] == "serotonergic"
