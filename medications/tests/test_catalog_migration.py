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
CATALOG_MIGRATIONS = ["0003_load_drug_catalog", "0006_load_drug_catalog_v2"]
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


@pytest.mark.parametrize(
    ("name", "size"), [("0003_load_drug_catalog", 81), ("0006_load_drug_catalog_v2", 250)]
)
def test_the_frozen_rows_are_complete(name, size):
    migration = importlib.import_module(f"medications.migrations.{name}")
    frozen = migration.FROZEN_CATALOG

    assert frozen.parent == MIGRATIONS_DIR / "data"
    rows = json.loads(frozen.read_text(encoding="utf-8"))
    assert len(rows) >= size
    assert all(set(migration.FIELDS) | {"name"} <= set(row) for row in rows)


@pytest.mark.django_db
def test_replaying_the_catalog_migrations_gives_the_data_file_catalog():
    Drug.objects.all().delete()
    loader = MigrationLoader(connection)
    for name in CATALOG_MIGRATIONS:
        historical = loader.project_state(("medications", name)).apps
        importlib.import_module(f"medications.migrations.{name}").load(historical, None)

    stored = {row["name"]: row for row in Drug.objects.values()}
    ingredients = {
        drug.name: sorted(ingredient.name for ingredient in drug.ingredients.all())
        for drug in Drug.objects.prefetch_related("ingredients")
    }
    expected = catalog_rows()
    assert sorted(stored) == sorted(row["name"] for row in expected)
    for row in expected:
        drug = stored[row["name"]]
        for field, value in row.items():
            if field == "ingredients":
                assert ingredients[row["name"]] == sorted(value), row["name"]
            else:
                assert drug[field] == value, (row["name"], field)
        assert drug["search_keys"] == drug_search_keys(row["name"], row["brand_names"])


@pytest.mark.django_db
def test_the_v2_migration_is_idempotent_and_updates_v1_rows():
    loader = MigrationLoader(connection)
    historical = loader.project_state(("medications", "0006_load_drug_catalog_v2")).apps
    v2 = importlib.import_module("medications.migrations.0006_load_drug_catalog_v2")
    Drug.objects.filter(name="lithium").update(serotonergic="strong", brand_names=[])

    v2.load(historical, None)
    v2.load(historical, None)

    assert Drug.objects.count() == len(catalog_rows())
    lithium = Drug.objects.get(name="lithium")
    assert (lithium.serotonergic, lithium.brand_names) == ("weak", ["Lithobid", "Eskalith"])
    ultracet = Drug.objects.get(name="tramadol/acetaminophen")
    assert sorted(ultracet.ingredients.values_list("name", flat=True)) == [
        "acetaminophen",
        "tramadol",
    ]
