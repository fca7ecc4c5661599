"""PHQ-9 depression questionnaire (Kroenke, Spitzer & Williams, J Gen Intern Med 2001).

Nine items scored 0-3, total 0-27. No missing items are allowed: the total is only
valid with all nine answers. Item 9 asks about thoughts of being better off dead or
of self-harm; any answer above 0 triggers rule M1 (docs/clinical-rules.md#m1-self-harm-thoughts).
"""

from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext_noop

from journal.instruments.errors import (
    ErrorCollector,
    check_item_list,
    reject_unknown_keys,
    require_mapping,
)

ITEM_COUNT = 9
ITEM_MIN = 0
ITEM_MAX = 3
# The one home of the PHQ-9 facts other code uses: the severity bands (the clinician dashboard's
# filter, rule M3's severe band) and rule M1's item-9 threshold (`m1_applies`: the patient's
# crisis notice and the clinician's alert both ask it).
TOTAL_MAX = ITEM_COUNT * ITEM_MAX  # 27

# Severity bands, Kroenke 2001: (lowest total, band). Ascending.
MODERATELY_SEVERE_MIN = 15
SEVERE_MIN = 20
BANDS: tuple[tuple[int, str], ...] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (MODERATELY_SEVERE_MIN, "moderately_severe"),
    (SEVERE_MIN, "severe"),
)

# Rule M1 (docs/clinical-rules.md#m1-self-harm-thoughts): item 9 ("thoughts that you would be
# better off dead, or of hurting yourself") answered above 0 carries ~10x the one-year
# suicide-attempt risk (Simon et al., Psychiatr Serv 2013). The daily check-in asks the same
# question as a tick box.
M1_ITEM9_MIN = 1

BAND_LABELS = {
    "minimal": gettext_noop("Minimal"),
    "mild": gettext_noop("Mild"),
    "moderate": gettext_noop("Moderate"),
    "moderately_severe": gettext_noop("Moderately severe"),
    "severe": gettext_noop("Severe"),
}

QUESTIONS: tuple[str, ...] = (
    gettext_noop("Little interest or pleasure in doing things"),
    gettext_noop("Feeling down, depressed, or hopeless"),
    gettext_noop("Trouble falling or staying asleep, or sleeping too much"),
    gettext_noop("Feeling tired or having little energy"),
    gettext_noop("Poor appetite or overeating"),
    gettext_noop(
        "Feeling bad about yourself, or that you are a failure or have let yourself "
        "or your family down"
    ),
    gettext_noop(
        "Trouble concentrating on things, such as reading the newspaper or watching television"
    ),
    gettext_noop(
        "Moving or speaking so slowly that other people could have noticed, or the opposite: "
        "being so fidgety or restless that you have been moving around a lot more than usual"
    ),
    gettext_noop("Thoughts that you would be better off dead, or of hurting yourself in some way"),
)
ANSWER_CHOICES: tuple[tuple[int, str], ...] = (
    (0, gettext_noop("Not at all")),
    (1, gettext_noop("Several days")),
    (2, gettext_noop("More than half the days")),
    (3, gettext_noop("Nearly every day")),
)


def m1_applies(*, item9: int | None = None, self_harm_thoughts: bool = False) -> bool:
    """Rule M1: item 9 of a PHQ-9 at or above M1_ITEM9_MIN, or the check-in's self-harm tick.

    Pass what the source has: a PHQ-9 response's `item9`, or a daily entry's tick. The patient's
    crisis notice and the clinician's `suicidal_ideation` alert both ask this, so they agree.
    """
    return bool(self_harm_thoughts) or (item9 is not None and item9 >= M1_ITEM9_MIN)


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
