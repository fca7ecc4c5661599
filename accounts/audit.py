"""Audit trail of access to patient records. Rows hold ids and actions, never content."""

from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_event(*, actor, patient, action: str, object_type: str = "", object_id="", request=None):
    return AuditEvent.objects.create(
        actor=actor,
        patient=patient,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=client_ip(request),
    )


def audit_read(request, *, patient, action: str, object_type: str = "", object_id=""):
    """Record one read of patient data by someone other than the patient.

    A patient reading their own record is not audited; a clinician's read always is.
    `patient` may be None for a list across several patients (one row per request).
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
