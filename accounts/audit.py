"""Audit trail of access to patient records. Rows hold ids and actions, never content."""

from collections.abc import Iterable

from accounts.http import AnyRequest, request_user
from accounts.models import AuditEvent, User


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
) -> AuditEvent:
    return AuditEvent.objects.create(
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
    return audit_event(
        actor=actor,
        patient=patient,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request=request,
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
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_user_id=actor.pk,
                actor_email=actor.email,
                patient_id=pk,
                patient_user_id=pk,
                action=action,
                object_type=object_type,
                ip=ip,
            )
            for pk in ids
        ]
    )
