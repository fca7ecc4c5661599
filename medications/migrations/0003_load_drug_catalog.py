from django.db import migrations


def load(apps, schema_editor):
    from medications.catalog import catalog_load

    catalog_load(apps.get_model("medications", "Drug"))


class Migration(migrations.Migration):

    dependencies = [
        ("medications", "0002_drug_search_keys"),
    ]

    # Reversing keeps the rows: courses may point at them (PROTECT).
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
