import pytest

from journal.instruments import InstrumentError, phq9


def items_summing_to(total: int, item9: int = 0) -> list[int]:
    """Nine answers 0-3 with the given total and item 9."""
    items = [0] * 9
    items[8] = item9
    remaining = total - item9
    for index in range(8):
        items[index] = min(3, remaining)
        remaining -= items[index]
    assert remaining == 0
    return items


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_bands_every_edge(total, band):
    item9 = 3 if total == 27 else 0
    result = phq9.score({"items": items_summing_to(total, item9=item9)})
    assert result == {"total": total, "band": band, "item9": item9}


@pytest.mark.parametrize("item9", [0, 1, 2, 3])
def test_it_reports_item9(item9):
    result = phq9.score({"items": [1] * 8 + [item9]})
    assert result["item9"] == item9
    assert result["total"] == 8 + item9


@pytest.mark.parametrize(
    ("answers", "field", "fragment"),
    [
        ({"items": [0] * 8}, "items", "exactly 9"),
        ({"items": [0] * 10}, "items", "exactly 9"),
        ({"items": []}, "items", "exactly 9"),
        ({"items": [0] * 8 + [4]}, "items", "Question 9"),
        ({"items": [-1] + [0] * 8}, "items", "Question 1"),
        ({"items": [0] * 8 + [None]}, "items", "Question 9 is missing"),
        ({"items": [0] * 8 + [1.0]}, "items", "whole number"),
        ({"items": [0] * 8 + [1.5]}, "items", "whole number"),
        ({"items": [0] * 8 + ["1"]}, "items", "whole number"),
        ({"items": [0] * 8 + [True]}, "items", "whole number"),
        ({"items": "000000000"}, "items", "list of 9"),
        ({"items": {"a": 1}}, "items", "list of 9"),
        ({}, "items", "required"),
        ({"items": [0] * 9, "extra": 1}, "extra", "not part"),
        ([0] * 9, "answers", "object"),
        (None, "answers", "object"),
    ],
)
def test_it_refuses_bad_answers(answers, field, fragment):
    with pytest.raises(InstrumentError) as caught:
        phq9.score(answers)
    assert field in caught.value.errors
    assert any(fragment in message for message in caught.value.errors[field])


def test_it_reports_every_bad_item_at_once():
    with pytest.raises(InstrumentError) as caught:
        phq9.score({"items": [5, 0, 0, "x", 0, 0, 0, 0, -2]})
    messages = caught.value.errors["items"]
    assert len(messages) == 3
    assert [m.split(":")[0] for m in messages] == ["Question 1", "Question 4", "Question 9"]


def test_instrument_error_is_a_value_error():
    assert issubclass(InstrumentError, ValueError)


def test_band_floors_are_the_named_thresholds():
    assert phq9.band_for(phq9.MODERATELY_SEVERE_MIN - 1) == "moderate"
    assert phq9.band_for(phq9.MODERATELY_SEVERE_MIN) == "moderately_severe"
    assert phq9.band_for(phq9.SEVERE_MIN - 1) == "moderately_severe"
    assert phq9.band_for(phq9.SEVERE_MIN) == "severe"
    assert phq9.TOTAL_MAX == 27
