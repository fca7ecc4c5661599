"""The visit report's check-in, medication-chart and alert-history sections (PDF and CSV).

clinic/reports.py reads the period's rows and calls these; they add what the clinician's record
shows beyond the scale summaries: the notes, pain regions, serotonin-toxicity symptoms per day,
the medication timeline drawn as a chart, and every alert's follow-up (acknowledgements, notes,
resolutions) with its time in a named zone.

Everything here is text someone typed. PDF paragraphs come from the caller's `para`, which
escapes reportlab's markup; strings drawn on the chart are not parsed as markup; CSV rows go
through the caller's core.safecsv writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable, Spacer

from alerts.models import Alert, AlertEvent, EventKind
from clinic import checkins
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
CHART_WIDTH = 493.0  # A4 less the report's 18 mm margins, in points
LABEL_WIDTH = 150.0
ROW_HEIGHT = 15.0
ROWS_PER_CHART = 28  # a drawing cannot break across pages: long lists become several charts
TIER_COLOURS = {
    "maoi": colors.HexColor("#8e2b1f"),
    "maob": colors.HexColor("#b5532f"),
    "strong": colors.HexColor("#d0792c"),
    "weak": colors.HexColor("#e0b040"),
    "none": colors.HexColor("#6f8f8c"),
    "unknown": colors.HexColor("#9a9a9a"),
}
TIER_NAMES = {
    "maoi": "MAOI",
    "maob": "MAO-B inhibitor",
    "strong": "strong serotonergic",
    "weak": "weak serotonergic",
    "none": "not serotonergic",
    "unknown": "not in catalog",
}

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


def _tier(course: MedicationCourse) -> str:
    return course.drug.serotonergic if course.drug is not None else "unknown"


def _course_label(course: MedicationCourse) -> str:
    name = course.drug.name if course.drug is not None else course.name
    dose = f"{course.dose.normalize():f} {course.unit}".strip() if course.dose else ""
    label = f"{name} {dose}".strip()
    return label if len(label) <= 30 else label[:29] + "…"


def _diamond(x: float, y: float, size: float, colour: colors.Color) -> Polygon:
    return Polygon(
        [x, y - size, x + size, y, x, y + size, x - size, y],
        fillColor=colour,
        strokeColor=colors.black,
        strokeWidth=0.5,
    )


def medication_charts(
    courses: Sequence[MedicationCourse], *, start: date, end: date
) -> list[Drawing]:
    """The period's courses as horizontal bars on one date axis: a bar per course, a tick at a
    start, a thick cap at a stop, a diamond at a dose change (a course continuing another).
    Several drawings of at most ROWS_PER_CHART bars when the list is long."""
    span = max((end - start).days + 1, 1)
    plot_left = LABEL_WIDTH
    plot_width = CHART_WIDTH - LABEL_WIDTH - 6

    def x_of(day: date) -> float:
        return plot_left + plot_width * (day - start).days / span

    continued = {c.previous_course_id for c in courses if c.previous_course_id is not None}
    drawings = []
    for chunk_start in range(0, len(courses), ROWS_PER_CHART):
        chunk = courses[chunk_start : chunk_start + ROWS_PER_CHART]
        axis_height = 26.0
        height = axis_height + ROW_HEIGHT * len(chunk) + 4
        drawing = Drawing(CHART_WIDTH, height)
        top = height - 2
        for i, course in enumerate(chunk):
            y = top - ROW_HEIGHT * (i + 1)
            mid = y + ROW_HEIGHT / 2
            colour = TIER_COLOURS.get(_tier(course), TIER_COLOURS["none"])
            drawing.add(String(0, mid - 3, _course_label(course), fontName="Helvetica", fontSize=8))
            first = max(course.started_on, start)
            # The bar covers whole days: the last day taken ends at the next day's start.
            last_day = min(course.stopped_on or end, end)
            x0, x1 = x_of(first), x_of(last_day + timedelta(days=1))
            drawing.add(
                Rect(x0, y + 3, max(x1 - x0, 1.5), ROW_HEIGHT - 6, fillColor=colour, strokeWidth=0)
            )
            if start <= course.started_on <= end:
                if course.previous_course_id is not None:
                    drawing.add(_diamond(x0, mid, 4, colors.white))
                else:
                    drawing.add(Line(x0, y + 1, x0, y + ROW_HEIGHT - 1, strokeWidth=1.2))
            stopped = course.stopped_on
            if stopped is not None and start <= stopped <= end and course.pk not in continued:
                drawing.add(Rect(x1 - 2.5, y + 1, 2.5, ROW_HEIGHT - 2, fillColor=colors.black))
        # Date axis with about five labelled ticks, the first and the last included.
        axis_y = top - ROW_HEIGHT * len(chunk) - 2
        drawing.add(Line(plot_left, axis_y, plot_left + plot_width, axis_y, strokeWidth=0.6))
        steps = min(4, span - 1)
        ticks = [start]
        if steps:
            ticks = [
                start + timedelta(days=round((span - 1) * k / steps)) for k in range(steps + 1)
            ]
        for k, day in enumerate(ticks):
            x = x_of(day)
            drawing.add(Line(x, axis_y, x, axis_y - 3, strokeWidth=0.6))
            anchor = "start" if k == 0 else "end" if k == len(ticks) - 1 else "middle"
            drawing.add(
                String(
                    x,
                    axis_y - 12,
                    day.isoformat(),
                    fontName="Helvetica",
                    fontSize=7,
                    textAnchor=anchor,
                )
            )
        drawings.append(drawing)
    return drawings


def _chart_legend(tiers: Iterable[str]) -> Drawing:
    drawing = Drawing(CHART_WIDTH, 14)
    x = 0.0
    present = set(tiers)
    items = [(TIER_COLOURS[t], TIER_NAMES[t]) for t in TIER_NAMES if t in present]
    for colour, name in items:
        drawing.add(Rect(x, 3, 10, 8, fillColor=colour, strokeWidth=0))
        drawing.add(String(x + 13, 4, name, fontName="Helvetica", fontSize=7))
        x += 17 + 3.6 * len(name)
    drawing.add(Line(x, 2, x, 12, strokeWidth=1.2))
    drawing.add(String(x + 4, 4, "start", fontName="Helvetica", fontSize=7))
    x += 28
    drawing.add(Rect(x, 2, 2.5, 10, fillColor=colors.black))
    drawing.add(String(x + 6, 4, "stop", fontName="Helvetica", fontSize=7))
    x += 28
    drawing.add(_diamond(x + 4, 7, 4, colors.white))
    drawing.add(String(x + 11, 4, "dose change", fontName="Helvetica", fontSize=7))
    return drawing


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
        story += medication_charts(courses, start=start, end=end)
        story.append(_chart_legend(_tier(c) for c in courses))
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
        table(["Region", "Days marked"], [(c.label, c.days) for c in marked], [200, 100]),
    ]

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
