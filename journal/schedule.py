"""When a questionnaire is due (pure; no Django imports).

PHQ-9 every 14 days and FIQR every 30 days (issue 3; the PHQ-9 asks about the last
two weeks, Kroenke 2001); ACR 2016 is on demand and never "due".
"""

from dataclasses import dataclass
from datetime import date, timedelta

INTERVAL_DAYS: dict[str, int] = {"phq9": 14, "fiqr": 30}


@dataclass(frozen=True, slots=True)
class Due:
    instrument: str
    due_on: date  # first day it is due
    last_completed_on: date | None

    def is_due(self, today: date) -> bool:
        return self.due_on <= today


def schedule(last_completed: dict[str, date | None], today: date) -> list[Due]:
    """One Due per scheduled instrument; never taken means due today."""
    result = []
    for instrument, interval in INTERVAL_DAYS.items():
        last = last_completed.get(instrument)
        due_on = today if last is None else last + timedelta(days=interval)
        result.append(Due(instrument=instrument, due_on=due_on, last_completed_on=last))
    return result
