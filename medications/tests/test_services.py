from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import PatientProfile
from journal.selectors import patient_today
from medications import services
from medications.models import MedicationCourse
from medications.services import (
    MedicationInputError,
    medication_course_change_dose,
    medication_course_create,
    medication_course_stop,
    medication_course_update,
)

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.django_db]


@pytest.fixture
def today(pat):
    return patient_today(pat)


def create(pat, **overrides):
    values = {
        "drug": "Cymbalta",
        "dose": 30,
        "unit": "mg",
        "frequency": "daily",
        "started_on": date(2026, 1, 5),
    } | overrides
    return medication_course_create(patient=pat, **values)


def test_it_resolves_a_brand_name_and_keeps_what_was_typed(pat):
    course = create(pat, drug="  Cymbalta ")

    course.refresh_from_db()
    assert course.name == "Cymbalta"
    assert course.drug.name == "duloxetine"
    assert course.dose == Decimal("30.000")
    assert course.frequency == "daily"


def test_an_unknown_name_is_kept_as_free_text(pat):
    course = create(pat, drug="Turmeric capsules", dose=None, unit="")

    course.refresh_from_db()
    assert course.drug is None
    assert course.name == "Turmeric capsules"
    assert course.dose is None


def test_every_write_marks_the_patient_changed_and_enqueues_after_commit(
    pat, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        course = create(pat)
    assert len(callbacks) == 1
    assert PatientProfile.objects.get(user=pat).data_changed_at is not None

    with django_capture_on_commit_callbacks() as callbacks:
        medication_course_stop(course=course, stopped_on=today)
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks() as callbacks:
        medication_course_change_dose(course=course, dose=60, changed_on=today)
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ({"dose": "0.5"}, {"dose": Decimal("0.5")}),
        ({"dose": 12.5}, {"dose": Decimal("12.5")}),
        ({"dose": "0.001"}, {"dose": Decimal("0.001")}),
        ({"dose": "2.5000"}, {"dose": Decimal("2.5")}),
        ({"unit": "MG"}, {"unit": "mg"}),
        ({"unit": "ml"}, {"unit": "mL"}),
        ({"unit": "tablet"}, {"unit": "tablets"}),
        ({"frequency": "Twice a day"}, {"frequency": "twice_daily"}),
        ({"frequency": "twice daily"}, {"frequency": "twice_daily"}),
        ({"frequency": "as-needed"}, {"frequency": "as_needed"}),
        ({"frequency": "PRN"}, {"frequency": "as_needed"}),
        ({"frequency": "once daily"}, {"frequency": "daily"}),
        ({"frequency": "three times a day"}, {"frequency": "three_times_daily"}),
        ({"unit": "milligrams"}, {"unit": "mg"}),
        ({"frequency": None}, {"frequency": "daily"}),
        ({"stopped_on": "2026-01-05"}, {"stopped_on": date(2026, 1, 5)}),  # one-day course
        ({"started_on": "2026-01-05"}, {"started_on": date(2026, 1, 5)}),
    ],
)
def test_accepted_input_is_normalised(pat, value, normalised):
    course = create(pat, **value)
    course.refresh_from_db()
    for field, expected in normalised.items():
        assert getattr(course, field) == expected


def test_a_start_exactly_a_year_ahead_is_accepted(pat, today):
    assert create(pat, started_on=today + timedelta(days=365)).pk


