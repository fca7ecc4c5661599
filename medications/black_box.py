"""The antidepressant black-box window (pure Python, no Django imports).

docs/clinical-rules.md#black-box-window: a start, a dose change (up or down) or a stop of a
drug with a suicidality warning opens a 12-week window of close monitoring. Works on the
interaction engine's CourseFacts; kept apart from the engine, which never needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medications.interactions import CourseFacts, DrugFacts, display_name

# docs/clinical-rules.md#black-box-window: FDA boxed warning, monitor closely for 12 weeks
# after a start, a dose change "either increases or decreases", or a stop (v2).
BLACK_BOX_WINDOW_DAYS = 84
# CourseFacts.dose_change: how a course that continues an earlier one (a dose change) differs.
DOSE_INCREASE = "increase"
DOSE_DECREASE = "decrease"
DOSE_CHANGE_UNKNOWN = "change"  # doses missing or not comparable (other unit or frequency)


DoseFacts = tuple[Decimal | None, str, str]  # (dose, unit, frequency) of a course


def dose_change_between(previous: DoseFacts, current: DoseFacts) -> str:
    """Direction of a dose change from (dose, unit, frequency) to (dose, unit, frequency).

    Doses are compared only in the same unit and at the same frequency; anything else is a
    change of unknown direction (still a dose change for the black-box window)."""
    (old_dose, old_unit, old_freq), (new_dose, new_unit, new_freq) = previous, current
    if old_dose is None or new_dose is None or (old_unit, old_freq) != (new_unit, new_freq):
        return DOSE_CHANGE_UNKNOWN
    if new_dose > old_dose:
        return DOSE_INCREASE
    if new_dose < old_dose:
        return DOSE_DECREASE
    return DOSE_CHANGE_UNKNOWN


@dataclass(frozen=True, slots=True)
class BlackBoxEvent:
    """What opened the black-box window: `what` is "start", DOSE_INCREASE, DOSE_DECREASE,
    DOSE_CHANGE_UNKNOWN or "stop"; `on` is its day D (for a stop, the last day taken)."""

    drug: str
    what: str
    on: date

    @property
    def reason(self) -> str:
        """Plain words for clinicians, with the label's own wording as the source."""
        name, day = display_name(self.drug), self.on.isoformat()
        subject = name[:1].upper() + name[1:]
        if self.what == "stop":
            return (
                f"{subject} (a medicine with a suicidality warning) was stopped "
                f"(last taken {day}); its label asks for close monitoring for 12 weeks after "
                "dose changes, either increases or decreases, including stopping."
            )
        if self.what in (DOSE_INCREASE, DOSE_DECREASE, DOSE_CHANGE_UNKNOWN):
            how = {
                DOSE_INCREASE: "raised",
                DOSE_DECREASE: "lowered",
                DOSE_CHANGE_UNKNOWN: "changed",
            }[self.what]
            return (
                f"The dose of {name} (a medicine with a suicidality warning) was {how} on "
                f"{day}; its label asks for close monitoring for 12 weeks after dose changes, "
                "either increases or decreases."
            )
        return (
            f"{subject} (a medicine with a suicidality warning) was started on {day}; "
            "its label asks for close monitoring for 12 weeks after starting."
        )


def warned_drugs(drug: DrugFacts | None) -> tuple[DrugFacts, ...]:
    """The drugs of a course that carry a suicidality warning: a combination product counts its
    ingredients' warnings (Symbyax: fluoxetine), and its own only when no ingredient has one
    (a product's label may warn for the combination)."""
    if drug is None:
        return ()
    warned = tuple(unit for unit in drug.ingredients if unit.suicidality_warning)
    if warned:
        return warned
    return (drug,) if drug.suicidality_warning else ()


def black_box_events(courses: Iterable[CourseFacts], on: date) -> list[BlackBoxEvent]:
    """docs/clinical-rules.md#black-box-window: every start, dose change (up or down) or stop
    of a drug with a suicidality warning on a day D with 0 <= T - D <= 84, latest first."""
    events = []
    for course in courses:
        for drug in warned_drugs(course.drug):
            events.extend(_course_events(course, drug, on))
    events.sort(key=lambda event: (event.on, event.drug), reverse=True)
    return events


def _course_events(course: CourseFacts, drug: DrugFacts, on: date) -> list[BlackBoxEvent]:
    events = []
    if 0 <= (on - course.started_on).days <= BLACK_BOX_WINDOW_DAYS:
        events.append(BlackBoxEvent(drug.name, course.dose_change or "start", course.started_on))
    stopped = course.stopped_on
    # The end of a course continued at another dose is that dose change (the next course's
    # start), not a stop.
    if (
        stopped is not None
        and not course.continued
        and 0 <= (on - stopped).days <= BLACK_BOX_WINDOW_DAYS
    ):
        events.append(BlackBoxEvent(drug.name, "stop", stopped))
    return events


def black_box_window_open(courses: Iterable[CourseFacts], on: date) -> bool:
    """docs/clinical-rules.md#black-box-window: a start, dose change or stop in 0..84 days."""
    for course in courses:
        if not warned_drugs(course.drug):
            continue
        if 0 <= (on - course.started_on).days <= BLACK_BOX_WINDOW_DAYS:
            return True
        stopped = course.stopped_on
        if (
            stopped is not None
            and not course.continued
            and 0 <= (on - stopped).days <= BLACK_BOX_WINDOW_DAYS
        ):
            return True
    return False
