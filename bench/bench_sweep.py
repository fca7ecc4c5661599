"""Throughput of the nightly alert sweep: prints patients evaluated per second.

Seeds N patients (bulk_create: ~5 weeks of daily check-ins, PHQ-9 every two weeks for 6 months,
a few medication courses, some of them risky) into a throw-away test database, then runs the
sweep task body twice: the first run creates the alerts, the second is the steady state of a
nightly run (nothing new). Uses DATABASE_URL's server (a `test_` database is created and
dropped); run it against PostgreSQL for the figure that matters.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python \
     bench/bench_sweep.py [N]
"""

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_PER_SECOND = 1_000
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "UTC")


def seed(n: int, *, today: date, seed_value: int = 7) -> list[int]:
    """Create n patients with realistic recent data. Returns their ids."""
    from accounts.models import PatientProfile, Role, User
    from journal.models import DailyEntry, Instrument, QuestionnaireResponse
    from medications.models import Drug, MedicationCourse

    rng = random.Random(seed_value)
    drugs = list(Drug.objects.all())
    if not drugs:
        raise SystemExit("The drug catalog is empty: run the migrations first.")
    serotonergic = [d for d in drugs if d.serotonergic != "none"]
    others = [d for d in drugs if d.serotonergic == "none"]
    first = User.objects.order_by("-id").values_list("id", flat=True).first() or 0
    users = User.objects.bulk_create(
        [
            User(email=f"bench{first + i}@example.invalid", role=Role.PATIENT, password="!")
            for i in range(n)
        ]
    )
    PatientProfile.objects.bulk_create(
        [
            PatientProfile(
                user=user,
                timezone=rng.choice(TIMEZONES),
                date_of_birth=date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)),
            )
            for user in users
        ]
    )
    entries, responses, courses = [], [], []
    for user in users:
        declining = rng.random() < 0.05  # M5 candidates
        low_run = rng.random() < 0.01  # M4
        for offset in range(40):
            if rng.random() > 0.8:
                continue
            mood = max(0, min(10, round(rng.gauss(6, 1.5))))
            if declining and offset < 7:
                mood = max(0, mood - 4)
            if low_run and offset < 3:
                mood = 1
            symptoms = (
                rng.sample(["agitation", "sweating", "tremor", "fever", "diarrhea"], 3)
                if rng.random() < 0.005
                else []
            )
            entries.append(
                DailyEntry(
                    patient=user,
                    date=today - timedelta(days=offset),
                    pain=rng.randint(2, 9),
                    fatigue=rng.randint(2, 9),
                    sleep_quality=rng.randint(1, 8),
                    cognition=rng.randint(1, 8),
                    mood=mood,
                    serotonin_symptoms=symptoms,
                    self_harm_thoughts=rng.random() < 0.002,
                )
            )
        base = rng.randint(3, 16)
        for k, offset in enumerate(range(5, 185, 14)):
            total = max(
                0, min(27, base + rng.randint(-3, 3) + (6 if k == 0 and rng.random() < 0.05 else 0))
            )
            item9 = 1 if rng.random() < 0.01 else 0
            responses.append(
                QuestionnaireResponse(
                    patient=user,
                    instrument=Instrument.PHQ9,
                    answers={},
                    score={"total": total, "band": "", "item9": item9},
                    completed_at=datetime.combine(
                        today - timedelta(days=offset), dtime(15), tzinfo=UTC
                    ),
                )
            )
        regimen = rng.sample(others, rng.randint(0, 2))
        if rng.random() < 0.6:
            regimen.append(rng.choice(serotonergic))
        if rng.random() < 0.15:
            regimen.append(rng.choice(serotonergic))
        for drug in regimen:
            started = today - timedelta(days=rng.randint(0, 400))
            stopped = None if rng.random() < 0.7 else started + timedelta(days=rng.randint(10, 60))
            courses.append(
                MedicationCourse(
                    patient=user, drug=drug, name=drug.name, started_on=started, stopped_on=stopped
                )
            )
    DailyEntry.objects.bulk_create(entries, batch_size=5000)
    QuestionnaireResponse.objects.bulk_create(responses, batch_size=5000)
    MedicationCourse.objects.bulk_create(courses, batch_size=5000)
    return [user.pk for user in users]


def run_sweep() -> tuple[int, float]:
    """The nightly sweep as one process runs it (eagerly: batch after batch), timed."""
    from alerts import tasks

    started = time.perf_counter()
    evaluated = tasks.sweep_all()
    return evaluated, time.perf_counter() - started


def _worker(batches: list[list[int]]) -> int:
    from django.db import connections

    from alerts import services

    connections.close_all()  # never share the parent's connection
    evaluated = sum(services.sync_alerts_batch(patient_ids=b).evaluated for b in batches)
    connections.close_all()
    return evaluated


def run_sweep_parallel(processes: int) -> tuple[int, float]:
    """The same batches shared by `processes` worker processes, as a Celery pool would."""
    import multiprocessing

    from django.db import connections

    from alerts import selectors, tasks

    batches = list(tasks._batches(selectors.all_patient_profiles()))
    connections.close_all()
    shares = [batches[i::processes] for i in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        evaluated = sum(pool.map(_worker, shares))
    return evaluated, time.perf_counter() - started


def _report(label: str, evaluated: int, seconds: float, extra: str = "") -> float:
    rate = evaluated / seconds
    print(f"{label}: {evaluated} patients in {seconds:.2f}s = {rate:,.0f} patients/s {extra}")
    return rate


def main(n: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)  # tasks run eagerly, in this process
    import logging

    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from alerts.models import Alert

        today = datetime.now(UTC).date()
        t0 = time.perf_counter()
        seed(n, today=today)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"database: {connection.vendor}; seeded {n} patients in {time.perf_counter() - t0:.1f}s"
        )
        evaluated, seconds = run_sweep()
        created = Alert.objects.count()
        _report("first sweep, 1 process ", evaluated, seconds, f"({created} alerts created)")
        evaluated, seconds = run_sweep()
        single = _report("nightly sweep, 1 process", evaluated, seconds, "(nothing new)")
        evaluated, seconds = run_sweep_parallel(2)
        double = _report("nightly sweep, 2 processes", evaluated, seconds, "(nothing new)")
        assert Alert.objects.count() == created, "a repeated sweep must not create alerts"
        best = max(single, double)
        verdict = "OK" if best >= TARGET_PER_SECOND else "BELOW TARGET"
        print(f"target {TARGET_PER_SECOND:,} patients/s on 2 cores: {verdict}")
        return 0 if best >= TARGET_PER_SECOND else 1
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000))
