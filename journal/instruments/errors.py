"""Validation helpers shared by the pure instrument modules."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from core.errors import FieldErrors


class InstrumentError(FieldErrors):
    """Invalid answers. ``errors`` maps a field name to a list of plain messages."""


class ErrorCollector:
    """Collects every problem before raising, so a form can show them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InstrumentError(self.errors)


def is_strict_int(value: object) -> TypeGuard[int]:
    # bool is a subclass of int; True must not pass as 1.
    return type(value) is int


def require_mapping(answers: object) -> Mapping[Any, Any]:
    if not isinstance(answers, Mapping):
        raise InstrumentError({"answers": ["Answers must be an object of named fields."]})
    return answers


def reject_unknown_keys(
    answers: Mapping[Any, Any], allowed: Iterable[str], errors: ErrorCollector
) -> None:
    allowed_set = set(allowed)
    for key in answers:
        if key not in allowed_set:
            errors.add(str(key), "This field is not part of the questionnaire.")


def check_int_in_range(value: object, *, low: int, high: int) -> str | None:
    """Return an error message, or None when value is an int in [low, high]."""
    if not is_strict_int(value):
        return f"Must be a whole number from {low} to {high}."
    if not low <= value <= high:
        return f"Must be from {low} to {high}."
    return None


def check_item_list(
    value: object,
    *,
    field: str,
    label: str,
    count: int,
    low: int,
    high: int,
    allow_missing: bool,
    errors: ErrorCollector,
) -> list[int | None] | None:
    """Validate a list of ``count`` integer items; None items only when allow_missing.

    Returns the list when it is valid, else None (messages added to ``errors``).
    """
    if value is None:
        errors.add(field, "This field is required.")
        return None
    if not isinstance(value, list | tuple):
        errors.add(field, f"Must be a list of {count} answers.")
        return None
    if len(value) != count:
        errors.add(field, f"Must have exactly {count} answers; got {len(value)}.")
        return None
    ok = True
    for index, item in enumerate(value, start=1):
        if item is None:
            if not allow_missing:
                errors.add(field, f"{label} {index} is missing.")
                ok = False
            continue
        message = check_int_in_range(item, low=low, high=high)
        if message:
            errors.add(field, f"{label} {index}: {message[0].lower()}{message[1:]}")
            ok = False
    return list(value) if ok else None
