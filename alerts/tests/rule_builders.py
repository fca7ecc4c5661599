"""Small builders for the pure rule tests (no Django)."""

from datetime import date, timedelta

from alerts.rules.facts import EntryFacts, PatientSnapshot, Phq9Facts
from medications.interactions import CourseFacts
from tests.builders import drug_facts

TODAY = date(2026, 6, 15)

# The drugs these tests know by name (facts from the catalog); any other name is free text.
DRUGS = {
    name: drug_facts(name)
    for name in (
        "sertraline",
        "fluoxetine",
        "duloxetine",
        "tramadol",
        "trazodone",
        "mirtazapine",
        "cyclobenzaprine",
        "phenelzine",
        "pregabalin",
        "ibuprofen",
    )
}


def day(offset: int) -> date:
    """TODAY + offset days (offset -1 is yesterday)."""
    return TODAY + timedelta(days=offset)


def course(name: str, started: int, stopped: int | None = None) -> CourseFacts:
    """A course of a catalog drug (or free text when unknown) by day offsets from TODAY."""
    return CourseFacts(
        name=name,
        drug=DRUGS.get(name),
        started_on=day(started),
        stopped_on=None if stopped is None else day(stopped),
    )


def entries(moods_by_offset: dict[int, int], first_id: int = 1) -> tuple[EntryFacts, ...]:
    return tuple(
        EntryFacts(id=first_id + i, date=day(offset), mood=mood)
        for i, (offset, mood) in enumerate(sorted(moods_by_offset.items()))
    )


def phq9(*rows: tuple[int, int] | tuple[int, int, int]) -> tuple[Phq9Facts, ...]:
    """(day offset, total[, item9]) in chronological order; ids 101, 102, ..."""
    return tuple(
        Phq9Facts(
            id=101 + i, completed_on=day(row[0]), total=row[1], item9=row[2] if len(row) > 2 else 0
        )
        for i, row in enumerate(rows)
    )


def snapshot(*, entries=(), phq9=(), courses=(), age=40, today=TODAY) -> PatientSnapshot:
    return PatientSnapshot(
        patient_id=7,
        today=today,
        age=age,
        entries=tuple(entries),
        phq9=tuple(phq9),
        courses=tuple(courses),
    )
