"""The patient's data rights: download everything (a ZIP) and close the account.

Both need every app (the FHIR bundle and the PDF report live in clinic, alerts above the
journal), so they live here, at the top layer. Plain typed functions; the views are thin.

Export: one CSV per kind (formula-injection safe, core.safecsv), the FHIR bundle and the PDF
visit report of the whole history, zipped in memory with a size guard, audited as the patient's
own export (`self_export`).

Deletion (`account_delete`): one transaction. The patient's health data and links are deleted;
the User row stays (audit rows PROTECT it) but is deactivated and anonymised; alerts and their
events keep their ids, kinds and timestamps with the health content replaced; clinicians who
were caring for the patient get one email each after commit (no name, no health data).
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.audit import audit_event
from accounts.models import (
    CareLink,
    CareLinkStatus,
    NotificationPreference,
    PatientProfile,
    RemovedItem,
    User,
)
from alerts.models import Alert, AlertEvent, Notification, NotificationStatus
from alerts.selectors import patient_message
from clinic import fhir, reports
from clinic.models import PatientTriage
from core import safecsv
from core.timezones import patient_local_date, patient_today
from journal.models import DailyEntry, QuestionnaireResponse
from medications.models import MedicationCourse
from teams.models import TeamMembership, TeamRole

logger = logging.getLogger(__name__)

# A guard, not a quota: years of daily check-ins zip to well under 1 MB.
MAX_EXPORT_BYTES = 25 * 1024 * 1024

REMOVED_TITLE = "Removed at the patient's request"


class ExportTooLarge(Exception):
    """The archive would pass MAX_EXPORT_BYTES (nothing is sent)."""


# --- Export -------------------------------------------------------------------------------------


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = safecsv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _checkins_csv(patient: User) -> bytes:
    rows: list[list[object]] = [
        [
            e.date.isoformat(),
            e.pain,
            e.fatigue,
            e.sleep_quality,
            e.cognition,
            e.mood,
            " ".join(str(r) for r in e.pain_regions or []),
            " ".join(str(s) for s in e.serotonin_symptoms or []),
            "yes" if e.self_harm_thoughts else "no",
            e.notes,
        ]
        for e in DailyEntry.objects.filter(patient=patient).order_by("date")
    ]
    header = [
        "date",
        "pain",
        "fatigue",
        "sleep_quality",
        "cognition",
        "mood",
        "pain_regions",
        "serotonin_symptoms",
        "self_harm_thoughts",
        "notes",
    ]
    return _csv(header, rows)


def _questionnaires_csv(patient: User) -> bytes:
    rows: list[list[object]] = [
        [
            patient_local_date(patient, r.completed_at).isoformat(),
            r.completed_at.isoformat(),
            r.get_instrument_display(),
            json.dumps(r.answers, sort_keys=True),
            json.dumps(r.score, sort_keys=True),
        ]
        for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at")
    ]
    return _csv(["date", "completed_at", "questionnaire", "answers", "scores"], rows)


def _medications_csv(patient: User) -> bytes:
    courses = (
        MedicationCourse.objects.filter(patient=patient)
        .select_related("drug")
        .order_by("started_on", "id")
    )
    rows: list[list[object]] = [
        [
            c.name,
            c.drug.name if c.drug is not None else "",
            f"{c.dose.normalize():f}" if c.dose is not None else "",
            c.unit,
            c.get_frequency_display(),
            c.started_on.isoformat(),
            c.stopped_on.isoformat() if c.stopped_on else "",
            c.reason,
            c.prescriber,
        ]
        for c in courses
    ]
    header = [
        "name_as_entered",
        "medicine",
        "dose",
        "unit",
        "frequency",
        "started_on",
        "stopped_on",
        "reason",
        "prescriber",
    ]
    return _csv(header, rows)


def _alerts_csv(patient: User) -> bytes:
    rows: list[list[object]] = [
        [
            patient_local_date(patient, a.created_at).isoformat(),
            patient_message(a),
            a.get_status_display(),
            patient_local_date(patient, a.resolved_at).isoformat() if a.resolved_at else "",
        ]
        for a in Alert.objects.filter(patient=patient).order_by("created_at", "id")
    ]
    return _csv(["date", "message", "status", "closed_on"], rows)


def _sharing_csv(patient: User) -> bytes:
    links = (
        CareLink.objects.filter(patient=patient)
        .select_related("clinician", "team")
        .order_by("created_at", "id")
    )
    rows: list[list[object]] = [
        [
            link.team.name if link.team is not None else "",
            link.clinician.display_name if link.clinician is not None else "",
            link.get_status_display(),
            link.created_at.isoformat(),
            link.activated_at.isoformat() if link.activated_at else "",
            link.revoked_at.isoformat() if link.revoked_at else "",
        ]
        for link in links
    ]
    header = ["care_team", "clinician", "status", "created_at", "active_since", "stopped_at"]
    return _csv(header, rows)


def _preferences_csv(patient: User) -> bytes:
    preference = NotificationPreference.objects.filter(user=patient).first()
    profile = PatientProfile.objects.filter(user=patient).first()
    rows: list[list[object]] = [
        ["email", patient.email],
        ["name", patient.full_name],
        ["time_zone", profile.timezone if profile else ""],
        [
            "date_of_birth",
            profile.date_of_birth.isoformat() if profile and profile.date_of_birth else "",
        ],
    ]
    if preference is not None:
        rows += [
            ["checkin_reminder", "on" if preference.checkin_reminder else "off"],
            [
                "checkin_reminder_time",
                preference.checkin_reminder_time.strftime("%H:%M")
                if preference.checkin_reminder_time
                else "",
            ],
            ["questionnaire_reminders", "on" if preference.questionnaire_reminders else "off"],
            ["language", preference.language],
        ]
    return _csv(["setting", "value"], rows)


def _first_day(patient: User, today: date) -> date:
    """The first local date the patient has data for (the whole history goes in the PDF)."""
    days = [patient_local_date(patient, patient.date_joined), today]
    entry = DailyEntry.objects.filter(patient=patient).order_by("date").first()
    if entry is not None:
        days.append(entry.date)
    course = MedicationCourse.objects.filter(patient=patient).order_by("started_on").first()
    if course is not None:
        days.append(course.started_on)
    response = (
        QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at").first()
    )
    if response is not None:
        days.append(patient_local_date(patient, response.completed_at))
    return min(days)


EXPORT_MEMBERS = (
    "checkins.csv",
    "questionnaires.csv",
    "medications.csv",
    "alerts.csv",
    "sharing.csv",
    "settings.csv",
    "record.fhir.json",
    "visit-report.pdf",
    "README.txt",
)

README_TEXT = """Your data from the care portal.

