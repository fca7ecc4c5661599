"""Validation of the daily check-in values (docs/clinical-rules.md#daily-check-in).

Shared by the check-in page and the API so both refuse the same input with the same words.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_noop

from journal.instruments.codes import (
    SEROTONIN_SYMPTOM_LABELS,
    SEROTONIN_SYMPTOMS,
    WPI_REGION_LABELS,
    WPI_REGIONS,
)
from journal.instruments.errors import ErrorCollector, InstrumentError, check_int_in_range

SCALE_MIN = 0
SCALE_MAX = 10
NOTES_MAX_LENGTH = 5000

# Scale -> (label, word at 0, word at 10). Directions: docs/clinical-rules.md#daily-check-in.
SCALES: dict[str, tuple[str, str, str]] = {
    "pain": (gettext_noop("Pain"), gettext_noop("No pain"), gettext_noop("Worst pain")),
    "fatigue": (
        gettext_noop("Tiredness"),
        gettext_noop("Full of energy"),
        gettext_noop("Exhausted"),
    ),
    "sleep_quality": (
        gettext_noop("Sleep last night"),
        gettext_noop("Very poor"),
        gettext_noop("Very good"),
    ),
    "cognition": (
        gettext_noop("Brain fog"),
        gettext_noop("Clear head"),
        gettext_noop("Very foggy"),
    ),
    "mood": (gettext_noop("Mood"), gettext_noop("Very low"), gettext_noop("Very good")),
}
LIST_FIELDS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "pain_regions": (WPI_REGIONS, WPI_REGION_LABELS),
    "serotonin_symptoms": (SEROTONIN_SYMPTOMS, SEROTONIN_SYMPTOM_LABELS),
}
FIELDS: tuple[str, ...] = (*SCALES, *LIST_FIELDS, "self_harm_thoughts", "notes")


def _clean_codes(
    value: object, *, field: str, allowed: tuple[str, ...], errors: ErrorCollector
) -> list[str] | None:
    if not isinstance(value, list | tuple):
        errors.add(field, gettext_noop("Must be a list of codes."))
        return None
    known = set(allowed)
    chosen: set[str] = set()
    ok = True
    for code in value:
        if not isinstance(code, str) or code not in known:
            errors.add(field, f"Unknown code: {code!r}.")
            ok = False
        else:
            # Ticking the same region twice is harmless: keep it once.
            chosen.add(code)
    if not ok:
        return None
    return [code for code in allowed if code in chosen]


def clean_entry_values(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Return cleaned values (codes in canonical order) or raise InstrumentError.

    With ``partial`` only the given fields are checked (PATCH); otherwise the five scales
    are required and the lists, the safety answer and the notes default to empty.
    """
    if not isinstance(values, Mapping):
        raise InstrumentError(
            {"non_field_errors": [gettext_noop("Expected an object of named fields.")]}
        )
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for field in values:
        if field not in FIELDS:
            errors.add(str(field), gettext_noop("This field is not part of the daily check-in."))

    for field in SCALES:
        if field not in values:
            if not partial:
                errors.add(field, gettext_noop("This field is required."))
            continue
        message = check_int_in_range(values[field], low=SCALE_MIN, high=SCALE_MAX)
        if message:
            errors.add(field, message)
        else:
            cleaned[field] = values[field]

    for field, (allowed, _labels) in LIST_FIELDS.items():
        if field not in values:
            if not partial:
                cleaned[field] = []
            continue
        codes = _clean_codes(values[field], field=field, allowed=allowed, errors=errors)
        if codes is not None:
            cleaned[field] = codes

    if "self_harm_thoughts" in values:
        if isinstance(values["self_harm_thoughts"], bool):
            cleaned["self_harm_thoughts"] = values["self_harm_thoughts"]
        else:
            errors.add("self_harm_thoughts", gettext_noop("Must be true or false."))
    elif not partial:
        cleaned["self_harm_thoughts"] = False

    if "notes" in values:
        notes = values["notes"]
        if notes is None:
            notes = ""
        if not isinstance(notes, str):
            errors.add("notes", gettext_noop("Must be text."))
        elif len(notes) > NOTES_MAX_LENGTH:
            errors.add("notes", f"Please keep notes under {NOTES_MAX_LENGTH} characters.")
        else:
            cleaned["notes"] = notes
    elif not partial:
        cleaned["notes"] = ""

    errors.raise_if_any()
    return cleaned
