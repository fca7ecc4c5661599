"""The API's input serializers validate with the journal's pure cleaners: same values, same
messages as the check-in and questionnaire pages (which reach them through journal.services)."""

import json

import pytest

from journal.instruments import InstrumentError
from journal.instruments.checkin import clean_entry_values
from journal.serializers import DATE_MESSAGE, EntryWriteSerializer, QuestionnaireWriteSerializer
from journal.tests.helpers import FIQR_VALID, VALID_ENTRY


def errors_of(serializer) -> dict:
    assert not serializer.is_valid()
    return json.loads(json.dumps(serializer.errors))


@pytest.mark.parametrize(
    "change",
    [
        {"pain": "6"},  # a string is not a whole number, even one that looks like it
        {"mood": 11},
        {"fatigue": True},
        {"pain_regions": ["elbow"]},
        {"self_harm_thoughts": "yes"},
        {"notes": 5},
        {"unknown": 1},
    ],
)
def test_entry_errors_are_the_cleaners(change):
    body = {**VALID_ENTRY, **change}
    with pytest.raises(InstrumentError) as raised:
        clean_entry_values(body)
    assert errors_of(EntryWriteSerializer(data=body)) == raised.value.errors


def test_entry_values_are_the_cleaners_and_echoed_output_fields_are_ignored():
    body = {**VALID_ENTRY, "pain_regions": ["neck", "hip_left"], "id": 7, "patient": 3}
    serializer = EntryWriteSerializer(data=body)
    assert serializer.is_valid()
    assert serializer.validated_data == clean_entry_values(
        {**VALID_ENTRY, "pain_regions": ["neck", "hip_left"]}
    )


@pytest.mark.parametrize(
    ("body", "partial", "errors"),
    [
        ({**VALID_ENTRY, "date": "10/03/2026"}, False, {"date": [DATE_MESSAGE]}),
        ({"date": None}, True, {"date": [DATE_MESSAGE]}),
        (["not", "an", "object"], False, {"non_field_errors": ["Expected a JSON object."]}),
    ],
)
def test_entry_shape_errors(body, partial, errors):
    assert errors_of(EntryWriteSerializer(data=body, partial=partial)) == errors


def test_a_null_date_on_create_means_today():
    serializer = EntryWriteSerializer(data={**VALID_ENTRY, "date": None})
    assert serializer.is_valid()
    assert "date" not in serializer.validated_data


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"instrument": ["This field is required."], "answers": ["This field is required."]}),
        (
            {"instrument": "bdi", "answers": {}},
            {"instrument": ["Choose one of: phq9, fiqr, acr2016."]},
        ),
        (
            {"instrument": "fiqr", "answers": {**FIQR_VALID, "function": [None, None] + [5] * 7}},
            {
                "answers": {
                    "function": [
                        "2 function questions are unanswered; at most 1 may be left blank."
                    ]
                }
            },
        ),
        (
            {"instrument": "phq9", "answers": []},
            {"answers": ["Answers must be an object of named fields."]},
        ),
    ],
)
def test_questionnaire_errors_come_from_the_scorers(body, errors):
    assert errors_of(QuestionnaireWriteSerializer(data=body)) == errors
