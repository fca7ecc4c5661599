"""2016 revision of the ACR fibromyalgia diagnostic criteria (Wolfe et al., Semin Arthritis
Rheum 2016); docs/clinical-rules.md#acr-2016-criteria.

- Widespread Pain Index (WPI, 0-19): painful sites among the 19 codes of codes.WPI_REGIONS.
- Symptom Severity Scale (SSS, 0-12): fatigue + waking unrefreshed + cognitive symptoms
  (each 0-3) + 1 each for headaches, lower abdominal pain or cramps, depression (past 6 months).
- Generalized pain: pain in at least 4 of the 5 regions; jaw, chest and abdomen do not count.
- Criteria met: generalized pain, symptoms for at least 3 months, and
  (WPI >= 7 and SSS >= 5) or (4 <= WPI <= 6 and SSS >= 9).
- Polysymptomatic distress (PSD) = WPI + SSS (0-31).
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_noop

from journal.instruments.codes import (
    NOT_COUNTED_FOR_GENERALIZED_PAIN,
    WPI_REGION_GROUP_OF,
    WPI_REGION_LABELS,
)
from journal.instruments.errors import (
    ErrorCollector,
    check_int_in_range,
    reject_unknown_keys,
    require_mapping,
)

SEVERITY_FIELDS: tuple[str, ...] = ("fatigue", "waking_unrefreshed", "cognitive")
SEVERITY_MIN = 0
SEVERITY_MAX = 3
YES_NO_SYMPTOM_FIELDS: tuple[str, ...] = ("headaches", "lower_abdominal_pain", "depression")
DURATION_FIELD = "duration_3_months"
FIELDS: tuple[str, ...] = ("regions", *SEVERITY_FIELDS, *YES_NO_SYMPTOM_FIELDS, DURATION_FIELD)

GENERALIZED_PAIN_MIN_REGIONS = 4
WPI_HIGH = 7  # WPI >= 7 with SSS >= 5
SSS_WITH_HIGH_WPI = 5
WPI_MID_LOW, WPI_MID_HIGH = 4, 6  # 4 <= WPI <= 6 with SSS >= 9
SSS_WITH_MID_WPI = 9

SEVERITY_QUESTIONS = {
    "fatigue": gettext_noop("Fatigue"),
    "waking_unrefreshed": gettext_noop("Waking unrefreshed"),
    "cognitive": gettext_noop("Trouble thinking or remembering"),
}
SEVERITY_CHOICES: tuple[tuple[int, str], ...] = (
    (0, gettext_noop("No problem")),
    (1, gettext_noop("Slight or mild problems; generally mild or intermittent")),
    (2, gettext_noop("Moderate; considerable problems; often present and/or at a moderate level")),
    (3, gettext_noop("Severe; pervasive, continuous, life-disturbing problems")),
)
YES_NO_QUESTIONS = {
    "headaches": gettext_noop("Headaches"),
    "lower_abdominal_pain": gettext_noop("Pain or cramps in the lower abdomen"),
    "depression": gettext_noop("Depression"),
}
DURATION_QUESTION = gettext_noop(
    "Have these symptoms been present at a similar level for at least 3 months?"
)


def _yes_no(value: object) -> bool | None:
    # JSON true/false; 0/1 accepted as the same answer from simple clients.
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    return None


def score(answers: Mapping[str, Any]) -> dict[str, Any]:
    answers = require_mapping(answers)
    errors = ErrorCollector()
    reject_unknown_keys(answers, FIELDS, errors)

    regions = answers.get("regions")
    valid_regions: list[str] = []
    if regions is None:
        errors.add("regions", gettext_noop("This field is required (an empty list means no pain)."))
    elif not isinstance(regions, list | tuple):
        errors.add("regions", gettext_noop("Must be a list of body region codes."))
    else:
        seen: set[str] = set()
        for code in regions:
            if not isinstance(code, str) or code not in WPI_REGION_LABELS:
                errors.add("regions", f"Unknown body region: {code!r}.")
            elif code in seen:
                errors.add("regions", f"Body region listed twice: {code}.")
            else:
                seen.add(code)
                valid_regions.append(code)

    severity: dict[str, int] = {}
    for field in SEVERITY_FIELDS:
        if field not in answers:
            errors.add(field, gettext_noop("This field is required."))
            continue
        message = check_int_in_range(answers[field], low=SEVERITY_MIN, high=SEVERITY_MAX)
        if message:
            errors.add(field, message)
        else:
            severity[field] = answers[field]

    yes_no: dict[str, bool] = {}
    for field in (*YES_NO_SYMPTOM_FIELDS, DURATION_FIELD):
        if field not in answers:
            errors.add(field, gettext_noop("This field is required."))
            continue
        value = _yes_no(answers[field])
        if value is None:
            errors.add(field, gettext_noop("Must be true or false."))
        else:
            yes_no[field] = value
    errors.raise_if_any()

    wpi = len(valid_regions)
    sss = sum(severity.values()) + sum(1 for field in YES_NO_SYMPTOM_FIELDS if yes_no[field])
    painful_groups = {
        WPI_REGION_GROUP_OF[code]
        for code in valid_regions
        if code not in NOT_COUNTED_FOR_GENERALIZED_PAIN
    }
    generalized_pain = len(painful_groups) >= GENERALIZED_PAIN_MIN_REGIONS
    severity_met = (wpi >= WPI_HIGH and sss >= SSS_WITH_HIGH_WPI) or (
        WPI_MID_LOW <= wpi <= WPI_MID_HIGH and sss >= SSS_WITH_MID_WPI
    )
    return {
        "wpi": wpi,
        "sss": sss,
        "psd": wpi + sss,
        "generalized_pain": generalized_pain,
        "meets_criteria": generalized_pain and yes_no[DURATION_FIELD] and severity_met,
    }
