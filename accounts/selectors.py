from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from accounts.models import (
    PATIENT_FACING_TEAM_ROLES,
    CareLink,
    CareLinkStatus,
    Invitation,
    Role,
    User,
)


def care_links_for_patient(patient: User) -> QuerySet[CareLink]:
    return (
        CareLink.objects.filter(patient=patient)
        .exclude(status=CareLinkStatus.REVOKED)
        .select_related("clinician", "clinician__clinician_profile", "team")
        .order_by("-created_at")
    )


def open_invitations_for_clinician(clinician: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(clinician=clinician, used_at__isnull=True).order_by(
        "-created_at"
    )


def clinicians_reading_patient(patient: User) -> list[str]:
    """Names of the people who can read `patient`'s record now: the conditions of
    accounts.access.patients_visible_to seen from the patient (an active link of a verified,
    active clinician's own, or an active share with a team in which they hold an active
    clinician or triage membership), in alphabetical order. One query."""
    links = CareLink.objects.filter(patient=patient, status=CareLinkStatus.ACTIVE)
    direct = links.filter(clinician=OuterRef("pk"), team__isnull=True)
    through_team = links.filter(
        team__memberships__user=OuterRef("pk"),
        team__memberships__active=True,
        team__memberships__role__in=PATIENT_FACING_TEAM_ROLES,
    )
    clinicians = User.objects.filter(
        Exists(direct) | Exists(through_team),
        role=Role.CLINICIAN,
        is_active=True,
        clinician_profile__verified_at__isnull=False,
    )
    return sorted(
        (user.display_name for user in clinicians.only("full_name", "email")), key=str.casefold
    )


def display_name_of(relation: str = "") -> Coalesce:
    """User.display_name (the full name, else the e-mail) of the user at `relation` ("" for
    the queried user itself, e.g. "patient" or "acknowledged_by"), worked out by the database:
    NULL when the relation is empty. Lists read names this way instead of loading User rows."""
    prefix = f"{relation}__" if relation else ""
    return Coalesce(
        NullIf(F(f"{prefix}full_name"), Value("")),
        F(f"{prefix}email"),
        output_field=CharField(),
    )
