"""Audit trail of access to patient records. Rows hold ids and actions, never content."""

from collections.abc import Iterable

from accounts.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_event(*, actor, patient, action: str, object_type: str = "", object_id="", request=None):
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


def audit_read(request, *, patient, action: str, object_type: str = "", object_id=""):
    """Record one read of patient data by someone other than the patient.

    A patient reading their own record is not audited; a clinician's read always is.
    `patient` None means a read that carried no patient's data (an empty list); a response that
    carries several patients' data is audited with audit_reads, one row per patient.
    """
    actor = request.user
    if patient is not None and actor.pk == patient.pk:
        return None
    if getattr(actor, "role", None) == "patient":
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
    request, *, patient_ids: Iterable[int | None], action: str, object_type: str = ""
) -> list[AuditEvent]:
    """One audit row per patient whose data a response carries (a list across patients).

    Each patient's access log must show the read, so a page holding rows of three patients
    writes three rows (in one INSERT); a patient reading their own rows writes none.
    """
    actor = request.user
    if getattr(actor, "role", None) == "patient":
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
