"""The catalog data migration is frozen, and replaying it gives today's catalog."""

import ast
import importlib
import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from medications.catalog import catalog_rows, drug_search_keys
from medications.models import Drug

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
# Every migration that loads a catalog version, oldest first. A change to drugs.json ships with a
# new migration that loads it (docs/architecture.md#drug-catalog-data-and-migrations); add it here.
CATALOG_MIGRATIONS = ["0003_load_drug_catalog"]
ALLOWED_IMPORT_ROOTS = {"django", "json", "pathlib"}


def _imported_roots(tree: ast.Module) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    return roots


@pytest.mark.parametrize("name", CATALOG_MIGRATIONS)
def test_the_catalog_migration_imports_no_app_code(name):
    tree = ast.parse((MIGRATIONS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree, clean=False)
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]

    assert _imported_roots(tree) <= ALLOWED_IMPORT_ROOTS
    assert not any("drugs.json" in text for text in strings if text != docstring)


def test_the_frozen_rows_are_complete():
    migration = importlib.import_module("medications.migrations.0003_load_drug_catalog")
    frozen = migration.FROZEN_CATALOG

    assert frozen.parent == MIGRATIONS_DIR / "data"
    rows = json.loads(frozen.read_text(encoding="utf-8"))
    assert len(rows) >= 81
    assert all(set(migration.FIELDS) | {"name"} <= set(row) for row in rows)


@pytest.mark.django_db
def test_replaying_the_catalog_migrations_gives_the_data_file_catalog():
    Drug.objects.all().delete()
    loader = MigrationLoader(connection)
    for name in CATALOG_MIGRATIONS:
        historical = loader.project_state(("medications", name)).apps
        importlib.import_module(f"medications.migrations.{name}").load(historical, None)

    stored = {row["name"]: row for row in Drug.objects.values()}
    expected = catalog_rows()
    assert sorted(stored) == sorted(row["name"] for row in expected)
    for row in expected:
        drug = stored[row["name"]]
        for field, value in row.items():
            assert drug[field] == value, (row["name"], field)
        assert drug["search_keys"] == drug_search_keys(row["name"], row["brand_names"])
