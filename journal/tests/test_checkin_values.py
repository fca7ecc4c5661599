import pytest

from journal.instruments import InstrumentError
from journal.instruments.checkin import clean_entry_values

VALID = {"pain": 6, "fatigue": 8, "sleep_quality": 3, "cognition": 7, "mood": 4}


def test_it_fills_defaults_and_orders_codes():
    cleaned = clean_entry_values(
        {**VALID, "pain_regions": ["neck", "jaw_left", "neck"], "serotonin_symptoms": ["fever"]}
    )
    assert cleaned == {
        **VALID,
        "pain_regions": ["jaw_left", "neck"],
        "serotonin_symptoms": ["fever"],
        "self_harm_thoughts": False,
        "notes": "",
    }


@pytest.mark.parametrize("value", [0, 10])
def test_it_accepts_scale_edges(value):
    assert clean_entry_values({**VALID, "pain": value})["pain"] == value


def test_partial_checks_only_given_fields():
    assert clean_entry_values({"mood": 2}, partial=True) == {"mood": 2}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"pain": 11}, "pain", "from 0 to 10"),
        ({"mood": -1}, "mood", "from 0 to 10"),
        ({"fatigue": 5.5}, "fatigue", "whole number"),
        ({"fatigue": 5.0}, "fatigue", "whole number"),
        ({"cognition": "5"}, "cognition", "whole number"),
        ({"sleep_quality": True}, "sleep_quality", "whole number"),
        ({"sleep_quality": None}, "sleep_quality", "whole number"),
        ({"pain_regions": ["knee"]}, "pain_regions", "Unknown code"),
        ({"pain_regions": "neck"}, "pain_regions", "list"),
        ({"serotonin_symptoms": ["headache"]}, "serotonin_symptoms", "Unknown code"),
        ({"self_harm_thoughts": "yes"}, "self_harm_thoughts", "true or false"),
        ({"self_harm_thoughts": 1}, "self_harm_thoughts", "true or false"),
        ({"notes": 5}, "notes", "text"),
        ({"notes": "x" * 5001}, "notes", "under 5000"),
        ({"weather": "rain"}, "weather", "not part"),
    ],
)
def test_it_refuses_bad_values(change, field, fragment):
    with pytest.raises(InstrumentError) as caught:
        clean_entry_values({**VALID, **change})
    assert any(fragment in message for message in caught.value.errors[field]), caught.value.errors


@pytest.mark.parametrize("missing", list(VALID))
def test_every_scale_is_required(missing):
    with pytest.raises(InstrumentError) as caught:
        clean_entry_values({k: v for k, v in VALID.items() if k != missing})
    assert caught.value.errors == {missing: ["This field is required."]}
