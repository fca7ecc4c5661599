"""A synthetic patient population for benchmarks and demos (`seed_demo --patients N --days D`).

Bulk inserts only: a few statements per table whatever N and D. Deterministic (seeded random),
clearly fake (example.invalid addresses), and every patient is linked to `clinician`.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import CareLink, CareLinkStatus, PatientProfile, Role, User
from alerts.models import SEVERITY_RANK, Alert, AlertEvent
from journal.instruments import fiqr, phq9
from journal.models import DailyEntry, QuestionnaireResponse
from medications.models import Drug, MedicationCourse

FIRST = [
    "Alex",
    "Avery",
    "Blake",
    "Cameron",
    "Casey",
    "Dana",
    "Drew",
    "Eden",
    "Emery",
    "Finley",
    "Gray",
    "Harper",
    "Jamie",
    "Jesse",
    "Jordan",
    "Kai",
    "Lane",
    "Logan",
    "Morgan",
    "Noel",
    "Parker",
    "Quinn",
    "Reese",
    "Riley",
    "Robin",
    "Rowan",
    "Sage",
    "Sky",
    "Taylor",
    "Tatum",
]
LAST = [
    "Adams",
    "Baker",
    "Brooks",
    "Carter",
    "Diaz",
    "Ellis",
    "Foster",
    "Garcia",
    "Hayes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Umar",
    "Vega",
    "Walsh",
    "Xu",
    "Young",
    "Zhou",
]
# Regimens by generic name: (name, dose mg) pairs; some combine serotonergic drugs on purpose.
REGIMENS = (
    (("duloxetine", 60),),
    (("pregabalin", 150),),
    (("sertraline", 50), ("tramadol", 50)),
    (("amitriptyline", 10),),
    (("fluoxetine", 20), ("cyclobenzaprine", 5)),
    (("milnacipran", 50),),
    (("gabapentin", 300), ("trazodone", 50)),
    (("low-dose naltrexone", 4.5),),
    (("escitalopram", 10), ("sumatriptan", 50), ("mirtazapine", 15)),
    (),
)
BATCH = 5000


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


@transaction.atomic
def seed_population(
    *,
    clinician: User,
    patients: int,
    days: int,
    today: date | None = None,
    seed: int = 7,
    alert_rate: float = 0.1,
) -> int:
    """Create `patients` linked synthetic patients with `days` days of history; returns N."""
    if patients <= 0:
        return 0
    today = today or timezone.localdate()
    rng = random.Random(seed + User.objects.count())
    start_index = User.objects.filter(email__startswith="synthetic-").count()
    password = make_password(None)  # unusable: synthetic patients never sign in
    users = [
        User(
            email=f"synthetic-{start_index + i:05d}@example.invalid",
            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            role=Role.PATIENT,
            password=password,
        )
        for i in range(patients)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    users = list(
        User.objects.filter(email__in=[u.email for u in users]).order_by("email")
    )  # ids on every backend
    now = timezone.now()
    PatientProfile.objects.bulk_create(
        [
            PatientProfile(
                user=u,
                date_of_birth=date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)),
                timezone="America/New_York",
                consented_at=now,
            )
            for u in users
        ],
        batch_size=BATCH,
    )
    CareLink.objects.bulk_create(
        [
            CareLink(patient=u, clinician=clinician, status=CareLinkStatus.ACTIVE, activated_at=now)
            for u in users
        ],
        batch_size=BATCH,
    )
    drugs = {d.name: d for d in Drug.objects.all()}
    entries, responses, courses, alerts = [], [], [], []
    for u in users:
        baseline_pain = rng.uniform(3, 7)
        baseline_mood = rng.uniform(4, 8)
        declining = rng.random() < 0.15
        adherence = rng.uniform(0.6, 1.0)
        stale_days = rng.choice((0, 0, 0, 1, 2, 9, 20)) if days > 30 else 0
        for offset in range(days - 1, stale_days - 1, -1):
            if rng.random() > adherence:
                continue
            day = today - timedelta(days=offset)
            drift = -3.0 * max(0, 10 - offset) / 10 if declining and offset < 10 else 0.0
            mood = _clamp(baseline_mood + drift + rng.gauss(0, 1))
            entries.append(
                DailyEntry(
                    patient=u,
                    date=day,
                    pain=_clamp(baseline_pain - drift / 2 + rng.gauss(0, 1.2)),
                    fatigue=_clamp(baseline_pain + rng.gauss(0, 1.5)),
                    sleep_quality=_clamp(10 - baseline_pain + rng.gauss(0, 1.5)),
                    cognition=_clamp(baseline_pain - 1 + rng.gauss(0, 1.5)),
                    mood=mood,
                    pain_regions=[],
                    serotonin_symptoms=[],
                )
            )
        for offset in range(days - 1, -1, -14):
            items = [
                min(3, max(0, round(rng.gauss(1.2 if declining else 0.8, 0.8)))) for _ in range(9)
            ]
            items[8] = 0
            when = datetime.combine(today - timedelta(days=offset), time(15), tzinfo=UTC)
            responses.append(
                QuestionnaireResponse(
                    patient=u,
                    instrument="phq9",
                    answers={"items": items},
                    score=phq9.score({"items": items}),
                    completed_at=when,
                )
            )
            if offset % 28 == 0:
                answers = {
                    "function": [rng.randint(2, 8) for _ in range(9)],
                    "overall": [rng.randint(2, 8) for _ in range(2)],
                    "symptoms": [rng.randint(2, 8) for _ in range(10)],
                }
                responses.append(
                    QuestionnaireResponse(
                        patient=u,
                        instrument="fiqr",
                        answers=answers,
                        score=fiqr.score(answers),
                        completed_at=when,
                    )
                )
        regimen = rng.choice(REGIMENS)
        for name, dose in regimen:
            drug = drugs.get(name)
            started = today - timedelta(days=rng.randint(20, max(days, 21)))
            courses.append(
                MedicationCourse(
                    patient=u, drug=drug, name=name, dose=dose, unit="mg", started_on=started
                )
            )
        if declining or rng.random() < alert_rate:
            severity = rng.choice(("critical", "high", "high", "moderate"))
            alerts.append(
                Alert(
                    patient=u,
                    kind="mood_worsening",
                    severity=severity,
                    severity_rank=SEVERITY_RANK[severity],
                    title="Mood worsening",
                    details={"explanation": "Synthetic benchmark alert."},
                    dedupe_key="mood_worsening",
                    created_at=now - timedelta(hours=rng.randint(1, 200)),
                )
            )
            if rng.random() < alert_rate / 2:
                alerts.append(
                    Alert(
                        patient=u,
                        kind="serotonergic_combination",
                        severity="moderate",
                        severity_rank=SEVERITY_RANK["moderate"],
                        title="Serotonergic combination",
                        details={"explanation": "Synthetic benchmark alert."},
                        dedupe_key="serotonergic_combination",
                        created_at=now - timedelta(hours=rng.randint(1, 200)),
                    )
                )
    DailyEntry.objects.bulk_create(entries, batch_size=BATCH)
    QuestionnaireResponse.objects.bulk_create(responses, batch_size=BATCH)
    MedicationCourse.objects.bulk_create(courses, batch_size=BATCH)
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    created = Alert.objects.filter(patient__in=users).only("pk", "created_at")
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert=a, kind="created", created_at=a.created_at) for a in created],
        batch_size=BATCH,
    )
    return len(users)
