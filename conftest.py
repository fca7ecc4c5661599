"""Shared fixtures: the personas of STYLE.md and real-service guards.

Pat (patient) shares her record with Cleo (verified clinician). Uma is a verified clinician with
no link. Rex was linked but Pat revoked him. Val is a clinician awaiting verification who holds an
active link. Sam is another patient. Ada is the administrator.
"""

import os
import socket
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CareLink, CareLinkStatus, ClinicianProfile, PatientProfile, Role, User

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixture


def _services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _require_postgres_in_ci(django_db_setup, django_db_blocker):
    """With REQUIRE_SERVICES=1 the suite must run on PostgreSQL, never silently on SQLite."""
    from django.db import connection

    if _services_required() and connection.vendor != "postgresql":
        pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL.")


@pytest.fixture
def require_redis():
    """Skip a test that needs Redis when it is not there, unless REQUIRE_SERVICES=1 (then fail)."""
    url = os.environ.get("REDIS_URL", "")
    if not url or not _reachable(url, 6379):
        message = "This test needs a reachable Redis at REDIS_URL."
        if _services_required():
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def require_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        message = "This test needs PostgreSQL (set DATABASE_URL)."
        if _services_required():
            pytest.fail(message)
        pytest.skip(message)


def _frozen_instant() -> datetime | None:
    """FREEZE_CLOCK=2026-11-28T03:30:00Z runs every test as if it started at that instant (UTC).

    `make test-clock` reruns the tests marked `clock` at 03:30 and 23:30 UTC, the hours where a
    patient in America/New_York (or Asia/Tokyo) lives on another calendar day than the server.
    """
    value = os.environ.get("FREEZE_CLOCK", "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    """Travel to FREEZE_CLOCK (when set) for the whole test, fixtures included; the clock ticks.

    Requested before every other function fixture (autouse, defined first in the root conftest),
    so personas, links and entries are created at the frozen instant too. A test marked
    `real_clock` starts another process (a real Celery worker) that would live at the real time
    while the test wrote rows "due" at the frozen one: it stays on the real clock.
    """
    moment = _frozen_instant()
    if moment is None or request.node.get_closest_marker("real_clock") is not None:
        yield None
        return
    import time_machine

    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _drug_catalog_present(request, django_db_blocker):
    """Every test starts with the catalog that the data migration promises.

    A transactional test ends by emptying every table, the catalog included; whichever test
    runs after it (in any order, on any xdist worker) gets the catalog reloaded here.
    """
    uses_database = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_database and request.node.get_closest_marker("django_db") is None:
        return
    from medications.catalog import catalog_load
    from medications.models import Drug

    with django_db_blocker.unblock():
        if not Drug.objects.exists():
            catalog_load(Drug)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (accounts/ratelimits.py) live in the cache, keyed by address: every
    test client is 127.0.0.1, so without this a test's sign-ups would count against the next
    test's. Only a process-local cache is cleared, never a shared Redis."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request in Spanish leaves Spanish active in
    the thread that served it (Django does not switch back), so without this a later test that
    calls gettext outside a request read Spanish or English depending on which tests ran before
    it on the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests hash with MD5 (production stays Argon2-first)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_patient(email, name, dob=None, tz="America/New_York"):
    user = User.objects.create_user(
        email=email, password=PASSWORD, role=Role.PATIENT, full_name=name
    )
    PatientProfile.objects.create(user=user, date_of_birth=dob, timezone=tz)
    return user


def make_clinician(email, name, verified=True):
    user = User.objects.create_user(
        email=email, password=PASSWORD, role=Role.CLINICIAN, full_name=name
    )
    ClinicianProfile.objects.create(user=user, verified_at=timezone.now() if verified else None)
    return user


def link(patient, clinician, status=CareLinkStatus.ACTIVE):
    return CareLink.objects.create(
        patient=patient,
        clinician=clinician,
        status=status,
        activated_at=timezone.now(),
        revoked_at=timezone.now() if status == CareLinkStatus.REVOKED else None,
    )


@pytest.fixture
def pat(db):
    from datetime import date

    return make_patient("pat@example.com", "Pat Patient", dob=date(1980, 5, 17))


@pytest.fixture
def sam(db):
    from datetime import date

    return make_patient("sam@example.com", "Sam Other", dob=date(1990, 1, 2))


@pytest.fixture
def cleo(db, pat):
    clinician = make_clinician("cleo@example.com", "Cleo Linked")
    link(pat, clinician)
    return clinician


@pytest.fixture
def uma(db):
    return make_clinician("uma@example.com", "Uma Unlinked")


@pytest.fixture
def rex(db, pat):
    clinician = make_clinician("rex@example.com", "Rex Revoked")
    link(pat, clinician, status=CareLinkStatus.REVOKED)
    return clinician


@pytest.fixture
def val(db, pat):
    clinician = make_clinician("val@example.com", "Val Unverified", verified=False)
    link(pat, clinician)
    return clinician


@pytest.fixture
def ada(db):
    return User.objects.create_superuser(
        email="ada@example.com", password=PASSWORD, full_name="Ada"
    )


@pytest.fixture
def personas(pat, sam, cleo, uma, rex, val, ada):
    return {"pat": pat, "sam": sam, "cleo": cleo, "uma": uma, "rex": rex, "val": val, "ada": ada}


def api_client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api_client():
    """Factory: api_client(user) -> an APIClient authenticated as `user` (None: anonymous)."""
    return api_client_for


@pytest.fixture
def client_for(client):
    """Factory: client_for(user) -> a Django test client logged in as `user`."""
    from django.test import Client

    def make(user=None):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
