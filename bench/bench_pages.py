"""Server time of the clinician pages at 20 and 500 linked patients (365 days each).

Seeds a throw-away test database (DATABASE_URL's server; run it against PostgreSQL) with
`clinic.population.seed_population` (bulk inserts), then times the dashboard, a patient record,
the alert queue and the patients API in-process with Django's test Client: median and p95 of
REPEATS requests after a warm-up. Prints the ratio 500/20 of the medians, which must stay under
MAX_RATIO: a page's cost must not grow with the size of the clinician's panel.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_pages.py
     [--small 20] [--large 500] [--days 365] [--repeats 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Django is set up in main(), after sys.path
    from django.test import Client

    from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAX_RATIO = 1.2
WARMUP = 5


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _analyze() -> None:
    """Refresh planner statistics after the bulk load, as autovacuum soon would."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed


def _clinician(email: str) -> tuple[User, Client]:
    from django.test import Client
    from django.utils import timezone

    from accounts.models import ClinicianProfile, Role, User

    clinician = User.objects.create_user(email=email, role=Role.CLINICIAN, full_name=email)
    ClinicianProfile.objects.create(user=clinician, verified_at=timezone.now())
    client = Client()
    client.force_login(clinician)
    return clinician, client


def measure(
    *, small: int, large: int, days: int, repeats: int, out: Callable[[str], object] = print
) -> dict[str, Any]:
    """Needs a ready (test) database. Returns {page: {small: (med, p95), large: ..., ratio}}.

    Two clinicians share one database, one with `small` and one with `large` linked patients;
    their requests alternate, so load on the machine weighs on both sizes alike.
    """
    from accounts.models import User
    from clinic.population import seed_population

    panels = {}
    for size in (small, large):
        clinician, client = _clinician(f"bench-{size}@example.invalid")
        started = time.perf_counter()
        # Every patient has open alerts, so the queue shows a full page at both sizes.
        seed_population(clinician=clinician, patients=size, days=days, alert_rate=1.0)
        out(f"seeded {size} patients x {days} days in {time.perf_counter() - started:.1f}s")
        probe = User.objects.filter(care_links_as_patient__clinician=clinician).order_by("pk")[0]
        panels[size] = (
            client,
            {
                "dashboard": "/clinician/",
                "patient record": f"/clinician/patients/{probe.pk}/",
                "alert queue": "/clinician/alerts/",
                "patients API": "/api/v1/patients/",
            },
        )
    _analyze()
    samples: dict[tuple[str, int], list[float]] = {
        (name, size): [] for size in panels for name in panels[size][1]
    }
    for round_ in range(WARMUP + repeats):
        for name in panels[small][1]:
            for size, (client, urls) in panels.items():
                elapsed = _timed_get(client, urls[name])
                if round_ >= WARMUP:
                    samples[(name, size)].append(elapsed)
    results: dict[str, Any] = {}
    for (name, size), values in samples.items():
        results.setdefault(name, {})[size] = (
            statistics.median(values),
            _percentile(values, 0.95),
        )
    out(f"\n{'page':<16}{small:>6} med{small:>6} p95{large:>6} med{large:>6} p95  ratio")
    worst = 0.0
    for name, by_size in results.items():
        (s_med, s_p95), (l_med, l_p95) = by_size[small], by_size[large]
        ratio = l_med / s_med
        by_size["ratio"] = ratio
        worst = max(worst, ratio)
        out(f"{name:<16}{s_med:>7.1f}ms{s_p95:>7.1f}ms{l_med:>7.1f}ms{l_p95:>7.1f}ms  {ratio:.2f}")
    verdict = "OK" if worst < MAX_RATIO else "ABOVE TARGET"
    out(f"worst ratio {large}/{small}: {worst:.2f} (target < {MAX_RATIO}): {verdict}")
    results["worst_ratio"] = worst
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")  # no HTTPS redirect for the in-process client
    os.environ.setdefault("MFA_REQUIRED", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.DEBUG = False  # no per-query logging in the timings
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor}")
        results = measure(small=args.small, large=args.large, days=args.days, repeats=args.repeats)
        return 0 if results["worst_ratio"] < MAX_RATIO else 1
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
