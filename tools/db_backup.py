"""Back up and restore the PostgreSQL database of DATABASE_URL (`make backup`, `make restore`).

    backup                  pg_dump --format=custom into backups/portal-<UTC time>.dump (0600)
    backup --output FILE    ... into FILE
    restore FILE            pg_restore FILE into DATABASE_URL, which must be empty (a fresh
                            database: `createdb portal_restored`); --clean replaces an existing one

A backup holds every patient's health data: keep it encrypted, off the database host, readable
only by the people who may restore it. SQLite (the embedded default) is refused with the way to
copy it instead. With docker-compose the same commands run inside the `db` container (README).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BACKUP_DIR = ROOT / "backups"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
SQLITE_ADVICE = (
    "DATABASE_URL is SQLite (the embedded default): pg_dump does not apply. Stop the server and "
    "copy the file, or take a consistent copy while it runs with\n"
    "  sqlite3 db.sqlite3 \".backup 'backups/portal.sqlite3'\"\n"
    "Production runs on PostgreSQL: set DATABASE_URL=postgres://... and run make backup again."
)


class BackupError(Exception):
    """A refusal with a message for the operator (exit status 2)."""


def libpq_url(database_url: str) -> str:
    """DATABASE_URL as libpq reads it (django-environ also accepts `pgsql://`)."""
    if not database_url:
        raise BackupError("DATABASE_URL is not set. " + SQLITE_ADVICE)
    parts = urlsplit(database_url)
    if parts.scheme.startswith("sqlite"):
        raise BackupError(SQLITE_ADVICE)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise BackupError(f"DATABASE_URL scheme {parts.scheme!r} is not PostgreSQL.")
    if not parts.path.strip("/"):
        raise BackupError("DATABASE_URL names no database.")
    return urlunsplit(("postgresql", *parts[1:]))


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def backup(database_url: str, output: Path | None = None) -> Path:
    url = libpq_url(database_url)
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        output = BACKUP_DIR / f"portal-{stamp}.dump"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    # Owner-only from the first byte: the dump is the whole health record of every patient.
    old_umask = os.umask(0o077)
    try:
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
                f"--dbname={url}",
            ],
            check=True,
        )
    except subprocess.CalledProcessError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed (exit status {error.returncode}).") from error
    finally:
        os.umask(old_umask)
    partial.rename(output)  # a file named *.dump is always complete
    return output


def _has_tables(url: str) -> bool:
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            _tool("psql"),
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            f"--dbname={url}",
            "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip() or 0) > 0


def restore(database_url: str, dump: Path, *, clean: bool = False) -> None:
    url = libpq_url(database_url)
    if not dump.is_file():
        raise BackupError(f"No backup file at {dump}.")
    if not clean and _has_tables(url):
        raise BackupError(
            "The target database already has tables. Restore into a fresh database "
            "(createdb portal_restored; DATABASE_URL=.../portal_restored make restore FILE=...) "
            "or pass CLEAN=1 to drop and replace what is there."
        )
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",  # all or nothing: never a half-restored record
        f"--dbname={url}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    try:
        subprocess.run([*command, str(dump)], check=True)  # noqa: S603 - no shell
    except subprocess.CalledProcessError as error:
        raise BackupError(
            f"pg_restore failed (exit status {error.returncode}); nothing was changed."
        ) from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore DATABASE_URL (PostgreSQL).")
    commands = parser.add_subparsers(dest="command", required=True)
    backup_parser = commands.add_parser("backup")
    backup_parser.add_argument("--output", type=Path, default=None)
    restore_parser = commands.add_parser("restore")
    restore_parser.add_argument("file", type=Path, nargs="?")
    restore_parser.add_argument("--clean", action="store_true")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    try:
        if args.command == "backup":
            path = backup(database_url, args.output)
            print(f"Backup written: {path} ({path.stat().st_size} bytes, owner-only).")
        else:
            if args.file is None:
                raise BackupError("Say which backup to restore: make restore FILE=backups/....dump")
            restore(database_url, args.file, clean=args.clean)
            print(f"Restored {args.file}. Run `manage.py migrate` if the code is newer than it.")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