BAD_INPUT = [
    ("drug", {"drug": ""}),
    ("drug", {"drug": "   "}),
    ("drug", {"drug": None}),
    ("drug", {"drug": 123}),
    ("drug", {"drug": "x" * 121}),
    ("dose", {"dose": 0}),
    ("dose", {"dose": -5}),
    ("dose", {"dose": "-0.1"}),
    ("dose", {"dose": "abc"}),
    ("dose", {"dose": "NaN"}),
    ("dose", {"dose": "Infinity"}),
    ("dose", {"dose": True}),
    ("dose", {"dose": [1]}),
    ("dose", {"dose": "1.2345"}),
    ("dose", {"dose": 10**8}),
    ("unit", {"unit": "furlongs"}),
    ("unit", {"unit": 5}),
    ("unit", {"unit": ""}),  # a dose needs a unit
    ("frequency", {"frequency": "hourly"}),
    ("frequency", {"frequency": 3}),
    ("started_on", {"started_on": None}),
    ("started_on", {"started_on": "2026-13-01"}),
    ("started_on", {"started_on": "yesterday"}),
    ("started_on", {"started_on": 20260101}),
    ("started_on", {"started_on": "1899-12-31"}),
    ("stopped_on", {"stopped_on": "2026-01-04"}),  # before the start
    ("stopped_on", {"stopped_on": "01/02/2026"}),
    ("reason", {"reason": "r" * 201}),
    ("prescriber", {"prescriber": ["Dr X"]}),
]


@pytest.mark.parametrize(("field", "value"), BAD_INPUT)
def test_bad_input_is_refused_with_a_field_message_and_nothing_is_stored(pat, field, value):
    with pytest.raises(MedicationInputError) as raised:
        create(pat, **value)

    assert list(raised.value.errors) == [field]
    assert all(isinstance(message, str) for message in raised.value.errors[field])
    assert MedicationCourse.objects.count() == 0
    assert PatientProfile.objects.get(user=pat).data_changed_at is None


def test_a_start_more_than_a_year_ahead_is_refused(pat, today):
    with pytest.raises(MedicationInputError) as raised:
        create(pat, started_on=today + timedelta(days=366))
    assert "year" in raised.value.errors["started_on"][0]


def test_all_problems_are_reported_at_once(pat):
    with pytest.raises(MedicationInputError) as raised:
        create(pat, drug="", dose=-1, unit="bushels", started_on="nope")
    assert set(raised.value.errors) == {"drug", "dose", "unit", "started_on"}


# --- update / stop ------------------------------------------------------------------------


def test_stop_sets_the_last_day_taken(pat, today):
    course = create(pat)
    medication_course_stop(course=course, stopped_on=today)
    course.refresh_from_db()
    assert course.stopped_on == today


def test_renaming_resolves_the_catalog_drug_again(pat):
    course = create(pat, drug="turmeric", dose=None, unit="")
    medication_course_update(course=course, changes={"drug": "Zoloft", "dose": 50, "unit": "mg"})
    course.refresh_from_db()
    assert (course.name, course.drug.name, course.dose) == ("Zoloft", "sertraline", Decimal(50))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stopped_on": "2025-12-31"}, "stopped_on"),
        ({"dose": 0}, "dose"),
        ({"drug": ""}, "drug"),
        ({"patient": 5}, "patient"),
        ({"started_on": "2026-02-30"}, "started_on"),
    ],
)
def test_a_bad_update_changes_nothing(pat, changes, field):
    course = create(pat)
    with pytest.raises(MedicationInputError) as raised:
        medication_course_update(course=course, changes=changes)
    assert field in raised.value.errors
    course.refresh_from_db()
    assert (course.stopped_on, course.dose, course.name) == (None, Decimal(30), "Cymbalta")


def test_an_update_without_changes_does_not_trigger_an_evaluation(
    pat, django_capture_on_commit_callbacks
):
    course = create(pat)
    with django_capture_on_commit_callbacks() as callbacks:
        medication_course_update(course=course, changes={"dose": "30", "unit": "mg"})
    assert callbacks == []


# --- change dose --------------------------------------------------------------------------


def test_a_dose_change_ends_one_course_and_starts_the_next(pat):
    first = create(pat, started_on=date(2026, 1, 5))

    second = medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 1, 19))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stopped_on == date(2026, 1, 18)  # the last day at 30 mg
    assert (second.started_on, second.stopped_on) == (date(2026, 1, 19), None)
    assert second.previous_course == first
    assert (second.dose, second.unit, second.frequency) == (Decimal(60), "mg", "daily")
    assert (second.name, second.drug_id) == (first.name, first.drug_id)
    assert MedicationCourse.objects.filter(patient=pat).count() == 2


