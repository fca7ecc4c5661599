"""The clinician's alert queue: alerts of the patients accounts.access lets them see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.access import patients_visible_to
from accounts.models import User
from accounts.selectors import display_name_of
from alerts.models import Alert, AlertStatus
from alerts.selectors import with_people_names
from clinic.selectors.dashboard import UNRESOLVED

# The queue's assignment filter: alerts nobody has taken on, or those the viewer took on.
UNASSIGNED = "unassigned"
ASSIGNED_TO_ME = "me"


@dataclass(frozen=True, slots=True)
class AlertQueueQuery:
    """The queue's filters (clinic.forms.AlertQueueForm reads them from GET, already valid).

    Empty values mean "any"; an empty `status` means unresolved (open or acknowledged), the
    queue's default. `patient_id` is one of the clinician's visible patients or None.
    `assigned` is UNASSIGNED, ASSIGNED_TO_ME or empty (any).
    """

    kind: str = ""
    severity: str = ""
    status: str = ""
    patient_id: int | None = None
    assigned: str = ""
    page: int = 1
    messages: list[str] = field(default_factory=list)

    def condition(self, viewer: User | None = None) -> Q:
        """The filters as one condition (the status default included); `viewer` is who "me"
        is (without one, "assigned to me" matches nothing)."""
        condition = Q(status=self.status) if self.status else Q(status__in=UNRESOLVED)
        if self.kind:
            condition &= Q(kind=self.kind)
        if self.severity:
            condition &= Q(severity=self.severity)
        if self.patient_id is not None:
            condition &= Q(patient_id=self.patient_id)
        if self.assigned == UNASSIGNED:
            condition &= Q(assigned_to__isnull=True)
        elif self.assigned == ASSIGNED_TO_ME:
            condition &= Q(assigned_to=viewer.pk) if viewer is not None else Q(pk__in=[])
        return condition


def _visible_alerts(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(patient__in=patients_visible_to(user).values("pk"))


def alert_queue(
    user: User, *, unresolved_only: bool = True, query: AlertQueueQuery | None = None
) -> QuerySet[Alert]:
    """Alerts of the clinician's linked patients, most severe and oldest first.

    `query` filters (kind, severity, status, patient); without it the unresolved ones, or all
    with `unresolved_only=False` (the lookup of one card after an action).
    """
    alerts = _visible_alerts(user)
    if query is not None:
        alerts = alerts.filter(query.condition(user))
    elif unresolved_only:
        alerts = alerts.filter(status__in=UNRESOLVED)
    # A card's timeline: alerts.selectors.events_by_alert of the page's alerts.
    return with_people_names(alerts).order_by("-severity_rank", "created_at", "id")


def alert_queue_counts(user: User, query: AlertQueueQuery | None = None) -> tuple[int, int]:
    """(alerts the queue shows under `query`, open alerts of the whole panel) in one query.

    The second figure is alerts.selectors.unread_count (the navigation badge) for a verified
    clinician, who alone reaches the queue: the page counts both at once instead of twice,
    whatever its filters show.
    """
    shown = (query or AlertQueueQuery()).condition(user)
    open_ = Q(status=AlertStatus.OPEN)
    counts = (
        _visible_alerts(user)
        .filter(shown | open_)
        .aggregate(total=Count("id", filter=shown), unread=Count("id", filter=open_))
    )
    return counts["total"], counts["unread"]


def queue_patients(user: User) -> list[tuple[int, str]]:
    """(id, name) of the clinician's visible patients, for the queue's patient filter. The name
    is User.display_name (the full name, else the e-mail) worked out by the database: the whole
    panel comes as plain values, not as 500 User rows."""
    return list(
        patients_visible_to(user)
        .order_by("full_name", "pk")
        .annotate(name=display_name_of())
        .values_list("pk", "name")
    )
