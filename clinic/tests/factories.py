"""Small builders for clinic tests (real rows, no mocks); drugs and courses: tests/builders.py."""

from datetime import UTC, date, datetime, time, timedelta

from alerts.models import SEVERITY_RANK, Alert, AlertEvent
from journal.instruments import fiqr, phq9
from journal.models import DailyEntry, QuestionnaireResponse
from tests.builders import course as course  # re-exported: the clinic tests call f.course


def entries(patient, today: date, moods, pains=None, *, start_offset=0):
    """One entry per day ending `start_offset` days before today; moods[-1] is the latest."""
    pains = pains or [5] * len(moods)
    rows = []
    n = len(moods)
    for i, (mood, pain) in enumerate(zip(moods, pains, strict=True)):
        day = today - timedelta(days=start_offset + n - 1 - i)
        rows.append(
            DailyEntry(
                patient=patient,
                date=day,
                pain=pain,
                fatigue=5,
                sleep_quality=5,
                cognition=5,
                mood=mood,
            )
        )
    DailyEntry.objects.bulk_create(rows)
    return rows


def phq9_response(patient, items, on: date):
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="phq9",
        answers={"items": items},
        score=phq9.score({"items": items}),
        completed_at=datetime.combine(on, time(12), tzinfo=UTC),
    )


def fiqr_response(patient, value: int, on: date):
    answers = {"function": [value] * 9, "overall": [value] * 2, "symptoms": [value] * 10}
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="fiqr",
        answers=answers,
        score=fiqr.score(answers),
        completed_at=datetime.combine(on, time(12), tzinfo=UTC),
    )


def acr_response(patient, on: date):
    answers = {
        "regions": [
            "shoulder_girdle_left",
            "shoulder_girdle_right",
            "hip_left",
            "hip_right",
            "neck",
            "lower_back",
            "upper_arm_left",
        ],
        "fatigue": 3,
        "waking_unrefreshed": 2,
        "cognitive": 2,
        "headaches": True,
        "lower_abdominal_pain": False,
        "depression": True,
        "duration_3_months": True,
    }
    from journal.instruments import acr2016

    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="acr2016",
        answers=answers,
        score=acr2016.score(answers),
        completed_at=datetime.combine(on, time(12), tzinfo=UTC),
    )


def alert(patient, severity="high", status="open", kind="mood_worsening", key=None, title=None):
    a = Alert.objects.create(
        patient=patient,
        kind=kind,
        severity=severity,
        severity_rank=SEVERITY_RANK[severity],
        status=status,
        title=title or f"{kind} ({severity})",
        details={"explanation": "Test evidence."},
        dedupe_key=key or f"{kind}-{severity}-{status}-{Alert.objects.count()}",
    )
    AlertEvent.objects.create(alert=a, kind="created")
    return a