def test_the_history_keeps_every_dose(pat):
    course = create(pat, started_on=date(2026, 1, 1))
    for day, dose in ((10, 60), (20, 90), (30, 60)):
        course = medication_course_change_dose(
            course=course, dose=dose, unit="mg", frequency="twice_daily",
            changed_on=date(2026, 1, day),
        )  # fmt: skip

    chain = []
    while course is not None:
        chain.append((course.dose, course.started_on.day, course.stopped_on))
        course = course.previous_course
    assert chain == [
        (Decimal(60), 30, None),
        (Decimal(90), 20, date(2026, 1, 29)),
        (Decimal(60), 10, date(2026, 1, 19)),
        (Decimal(30), 1, date(2026, 1, 9)),
    ]


def test_a_planned_last_day_moves_to_the_new_dose(pat):
    first = create(pat, drug="linezolid", started_on=date(2026, 1, 1), stopped_on=date(2026, 1, 10))
    second = medication_course_change_dose(course=first, dose=600, changed_on=date(2026, 1, 4))
    first.refresh_from_db()
    assert first.stopped_on == date(2026, 1, 3)
    assert second.stopped_on == date(2026, 1, 10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dose": 0, "changed_on": date(2026, 2, 1)}, "dose"),
        ({"dose": None, "changed_on": date(2026, 2, 1)}, "dose"),
        ({"dose": 60, "changed_on": date(2026, 1, 5)}, "changed_on"),  # same day as the start
        ({"dose": 60, "changed_on": date(2025, 12, 1)}, "changed_on"),
        ({"dose": 60, "changed_on": "not a date"}, "changed_on"),
        ({"dose": 60, "changed_on": None}, "changed_on"),
        ({"dose": 60, "unit": "cups", "changed_on": date(2026, 2, 1)}, "unit"),
        ({"dose": 60, "frequency": "often", "changed_on": date(2026, 2, 1)}, "frequency"),
    ],
)
def test_a_bad_dose_change_stores_nothing(pat, kwargs, field):
    first = create(pat, started_on=date(2026, 1, 5))
    with pytest.raises(MedicationInputError) as raised:
        medication_course_change_dose(course=first, **kwargs)
    assert field in raised.value.errors
    first.refresh_from_db()
    assert first.stopped_on is None
    assert MedicationCourse.objects.count() == 1


def test_a_stopped_medicine_cannot_change_dose_later(pat):
    first = create(pat, started_on=date(2026, 1, 5), stopped_on=date(2026, 1, 10))
    with pytest.raises(MedicationInputError) as raised:
        medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 1, 20))
    assert "changed_on" in raised.value.errors
    # the day after the last day continues the course
    second = medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 1, 11))
    assert second.previous_course_id == first.pk


def test_a_dose_can_be_changed_only_once(pat):
    first = create(pat, started_on=date(2026, 1, 5))
    medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 2, 1))
    with pytest.raises(MedicationInputError) as raised:
        medication_course_change_dose(course=first, dose=90, changed_on=date(2026, 2, 1))
    assert "non_field_errors" in raised.value.errors
    assert MedicationCourse.objects.count() == 2


def test_a_dose_change_is_one_transaction(pat, monkeypatch):
    first = create(pat, started_on=date(2026, 1, 5))

    def fail(patient_id):
        raise RuntimeError("broker exploded")

    monkeypatch.setattr(services, "patient_data_changed", fail)
    with pytest.raises(RuntimeError):
        medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 2, 1))

    first.refresh_from_db()
    assert first.stopped_on is None
    assert MedicationCourse.objects.count() == 1


def test_an_edit_cannot_make_doses_overlap(pat):
    first = create(pat, started_on=date(2026, 1, 5))
    second = medication_course_change_dose(course=first, dose=60, changed_on=date(2026, 2, 1))

    with pytest.raises(MedicationInputError) as raised:
        medication_course_update(course=first, changes={"stopped_on": None})
    assert "stopped_on" in raised.value.errors
    with pytest.raises(MedicationInputError) as raised:
        medication_course_update(course=second, changes={"started_on": "2026-01-31"})
    assert "started_on" in raised.value.errors
    first.refresh_from_db()
    assert first.stopped_on == date(2026, 1, 31)
