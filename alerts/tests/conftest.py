"""Fixtures for the tests that run the pipeline against a real Redis broker.

`broker`: Celery publishes to the real Redis at REDIS_URL (not eagerly) and no worker runs;
`live_worker`: the same, with a Celery worker thread consuming. Both restore eager mode after.
Skipped when Redis is unreachable, unless REQUIRE_SERVICES=1 (then they fail).
"""

import pytest

from alerts.tests.worker import reset_producer_pool, worker_thread
from portal.celery import app


@pytest.fixture
def broker(require_redis):
    """Tasks are published to the real Redis (REDIS_URL), emptied first; no worker consumes."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = require_redis
    reset_producer_pool()
    app.control.purge()
    try:
        yield require_redis
    finally:
        app.control.purge()
        app.conf.task_always_eager, app.conf.broker_url = saved
        reset_producer_pool()


@pytest.fixture
def live_worker(broker):
    """A Celery worker thread on the real broker, tasks no longer eager (restored after)."""
    with worker_thread() as worker:
        yield worker
