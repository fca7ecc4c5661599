"""Closed-loop HTTP load on real gunicorn (production settings) over a seeded PostgreSQL database.

1. Database: `<DATABASE_URL name>_bench` on DATABASE_URL's server (or --database-url), migrated
   and seeded once with `seed_demo --patients 500 --days 365`; reused when already seeded.
2. Server: gunicorn with gunicorn.conf.py (gthread; --workers/--threads), DEBUG=0, a random
   SECRET_KEY, plain HTTP on 127.0.0.1 (SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0), MFA_REQUIRED=0
   so the demo clinician signs in with a password. Settings module bench.settings_http = the
   portal's settings plus `/bench/floor`, a constant response behind the same middleware (the
   framework floor; /healthz is not one: it opens a Redis connection per call). With REDIS_URL
   set, a Celery worker evaluates alerts as in production; without it they run in the request.
3. Load: --clients threads (3/4 patients, 1/4 clinicians), each signed in once, then requests
   back to back for --seconds. Patients: check-in (POST), history, add a medicine (POST), the
   medicines page, stop it (POST). Clinicians: dashboard, a patient record, the alert queue.
   Everyone: the floor. Prints requests/s, p50/p95/p99 per route, errors and page/floor ratios.
4. Invariants after the queue drains: no duplicate open alerts, one entry per patient-day, one
   notification per alert and clinician (when alerts.Notification exists).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal [REDIS_URL=redis://...]
     .venv/bin/python bench/bench_http.py [--clients 40] [--seconds 60] [--patients 500]
Exit status 1 on any error or broken invariant.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Where progress lines go (print, or a test's collector).
Out = Callable[[str], object]
BENCH_PASSWORD = "bench-http-password-2026"
CLINICIAN_EMAIL = "clinician@example.org"
P95_TARGET_MS = 300
FLOOR_RATIO_TARGET = 6
FLOOR = "floor"
PATIENT_ROUTES = ["checkin", "history", "medicine_add", "medicines", "medicine_stop"]
CLINICIAN_ROUTES = ["dashboard", "record", "alert_queue"]
STOP_LINK = re.compile(r"/patient/medications/(\d+)/stop/")
# gunicorn.conf.py's access_log_format: '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" \d+ \S+ (?P<ms>\d+)ms')
SERVER_ROUTES = [
    ("GET", re.compile(r"/bench/floor$"), FLOOR),
    ("POST", re.compile(r"/patient/checkin/$"), "checkin"),
    ("GET", re.compile(r"/patient/history/$"), "history"),
    ("POST", re.compile(r"/patient/medications/$"), "medicine_add"),
    ("GET", re.compile(r"/patient/medications/$"), "medicines"),
    ("POST", re.compile(r"/patient/medications/\d+/stop/$"), "medicine_stop"),
    ("GET", re.compile(r"/clinician/$"), "dashboard"),
    ("GET", re.compile(r"/clinician/patients/\d+/$"), "record"),
    ("GET", re.compile(r"/clinician/alerts/$"), "alert_queue"),
]


def server_times(lines: Iterable[str]) -> dict[str, list[float]]:
    """Time each request spent in gunicorn (no queueing before it), by route, from access lines."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in lines:
        match = ACCESS_LINE.search(line)
        if match is None:
            continue
        for method, pattern, route in SERVER_ROUTES:
            if match["method"] == method and pattern.match(match["path"]):
                times[route].append(float(match["ms"]))
                break
    return times


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def bench_database_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_http needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.strip("/") or "portal"
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}_bench", parts.query, ""))


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_TASK_ALWAYS_EAGER", "REDIS_URL", "DATABASE_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings_http",
            "ENV_FILE": "",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "MFA_REQUIRED": "0",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            # One account signs in from many threads at once; never lock it out.
            "AXES_FAILURE_LIMIT": "1000",
        }
    )
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def _manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, check=True
    )


