"""Demo accounts for `seed_demo`. Demo-only password, printed by `make run`."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import CareLink, CareLinkStatus, ClinicianProfile, PatientProfile, Role, User

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - demo data only, documented in the README

DEMO_PATIENTS = {
    "patient": ("patient@example.org", "Jordan Lee", date(1986, 4, 12), "America/New_York"),
    "patient2": ("patient2@example.org", "Riley Chen", date(2002, 9, 3), "America/Chicago"),
}


def _user(email: str, role: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, role=role, full_name=full_name
        )
    return user


@transaction.atomic
def seed_accounts() -> dict[str, User]:
    admin = User.objects.filter(email="admin@example.org").first()
    if admin is None:
        admin = User.objects.create_superuser(
            email="admin@example.org", password=DEMO_PASSWORD, full_name="Ada Admin"
        )
    clinician = _user("clinician@example.org", Role.CLINICIAN, "Dr Casey Morgan")
    ClinicianProfile.objects.get_or_create(
        user=clinician,
        defaults={
            "organisation": "Riverside Pain & Fatigue Clinic",
            "licence_number": "DEMO-0001",
            "verified_at": timezone.now(),
            "verified_by": admin,
        },
    )
    users = {"admin": admin, "clinician": clinician}
    for key, (email, name, dob, tz) in DEMO_PATIENTS.items():
        patient = _user(email, Role.PATIENT, name)
        PatientProfile.objects.get_or_create(
            user=patient,
            defaults={"date_of_birth": dob, "timezone": tz, "consented_at": timezone.now()},
        )
        if (
            not CareLink.objects.filter(patient=patient, clinician=clinician)
            .exclude(status=CareLinkStatus.REVOKED)
            .exists()
        ):
            CareLink.objects.create(
                patient=patient,
                clinician=clinician,
                status=CareLinkStatus.ACTIVE,
                activated_at=timezone.now(),
            )
        users[key] = patient
    seed_demo_mfa(users)
    return users


def seed_demo_mfa(users: dict[str, User]) -> None:
    """The demo clinician and admin get an authenticator with the published demo secret.

    `python manage.py demo_otp clinician@example.org` prints the current code (README).
    """
    from accounts.mfa import demo_totp_device_seed

    for key in ("admin", "clinician"):
        demo_totp_device_seed(user=users[key])
