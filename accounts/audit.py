"""Audit trail of access to patient records. Rows hold ids and actions, never content."""

from collections.abc import Iterable

from django.db.models import Q

from accounts.http import AnyRequest, request_user
from accounts.models import (
    PATIENT_FACING_TEAM_ROLES,
    AuditEvent,
    CareLink,
    CareLinkStatus,
    Role,
    User,
)


def teams_granting(actor: User, patient_ids: Iterable[int]) -> dict[int, str]:
    """{patient id: team name} for the patients `actor` sees through a care team only (one
    query; none for a non-clinician). A patient who also shares with the actor directly is left
    out: that link, not the team, grants the read."""
    ids = set(patient_ids)
    if actor.role != Role.CLINICIAN or not ids:
        return {}
    rows = (
        CareLink.objects.filter(patient_id__in=ids, status=CareLinkStatus.ACTIVE)
        .filter(
            Q(clinician=actor, team__isnull=True)
            | Q(
                team__memberships__user=actor,
                team__memberships__active=True,
                team__memberships__role__in=PATIENT_FACING_TEAM_ROLES,
            )
        )
        .order_by("team__name")
        .values_list("patient_id", "team__name")
    )
    direct = {patient_id for patient_id, name in rows if name is None}
    granted: dict[int, str] = {}
    for patient_id, name in rows:
        if name is not None and patient_id not in direct:
            granted.setdefault(patient_id, name)
    return granted


def client_ip(request: AnyRequest | None) -> str | None:
    if request is None:
        return None
    address: str | None = request.META.get("REMOTE_ADDR") or None
    return address


def audit_event(
    *,
    actor: User | None,
    patient: User | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    request: AnyRequest | None = None,
    team_name: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        team_name=team_name,
        actor=actor,
        patient=patient,
        # Denormalised copies: the row says who read whose record on its own.
        actor_user_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
        patient_user_id=getattr(patient, "pk", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=client_ip(request),
    )


def audit_read(
    request: AnyRequest,
    *,
    patient: User | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
) -> AuditEvent | None:
    """Record one read of patient data by someone other than the patient.

    A patient reading their own record is not audited; a clinician's read always is.
    `patient` None means a read that carried no patient's data (an empty list); a response that
    carries several patients' data is audited with audit_reads, one row per patient.
    """
    actor = request_user(request)
    if patient is not None and actor.pk == patient.pk:
        return None
    if actor.role == "patient":
        return None
    team = teams_granting(actor, [patient.pk]).get(patient.pk, "") if patient is not None else ""
    return audit_event(
        actor=actor,
        patient=patient,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request=request,
        team_name=team,
    )


def audit_reads(
    request: AnyRequest, *, patient_ids: Iterable[int | None], action: str, object_type: str = ""
) -> list[AuditEvent]:
    """One audit row per patient whose data a response carries (a list across patients).

    Each patient's access log must show the read, so a page holding rows of three patients
    writes three rows (in one INSERT); a patient reading their own rows writes none.
    """
    actor = request_user(request)
    if actor.role == "patient":
        return []
    ids = sorted({pk for pk in patient_ids if pk is not None and pk != actor.pk})
    ip = client_ip(request)
    teams = teams_granting(actor, ids)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_user_id=actor.pk,
                actor_email=actor.email,
                patient_id=pk,
                patient_user_id=pk,
                action=action,
                team_name=teams.get(pk, ""),
                object_type=object_type,
                ip=ip,
            )
            for pk in ids
        ]
    )
