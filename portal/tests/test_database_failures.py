"""A database that is down, unknown or hanging: 503 answers, never an HTML 500 (issue 11 §3).

Real PostgreSQL made unavailable, no mocks: the default connection is closed and pointed at a
closed port (nothing listens: connection refused), at a database that does not exist (the server
answers FATAL), or at a local TCP server that accepts and never answers (a hung database).
"""

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from conftest import PASSWORD
from portal import health
from portal.errors import UNAVAILABLE_DETAIL

pytestmark = pytest.mark.services

UNAVAILABLE_JSON = {
    "detail": "The service is temporarily unavailable. Please try again in a few minutes."
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def default_database_at(**changes):
    """Point the default connection somewhere else until the block ends (then reconnect)."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in changes}
    connection.close()
    settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(saved)


@contextmanager
def hanging_database():
    """A TCP server on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for sock in accepted:
            sock.close()
        server.close()


def unavailable_cases():
    return [
        pytest.param({"HOST": "127.0.0.1", "PORT": str(closed_port())}, id="refused"),
        pytest.param({"NAME": "portal_no_such_database"}, id="unknown-database"),
    ]


@pytest.fixture
def pat_logged_in(pat, require_postgres):
    """Pat's session and API client, made while the database was still there."""
    page = Client(raise_request_exception=False)  # as a real server: no re-raise in the test
    page.force_login(pat)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user=pat)
    return page, api


def assert_branded_503(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "<title>Temporarily unavailable · Care portal</title>" in html
    assert UNAVAILABLE_DETAIL in html
    assert 'class="site-footer' in html and 'href="tel:988"' in html  # the crisis footer
    assert "Server Error" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", unavailable_cases())
def test_api_requests_answer_503_json_while_the_database_is_unavailable(pat_logged_in, where):
    _, api = pat_logged_in
    anonymous = APIClient(raise_request_exception=False)
    with default_database_at(**where):
        listing = api.get("/api/v1/entries/")
        token = anonymous.post(
            "/api/v1/auth/token/",
            {"email": "pat@example.com", "password": PASSWORD},
            format="json",
        )
    for response in (listing, token):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "60"
        assert response.json() == UNAVAILABLE_JSON
    # The database is back: the same requests work again.
    assert api.get("/api/v1/entries/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", unavailable_cases())
def test_pages_answer_the_branded_503_page_while_the_database_is_unavailable(pat_logged_in, where):
    page, _ = pat_logged_in
    anonymous = Client(raise_request_exception=False)
    with default_database_at(**where):
        # Signed in: the session is loaded by a middleware, before any view runs.
        home = page.get("/patient/")
        # Anonymous: the login view itself queries the database.
        login = anonymous.post(
            "/accounts/login/", {"username": "pat@example.com", "password": PASSWORD}
        )
    assert_branded_503(home)
    assert_branded_503(login)
    assert 'href="/patient/checkin/"' not in home.content.decode()  # no signed-in navigation
    assert page.get("/patient/").status_code == 200


def test_other_server_errors_stay_500(client, db, settings):
    """Only database errors become 503: a bug is still a 500 (JSON on the API)."""
    from django.urls import path

    from portal import urls

    def broken(request):
        raise ValueError("a bug, not an outage")

    settings.ROOT_URLCONF = type(
        "BrokenUrls",
        (),
        {
            "urlpatterns": [
                path("api/broken/", broken),
                path("broken/", broken),
                *urls.urlpatterns,
            ],
            "handler500": urls.handler500,
        },
    )
    quiet = Client(raise_request_exception=False)
    api = quiet.get("/api/broken/")
    assert api.status_code == 500
    assert api.json() == {"detail": "Internal server error."}
    page = quiet.get("/broken/")
    assert page.status_code == 500
    assert b"temporarily unavailable" not in page.content


def test_the_503_page_renders_without_any_database(client):
    """No database fixture: pytest-django fails any query, so rendering must need none."""
    from portal.errors import service_unavailable

    request = RequestFactory().get("/patient/")
    assert_branded_503(service_unavailable(request))


@pytest.mark.django_db
def test_healthz_answers_503_within_two_seconds_when_the_database_hangs(
    client, require_postgres, settings
):
    settings.REDIS_URL = ""
    with hanging_database() as port, default_database_at(HOST="127.0.0.1", PORT=str(port)):
        started = time.monotonic()
        first = client.get("/healthz")
        first_seconds = time.monotonic() - started
        # The first check is still stuck on the hung server: the next one does not queue.
        started = time.monotonic()
        second = client.get("/healthz")
        second_seconds = time.monotonic() - started
    print(f"/healthz with a hung database: {first_seconds:.2f} s, then {second_seconds:.2f} s")
    for response, seconds in ((first, first_seconds), (second, second_seconds)):
        assert response.status_code == 503
        assert response.json() == {
            "database": "down",
            "broker": "eager",
            "notifications_failed": None,
            "status": "down",
        }
        assert seconds < 2.0
    # The hung server is gone: the stuck check ends and health comes back.
    assert health._in_flight.acquire(timeout=5)
    health._in_flight.release()
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("where", unavailable_cases())
def test_healthz_answers_503_when_the_database_is_down(client, require_postgres, settings, where):
    settings.REDIS_URL = ""
    with default_database_at(**where):
        started = time.monotonic()
        response = client.get("/healthz")
        seconds = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert seconds < 2.0


def wsgi_get(path: str, **headers) -> int:
    """One request through Django's WSGI handler, as a gunicorn worker serves it.

    The test client detaches close_old_connections from request_started; a real server does not,
    and that is where CONN_HEALTH_CHECKS acts.
    """
    environ = RequestFactory().get(path, **headers).environ
    statuses: list[str] = []
    body = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))  # type: ignore[arg-type]
    b"".join(body)
    body.close()
    return int(statuses[0].split()[0])