checkins.csv        your daily check-ins
questionnaires.csv  your questionnaires with your answers and scores
medications.csv     your medicines, as you entered them
alerts.csv          messages about your care, as you saw them
sharing.csv         who you shared your record with
settings.csv        your account settings and reminders
record.fhir.json    your whole record in the FHIR R4 format other health systems read
visit-report.pdf    your visit report for the whole history
"""


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes


def patient_export(*, patient: User, request: object = None) -> Export:
    """Every piece of the patient's data, zipped; audited as the patient's own export."""
    today = patient_today(patient)
    data = reports.report_data(patient, start=_first_day(patient, today), end=today)
    data.time_zone = getattr(getattr(patient, "patient_profile", None), "timezone", "") or "UTC"
    members: list[tuple[str, bytes]] = [
        ("checkins.csv", _checkins_csv(patient)),
        ("questionnaires.csv", _questionnaires_csv(patient)),
        ("medications.csv", _medications_csv(patient)),
        ("alerts.csv", _alerts_csv(patient)),
        ("sharing.csv", _sharing_csv(patient)),
        ("settings.csv", _preferences_csv(patient)),
        (
            "record.fhir.json",
            json.dumps(fhir.patient_bundle(patient, today=today), indent=2).encode("utf-8"),
        ),
        ("visit-report.pdf", reports.render_pdf(data)),
        ("README.txt", README_TEXT.encode("utf-8")),
    ]
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            total += len(content)
            if total > MAX_EXPORT_BYTES:
                raise ExportTooLarge
            archive.writestr(name, content)
    audit_event(
        actor=patient,
        patient=patient,
        action="self_export",
        object_type="patient",
        object_id=patient.pk,
        request=request,  # type: ignore[arg-type]
    )
    return Export(filename=f"my-data-{today.isoformat()}.zip", content=buffer.getvalue())


# --- Deletion -----------------------------------------------------------------------------------


def _caring_clinician_ids(patient: User) -> set[int]:
    """Clinicians who could see the patient: direct active links and active clinician or
    triage members of a team the patient shares with."""
    links = CareLink.objects.filter(patient=patient, status=CareLinkStatus.ACTIVE)
    direct = set(links.filter(team__isnull=True).values_list("clinician_id", flat=True).distinct())
    team_ids = links.filter(team__isnull=False).values_list("team_id", flat=True)
    members = TeamMembership.objects.filter(
        team_id__in=team_ids,
        active=True,
        role__in=(TeamRole.CLINICIAN, TeamRole.TRIAGE),
    ).values_list("user_id", flat=True)
    return {pk for pk in (*direct, *members) if pk is not None}


def _tell_clinicians(emails: list[str]) -> None:
    subject = _("A patient closed their account")
    body = _(
        "A patient you were caring for closed their account on the care portal. Their "
        "check-ins, questionnaires and medicines have been deleted at their request; the "
        "alerts you handled remain in your history without their content.\n\nNo action is "
        "needed."
    )
    sent = 0
    for email in emails:
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    # No names, no addresses: how many were told.
    logger.info("account closed: %d of %d clinicians told", sent, len(emails))


def account_delete(*, patient: User) -> None:
    """Delete the patient's health data and anonymise the account, atomically."""
    with transaction.atomic():
        patient = User.objects.select_for_update().get(pk=patient.pk)
        clinician_ids = _caring_clinician_ids(patient)
        emails = sorted(
            User.objects.filter(pk__in=clinician_ids, is_active=True).values_list(
                "email", flat=True
            )
        )
        DailyEntry.objects.filter(patient=patient).delete()
        QuestionnaireResponse.objects.filter(patient=patient).delete()
        MedicationCourse.objects.filter(patient=patient).update(previous_course=None)
        MedicationCourse.objects.filter(patient=patient).delete()
        NotificationPreference.objects.filter(user=patient).delete()
        CareLink.objects.filter(patient=patient).delete()
        PatientTriage.objects.filter(patient=patient).delete()
        RemovedItem.objects.filter(patient=patient).delete()
        # Alerts keep their ids, kinds, statuses and times; their health content goes.
        alerts = Alert.objects.filter(patient=patient)
        alerts.update(
            title=REMOVED_TITLE,
            details={"removed": True},
            dedupe_key=Concat(Value("removed:"), Cast("id", CharField())),
        )
        AlertEvent.objects.filter(alert__patient=patient).update(note="", data={})
        Notification.objects.filter(
            Q(alert__patient=patient) | Q(recipient=patient),
            status=NotificationStatus.PENDING,
        ).update(status=NotificationStatus.CANCELLED)
        Token.objects.filter(user=patient).delete()
        PatientProfile.objects.filter(user=patient).update(date_of_birth=None)
        placeholder = f"deleted-{patient.pk}@invalid"
        # The admin's history names a user by their address: name the placeholder instead.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(patient.pk)
        ).update(object_repr=placeholder)
        patient.email = placeholder
        patient.full_name = ""
        patient.is_active = False
        patient.set_unusable_password()
        # Every session and signed link of the account ends (the session hash changes).
        patient.credentials_epoch += 1
        patient.save(
            update_fields=["email", "full_name", "is_active", "password", "credentials_epoch"]
        )
        transaction.on_commit(lambda: _tell_clinicians(emails))
