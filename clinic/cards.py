"""Alert cards ready to render: every URL, label and date computed once in Python.

The alert queue renders 25 cards a page; with `{% url %}`, `|date`, `|timesince` and a nested
`{% include %}` per card the template engine spent ~80% of the page's time on them (about 180
URL reversals a page). Here each route is reversed once per page with a sentinel id and the
ids are spliced in, and the values the card shows are plain strings (still autoescaped by the
template). Times (raised, resolved, each event) are the viewer's, zone labelled
(core.timezones.format_time: the clinician's ClinicianProfile.timezone, which the middleware
activates), like `{% clinician_time %}` in the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, cast

from django.template.defaultfilters import timesince_filter
from django.urls import reverse
from django.utils import dateformat
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.models import Alert, AlertEvent, EventKind
from core.timezones import format_time

# An id no route will ever see, so splitting a reversed URL on it is unambiguous.
_SENTINEL = 987654321987


class UrlPattern:
    """`reverse(name, args=[id])` for many ids at the cost of one reversal."""

    def __init__(self, name: str):
        url = reverse(name, args=[_SENTINEL])
        head, sep, tail = url.partition(str(_SENTINEL))
        if not sep or str(_SENTINEL) in tail:
            raise ValueError(f"{name}: the id must appear exactly once in {url}")
        self.head, self.tail = head, tail

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"


def local_date(value: date | None, fmt: str) -> str:
    """What `{{ value|date:fmt }}` renders for a literal format (the filter expects local time).

    `dateformat.format` directly: the filter first looks the literal up as a format name in
    every locale module, on every call, which cost more than the formatting.
    """
    if value is None:
        return ""
    return dateformat.format(template_localtime(value), fmt)


@dataclass(slots=True)
class EventLine:
    when: str
    kind: str
    actor: str
    note: str
    # A step told as a sentence ("Dr X took this on"); empty: kind and actor are shown.
    sentence: str = ""


def _event_sentence(kind: str, actor: str) -> str:
    """Ownership steps in plain words on the alert's timeline."""
    who = actor or _("Someone")
    if kind == EventKind.ASSIGNED:
        return _("%(name)s took this on") % {"name": who}
    if kind == EventKind.UNASSIGNED:
        return _("%(name)s handed it back") % {"name": who}
    return ""


@dataclass(slots=True)
class AlertCard:
    pk: int
    key: str  # str(pk): an int in a template goes through number formatting, 8 times a card
    severity: str
    severity_label: str
    status: str
    status_label: str
    title: str
    explanation: str
    patient_name: str
    patient_url: str
    raised: str
    raised_since: str
    acknowledged_by: str
    resolved_by: str
    resolved_at: str
    note_url: str
    acknowledge_url: str
    resolve_url: str
    created_short: str  # "j M", for the record page's alert picker
    # Ownership: who took the alert on ("" when nobody), whether the viewer did, and the
    # "I'll take it" / "Hand back" actions.
    assigned_to: str = ""
    assigned_to_viewer: bool = False
    assign_url: str = ""
    unassign_url: str = ""
    events: list[EventLine] = field(default_factory=list)


def event_lines(events: Iterable[AlertEvent]) -> list[EventLine]:
    """An alert's timeline (alerts.selectors.events_by_alert: actors loaded, oldest first)."""
    lines = []
    for event in events:
        actor = event.actor.display_name if event.actor is not None else ""
        lines.append(
            EventLine(
                when=format_time(event.created_at),
                kind=event.kind,
                actor=actor,
                note=event.note or "",
                sentence=_event_sentence(event.kind, actor),
            )
        )
    return lines


@dataclass(slots=True)
class HistoryLine:
    """An alert in the record page's history: what it shows, nothing more."""

    severity: str
    severity_label: str
    title: str
    raised: str
    status_label: str
    events: list[EventLine]


def history_lines(
    alerts: Iterable[Alert], *, events: Mapping[int, Sequence[AlertEvent]]
) -> list[HistoryLine]:
    """`events`: alerts.selectors.events_by_alert of these alerts."""
    return [
        HistoryLine(
            severity=alert.severity,
            severity_label=alert.get_severity_display(),
            title=alert.title,
            raised=format_time(alert.created_at),
            status_label=alert.get_status_display(),
            events=event_lines(events.get(alert.pk, ())),
        )
        for alert in alerts
    ]


if TYPE_CHECKING:

    class _NamedAlert(Alert):
        # alerts.selectors.with_people_names: None when there is nobody.
        patient_name: str | None
        acknowledged_by_name: str | None
        resolved_by_name: str | None
        assigned_to_name: str | None


def alert_cards(
    alerts: Iterable[Alert],
    *,
    events: Mapping[int, Sequence[AlertEvent]],
    viewer: User | None = None,
) -> list[AlertCard]:
    """One card per alert, annotated with the people's names by
    alerts.selectors.with_people_names (no User row is read). `events`:
    alerts.selectors.events_by_alert of these alerts; `viewer`: the clinician looking (their
    own alerts offer "Hand back")."""
    patient_url = UrlPattern("clinic:patient")
    assign_url = UrlPattern("clinic:alert-assign")
    unassign_url = UrlPattern("clinic:alert-unassign")
    note_url = UrlPattern("clinic:alert-note")
    acknowledge_url = UrlPattern("clinic:alert-acknowledge")
    resolve_url = UrlPattern("clinic:alert-resolve")
    cards = []
    for alert in alerts:
        names = cast("_NamedAlert", alert)
        details = alert.details if isinstance(alert.details, dict) else {}
        resolved = alert.status == "resolved"
        cards.append(
            AlertCard(
                pk=alert.pk,
                key=str(alert.pk),
                severity=alert.severity,
                severity_label=alert.get_severity_display(),
                status=alert.status,
                status_label=alert.get_status_display(),
                title=alert.title,
                explanation=str(details.get("explanation") or ""),
                patient_name=names.patient_name or "",
                patient_url=patient_url(alert.patient_id),
                raised=format_time(alert.created_at),
                raised_since=timesince_filter(alert.created_at),
                acknowledged_by=names.acknowledged_by_name or "",
                resolved_by=(names.resolved_by_name or "") if resolved else "",
                resolved_at=format_time(alert.resolved_at) if resolved else "",
                note_url=note_url(alert.pk),
                acknowledge_url=acknowledge_url(alert.pk),
                resolve_url=resolve_url(alert.pk),
                created_short=local_date(alert.created_at, "j M"),
                assigned_to=names.assigned_to_name or "",
                assigned_to_viewer=(
                    viewer is not None
                    and alert.assigned_to_id is not None
                    and alert.assigned_to_id == viewer.pk
                ),
                assign_url=assign_url(alert.pk),
                unassign_url=unassign_url(alert.pk),
                events=event_lines(events.get(alert.pk, ())),
            )
        )
    return cards
