from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.mfa import confirmed_totp_device, is_demo_device, totp_code_now
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Print the current two-step verification code of a demo account (seeded with the "
        "published demo secret). Refuses for any other account."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        device = confirmed_totp_device(user) if user is not None else None
        if device is None or not is_demo_device(device):
            raise CommandError("No demo authenticator for that account (run `make seed` first).")
        self.stdout.write(totp_code_now(device))
