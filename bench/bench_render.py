"""In-process server time of the clinician pages against the framework floor.

Seeds a throw-away test database (DATABASE_URL's server; run it against PostgreSQL) with one
verified clinician and `--patients` linked patients (`clinic.population.seed_population`, every
patient with open alerts so the queue shows a full page), then requests the dashboard, a patient
record and the alert queue with Django's test Client, interleaved with two floors behind the same
middleware: `floor` (a constant "ok", as in bench/bench_http.py) and `floor-template` (a trivial
template extending nothing). Requests alternate round-robin, so machine load weighs on every
route alike; the page/floor ratios are the figure to compare between runs, not the raw ms.

Prints per route the median wall ms, the median CPU ms of this process (time not spent waiting
for PostgreSQL) and the ratio of the medians to the floor. `--profile PAGE` prints a cProfile
of those pages (comma-separated) instead (top functions by cumulative time).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_render.py
     [--patients 200] [--days 365] [--repeats 30] [--profile dashboard]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:  # Django is set up in main(), after sys.path
    from django.test import Client
    from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 5
FLOOR_RATIO_TARGET = 6
FLOOR_TEMPLATE = "{% if user.is_authenticated %}ok{% endif %}"


def _floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def _floor_template(request: HttpRequest) -> HttpResponse:
    from django.template import engines

    template = engines["django"].from_string(FLOOR_TEMPLATE)
    return HttpResponse(template.render({"user": request.user}, request))


def _urlpatterns() -> list[URLPattern | URLResolver]:
    from django.urls import path

    from portal.urls import urlpatterns

    return [
        path("bench/floor", _floor),
        path("bench/floor-template", _floor_template),
        *urlpatterns,
    ]


class _URLConf:
    """A ROOT_URLCONF object: the portal's routes plus the two floors."""

    def __init__(self) -> None:
        self.urlpatterns = _urlpatterns()


def _seed(patients: int, days: int) -> tuple[Client, dict[str, str]]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import ClinicianProfile, Role, User
    from clinic.population import seed_population

    clinician = User.objects.create_user(
        email="bench-render@example.invalid", role=Role.CLINICIAN, full_name="Bench Render"
    )
    ClinicianProfile.objects.create(user=clinician, verified_at=timezone.now())
    started = time.perf_counter()
    seed_population(clinician=clinician, patients=patients, days=days, alert_rate=1.0)
    print(f"seeded {patients} patients x {days} days in {time.perf_counter() - started:.1f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    probe = User.objects.filter(care_links_as_patient__clinician=clinician).order_by("pk")[0]
    client = Client()
    client.force_login(clinician)
    return client, {
        "floor": "/bench/floor",
        "floor-template": "/bench/floor-template",
        "dashboard": "/clinician/",
        "patient record": f"/clinician/patients/{probe.pk}/",
        "alert queue": "/clinician/alerts/",
    }


def _get(client: Client, url: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, secure=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return wall * 1000, cpu * 1000


def measure(client: Client, urls: dict[str, str], repeats: int) -> dict[str, tuple[float, float]]:
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in urls}
    for round_ in range(WARMUP + repeats):
        for name, url in urls.items():
            wall, cpu = _get(client, url)
            if round_ >= WARMUP:
                samples[name][0].append(wall)
                samples[name][1].append(cpu)
    results = {
        name: (statistics.median(walls), statistics.median(cpus))
        for name, (walls, cpus) in samples.items()
    }
    floor_wall, floor_cpu = results["floor"]
    print(f"\n{'route':<16}{'wall ms':>9}{'/floor':>8}{'cpu ms':>9}{'/floor':>8}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<16}{wall:>9.2f}{wall / floor_wall:>8.1f}{cpu:>9.2f}{cpu / floor_cpu:>8.1f}")
    worst = max(results[n][0] / floor_wall for n in urls if not n.startswith("floor"))
    verdict = "OK" if worst <= FLOOR_RATIO_TARGET else "ABOVE TARGET"
    print(f"worst page/floor (wall): {worst:.1f} (target <= {FLOOR_RATIO_TARGET}): {verdict}")
    return results


def profile(client: Client, url: str, repeats: int) -> None:
    import cProfile
    import pstats

    for _ in range(WARMUP):
        _get(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        _get(client, url)
    profiler.disable()
    lines = int(os.environ.get("PROFILE_LINES", "45"))
    order = os.environ.get("PROFILE_SORT", "cumulative")
    pstats.Stats(profiler).sort_stats(order).print_stats(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--profile", default="")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")  # no HTTPS redirect for the in-process client
    os.environ.setdefault("MFA_REQUIRED", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.urls import clear_url_caches, set_urlconf

    settings.DEBUG = False  # no per-query logging in the timings; cached template loader
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROOT_URLCONF = _URLConf()
    clear_url_caches()
    set_urlconf(None)
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor}")
        client, urls = _seed(args.patients, args.days)
        if args.profile:
            for name in args.profile.split(","):
                print(f"\n=== {name}")
                profile(client, urls[name], args.repeats)
            return 0
        measure(client, urls, args.repeats)
        return 0
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
