"""State of the database and broker for /healthz (load balancers, docker-compose health checks)."""

from django.conf import settings
from django.db import connection


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "down"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
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
