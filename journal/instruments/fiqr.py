"""Revised Fibromyalgia Impact Questionnaire (Bennett et al., Arthritis Res Ther 2009).

21 items scored 0-10 in three domains: function (9), overall impact (2), symptoms (10).
Total = function sum / 3 + overall sum + symptoms sum / 2, range 0-100.
One missing function item is allowed: the function sum is scaled by 9 / answered.
Two or more missing function items, or any missing overall or symptom item, make
the response invalid (docs/clinical-rules.md#fiqr).
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, cast

from django.utils.translation import gettext_noop

from journal.instruments.errors import (
    ErrorCollector,
    check_item_list,
    reject_unknown_keys,
    require_mapping,
)

ITEM_MIN = 0
ITEM_MAX = 10
FUNCTION_ITEMS = 9
OVERALL_ITEMS = 2
SYMPTOM_ITEMS = 10
MAX_MISSING_FUNCTION_ITEMS = 1

# Severity bands of Salaffi et al., Rheumatology 2020, not Bennett 2009
# (docs/clinical-rules.md#fiqr): (highest total, band), ascending.
BANDS: tuple[tuple[float, str], ...] = (
    (23.0, "remission"),
    (40.0, "mild"),
    (63.0, "moderate"),
    (82.0, "severe"),
    (100.0, "very_severe"),
)
BAND_LABELS = {
    "remission": gettext_noop("Remission"),
    "mild": gettext_noop("Mild"),
    "moderate": gettext_noop("Moderate"),
    "severe": gettext_noop("Severe"),
    "very_severe": gettext_noop("Very severe"),
}

FUNCTION_QUESTIONS: tuple[str, ...] = (
    gettext_noop("Brush or comb your hair"),
    gettext_noop("Walk continuously for 20 minutes"),
    gettext_noop("Prepare a homemade meal"),
    gettext_noop("Vacuum, scrub or sweep floors"),
    gettext_noop("Lift and carry a bag full of groceries"),
    gettext_noop("Climb one flight of stairs"),
    gettext_noop("Change bed sheets"),
    gettext_noop("Sit in a chair for 45 minutes"),
    gettext_noop("Go shopping for groceries"),
)
OVERALL_QUESTIONS: tuple[str, ...] = (
    gettext_noop("Fibromyalgia prevented me from accomplishing goals for the week"),
    gettext_noop("I was completely overwhelmed by my fibromyalgia symptoms"),
)
SYMPTOM_QUESTIONS: tuple[str, ...] = (
    gettext_noop("Your level of pain"),
    gettext_noop("Your level of energy"),
    gettext_noop("Your level of stiffness"),
    gettext_noop("The quality of your sleep"),
    gettext_noop("Your level of depression"),
    gettext_noop("Your level of memory problems"),
    gettext_noop("Your level of anxiety"),
    gettext_noop("Your level of tenderness to touch"),
    gettext_noop("Your level of balance problems"),
    gettext_noop("Your level of sensitivity to loud noises, bright lights, odors and cold"),
)


def band_for(total: float) -> str:
    for highest, name in BANDS:
        if total <= highest:
            return name
    return BANDS[-1][1]


def _one_decimal(value: Fraction) -> float:
    # Round half up on the exact value; float round() would round 0.25 down.
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def score(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``{"function": [9], "overall": [2], "symptoms": [10]}`` (null = missing).

    Returns ``{"total", "function", "overall", "symptoms", "band"}`` rounded to 1 decimal.
    """
    answers = require_mapping(answers)
    errors = ErrorCollector()
    reject_unknown_keys(answers, {"function", "overall", "symptoms"}, errors)
    function = check_item_list(
        answers.get("function"),
        field="function",
        label="Function question",
        count=FUNCTION_ITEMS,
        low=ITEM_MIN,
        high=ITEM_MAX,
        allow_missing=True,
        errors=errors,
    )
    overall = check_item_list(
        answers.get("overall"),
        field="overall",
        label="Overall impact question",
        count=OVERALL_ITEMS,
        low=ITEM_MIN,
        high=ITEM_MAX,
        allow_missing=False,
        errors=errors,
    )
    symptoms = check_item_list(
        answers.get("symptoms"),
        field="symptoms",
        label="Symptom question",
        count=SYMPTOM_ITEMS,
        low=ITEM_MIN,
        high=ITEM_MAX,
        allow_missing=False,
        errors=errors,
    )
    if function is not None:
        missing = sum(1 for item in function if item is None)
        if missing > MAX_MISSING_FUNCTION_ITEMS:
            errors.add(
                "function",
                f"{missing} function questions are unanswered; "
                f"at most {MAX_MISSING_FUNCTION_ITEMS} may be left blank.",
            )
    errors.raise_if_any()

    # Valid from here on: the lists are full, and only function items may be missing.
    answered = [item for item in cast(list[int | None], function) if item is not None]
    function_sum = Fraction(sum(answered) * FUNCTION_ITEMS, len(answered))
    function_score = function_sum / 3
    overall_score = Fraction(sum(cast(list[int], overall)))
    symptom_score = Fraction(sum(cast(list[int], symptoms)), 2)
    total = _one_decimal(function_score + overall_score + symptom_score)
    return {
        "total": total,
        "function": _one_decimal(function_score),
        "overall": _one_decimal(overall_score),
        "symptoms": _one_decimal(symptom_score),
        "band": band_for(total),
    }
