"""The clinician's alert queue: alerts of the patients accounts.access lets them see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.access import patients_visible_to
from accounts.models import User
from alerts.models import Alert, AlertEvent, AlertStatus
from clinic.selectors.dashboard import UNRESOLVED


def alert_queue(user: User, *, unresolved_only: bool = True) -> QuerySet[Alert]:
    """Unresolved alerts of the clinician's linked patients, most severe and oldest first."""
    alerts = Alert.objects.filter(patient__in=patients_visible_to(user).values("pk"))
    if unresolved_only:
        alerts = alerts.filter(status__in=UNRESOLVED)
    return (
        alerts.select_related("patient", "acknowledged_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=AlertEvent.objects.select_related("actor").order_by("created_at", "id"),
            )
        )
        .order_by("-severity_rank", "created_at", "id")
    )


def alert_queue_counts(user: User) -> tuple[int, int]:
    """(unresolved alerts in the queue, of which still open) in one query.

    The second figure is alerts.selectors.unread_count (the navigation badge) for a verified
    clinician, who alone reaches the queue: the page counts both at once instead of twice.
    """
    counts = alert_queue(user).aggregate(
        total=Count("id"), unread=Count("id", filter=Q(status=AlertStatus.OPEN))
    )
    return counts["total"], counts["unread"]
