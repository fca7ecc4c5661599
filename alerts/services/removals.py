"""A patient removed an item entered by mistake: the alerts based on it learn so.

Connected to accounts.signals.patient_item_removed (AlertsConfig.ready) and run inside the
deleting transaction. An unresolved alert whose stored evidence names the item gets an event on
its timeline. It is resolved automatically only when every piece of its evidence was that item,
and never when it is a suicidal-ideation alert or a critical one: a clinician must see those
and decide (a patient may delete a check-in out of regret, not because it was wrong). The event
carries no content: the kind of item and its date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import dateformat, timezone

from alerts.models import Alert, AlertEvent, AlertKind, AlertStatus, EventKind, Severity
from alerts.rules.evidence import hits_of

NEVER_AUTO_RESOLVED_KINDS = frozenset({AlertKind.SUICIDAL_IDEATION})
NEVER_AUTO_RESOLVED_SEVERITIES = frozenset({Severity.CRITICAL})

ITEM_WORDS = {
    "checkin": "check-in",
    "phq9": "PHQ-9",
    "fiqr": "FIQR",
    "acr2016": "ACR 2016 questionnaire",
    "medication": "medicine entry",
}
RESOLVED_NOTE = "The patient removed the entry this alert was based on ({item} of {day})."
REVIEW_NOTE = (
    "The patient removed an entry this alert is based on ({item} of {day}). The alert stays "
    "open: review whether it still applies."
)


def _hit_refs(hit: dict[str, Any]) -> set[str]:
    refs = {str(item) for item in hit.get("items", ())}
    for key, prefix in (("entry_id", "entry"), ("response_id", "response")):
        if hit.get(key) is not None:
            refs.add(f"{prefix}:{hit[key]}")
    for key, prefix in (("entry_ids", "entry"), ("response_ids", "response")):
        refs.update(f"{prefix}:{pk}" for pk in hit.get(key) or ())
    return refs


def _names_course(hit: dict[str, Any], course: dict[str, Any] | None) -> bool:
    if not course:
        return False
    return any(
        row.get("name") == course.get("name") and row.get("started_on") == course.get("started_on")
        for row in hit.get("courses") or ()
        if isinstance(row, dict)
    )


def _based_on(hit: dict[str, Any], refs: set[str], course: dict[str, Any] | None) -> bool:
    return bool(_hit_refs(hit) & refs) or _names_course(hit, course)


def alerts_item_removed(
    *,
    patient_id: int,
    kind: str,
    item_date: date,
    refs: list[str],
    course: dict[str, Any] | None = None,
    **_: Any,
) -> list[AlertEvent]:
    """Note the removal on every unresolved alert of the patient based on the item; resolve
    the ones based on nothing else (see the module's rules)."""
    removed = set(refs)
    words = {"item": ITEM_WORDS.get(kind, "entry"), "day": dateformat.format(item_date, "j M Y")}
    events = []
    alerts = Alert.objects.select_for_update().filter(patient_id=patient_id)
    for alert in alerts.exclude(status=AlertStatus.RESOLVED).order_by("id"):
        hits = hits_of((alert.details or {}).get("evidence", {}))
        based = [hit for hit in hits if _based_on(hit, removed, course)]
        if not based:
            continue
        only_evidence = all(_hit_refs(hit) and _hit_refs(hit) <= removed for hit in hits)
        may_resolve = (
            only_evidence
            and alert.kind not in NEVER_AUTO_RESOLVED_KINDS
            and alert.severity not in NEVER_AUTO_RESOLVED_SEVERITIES
        )
        now = timezone.now()
        if may_resolve:
            alert.status = AlertStatus.RESOLVED
            alert.resolved_at = now
            alert.resolved_by = None
            alert.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
            note = RESOLVED_NOTE.format(**words)
            event_kind = EventKind.RESOLVED
        else:
            note = REVIEW_NOTE.format(**words)
            event_kind = EventKind.NOTE
        events.append(
            AlertEvent.objects.create(
                alert=alert,
                actor=None,
                kind=event_kind,
                note=note,
                data={"removed_by_patient": kind},
                created_at=now,
            )
        )
    return events


def on_patient_item_removed(sender: object, **kwargs: Any) -> None:
    alerts_item_removed(**kwargs)
