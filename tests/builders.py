"""Builders shared by every app's tests: catalog drugs and medication courses.

The facts come from the drug catalog itself (medications/data/drugs.json, read through
medications.catalog), so a test drug never disagrees with the one the portal loads. Two kinds:
database rows (`drug`, `course`) and the engine's plain records (`drug_facts`) for the pure
tests of the interaction engine and the alert rules.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import User
from medications.catalog import CATALOG_FIELDS, catalog_rows, drug_facts_of, drug_search_keys
from medications.interactions import DrugFacts
from medications.models import Drug, MedicationCourse

CATALOG_ROWS: dict[str, dict[str, Any]] = {row["name"]: row for row in catalog_rows()}


def drug_facts(name: str) -> DrugFacts:
    """The engine's facts for the catalog drug `name` (KeyError when the catalog lacks it)."""
    row = CATALOG_ROWS[name]
    return drug_facts_of(
        row["name"], row["serotonergic"], row["washout_days"], row["suicidality_warning"]
    )


def drug(name: str) -> Drug:
    """The catalog row of `name`; created as the catalog migration would when missing (a
    transactional test's flush removes the migration's rows), with its ingredients when it is
    a combination product."""
    row = CATALOG_ROWS[name]
    defaults = {field: row[field] for field in CATALOG_FIELDS if field in row}
    defaults["search_keys"] = drug_search_keys(name, row.get("brand_names", []))
    found, created = Drug.objects.get_or_create(name=name, defaults=defaults)
    if created and row.get("ingredients"):
        found.ingredients.set([drug(ingredient) for ingredient in row["ingredients"]])
    return found


def course(
    patient: User,
    name: str,
    started_on: date,
    stopped_on: date | None = None,
    *,
    dose: Decimal | int | None = 50,
    unit: str = "mg",
    previous: MedicationCourse | None = None,
) -> MedicationCourse:
    """A course of `name` (the catalog drug when the catalog has it, else free text) taken from
    `started_on` to `stopped_on` (its last day; None: still taken)."""
    return MedicationCourse.objects.create(
        patient=patient,
        drug=drug(name) if name in CATALOG_ROWS else None,
        name=name,
        dose=dose,
        unit=unit,
        started_on=started_on,
        stopped_on=stopped_on,
        previous_course=previous,
    )
