"""State of the database and broker for /healthz (load balancers, docker-compose health checks).

/healthz must answer within about two seconds whatever the database does: refusing connections,
unknown, or hanging (accepting and never answering). The check runs on its own short-lived
connection in a helper thread and is abandoned after HEALTHZ_DB_TIMEOUT seconds: libpq (and
psycopg) never wait less than 2 s to connect, and a frozen server would never cancel a statement.
At most one check is in flight: while one is stuck, the next requests answer "down" at once
instead of piling up threads and connections.
"""

import contextlib
import copy
import logging
import threading
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_in_flight = threading.Lock()


def _check_database(done: threading.Event, result: list[str]) -> None:
    wrapper = None
    try:
        settings_dict = copy.deepcopy(connections["default"].settings_dict)
        settings_dict["CONN_MAX_AGE"] = 0
        if settings_dict["ENGINE"] == "django.db.backends.postgresql":
            options = settings_dict.setdefault("OPTIONS", {})
            options["connect_timeout"] = 2  # libpq's minimum; the caller stops waiting sooner
            options["options"] = (options.get("options", "") + " -c statement_timeout=1000").strip()
        backend = connections["default"].__class__
        wrapper = backend(settings_dict, alias="healthz")
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result.append("ok")
    except Exception as exc:
        # The class only: polled every few seconds, a traceback each time would flood the log.
        logger.warning("Health check: the database did not answer (%s).", type(exc).__name__)
        result.append("down")
    finally:
        if wrapper is not None:
            # A connection that never opened has nothing to close.
            with contextlib.suppress(Exception):
                wrapper.close()
        done.set()
        _in_flight.release()


class DatabaseCheck:
    """A database check started now, read later: the broker is checked in the meantime."""

    def __init__(self, timeout: float | None = None) -> None:
        self.deadline = time.monotonic() + (
            settings.HEALTHZ_DB_TIMEOUT if timeout is None else timeout
        )
        self._done = threading.Event()
        self._result: list[str] = []
        self._started = _in_flight.acquire(blocking=False)
        if not self._started:
            return  # the previous check is still stuck on the database
        thread = threading.Thread(
            target=_check_database, args=(self._done, self._result), name="healthz", daemon=True
        )
        try:
            thread.start()
        except Exception:
            _in_flight.release()
            raise

    def state(self) -> str:
        if not self._started:
            return "down"
        if not self._done.wait(max(0.0, self.deadline - time.monotonic())):
            return "down"
        return self._result[0] if self._result else "down"


def database_state(timeout: float | None = None) -> str:
    """ "ok" or "down", in at most `timeout` seconds (HEALTHZ_DB_TIMEOUT by default)."""
    return DatabaseCheck(timeout).state()


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.4, socket_timeout=0.4
        )
        client.ping()
    except Exception:
        return "down"
    return "ok"


def notifications_failed() -> int | None:
    """Clinician notifications that gave up after 24 hours of retries (alerts outbox)."""
    from alerts.outbox import failed_count

    try:
        return failed_count()
    except Exception:
        return None
