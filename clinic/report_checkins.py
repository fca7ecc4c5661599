"""The visit report's check-in, medication-chart and alert-history sections (PDF and CSV).

clinic/reports.py reads the period's rows and calls these; they add what the clinician's record
shows beyond the scale summaries: the notes, pain regions, serotonin-toxicity symptoms per day,
the medication timeline drawn as a chart, and every alert's follow-up (acknowledgements, notes,
resolutions) with its time in a named zone.

Everything here is text someone typed. PDF paragraphs come from the caller's `para`, which
escapes reportlab's markup (the drawings are in clinic/report_charts.py); CSV rows go
through the caller's core.safecsv writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable, Spacer

from alerts.models import Alert, AlertEvent, EventKind
from clinic import checkins, report_charts
from core.timezones import zone_named
from journal.instruments.codes import WPI_REGION_LABELS, WPI_REGIONS
from journal.models import DailyEntry
from medications.models import MedicationCourse

# The follow-up shown in the alert history; "notified"/"reminded" are mail bookkeeping.
HISTORY_EVENT_KINDS = (
    EventKind.CREATED,
    EventKind.EVIDENCE,
    EventKind.ESCALATED,
    EventKind.ACKNOWLEDGED,
    EventKind.NOTE,
    EventKind.RESOLVED,
)
Para = Callable[[object, ParagraphStyle], Flowable]
Table = Callable[..., Flowable]


def alert_events(alerts: Sequence[Alert]) -> dict[int, list[AlertEvent]]:
    """The follow-up events of `alerts` by alert id, oldest first (one query)."""
    by_alert: dict[int, list[AlertEvent]] = {a.pk: [] for a in alerts}
    if not alerts:
        return by_alert
    events = (
        AlertEvent.objects.filter(alert_id__in=list(by_alert), kind__in=HISTORY_EVENT_KINDS)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        by_alert[event.alert_id].append(event)
    return by_alert


def zoned_time(moment: datetime, zone_name: str, *, full: bool = True) -> str:
    """'2026-11-27 14:05 AEDT (Australia/Sydney)': the time in a zone, the zone always named
    (`full=False`: the abbreviation only, under a heading that names the zone)."""
    zone = zone_named(zone_name)
    local = moment.astimezone(zone)
    abbreviation = local.tzname() or ""
    name = str(zone.key)
    if abbreviation in ("", name):
        label = name
    else:
        label = f"{abbreviation} ({name})" if full else abbreviation
    return f"{local:%Y-%m-%d %H:%M} {label}"


@dataclass(frozen=True, slots=True)
class HistoryRow:
    when: str
    alert: str
    event: str
    by: str
    note: str


def alert_history(
    alerts: Sequence[Alert],
    events: dict[int, list[AlertEvent]],
    *,
    zone_name: str,
    full_zone: bool = True,
) -> list[HistoryRow]:
    rows = []
    for alert in alerts:
        for event in events.get(alert.pk, []):
            rows.append(
                HistoryRow(
                    when=zoned_time(event.created_at, zone_name, full=full_zone),
                    alert=f"{alert.title} ({alert.get_severity_display().lower()})",
                    event=event.get_kind_display(),
                    by=event.actor.display_name if event.actor else "",
                    note=event.note,
                )
            )
    return rows


# --- CSV ---------------------------------------------------------------------------------------


def csv_rows(
    *,
    entries: Sequence[DailyEntry],
    alerts: Sequence[Alert],
    start: date,
    end: date,
    zone_name: str,
) -> list[list[object]]:
    """Rows in the report's (section, date, item, value, detail) columns."""
    rows: list[list[object]] = []
    for entry in sorted(entries, key=lambda e: e.date):
        if not start <= entry.date <= end:
            continue
        day = entry.date.isoformat()
        if (entry.notes or "").strip():
            rows.append(["checkin_note", day, "notes", "", entry.notes])
        regions = [c for c in WPI_REGIONS if c in set(entry.pain_regions or ())]
        if regions:
            labels = "; ".join(WPI_REGION_LABELS[c] for c in regions)
            rows.append(["pain_regions", day, " ".join(regions), len(regions), labels])
    counts, checkin_days = checkins.region_day_counts(entries, start=start, end=end)
    for count in counts:
        if not count.days:
            continue
        rows.append(
            [
                "pain_region_days",
                "",
                count.code,
                count.days,
                f"{count.label}: {count.days} of {checkin_days} check-in days",
            ]
        )
    for symptoms in reversed(checkins.symptom_days(entries, start=start, end=end)):
        rows.append(
            [
                "serotonin_symptoms",
                symptoms.day.isoformat(),
                " ".join(symptoms.codes),
                symptoms.count,
                "; ".join(symptoms.labels),
            ]
        )
    events = alert_events(alerts)
    for row in alert_history(alerts, events, zone_name=zone_name):
        rows.append(["alert_event", row.when, row.event, row.alert, _by_note(row)])
    return rows


def _by_note(row: HistoryRow) -> str:
    return " - ".join(part for part in (row.by, row.note) if part)


# --- PDF ---------------------------------------------------------------------------------------


def pdf_sections(
    *,
    entries: Sequence[DailyEntry],
    courses: Sequence[MedicationCourse],
    alerts: Sequence[Alert],
    start: date,
    end: date,
    zone_name: str,
    para: Para,
    table: Table,
    styles: StyleSheet1,
) -> list[Flowable]:
    """Medication timeline chart, notes, pain regions, symptoms per day, alert history."""
    story: list[Flowable] = [Spacer(1, 4), para("Medication timeline", styles["Heading2"])]
    if courses:
        story += report_charts.medication_charts(courses, start=start, end=end)
        story.append(report_charts.chart_legend(report_charts.tier(c) for c in courses))
    else:
        story.append(para("No medicines in this period.", styles["Normal"]))

    notes = checkins.notes_in_period(entries, start=start, end=end)
    story += [
        Spacer(1, 8),
        para("Check-in notes", styles["Heading2"]),
        table(["Date", "Note"], [(e.date.isoformat(), e.notes) for e in notes], [70, 423]),
    ]

    counts, checkin_days = checkins.region_day_counts(entries, start=start, end=end)
    marked = sorted((c for c in counts if c.days), key=lambda c: (-c.days, c.label))
    story += [
        Spacer(1, 8),
        para("Pain regions", styles["Heading2"]),
        para(
            f"Days each region was marked, out of {checkin_days} check-in "
            f"day{'' if checkin_days == 1 else 's'} in the period.",
            styles["Normal"],
        ),
    ]
    if checkin_days:
        story.append(report_charts.heat_map_drawing(counts))
    story.append(table(["Region", "Days marked"], [(c.label, c.days) for c in marked], [200, 100]))

    days = checkins.symptom_days(entries, start=start, end=end)
    story += [
        Spacer(1, 8),
        para("Serotonin-toxicity symptoms per day", styles["Heading2"]),
        table(
            ["Date", "Symptoms", "Count"],
            [(d.day.isoformat(), ", ".join(d.labels), d.count) for d in days],
            [70, 373, 50],
        ),
    ]

    history = alert_history(alerts, alert_events(alerts), zone_name=zone_name, full_zone=False)
    story += [
        Spacer(1, 8),
        para("Alert history and follow-up", styles["Heading2"]),
        para(f"Times in {zone_named(zone_name).key}.", styles["Normal"]),
        table(
            ["Time", "Alert", "Event", "By", "Note"],
            [(r.when, r.alert, r.event, r.by, r.note) for r in history],
            [80, 112, 84, 70, 147],
        ),
    ]
    return story
