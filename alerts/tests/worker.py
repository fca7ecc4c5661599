"""Helpers for the tests against a real Redis broker and Celery worker (see conftest.py)."""

import os
import time
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app


def reset_producer_pool() -> None:
    # Publishing connections are pooled for the broker URL of the moment: forget the pools
    # (without closing them: kombu may hand the same pool back for the same URL later).
    app._pool = None
    app.amqp._producer_pool = None


def worker_thread():
    """A Celery worker thread on the configured broker (a context manager)."""
    return start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    )


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def own_redis_db(url: str) -> int:
    """The Redis database number of `url`; refuses DB 0 (shared), which a test must never flush."""
    path = urlparse(url).path.strip("/")
    number = int(path) if path.isdigit() else 0
    if number == 0:
        message = "Refusing to flush Redis DB 0: set REDIS_URL to a database of your own."
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)  # CI must run these tests, never skip them quietly
        pytest.skip(message)
    return number
