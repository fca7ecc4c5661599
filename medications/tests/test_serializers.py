"""The API's medication input serializer validates with medications.services.clean_course_values,
the cleaner behind the medicines page: same accepted values, same messages."""

import json
from datetime import date
from decimal import Decimal

import pytest

from medications.serializers import (
    ChangeDoseSerializer,
    MedicationCourseUpdateSerializer,
    MedicationCourseWriteSerializer,
)
from medications.services import MedicationInputError, clean_course_values

TODAY = date(2026, 3, 10)
VALID = {"drug": "  Zoloft ", "dose": "50", "unit": "milligrams", "started_on": "2026-03-01"}


def write(body):
    return MedicationCourseWriteSerializer(data=body, context={"today": TODAY})


def test_it_accepts_what_the_cleaner_accepts_in_its_canonical_form():
    serializer = write({**VALID, "frequency": "twice a day", "ignored": 1})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {
        "drug": "Zoloft",
        "dose": Decimal("50"),
        "unit": "mg",
        "frequency": "twice_daily",
        "started_on": date(2026, 3, 1),
        "stopped_on": None,
        "reason": "",
        "prescriber": "",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"dose": "fifty"},
        {"dose": 0},
        {"unit": "spoon"},
        {"frequency": "hourly"},
        {"started_on": "01/03/2026"},
        {"started_on": "2028-01-01"},
        {"stopped_on": "2026-02-01"},
        {"drug": ""},
        {"drug": 5},
    ],
)
def test_its_messages_are_the_cleaners(change):
    body = {**VALID, **change}
    with pytest.raises(MedicationInputError) as raised:
        clean_course_values(body, today=TODAY)
    serializer = write(body)
    assert not serializer.is_valid()
    assert json.loads(json.dumps(serializer.errors)) == raised.value.errors


def test_an_update_refuses_fields_that_cannot_change_and_ignores_echoed_ones():
    serializer = MedicationCourseUpdateSerializer(
        data={"patient": 9, "id": 3, "stopped_on": "2026-03-05", "colour": "blue"}, partial=True
    )
    assert not serializer.is_valid()
    assert serializer.errors == {"colour": ["This field cannot be changed."]}


def test_a_dose_change_passes_only_its_fields():
    serializer = ChangeDoseSerializer(data={"dose": "25", "other": 1})
    assert serializer.is_valid()
    assert serializer.validated_data == {
        "dose": "25",
        "unit": None,
        "frequency": None,
        "changed_on": None,
    }
