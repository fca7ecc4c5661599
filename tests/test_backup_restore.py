"""`make backup` / `make restore` (tools/db_backup.py) round-trip a seeded PostgreSQL database.

The backup of the test database is restored into a fresh database; the row counts match and the
application runs against the copy (migrations all applied, a model query through manage.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import AuditEvent, User
from alerts.models import Alert
from clinic.population import seed_population
from journal.models import DailyEntry, QuestionnaireResponse
from medications.models import MedicationCourse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import db_backup  # noqa: E402

TABLES = {
    "accounts_user": User,
    "journal_dailyentry": DailyEntry,
    "journal_questionnaireresponse": QuestionnaireResponse,
    "medications_medicationcourse": MedicationCourse,
    "alerts_alert": Alert,
    "accounts_auditevent": AuditEvent,
}


def _url(name: str) -> str:
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{name}"
    )


@pytest.fixture
def fresh_database(require_postgres):
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin = _url("postgres")
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args, database_url, **kwargs):
    environment = {**os.environ, "DATABASE_URL": database_url, "ENV_FILE": ""}
    return subprocess.run(args, cwd=ROOT, env=environment, capture_output=True, text=True, **kwargs)


@pytest.mark.services
def test_a_backup_restores_into_a_fresh_database_and_the_app_runs_on_it(
    transactional_db, pat, cleo, fresh_database, tmp_path
):
    seed_population(clinician=cleo, patients=5, days=30, alert_rate=1.0)
    AuditEvent.objects.create(actor=cleo, patient=pat, action="record.view")
    expected = {table: model.objects.count() for table, model in TABLES.items()}
    assert all(expected.values()), expected
    dump = tmp_path / "portal.dump"

    backup = _run(
        [sys.executable, "tools/db_backup.py", "backup", "--output", str(dump)],
        _url(connection.settings_dict["NAME"]),
    )
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_mode & 0o077 == 0  # health data: owner-only
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restore = _run([sys.executable, "tools/db_backup.py", "restore", str(dump)], fresh_database)
    assert restore.returncode == 0, restore.stderr

    with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as restored:
        counts = {
            table: restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in TABLES
        }
    assert counts == expected
    migrations = _run(
        [sys.executable, "manage.py", "migrate", "--check", "--noinput"], fresh_database
    )
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr
    query = _run(
        [sys.executable, "manage.py", "shell", "-c"]
        + ["from journal.models import DailyEntry; print(DailyEntry.objects.count())"],
        fresh_database,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip().splitlines()[-1] == str(expected["journal_dailyentry"])

    # A second restore onto the now-populated copy is refused unless asked to replace it.
    again = _run([sys.executable, "tools/db_backup.py", "restore", str(dump)], fresh_database)
    assert again.returncode == 2
    assert "already has tables" in again.stderr


@pytest.mark.parametrize(
    ("database_url", "message"),
    [
        ("", "DATABASE_URL is not set"),
        ("sqlite:///db.sqlite3", "SQLite"),
        ("mysql://u@h/portal", "not PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
    ],
)
def test_it_refuses_what_is_not_a_postgresql_database(database_url, message, tmp_path):
    with pytest.raises(db_backup.BackupError, match=message):
        db_backup.backup(database_url, tmp_path / "x.dump")
    assert not list(tmp_path.iterdir())


def test_it_refuses_to_restore_a_missing_file(tmp_path):
    with pytest.raises(db_backup.BackupError, match="No backup file"):
        db_backup.restore("postgres://postgres@127.0.0.1/portal", tmp_path / "missing.dump")


def test_libpq_gets_a_url_it_understands():
    assert db_backup.libpq_url("pgsql://u:p@h:5433/portal?sslmode=require") == (
        "postgresql://u:p@h:5433/portal?sslmode=require"
    )
