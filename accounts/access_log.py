""" "Who viewed my record": the audit trail read back to the patient it is about.

Every read of a patient's data by a clinician or an administrator writes an AuditEvent
(accounts.audit); this module lists those rows for the patient, newest first, with the kind of
page in plain words. The patient's own reads are never audited, and rows whose actor is the patient
(sharing accepted, an export of their own) are left out: the log is about other people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Role, User
from core.timezones import format_time

# Audit action codes -> what was seen, in the patient's words. Prefix rules follow for families.
ACTION_PHRASES: dict[str, Promise] = {
    "record_view": _("Your record (summary page)"),
    "record_notes": _("The notes of your check-ins"),
    "hunter_check": _("A check of your medicines for interactions"),
    "report_pdf": _("Your visit report (PDF)"),
    "report_csv": _("Your visit report (spreadsheet)"),
    "fhir_export": _("Your record, exported for another health system"),
    "patients_api_list": _("The clinic's list of patients (your latest figures)"),
    "patients_api_detail": _("Your record, through the clinic's app"),
    "dashboard_view": _("The clinic's list of patients (your latest figures)"),
    "alert_queue_view": _("The clinic's list of alerts (alerts about you)"),
    "alert_bulk_acknowledge": _("An alert about you, marked as seen"),
    "alert_acknowledge": _("An alert about you, marked as seen"),
    "alert_resolve": _("An alert about you, closed"),
    "alerts.list": _("Alerts about you"),
    "alerts.read": _("An alert about you"),
    "care_link_proposed_by_admin": _("A request to share your record, set up"),
}
PREFIX_PHRASES: tuple[tuple[str, Promise], ...] = (
    ("alerts.", _("An alert about you")),
    ("alert_", _("An alert about you")),
    ("report_", _("Your visit report")),
    ("api.dailyentry.", _("Your check-ins")),
    ("api.questionnaireresponse.", _("Your questionnaires")),
    ("api.medicationcourse.", _("Your medicines")),
    ("admin.", _("Your record, in the administration site")),
)
UNKNOWN_PHRASE = _("Your record")

PAGE_SIZE = 25


def action_phrase(action: str) -> str:
    """The kind of page an audit action code stands for, in plain words."""
    phrase = ACTION_PHRASES.get(action)
    if phrase is None:
        phrase = next((p for prefix, p in PREFIX_PHRASES if action.startswith(prefix)), None)
    return str(phrase if phrase is not None else UNKNOWN_PHRASE)


def access_log_rows(*, patient: User) -> QuerySet[AuditEvent]:
    """Reads of `patient`'s data by clinicians and administrators, newest first, with the
    reader (one query per page; the paginator adds one count)."""
    return (
        AuditEvent.objects.filter(
            patient=patient, actor__isnull=False, actor__role__in=(Role.CLINICIAN, Role.ADMIN)
        )
        .exclude(actor_id=patient.pk)
        .select_related("actor")
        .only(
            "id",
            "action",
            "team_name",
            "created_at",
            "actor__id",
            "actor__full_name",
            "actor__email",
            "actor__role",
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class AccessRow:
    id: int
    who: str
    role: str
    team: str
    when: datetime
    when_text: str
    what: str
    action: str


def access_row(event: AuditEvent, *, zone: ZoneInfo) -> AccessRow:
    actor = event.actor
    assert actor is not None  # filtered in access_log_rows
    role = str(_("Administrator")) if actor.role == Role.ADMIN else str(_("Clinician"))
    return AccessRow(
        id=event.pk,
        who=actor.full_name or actor.email,
        role=role,
        team=event.team_name,
        when=event.created_at,
        when_text=format_time(event.created_at, zone),
        what=action_phrase(event.action),
        action=event.action,
    )
