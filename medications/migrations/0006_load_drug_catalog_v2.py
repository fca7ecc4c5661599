"""Load the second version of the drug catalog (classes, ingredients, sources, notes; see
docs/clinical-rules.md#catalog-data).

Frozen on purpose, like 0003: the rows (search keys included) come from
data/0006_drug_catalog.json next to this file, and the loader below uses only the historical
model. It never imports the app's code or reads the live data file, so a later catalog or
normalisation change cannot change what this migration does.

The new text and list columns first get database defaults, so that the first catalog
migration, which knows nothing of them, still writes valid rows when it is replayed.
"""

import json
from pathlib import Path

from django.db import migrations, models

FROZEN_CATALOG = Path(__file__).resolve().parent / "data" / "0006_drug_catalog.json"
FIELDS = (
    "brand_names",
    "rxcui",
    "rxcui_verified",
    "drug_class",
    "serotonergic",
    "washout_days",
    "suicidality_warning",
    "classes",
    "source",
    "note",
    "search_keys",
)


def load(apps, schema_editor):
    drug_model = apps.get_model("medications", "Drug")
    rows = json.loads(FROZEN_CATALOG.read_text(encoding="utf-8"))
    drugs = {}
    for row in rows:
        # Create or update by generic name, so running it on a partly loaded table is harmless.
        drugs[row["name"]], _ = drug_model.objects.update_or_create(
            name=row["name"], defaults={field: row[field] for field in FIELDS}
        )
    # Every ingredient is a row of the same file, so all exist by now.
    for row in rows:
        drugs[row["name"]].ingredients.set([drugs[name] for name in row["ingredients"]])


class Migration(migrations.Migration):

    dependencies = [
        ("medications", "0005_drug_v2_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="drug",
            name="classes",
            field=models.JSONField(blank=True, db_default=[], default=list),
        ),
        migrations.AlterField(
            model_name="drug",
            name="note",
            field=models.CharField(blank=True, db_default="", default="", max_length=300),
        ),
        migrations.AlterField(
            model_name="drug",
            name="source",
            field=models.CharField(blank=True, db_default="", default="", max_length=300),
        ),
        # Reversing keeps the rows: courses may point at them (PROTECT).
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
