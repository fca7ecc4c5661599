"""Demo care team for `seed_demo`: "Demo Pain Clinic", run by the demo clinician, with a triage
nurse, and the demo patients shared with it. Safe to run more than once."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.mfa import demo_totp_device_seed
from accounts.models import CareLink, CareLinkStatus, ClinicianProfile, Role, User
from teams.models import Team, TeamMembership, TeamRole

DEMO_TEAM = "Demo Pain Clinic"
NURSE_EMAIL = "nurse@example.org"


def _membership(team: Team, user: User, role: str) -> None:
    if not TeamMembership.objects.filter(team=team, user=user, role=role, active=True).exists():
        TeamMembership.objects.create(team=team, user=user, role=role)


@transaction.atomic
def seed(*, users: dict[str, User], today: date) -> None:
    clinician = users["clinician"]
    team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
    _membership(team, clinician, TeamRole.TEAM_ADMIN)
    _membership(team, clinician, TeamRole.CLINICIAN)
    nurse = User.objects.filter(email=NURSE_EMAIL).first()
    if nurse is None:
        nurse = User.objects.create_user(
            email=NURSE_EMAIL, password=DEMO_PASSWORD, role=Role.CLINICIAN, full_name="Nico Nurse"
        )
    ClinicianProfile.objects.get_or_create(
        user=nurse,
        defaults={
            "organisation": DEMO_TEAM,
            "licence_number": "DEMO-RN-0002",
            "verified_at": timezone.now(),
            "verified_by": users["admin"],
        },
    )
    demo_totp_device_seed(user=nurse)
    _membership(team, nurse, TeamRole.TRIAGE)
    users["nurse"] = nurse
    for key in ("patient", "patient2"):
        patient = users[key]
        shared = (
            CareLink.objects.filter(patient=patient, team=team)
            .exclude(status=CareLinkStatus.REVOKED)
            .exists()
        )
        if not shared:
            CareLink.objects.create(
                patient=patient,
                clinician=clinician,
                team=team,
                status=CareLinkStatus.ACTIVE,
                activated_at=timezone.now(),
            )
