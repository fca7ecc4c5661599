"""Load the first version of the drug catalog.

Frozen on purpose: the rows (search keys included) come from data/0003_drug_catalog.json next to
this file, and the loader below uses only the historical model. It never imports the app's code
or reads medications/data/drugs.json, so a later catalog or normalisation change cannot change
what this migration does. A later catalog version is loaded by a new migration that calls
`load_drug_catalog` (see docs/architecture.md#drug-catalog-data-and-migrations).
"""

import json
from pathlib import Path

from django.db import migrations

FROZEN_CATALOG = Path(__file__).resolve().parent / "data" / "0003_drug_catalog.json"
FIELDS = (
    "brand_names",
    "rxcui",
    "rxcui_verified",
    "drug_class",
    "serotonergic",
    "washout_days",
    "suicidality_warning",
    "search_keys",
)


def load(apps, schema_editor):
    drug_model = apps.get_model("medications", "Drug")
    rows = json.loads(FROZEN_CATALOG.read_text(encoding="utf-8"))
    for row in rows:
        # Create or update by generic name, so running it on a partly loaded table is harmless.
        drug_model.objects.update_or_create(
            name=row["name"], defaults={field: row[field] for field in FIELDS}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("medications", "0002_drug_search_keys"),
    ]

    # Reversing keeps the rows: courses may point at them (PROTECT).
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
