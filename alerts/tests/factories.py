"""Row builders for the alert tests (ORM only: no triggers, no tasks)."""

from datetime import UTC, date, datetime, time, timedelta

from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from medications.models import Drug, MedicationCourse
from tests import builders

# Noon in New York (Pat's zone) on TODAY.
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)


def drug(name: str) -> Drug:
    return builders.drug(name)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def course(patient, name: str, started: int, stopped: int | None = None) -> MedicationCourse:
    """The shared builder with day offsets from TODAY."""
    return builders.course(
        patient, name, day(started), None if stopped is None else day(stopped), dose=None, unit=""
    )


def entry(patient, offset: int, mood: int = 6, **extra) -> DailyEntry:
    values = {"pain": 5, "fatigue": 5, "sleep_quality": 5, "cognition": 5, "mood": mood}
    values.update(extra)
    return DailyEntry.objects.create(patient=patient, date=day(offset), **values)


def moods(patient, by_offset: dict[int, int]) -> list[DailyEntry]:
    return [entry(patient, offset, mood) for offset, mood in sorted(by_offset.items())]


def phq9(patient, offset: int, total: int, item9: int = 0) -> QuestionnaireResponse:
    items = [0] * 9
    items[8] = item9
    remaining = total - item9
    for i in range(8):
        items[i] = min(3, remaining)
        remaining -= items[i]
    assert remaining == 0, "total not reachable"
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=Instrument.PHQ9,
        answers={"items": items},
        score={"total": total, "band": "", "item9": item9},
        completed_at=datetime.combine(day(offset), time(15, 0), tzinfo=UTC),
    )


def m5_history(patient, recent_mood: int = 3, baseline_mood: int = 6) -> None:
    """Rule M5 on TODAY: 4 recent entries 2+ points below 10 baseline entries."""
    moods(
        patient,
        {**{-i: recent_mood for i in range(4)}, **{-7 - i: baseline_mood for i in range(10)}},
    )
