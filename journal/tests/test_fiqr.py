import pytest

from journal.instruments import InstrumentError, fiqr


def answers(function=None, overall=None, symptoms=None):
    return {
        "function": [0] * 9 if function is None else function,
        "overall": [0] * 2 if overall is None else overall,
        "symptoms": [0] * 10 if symptoms is None else symptoms,
    }


@pytest.mark.parametrize(
    ("function", "overall", "symptoms", "expected"),
    [
        # all zero / all ten: the range ends 0 and 100
        (
            [0] * 9,
            [0, 0],
            [0] * 10,
            {"total": 0.0, "function": 0.0, "overall": 0.0, "symptoms": 0.0},
        ),
        (
            [10] * 9,
            [10, 10],
            [10] * 10,
            {"total": 100.0, "function": 30.0, "overall": 20.0, "symptoms": 50.0},
        ),
        # function sum 45 / 3 = 15, overall 10, symptoms 50 / 2 = 25
        (
            [5] * 9,
            [5, 5],
            [5] * 10,
            {"total": 50.0, "function": 15.0, "overall": 10.0, "symptoms": 25.0},
        ),
        # function sum 1 / 3 = 0.333..., symptoms 1 / 2 = 0.5 -> total 0.8333 -> 0.8
        (
            [1] + [0] * 8,
            [0, 0],
            [1] + [0] * 9,
            {"total": 0.8, "function": 0.3, "overall": 0.0, "symptoms": 0.5},
        ),
        # function 2 / 3 = 0.666... -> 0.7; total 0.6667 + 0.5 = 1.1667 -> 1.2
        (
            [2] + [0] * 8,
            [0, 0],
            [1] + [0] * 9,
            {"total": 1.2, "function": 0.7, "overall": 0.0, "symptoms": 0.5},
        ),
        # function 0, overall 3, symptoms 5/2 = 2.5 -> 5.5 exactly
        (
            [0] * 9,
            [1, 2],
            [5] + [0] * 9,
            {"total": 5.5, "function": 0.0, "overall": 3.0, "symptoms": 2.5},
        ),
    ],
)
def test_it_scores_the_three_domains(function, overall, symptoms, expected):
    result = fiqr.score(answers(function, overall, symptoms))
    assert {key: result[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("function", "expected_function"),
    [
        # one missing: 8 answered summing 8*6=48, scaled 48 * 9/8 = 54, /3 = 18
        ([None] + [6] * 8, 18.0),
        ([6] * 8 + [None], 18.0),
        # one missing, uneven: answered sum 7 over 8 -> 7 * 9 / 8 = 7.875 / 3 = 2.625 -> 2.6
        ([None, 1, 1, 1, 1, 1, 1, 0, 1], 2.6),
        # none missing: unscaled
        ([6] * 9, 18.0),
    ],
)
def test_it_scales_one_missing_function_item(function, expected_function):
    result = fiqr.score(answers(function=function))
    assert result["function"] == expected_function
    assert result["total"] == expected_function


def test_it_rounds_half_up():
    # answered sum 6 over 8 items -> 6 * 9 / 8 / 3 = 2.25 exactly; half-up gives 2.3 (round() 2.2)
    result = fiqr.score(answers(function=[None, 1, 1, 1, 1, 1, 1, 0, 0]))
    assert result["function"] == 2.3
    assert result["total"] == 2.3


def test_missing_function_item_scaling_feeds_the_exact_total():
    # function answered sum 7 over 8 -> 7.875 / 3 = 2.625; + symptoms 1 / 2 = 0.5 -> 3.125 -> 3.1
    result = fiqr.score(answers(function=[None, 1, 1, 1, 1, 1, 1, 0, 1], symptoms=[1] + [0] * 9))
    assert result["total"] == 3.1


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0.0, "remission"),
        (23.0, "remission"),
        (23.1, "mild"),
        (40.0, "mild"),
        (40.1, "moderate"),
        (63.0, "moderate"),
        (63.1, "severe"),
        (82.0, "severe"),
        (82.1, "very_severe"),
        (100.0, "very_severe"),
    ],
)
def test_it_bands_every_edge(total, band):
    assert fiqr.band_for(total) == band


def test_score_carries_the_band():
    assert fiqr.score(answers(function=[10] * 9, overall=[10, 10], symptoms=[10] * 10))["band"] == (
        "very_severe"
    )


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (
            answers(function=[None, None] + [5] * 7),
            "function",
            "2 function questions are unanswered",
        ),
        (answers(function=[None] * 9), "function", "9 function questions are unanswered"),
        (answers(overall=[None, 5]), "overall", "Overall impact question 1 is missing"),
        (answers(symptoms=[5] * 9 + [None]), "symptoms", "Symptom question 10 is missing"),
        (answers(function=[5] * 8), "function", "exactly 9"),
        (answers(overall=[5] * 3), "overall", "exactly 2"),
        (answers(symptoms=[5] * 11), "symptoms", "exactly 10"),
        (answers(function=[11] + [5] * 8), "function", "from 0 to 10"),
        (answers(symptoms=[-1] + [5] * 9), "symptoms", "from 0 to 10"),
        (answers(overall=[5.5, 5]), "overall", "whole number"),
        (answers(overall=[5.0, 5]), "overall", "whole number"),
        (answers(overall=["5", 5]), "overall", "whole number"),
        (answers(overall=[False, 5]), "overall", "whole number"),
        ({"function": [0] * 9, "overall": [0, 0]}, "symptoms", "required"),
        ({**answers(), "total": 99}, "total", "not part"),
        ("function", "answers", "object"),
    ],
)
def test_it_refuses_bad_answers(data, field, fragment):
    with pytest.raises(InstrumentError) as caught:
        fiqr.score(data)
    assert field in caught.value.errors
    assert any(fragment in message for message in caught.value.errors[field]), caught.value.errors
