from django.db.models import QuerySet

from accounts.models import CareLink, CareLinkStatus, Invitation, Role, User


def care_links_for_patient(patient: User) -> QuerySet[CareLink]:
    return (
        CareLink.objects.filter(patient=patient)
        .exclude(status=CareLinkStatus.REVOKED)
        .select_related("clinician", "clinician__clinician_profile")
        .order_by("-created_at")
    )


def open_invitations_for_clinician(clinician: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(clinician=clinician, used_at__isnull=True).order_by(
        "-created_at"
    )


def clinicians_reading_patient(patient: User) -> list[str]:
    """Names of the clinicians who can read `patient`'s record now (the conditions of
    accounts.access.patients_visible_to, seen from the patient: an active link to an active,
    verified clinician), in alphabetical order. One query."""
    clinicians = User.objects.filter(
        role=Role.CLINICIAN,
        is_active=True,
        clinician_profile__verified_at__isnull=False,
        care_links_as_clinician__patient=patient,
        care_links_as_clinician__status=CareLinkStatus.ACTIVE,
    ).distinct()
    return sorted(
        (user.display_name for user in clinicians.only("full_name", "email")), key=str.casefold
    )