def terminate_own_backend() -> None:
    """The server ends this process's connection (a restart, a failover, an idle kill)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()
    time.sleep(0.2)


# A request that reads the database: token authentication looks the token up and refuses an
# unknown one (403: session authentication comes first and sends no WWW-Authenticate).
TOKEN_LOOKUP = {"path": "/api/v1/entries/", "HTTP_AUTHORIZATION": "Token not-a-real-token"}
ANSWERED = 403


@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_server_dropped_the_connection_succeeds(
    require_postgres, settings
):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent, as in production
    assert wsgi_get(**TOKEN_LOOKUP) == ANSWERED
    terminate_own_backend()
    assert wsgi_get(**TOKEN_LOOKUP) == ANSWERED


@pytest.mark.django_db(transaction=True)
def test_without_health_checks_that_first_request_would_fail(require_postgres):
    """The control: what CONN_HEALTH_CHECKS prevents (and the failure is a 503, not a 500)."""
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    connection.close()  # the setting is read when a connection opens
    try:
        assert wsgi_get(**TOKEN_LOOKUP) == ANSWERED
        terminate_own_backend()
        assert wsgi_get(**TOKEN_LOOKUP) == 503
        assert wsgi_get(**TOKEN_LOOKUP) == ANSWERED  # Django drops the broken connection after
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()


WEB_PROCESS_PROBE = """
import portal.wsgi  # what gunicorn and runserver load
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


@pytest.mark.django_db
def test_web_processes_cancel_statements_after_ten_seconds_and_others_never(require_postgres):
    import os
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import quote

    from django.conf import settings

    db = connection.settings_dict
    auth = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}" if db["PASSWORD"] else quote(db["USER"])
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}  # the test database: it exists
    env.pop("DB_STATEMENT_TIMEOUT_MS", None)
    web = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS_PROBE],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert web.returncode == 0, web.stderr[-2000:]
    assert web.stdout.strip().splitlines()[-1] == "10s"
    # This process (like manage.py migrate and Celery workers) never loaded portal.wsgi.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
