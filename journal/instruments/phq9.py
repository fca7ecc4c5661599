"""PHQ-9 depression questionnaire (Kroenke, Spitzer & Williams, J Gen Intern Med 2001).

Nine items scored 0-3, total 0-27. No missing items are allowed: the total is only
valid with all nine answers. Item 9 asks about thoughts of being better off dead or
of self-harm; any answer above 0 triggers rule M1 (docs/clinical-rules.md#m1-self-harm-thoughts).
"""

from collections.abc import Mapping
from typing import Any, cast

from journal.instruments.errors import (
    ErrorCollector,
    check_item_list,
    reject_unknown_keys,
    require_mapping,
)

ITEM_COUNT = 9
ITEM_MIN = 0
ITEM_MAX = 3

# Severity bands, Kroenke 2001: (lowest total, band). Ascending.
BANDS: tuple[tuple[int, str], ...] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately_severe"),
    (20, "severe"),
)
BAND_LABELS = {
    "minimal": "Minimal",
    "mild": "Mild",
    "moderate": "Moderate",
    "moderately_severe": "Moderately severe",
    "severe": "Severe",
}

QUESTIONS: tuple[str, ...] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself "
    "or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or the opposite: "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
ANSWER_CHOICES: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)


def band_for(total: int) -> str:
    band = BANDS[0][1]
    for lowest, name in BANDS:
        if total >= lowest:
            band = name
    return band


def score(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``{"items": [9 ints 0-3]}`` -> ``{"total", "band", "item9"}``."""
    answers = require_mapping(answers)
    errors = ErrorCollector()
    reject_unknown_keys(answers, {"items"}, errors)
    items = check_item_list(
        answers.get("items"),
        field="items",
        label="Question",
        count=ITEM_COUNT,
        low=ITEM_MIN,
        high=ITEM_MAX,
        allow_missing=False,
        errors=errors,
    )
    errors.raise_if_any()
    answered = cast(list[int], items)  # valid from here on: nine whole numbers, none missing
    total = sum(answered)
    return {"total": total, "band": band_for(total), "item9": answered[8]}
