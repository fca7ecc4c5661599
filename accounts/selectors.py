from django.db.models import QuerySet

from accounts.models import CareLink, CareLinkStatus, Invitation, User


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
