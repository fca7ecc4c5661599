"""Data for the per-measure charts (patient history and clinician record), no app imported.

The browser draws them with Chart.js (portal/static/portal/measure_charts.js) from a json_script
block; everything that decides *what* is drawn happens here, so it is tested without a browser:

- x is a day number from the first day of the period (0 .. span), so a 14-day gap is 14 days
  wide on a linear axis; the browser labels the ticks with dates.
- Short periods plot one point per day; a day without a check-in is a null, which Chart.js
  draws as a gap (`spanGaps: false`), never a line across the missing days.
- Periods of WEEKLY_FROM_DAYS days or more plot the mean of each ISO week (Monday to Sunday of
  the patient's own dates: check-in dates are already the patient's local dates), at the middle
  of the week's days inside the period; a week without a check-in is a null.
- Medication markers (starts, stops, dose changes) come from the app that owns medicines through
  `register_marker_source` (medications registers in its AppConfig.ready()), because the journal
  page that draws the patient's charts may not import its sibling app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

WEEKLY_FROM_DAYS = 90


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    label: str
    low: str  # what 0 means
    high: str  # what 10 means


@dataclass(frozen=True, slots=True)
class Marker:
    day: date
    kind: str  # "start" | "stop" | "dose_change"
    label: str


# Any: each source takes the patient type of its own app (a User).
MarkerSource = Callable[[Any, date, date], list[Marker]]
_MARKER_SOURCES: list[MarkerSource] = []


def register_marker_source(source: MarkerSource) -> None:
    """Called once per source at start-up (an AppConfig.ready())."""
    if source not in _MARKER_SOURCES:
        _MARKER_SOURCES.append(source)


def markers_for(patient: AbstractBaseUser, start: date, end: date) -> list[Marker]:
    """Markers of every registered source within [start, end], by date."""
    found = [m for source in _MARKER_SOURCES for m in source(patient, start, end)]
    return sorted((m for m in found if start <= m.day <= end), key=lambda m: (m.day, m.kind))


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def daily_points(
    rows: Mapping[date, Mapping[str, int | float | None]], key: str, start: date, end: date
) -> list[dict[str, Any]]:
    """One point per day of [start, end]; null where there is no value."""
    span = (end - start).days
    points = []
    for offset in range(span + 1):
        row = rows.get(start + timedelta(days=offset))
        value = row.get(key) if row is not None else None
        points.append({"x": offset, "y": value})
    return points


def weekly_points(
    rows: Mapping[date, Mapping[str, int | float | None]], key: str, start: date, end: date
) -> list[dict[str, Any]]:
    """The mean of each ISO week (Monday-Sunday) overlapping [start, end]; null for empty weeks."""
    points = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        first, last = max(monday, start), min(monday + timedelta(days=6), end)
        values = []
        day = first
        while day <= last:
            row = rows.get(day)
            value = row.get(key) if row is not None else None
            if value is not None:
                values.append(float(value))
            day += timedelta(days=1)
        x = ((first - start).days + (last - start).days) / 2
        points.append(
            {
                "x": x,
                "y": _mean(values),
                "n": len(values),
                "week": f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}",
                "from": first.isoformat(),
                "to": last.isoformat(),
            }
        )
        monday += timedelta(days=7)
    return points


def measure_charts(
    *,
    measures: Iterable[Measure],
    rows: Iterable[tuple[date, Mapping[str, int | float | None]]],
    start: date,
    end: date,
    markers: Iterable[Marker] = (),
    weekly: bool | None = None,
) -> dict[str, Any]:
    """The json_script payload of the per-measure charts (no query: rows are already loaded)."""
    by_day = {day: values for day, values in rows if start <= day <= end}
    days = (end - start).days + 1
    if weekly is None:
        weekly = days >= WEEKLY_FROM_DAYS
    build = weekly_points if weekly else daily_points
    charts = []
    for measure in measures:
        points = build(by_day, measure.key, start, end)
        count = sum(1 for values in by_day.values() if values.get(measure.key) is not None)
        charts.append(
            {
                "key": measure.key,
                "label": measure.label,
                "low": measure.low,
                "high": measure.high,
                "points": points,
                "count": count,
            }
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "span": days - 1,
        "mode": "weekly" if weekly else "daily",
        "charts": charts,
        "markers": [
            {
                "x": (m.day - start).days,
                "date": m.day.isoformat(),
                "kind": m.kind,
                "label": m.label,
            }
            for m in markers
            if start <= m.day <= end
        ],
        "empty": not by_day,
    }
