"""Bad input as data: one exception type every layer raises and every boundary shows.

Pure Python (no Django imports) so the pure modules (`journal/instruments/`, cleaners) can raise
it. A service raises `FieldErrors({"dose": ["The dose must be more than 0."]})`; the API's one
exception handler (core/api_errors.py) answers 400 with exactly that body, and a page puts the
messages on its form with `add_to_form`. Domain errors (InstrumentError, MedicationInputError,
PeriodError) subclass it, so callers catch one type.
"""

from collections.abc import Iterable, Mapping
from typing import Protocol

NON_FIELD = "non_field_errors"  # DRF's and Django's key for errors about the whole input


class _Form(Protocol):
    @property
    def fields(self) -> Mapping[str, object]: ...

    def add_error(self, field: str | None, error: str) -> None: ...


class FieldErrors(ValueError):
    """Invalid input. ``errors`` maps a field name to a list of plain messages."""

    def __init__(self, errors: Mapping[str, Iterable[str]]) -> None:
        self.errors: dict[str, list[str]] = {str(f): list(msgs) for f, msgs in errors.items()}
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary or "Invalid input.")

    def add_to_form(self, form: _Form) -> None:
        """Show the messages on a Django form; a field the form lacks becomes a form error."""
        for field, messages in self.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
