"""PostgreSQL prepares the statements a connection repeats (portal/settings.py).

The access gate's subqueries took PostgreSQL longer to plan than to run, on every request; with
server-side binding and psycopg's prepare threshold a repeated statement is planned once per
connection. DB_PREPARE_THRESHOLD=0 turns it off (for a transaction-pooling proxy).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.access import patients_visible_to

pytestmark = pytest.mark.services

PROBE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "options = settings.DATABASES['default'].get('OPTIONS', {}); "
    "print(json.dumps([options.get('server_side_binding'), options.get('prepare_threshold')]))"
)


def _options_with(threshold: str | None) -> str:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    env.pop("DB_PREPARE_THRESHOLD", None)
    if threshold is not None:
        env["DB_PREPARE_THRESHOLD"] = threshold
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    return probe.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("threshold", "options"),
    [(None, "[true, 2]"), ("5", "[true, 5]"), ("0", "[null, null]")],
)
def test_the_settings_prepare_repeated_statements_unless_turned_off(threshold, options):
    assert _options_with(threshold) == options


def test_a_repeated_gate_query_is_prepared_on_the_connection(require_postgres, cleo, pat):
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%accounts_carelink%"],
            )
            return int(cursor.fetchone()[0])

    before = prepared()
    for _ in range(3):
        assert list(patients_visible_to(cleo).values_list("pk", flat=True)) == [pat.pk]
    assert prepared() > before
