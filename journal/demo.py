"""Demo journal data for `seed_demo`: deterministic, realistic, idempotent.

The demo "patient" has 90 days of fibromyalgia check-ins (pain 5-7, high fatigue) with a slow
mood decline over the last three weeks to about 2-3, PHQ-9 every 14 days rising 7 -> 21 (so
rules M2 and M3 fire for the clinician), FIQR monthly and one ACR 2016. Self-harm is never
ticked and PHQ-9 item 9 stays 0: the demo must not show crisis alerts. Today is left empty so
a new user can try the check-in. "patient2" gets 30 days of steadier check-ins.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from accounts.changes import patient_data_changed
from accounts.models import User
from core.timezones import patient_today, patient_zone
from journal.instruments import acr2016, fiqr, phq9
from journal.instruments.codes import WPI_REGIONS
from journal.models import DailyEntry, Instrument, QuestionnaireResponse

MAIN_DAYS = 90
DECLINE_DAYS = 21
SECOND_DAYS = 30
# Days before today of each PHQ-9 and its total: +5 (M2) then crossing 20 (M3) at the end.
PHQ9_SCHEDULE = ((85, 7), (71, 8), (57, 8), (43, 9), (29, 11), (15, 16), (1, 21))
FIQR_SCHEDULE = ((80, 5), (50, 6), (20, 7))  # days before today, typical item level
ACR_DAYS_AGO = 60
USUAL_REGIONS = (
    "neck",
    "upper_back",
    "lower_back",
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "hip_left",
    "hip_right",
    "upper_leg_left",
    "upper_leg_right",
    "upper_arm_left",
    "lower_leg_right",
)
NOTES = (
    "Flare after the grocery run.",
    "Rested most of the afternoon.",
    "Short walk, felt okay.",
    "Hard to concentrate at work.",
    "Woke up stiff and sore.",
    "",
)


def _clamp(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, round(value)))


def _main_entry(patient: User, day: date, days_ago: int, rng: random.Random) -> DailyEntry:
    # Steady around 6, then a linear decline to ~2.5 over the last three weeks.
    mood_base = 2.5 + 3.5 * (days_ago / DECLINE_DAYS) if days_ago < DECLINE_DAYS else 6.0
    regions = [code for code in USUAL_REGIONS if rng.random() < 0.75]
    return DailyEntry(
        patient=patient,
        date=day,
        pain=_clamp(rng.uniform(5, 7.4)),
        fatigue=_clamp(rng.uniform(7, 9.4)),
        sleep_quality=_clamp(rng.uniform(2, 5)),
        cognition=_clamp(rng.uniform(5, 8)),
        mood=_clamp(mood_base + rng.uniform(-0.6, 0.6), low=2 if days_ago < 3 else 1),
        pain_regions=[code for code in WPI_REGIONS if code in regions],
        serotonin_symptoms=[],
        self_harm_thoughts=False,
        notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
    )


def _second_entry(patient: User, day: date, rng: random.Random) -> DailyEntry:
    return DailyEntry(
        patient=patient,
        date=day,
        pain=_clamp(rng.uniform(3, 5)),
        fatigue=_clamp(rng.uniform(5, 7)),
        sleep_quality=_clamp(rng.uniform(4, 6)),
        cognition=_clamp(rng.uniform(3, 6)),
        mood=_clamp(rng.uniform(5, 7)),
        pain_regions=["neck", "upper_back", "lower_back", "hip_left", "hip_right"],
        serotonin_symptoms=[],
        self_harm_thoughts=False,
        notes="",
    )


def _phq9_items(total: int) -> list[int]:
    """Nine answers with the given total, item 9 kept at 0."""
    items = [0] * 9
    remaining = total
    index = 0
    while remaining > 0:
        if items[index] < 3:
            items[index] += 1
            remaining -= 1
        index = (index + 1) % 8
    return items


def _response(
    patient: User, instrument: str, answers: dict[str, Any], day: date
) -> QuestionnaireResponse:
    scorer = {"phq9": phq9.score, "fiqr": fiqr.score, "acr2016": acr2016.score}[instrument]
    completed_at = datetime.combine(day, time(18, 30), tzinfo=patient_zone(patient))
    return QuestionnaireResponse(
        patient=patient,
        instrument=instrument,
        answers=answers,
        score=scorer(answers),
        completed_at=completed_at,
    )


def _main_responses(patient: User, today: date, rng: random.Random) -> list[QuestionnaireResponse]:
    responses = [
        _response(
            patient, Instrument.PHQ9, {"items": _phq9_items(total)}, today - timedelta(days=ago)
        )
        for ago, total in PHQ9_SCHEDULE
    ]
    for ago, level in FIQR_SCHEDULE:
        answers = {
            "function": [_clamp(level + rng.uniform(-1, 1)) for _ in range(9)],
            "overall": [_clamp(level + rng.uniform(-1, 1)) for _ in range(2)],
            "symptoms": [_clamp(level + 1 + rng.uniform(-1, 1)) for _ in range(10)],
        }
        responses.append(_response(patient, Instrument.FIQR, answers, today - timedelta(days=ago)))
    acr_answers = {
        "regions": [code for code in WPI_REGIONS if code in USUAL_REGIONS],
        "fatigue": 3,
        "waking_unrefreshed": 3,
        "cognitive": 2,
        "headaches": True,
        "lower_abdominal_pain": False,
        "depression": True,
        "duration_3_months": True,
    }
    responses.append(
        _response(patient, Instrument.ACR2016, acr_answers, today - timedelta(days=ACR_DAYS_AGO))
    )
    return responses


@transaction.atomic
def seed(*, users: dict[str, Any], today: date) -> None:
    rng = random.Random(20260101)  # deterministic demo
    main = users.get("patient")
    if main is not None:
        # The server's date may be ahead of the patient's; never write a future day.
        local_today = min(today, patient_today(main))
        changed = False
        if not DailyEntry.objects.filter(patient=main).exists():
            DailyEntry.objects.bulk_create(
                _main_entry(main, local_today - timedelta(days=ago), ago, rng)
                for ago in range(MAIN_DAYS, 0, -1)
            )
            changed = True
        if not QuestionnaireResponse.objects.filter(patient=main).exists():
            QuestionnaireResponse.objects.bulk_create(_main_responses(main, local_today, rng))
            changed = True
        if changed:
            patient_data_changed(main.pk)
    second = users.get("patient2")
    if second is not None and not DailyEntry.objects.filter(patient=second).exists():
        local_today = min(today, patient_today(second))
        DailyEntry.objects.bulk_create(
            _second_entry(second, local_today - timedelta(days=ago), rng)
            for ago in range(SECOND_DAYS, 0, -1)
        )
        patient_data_changed(second.pk)