def prepare_database(database_url: str, *, patients: int, days: int, out: Out = print) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.strip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            out(f"created database {name}")
    environment = server_environment(database_url, "")
    environment["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    environment["CELERY_TASK_ALWAYS_EAGER"] = "1"
    _manage(environment, "migrate", "--noinput", "-v", "0")
    with psycopg.connect(urlunsplit(("postgresql", *parts[1:]))) as connection:
        seeded = (
            connection.execute(
                "SELECT count(*) FROM accounts_user WHERE email LIKE 'synthetic-%%'"
            ).fetchone()
            or (0,)
        )[0]
    if seeded >= patients:
        out(f"reusing {name}: {seeded} synthetic patients already seeded")
        return
    started = time.perf_counter()
    _manage(
        environment,
        "seed_demo",
        "--patients",
        str(patients - seeded),
        "--days",
        str(days),
    )
    _manage(
        environment,
        "shell",
        "-c",
        "from django.db import connection as c; c.cursor().execute('ANALYZE')",
    )
    took = time.perf_counter() - started
    out(f"seeded {patients - seeded} patients x {days} days in {took:.0f} s")


def setup_django(database_url: str) -> None:
    os.environ.update(server_environment(database_url, ""))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()


def bench_accounts(patients: int) -> tuple[list[str], list[int]]:
    """Emails of `patients` synthetic patients given the bench password; every patient id."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    emails = list(
        User.objects.filter(email__startswith="synthetic-")
        .order_by("email")
        .values_list("email", flat=True)[:patients]
    )
    User.objects.filter(email__in=emails).update(password=make_password(BENCH_PASSWORD))
    patient_ids = list(
        User.objects.filter(email__startswith="synthetic-").values_list("pk", flat=True)
    )
    return emails, patient_ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    environment: dict[str, str], *, port: int, workers: int, threads: int, access_log: Path
) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--threads", str(threads), "--access-logfile", str(access_log)]
    command += ["portal.wsgi:application"]
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command, cwd=ROOT, env=environment, start_new_session=True
    )


def start_worker(environment: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency=1"]
    command += ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/bench/floor", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /bench/floor")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []
        self.measuring = False
        self.server: dict[str, list[float]] = {}

    def add(self, route: str, elapsed_ms: float, ok: bool, detail: str) -> None:
        if not self.measuring:
            return
        with self.lock:
            self.times[route].append(elapsed_ms)
            if not ok:
                self.errors[route] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{route}: {detail}")


class Client:
    """One signed-in browser-like user: a requests.Session with the CSRF cookie."""

    def __init__(
        self,
        base: str,
        email: str,
        password: str,
        recorder: Recorder,
        rng: random.Random,
        think: float = 0.0,
    ) -> None:
        self.base = base
        self.recorder = recorder
        self.rng = rng
        self.think = think
        self.session = requests.Session()
        self.session.get(f"{base}/accounts/login/", timeout=30)
        response = self.session.post(
            f"{base}/accounts/login/",
            data={"username": email, "password": password, **self._csrf()},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign-in of a bench user answered {response.status_code}")

    def _csrf(self) -> dict[str, str]:
        return {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken") or ""}

    def request(
        self, route: str, method: str, path: str, expect: int, data: dict[str, str] | None = None
    ) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                f"{self.base}{path}",
                data={**data, **self._csrf()} if data is not None else None,
                allow_redirects=False,
                timeout=30,
            )
            status, body = response.status_code, response.text
        except requests.RequestException as error:
            status, body = 0, type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        self.recorder.add(route, elapsed, status == expect, f"{method} -> {status or body}")
        if self.think:
            # A person reads the page before the next click: half to one and a half times the
            # mean think time (--think), drawn from the client's own seeded generator.
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))
        return status, body

    def floor(self) -> None:
        self.request(FLOOR, "GET", "/bench/floor", 200)


class PatientClient(Client):
    def cycle(self) -> None:
        rng = self.rng
        # A day in the last two weeks, never "today" (no future date whatever the time zones).
        day = (datetime.now(UTC) - timedelta(days=rng.randint(1, 14))).date()
        scales = {n: str(rng.randint(2, 8)) for n in ("pain", "fatigue", "sleep_quality")}
        scales.update({"cognition": str(rng.randint(2, 8)), "mood": str(rng.randint(3, 8))})
        self.request(
            "checkin", "POST", "/patient/checkin/", 302, {"date": day.isoformat(), **scales}
        )
        self.request("history", "GET", f"/patient/history/?days={rng.choice((30, 90, 365))}", 200)
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        self.request(
            "medicine_add",
            "POST",
            "/patient/medications/",
            302,
            {
                "drug": "vitamin D",
                "dose": "1000",
                "unit": "IU",
                "frequency": "daily",
                "started_on": yesterday,
            },
        )
        _, page = self.request("medicines", "GET", "/patient/medications/", 200)
        ids = [int(pk) for pk in STOP_LINK.findall(page)]
        if ids:
            newest = max(ids)
            self.request(
                "medicine_stop",
                "POST",
                f"/patient/medications/{newest}/stop/",
                302,
                {f"stop-{newest}-stopped_on": yesterday},
            )
        self.floor()


class ClinicianClient(Client):
    def __init__(self, *args: Any, patient_ids: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient_ids = patient_ids

    def cycle(self) -> None:
        self.request("dashboard", "GET", "/clinician/", 200)
        patient = self.rng.choice(self.patient_ids)
        self.request("record", "GET", f"/clinician/patients/{patient}/", 200)
        self.request("alert_queue", "GET", "/clinician/alerts/", 200)
        self.floor()


def run_load(
    base: str,
    *,
    clients: int,
    seconds: float,
    warmup: float,
    patient_emails: Sequence[str],
    patient_ids: Sequence[int],
    recorder: Recorder,
    access_log: Path,
    think: float = 0.0,
    out: Out = print,
) -> float:
    clinicians = max(1, clients // 4)
    patients = clients - clinicians
    stop_event = threading.Event()
    ready = threading.Barrier(clients + 1)
    failures: list[str] = []

    def worker(index: int) -> None:
        rng = random.Random(index)
        client: Client
        try:
            if index < patients:
                client = PatientClient(
                    base, patient_emails[index], BENCH_PASSWORD, recorder, rng, think
                )
            else:
                client = ClinicianClient(
                    base,
                    CLINICIAN_EMAIL,
                    "portal-demo-2026",
                    recorder,
                    rng,
                    think,
                    patient_ids=patient_ids,
                )
        except Exception as error:  # sign-in failed: report, and release the barrier
            failures.append(f"client {index}: {error}")
            ready.wait()
            return
        ready.wait()
        while not stop_event.is_set():
            client.cycle()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    if failures:
        stop_event.set()
        raise RuntimeError("; ".join(failures))
    out(f"{patients} patients and {clinicians} clinicians signed in; warm-up {warmup} s")
    time.sleep(warmup)
    recorder.measuring = True
    log_start = access_log.stat().st_size
    started = time.perf_counter()
    time.sleep(seconds)
    recorder.measuring = False
    elapsed = time.perf_counter() - started
    log_end = access_log.stat().st_size
    with access_log.open("rb") as log:
        log.seek(log_start)
        recorder.server = server_times(
            log.read(log_end - log_start).decode(errors="replace").splitlines()
        )
    stop_event.set()
    for thread in threads:
        thread.join(60)
    return elapsed


def report(recorder: Recorder, elapsed: float, out: Out = print) -> dict[str, dict]:
    rows = {}
    floor_p50 = None
    if recorder.times.get(FLOOR):
        floor_p50 = statistics.median(recorder.times[FLOOR])
    server_floor = statistics.median(recorder.server[FLOOR]) if recorder.server.get(FLOOR) else None
    total = sum(len(v) for v in recorder.times.values())
    out(
        "\nclient-side times include waiting for a free gunicorn thread; 'server' is the time "
        "inside gunicorn (access log)"
    )
    out(
        f"{'route':<14}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}{'p50/floor':>11}{'server p50':>12}{'/floor':>8}"
    )
    for route in [FLOOR, *PATIENT_ROUTES, *CLINICIAN_ROUTES]:
        times = sorted(recorder.times.get(route, []))
        if not times:
            continue
        p50 = statistics.median(times)
        row: dict[str, Any] = {
            "n": len(times),
            "rps": len(times) / elapsed,
            "p50": p50,
            "p95": _percentile(times, 0.95),
            "p99": _percentile(times, 0.99),
            "max": times[-1],
            "errors": recorder.errors.get(route, 0),
            "ratio": p50 / floor_p50 if floor_p50 else None,
            "server_p50": None,
            "server_ratio": None,
        }
        if recorder.server.get(route):
            row["server_p50"] = statistics.median(recorder.server[route])
            if server_floor:
                row["server_ratio"] = row["server_p50"] / server_floor
        rows[route] = row
        ratio = f"{row['ratio']:.1f}x" if row["ratio"] is not None else "-"
        server = f"{row['server_p50']:.0f}" if row["server_p50"] is not None else "-"
        server_ratio = f"{row['server_ratio']:.1f}x" if row["server_ratio"] is not None else "-"
        out(
            f"{route:<14}{row['n']:>7}{row['rps']:>8.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{row['p99']:>9.1f}{row['max']:>9.0f}{row['errors']:>8}{ratio:>11}"
            f"{server:>12}{server_ratio:>8}"
        )
    errors = sum(recorder.errors.values())
    out(
        f"total: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, {errors} errors"
    )
    for example in recorder.examples:
        out(f"  error: {example}")
    return rows


def wait_for_queue(redis_url: str, timeout: float = 120, out: Out = print) -> None:
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.llen("celery") == 0:
            time.sleep(2)  # the last task taken may still be running
            return
        time.sleep(1)
    out(f"warning: {client.llen('celery')} tasks still queued after {timeout:.0f} s")


def check_invariants(out: Out = print) -> list[str]:
    """Each check names a rule and counts the rows that break it (0 = holds)."""
    from django.apps import apps
    from django.db import connection

    checks = {
        "duplicate open alerts (patient, dedupe_key)": (
            "SELECT count(*) FROM (SELECT patient_id, dedupe_key FROM alerts_alert "
            "WHERE status <> 'resolved' GROUP BY 1, 2 HAVING count(*) > 1) d"
        ),
        "more than one entry per patient-day": (
            "SELECT count(*) FROM (SELECT patient_id, date FROM journal_dailyentry "
            "GROUP BY 1, 2 HAVING count(*) > 1) d"
        ),
    }
    try:
        notification = apps.get_model("alerts", "Notification")
    except LookupError:
        out("alerts.Notification does not exist here: notification check skipped")
    else:
        columns = {f.column for f in notification._meta.concrete_fields}
        # An escalation notifies again on purpose: count per reason when the model records one.
        extra = [c for c in ("kind", "reason", "event_id") if c in columns]
        group = ", ".join(["alert_id", "recipient_id", "channel", *extra])
        checks["more than one notification per alert and clinician"] = (
            f"SELECT count(*) FROM (SELECT {group} FROM {notification._meta.db_table} "  # noqa: S608
            f"GROUP BY {group} HAVING count(*) > 1) d"
        )
    broken = []
    with connection.cursor() as cursor:
        for name, sql in checks.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            out(f"invariant: {name}: {count}")
            if count:
                broken.append(name)
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds each client waits after a response before its next request "
        "(0: back to back, which saturates the machine whatever the page costs)",
    )
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    database_url = args.database_url or bench_database_url(os.environ.get("DATABASE_URL", ""))
    redis_url = os.environ.get("REDIS_URL", "")
    prepare_database(database_url, patients=args.patients, days=args.days)
    setup_django(database_url)
    clients = max(2, args.clients)
    patient_emails, patient_ids = bench_accounts(clients)

    environment = server_environment(database_url, redis_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = []
    if redis_url:
        subprocess.run(  # noqa: S603 - fixed arguments: drop tasks left by an earlier run
            [sys.executable, "-m", "celery", "-A", "portal", "purge", "-f"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            check=False,
        )
        processes.append(start_worker(environment))
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    access_log = workdir / "access.log"
    access_log.touch()
    processes.append(
        start_server(
            environment,
            port=port,
            workers=args.workers,
            threads=args.threads,
            access_log=access_log,
        )
    )
    recorder = Recorder()
    try:
        wait_until_up(base)
        print(
            f"gunicorn gthread {args.workers} x {args.threads} threads, DEBUG=0, "
            f"{'Celery worker on ' + redis_url if redis_url else 'alerts evaluated in-request'}; "
            f"{clients} clients for {args.seconds:.0f} s, "
            + (f"think time {args.think:g} s (mean)" if args.think else "no think time")
        )
        elapsed = run_load(
            base,
            clients=clients,
            seconds=args.seconds,
            warmup=args.warmup,
            patient_emails=patient_emails,
            patient_ids=patient_ids,
            recorder=recorder,
            access_log=access_log,
            think=args.think,
        )
        rows = report(recorder, elapsed)
        print(
            f"load average (1 min) after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        wait_for_queue(redis_url)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)
    broken = check_invariants()
    slow = [r for r, row in rows.items() if row["p95"] > P95_TARGET_MS]
    # The ratio target is about the work a page does, so it is judged on server time (no queue).
    heavy = [
        r
        for r in ("dashboard", "record", "alert_queue")
        if r in rows and (rows[r]["server_ratio"] or rows[r]["ratio"] or 0) > FLOOR_RATIO_TARGET
    ]
    print(
        f"targets: 0 errors ({'met' if not sum(recorder.errors.values()) else 'MISSED'}), "
        f"p95 <= {P95_TARGET_MS} ms ({'met' if not slow else 'MISSED: ' + ', '.join(slow)}), "
        f"clinician pages server p50 <= {FLOOR_RATIO_TARGET}x floor "
        f"({'met' if not heavy else 'MISSED: ' + ', '.join(heavy)})"
    )
    return 1 if sum(recorder.errors.values()) or broken else 0


if __name__ == "__main__":
    sys.exit(main())
