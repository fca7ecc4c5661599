"""The clinicians' follow-up of an alert: take it on, acknowledge, add notes, resolve.

Each step is one `AlertEvent` on the alert's timeline, written with the status change in one
transaction. Status changes lock the alert row first, so two clinicians pressing the same
button at once record the step once.

A step asked without what it needs raises `AlertWorkflowError` (a `FieldErrors`): the API's
exception handler answers 400 with the field message, a page shows the message on the alert.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, AlertEvent, AlertStatus, EventKind
from core.errors import FieldErrors

NOTE_REQUIRED_MESSAGE = "Write a note about what was done."


class AlertWorkflowError(FieldErrors):
    """A follow-up step that cannot be recorded as asked (a resolve or note without a note)."""


def _require_note(note: str | None) -> str:
    text = (note or "").strip()
    if not text:
        raise AlertWorkflowError({"note": [NOTE_REQUIRED_MESSAGE]})
    return text


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User, note: str = "") -> Alert:
    """Open -> acknowledged. Acknowledging again (or a resolved alert) records nothing."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        return alert
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    AlertEvent.objects.create(
        alert=alert,
        actor=actor,
        kind=EventKind.ACKNOWLEDGED,
        note=(note or "").strip(),
        created_at=now,
    )
    return alert


@transaction.atomic
def alerts_acknowledge(*, alert_ids: Iterable[int], actor: User) -> list[Alert]:
    """Bulk open -> acknowledged: one `acknowledged` event per alert that was still open.

    `alert_ids` must already be limited to what `actor` may see (the caller's access-checked
    queryset): this function decides nothing about scope. All or nothing (one transaction);
    the rows are locked in id order, so it never deadlocks with a single acknowledge or with
    another bulk action, and an alert acknowledged meanwhile is left as it is.
    """
    ids = sorted({int(pk) for pk in alert_ids})
    if not ids:
        return []
    alerts = list(
        Alert.objects.select_for_update().filter(pk__in=ids, status=AlertStatus.OPEN).order_by("pk")
    )
    if not alerts:
        return []
    now = timezone.now()
    Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, updated_at=now
    )
    AlertEvent.objects.bulk_create(
        [
            AlertEvent(alert=alert, actor=actor, kind=EventKind.ACKNOWLEDGED, created_at=now)
            for alert in alerts
        ]
    )
    for alert in alerts:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
        alert.updated_at = now
    return alerts


@transaction.atomic
def alert_add_note(*, alert: Alert, actor: User, note: str) -> AlertEvent:
    text = _require_note(note)
    return AlertEvent.objects.create(alert=alert, actor=actor, kind=EventKind.NOTE, note=text)


@transaction.atomic
def alert_resolve(*, alert: Alert, actor: User, note: str) -> Alert:
    """Resolve with a required note. Resolving a resolved alert records nothing."""
    text = _require_note(note)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        return alert
    now = timezone.now()
    fields = ["status", "resolved_at", "resolved_by", "updated_at"]
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
        fields += ["acknowledged_at", "acknowledged_by"]
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.resolved_by = actor
    alert.save(update_fields=fields)
    AlertEvent.objects.create(
        alert=alert, actor=actor, kind=EventKind.RESOLVED, note=text, created_at=now
    )
    return alert


@transaction.atomic
def alert_assign(*, alert: Alert, actor: User) -> Alert:
    """The actor takes the alert on ("I'll take it"); taking it over from someone else is
    allowed (cover on holidays) and recorded. Precondition: the actor may see the patient
    (the caller fetched the alert through accounts.access). A resolved alert is left alone."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED or alert.assigned_to_id == actor.pk:
        return alert
    previous = alert.assigned_to_id
    now = timezone.now()
    alert.assigned_to = actor
    alert.assigned_at = now
    alert.assignee_only_round = 0
    alert.save(update_fields=["assigned_to", "assigned_at", "assignee_only_round", "updated_at"])
    AlertEvent.objects.create(
        alert=alert,
        actor=actor,
        kind=EventKind.ASSIGNED,
        data={"from": previous} if previous else {},
        created_at=now,
    )
    return alert


@transaction.atomic
def alert_unassign(*, alert: Alert, actor: User) -> Alert:
    """The assignee hands the alert back to the team (only the assignee may)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.assigned_to_id != actor.pk:
        return alert
    alert.assigned_to = None
    alert.assigned_at = None
    alert.assignee_only_round = 0
    alert.save(update_fields=["assigned_to", "assigned_at", "assignee_only_round", "updated_at"])
    AlertEvent.objects.create(alert=alert, actor=actor, kind=EventKind.UNASSIGNED)
    return alert
