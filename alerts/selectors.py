"""Alert reads. Every read of patient alerts goes through accounts.access."""

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext

from accounts.access import access_patient, is_verified_clinician, patients_visible_to
from accounts.models import PatientProfile, Role, User
from accounts.selectors import display_name_of
from alerts.models import Alert, AlertEvent, AlertKind, AlertStatus, Severity
from alerts.rules.facts import PER_EVENT_KINDS
from core.timezones import patient_local_date
from journal.crisis import crisis_lines

STATUSES = tuple(AlertStatus.values)
KINDS = tuple(AlertKind.values)
SEVERITIES = tuple(Severity.values)

_NOTICE_ORDER = {
    "serotonin_toxicity_symptoms": 0,
    "suicidal_ideation": 1,
    "serotonergic_combination": 2,
    "hypertensive_combination": 2,
    "mood_worsening": 3,
}


def alerts_for_clinician(
    user: User, status: str | None = None, patient_id: int | str | None = None
) -> QuerySet[Alert]:
    """Alerts of the patients `user` may see; `patient_id` out of scope raises Http404."""
    alerts = Alert.objects.filter(patient__in=patients_visible_to(user))
    if patient_id is not None:
        patient = access_patient(user, patient_id)
        alerts = alerts.filter(patient=patient)
    if status:
        alerts = alerts.filter(status=status)
    return alerts.select_related("patient", "acknowledged_by", "resolved_by").order_by(
        "-severity_rank", "-created_at", "-id"
    )


def alerts_for_patient(user: User, status: str | None = None) -> QuerySet[Alert]:
    """A patient's own alerts (nothing for other roles)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.PATIENT:
        return Alert.objects.none()
    alerts = Alert.objects.filter(patient=user)
    if status:
        alerts = alerts.filter(status=status)
    return alerts.order_by("-created_at", "-id")


# A combination alert's patient message names the medicines (serotonergic.combination_candidate);
# it is stored in English and put back together in the patient's language here.
_COMBINATION_MESSAGE = re.compile(
    r"^Your care team has been told about a possible interaction between (?P<names>.+?)"
    r"(?P<pressure> that can raise blood pressure)?\. Talk to your clinician if you have any "
    r"questions, and before you make any change to your medicines\.$"
)


def _in_language(message: str) -> str:
    """The stored English patient message in the active language (English when no translation
    exists, e.g. a message written before it was in the catalog)."""
    found = _COMBINATION_MESSAGE.match(message)
    if found is None:
        return gettext(message)
    names = found["names"]
    *firsts, last = names.rsplit(" and ", 1) if " and " in names else ["", names]
    listed = (
        gettext("%(first)s and %(last)s") % {"first": firsts[0], "last": last}
        if firsts and firsts[0]
        else last
    )
    if found["pressure"]:
        template = gettext(
            "Your care team has been told about a possible interaction between %(names)s that "
            "can raise blood pressure. Talk to your clinician if you have any questions, and "
            "before you make any change to your medicines."
        )
    else:
        template = gettext(
            "Your care team has been told about a possible interaction between %(names)s. Talk "
            "to your clinician if you have any questions, and before you make any change to "
            "your medicines."
        )
    return template % {"names": listed}


def patient_message(alert: Alert) -> str:
    message = (alert.details or {}).get("patient_message")
    if message:
        return _in_language(str(message))
    return gettext("Your care team has been told about something in your recent answers.")


# Kinds whose patient is told that a clinician has seen the alert (never what they wrote).
SEEN_KINDS = frozenset({"suicidal_ideation"})


def care_team_seen_on(alert: Alert, patient: User) -> date | None:
    """The patient-local date a clinician acknowledged a self-harm alert; None otherwise."""
    if alert.kind not in SEEN_KINDS or alert.acknowledged_at is None:
        return None
    return patient_local_date(patient, alert.acknowledged_at)


def care_team_seen_message(seen_on: date | None) -> str:
    """Plain words for the patient: "Your care team has seen this on 28 November 2026."."""
    if seen_on is None:
        return ""
    return gettext("Your care team has seen this on %(day)s.") % {
        "day": formats.date_format(seen_on, gettext("j F Y"))
    }


def patient_notices(patient: User) -> list[dict[str, Any]]:
    """Plain-words notices of the patient's unresolved alerts, most urgent first."""
    alerts = (
        Alert.objects.filter(patient=patient)
        .exclude(status=AlertStatus.RESOLVED)
        .only("id", "kind", "details", "created_at", "acknowledged_at")
    )
    notices: list[dict[str, Any]] = []
    seen_messages: set[str] = set()
    ordered = sorted(
        alerts, key=lambda a: (_NOTICE_ORDER.get(a.kind, 9), -a.created_at.timestamp())
    )
    for alert in ordered:
        message = patient_message(alert)
        # Several alerts can share a message (one per check-in): show it once.
        if message in seen_messages:
            continue
        seen_messages.add(message)
        crisis = alert.kind == "suicidal_ideation"
        seen_on = care_team_seen_on(alert, patient)
        notices.append(
            {
                "id": alert.pk,
                "kind": alert.kind,
                "urgent": alert.kind in PER_EVENT_KINDS,
                "crisis": crisis,
                "lines": crisis_lines() if crisis else [],
                "message": message,
                "created_at": alert.created_at,
                "seen_on": seen_on,
                "seen_message": care_team_seen_message(seen_on),
            }
        )
    return notices


def unread_count(user: User) -> int:
    """Open (not yet acknowledged) alerts a verified clinician can see; 0 for everyone else."""
    if not is_verified_clinician(user):
        return 0
    return Alert.objects.filter(
        patient__in=patients_visible_to(user), status=AlertStatus.OPEN
    ).count()


def changed_patient_profiles() -> QuerySet[PatientProfile]:
    """Patients whose data changed after their last evaluation, or never evaluated."""
    return PatientProfile.objects.filter(user__role=Role.PATIENT).filter(
        Q(last_evaluated_at__isnull=True) | Q(data_changed_at__gt=F("last_evaluated_at"))
    )


def all_patient_profiles() -> QuerySet[PatientProfile]:
    return PatientProfile.objects.filter(user__role=Role.PATIENT, user__is_active=True)


def events_by_alert(alert_ids: Iterable[int]) -> dict[int, list[AlertEvent]]:
    """{alert id: its timeline, oldest first, each event with its actor} in one query.

    For alerts the caller already read through the access gate (the ids come from that read).
    What prefetch_related("events") gives, without the manager and queryset Django builds per
    alert (2 ms on the record page for two alerts)."""
    ids = list(alert_ids)
    grouped: dict[int, list[AlertEvent]] = defaultdict(list)
    if not ids:
        return grouped
    events = (
        AlertEvent.objects.filter(alert_id__in=ids)
        .select_related("actor")
        .order_by("alert_id", "created_at", "id")
    )
    for event in events:
        grouped[event.alert_id].append(event)
    return grouped


def with_people_names(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts with the display names a card shows (patient_name, acknowledged_by_name,
    resolved_by_name, assigned_to_name; NULL when nobody), read as plain values instead of four
    joined User rows per alert."""
    return alerts.annotate(
        patient_name=display_name_of("patient"),
        acknowledged_by_name=display_name_of("acknowledged_by"),
        resolved_by_name=display_name_of("resolved_by"),
        assigned_to_name=display_name_of("assigned_to"),
    )
