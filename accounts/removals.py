"""A patient removed an item entered by mistake: the tombstone, the announcement and the
re-evaluation marker, in the caller's transaction (journal and medication services call it)."""

from datetime import date
from typing import Any

from accounts import signals
from accounts.changes import patient_data_changed
from accounts.models import RemovedItem, User


def item_removed(
    *,
    patient_id: int,
    kind: str,
    item_date: date,
    refs: list[str],
    course: dict[str, Any] | None = None,
) -> RemovedItem:
    """Record that the patient removed an item (no content) and tell the higher apps.

    Call inside the deleting transaction, after the delete. The alerts app notes the removal on
    the alerts based on the item (accounts.signals.patient_item_removed); the marker makes the
    next evaluation see the patient's data without it.
    """
    removed = RemovedItem.objects.create(patient_id=patient_id, kind=kind, item_date=item_date)
    signals.patient_item_removed.send(
        sender=RemovedItem,
        patient_id=patient_id,
        kind=kind,
        item_date=item_date,
        refs=refs,
        course=course,
    )
    patient_data_changed(patient_id)
    return removed


REMOVED_LIST_LIMIT = 20


def removed_items_for(patient: User, *, limit: int = REMOVED_LIST_LIMIT) -> list[RemovedItem]:
    """The patient's latest removals, newest first (one query), for the clinicians' record."""
    return list(RemovedItem.objects.filter(patient=patient).order_by("-removed_at", "-id")[:limit])
