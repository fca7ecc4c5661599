"""`manage.py seed_demo`: a project-wide command, so it lives in portal, the top layer.

It is the one place that may import every app's demo module (DESIGN.md "Layering").
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from accounts.links import site_link
from accounts.mfa import DEMO_TOTP_SECRET
from alerts import demo as alerts_demo
from clinic.population import seed_population
from journal import demo as journal_demo
from medications import demo as medications_demo
from teams import demo as teams_demo

# Each app's `demo.seed(*, users, today)`; order matters (the care team before the alerts, so its
# clinicians are told; medicines and journal before the alert evaluation).
DEMO_SEEDERS = (teams_demo.seed, medications_demo.seed, journal_demo.seed, alerts_demo.seed)


class Command(BaseCommand):
    help = "Create the demo accounts and data. Safe to run more than once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            default=0,
            help="Extra synthetic patients linked to the demo clinician.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=365,
            help="Days of history for each extra synthetic patient.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = seed_accounts()
        today = timezone.localdate()
        for seed in DEMO_SEEDERS:
            seed(users=users, today=today)
        if options["patients"]:
            created = seed_population(
                clinician=users["clinician"], patients=options["patients"], days=options["days"]
            )
            self.stdout.write(f"Synthetic population: {created} patients added.")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"Sign in at {site_link('/accounts/login/')} with password "
            f"'{DEMO_PASSWORD}' as:\n"
            "  patient@example.org    (patient, Jordan Lee)\n"
            "  patient2@example.org   (patient, Riley Chen)\n"
            "  clinician@example.org  (verified clinician; team admin of Demo Pain Clinic)\n"
            "  nurse@example.org      (triage nurse of Demo Pain Clinic)\n"
            "  admin@example.org      (administrator, /admin/)\n"
            "The clinician and the administrator also confirm a two-step verification code:\n"
            "  DEBUG=1 .venv/bin/python manage.py demo_otp clinician@example.org (or nurse@...)\n"
            f"  or add the demo secret {DEMO_TOTP_SECRET} to an authenticator app."
        )
