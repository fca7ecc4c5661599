from typing import Any

from django.core.management.base import BaseCommand

from medications.catalog import catalog_load
from medications.models import Drug


class Command(BaseCommand):
    help = "Create or update the drug catalog from medications/data/drugs.json (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = catalog_load(Drug)
        self.stdout.write(self.style.SUCCESS(f"Drug catalog loaded: {count} drugs."))
