"""Pure scoring of the patient questionnaires (no Django imports).

Each module exposes ``score(answers: dict) -> dict`` and raises
:class:`~journal.instruments.errors.InstrumentError` with field messages on bad input.
"""

from journal.instruments.errors import InstrumentError

__all__ = ["InstrumentError"]
