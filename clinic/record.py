"""Turns a PatientRecord into what the record page shows: charts, timeline, findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.safestring import mark_safe

from clinic import charts
from clinic.selectors.record import PatientRecord
from journal.instruments import fiqr, phq9
from journal.models import Instrument, QuestionnaireResponse

SCALE_SERIES = (
    ("mood", "Mood (10 best)", "s-mood"),
    ("pain", "Pain (10 worst)", "s-pain"),
    ("fatigue", "Fatigue (10 worst)", "s-fatigue"),
    ("sleep_quality", "Sleep quality (10 best)", "s-sleep"),
    ("cognition", "Brain fog (10 worst)", "s-cognition"),
)
TIER_CSS = {
    "maoi": "tier-maoi",
    "maob": "tier-maob",
    "strong": "tier-strong",
    "weak": "tier-weak",
    "none": "tier-none",
}


def phq9_bands() -> list[charts.Band]:
    # phq9.BANDS: (lowest total, band) ascending; bands span to the next lowest - 1.
    bands = []
    for i, (low, name) in enumerate(phq9.BANDS):
        high = phq9.BANDS[i + 1][0] if i + 1 < len(phq9.BANDS) else phq9.TOTAL_MAX
        bands.append(charts.Band(low, high, f"b{i}", phq9.BAND_LABELS[name]))
    return bands


def fiqr_bands() -> list[charts.Band]:
    # fiqr.BANDS: (highest total, band) ascending.
    bands = []
    low = 0.0
    for i, (high, name) in enumerate(fiqr.BANDS):
        bands.append(charts.Band(low, high, f"b{i}", fiqr.BAND_LABELS[name]))
        low = high
    return bands


@dataclass
class RecordView:
    scales_svg: str
    mood_svg: str
    timeline_svg: str
    phq9_svg: str
    fiqr_svg: str
    phq9_rows: list[dict[str, Any]]
    fiqr_rows: list[dict[str, Any]]
    acr_latest: dict[str, Any] | None
    acr_rows: list[dict[str, Any]]
    course_rows: list[dict[str, Any]]


def build_record_view(record: PatientRecord) -> RecordView:
    axis = charts.DateAxis(record.start, record.today)
    entries = record.entries
    mood_series = [
        charts.Series(label, css, [(e.date, getattr(e, field)) for e in entries])
        for field, label, css in SCALE_SERIES
    ]
    scales_svg = charts.line_chart(
        axis=axis,
        series=mood_series[1:],
        low=0,
        high=10,
        title="Daily pain, fatigue, sleep quality and brain fog (0-10)",
        y_ticks=(0, 5, 10),
    )
    mood_svg = charts.line_chart(
        axis=axis,
        series=mood_series[:1],
        low=0,
        high=10,
        title="Daily mood (0 worst - 10 best)",
        y_ticks=(0, 2, 5, 10),
        height=120,
    )
    by_instrument: dict[str, list[QuestionnaireResponse]] = {
        choice: [] for choice in Instrument.values
    }
    for response in record.responses:
        by_instrument.setdefault(response.instrument, []).append(response)
    phq9_rows = [
        {
            "date": r.completed_at.date(),
            "total": r.score.get("total"),
            "band": phq9.BAND_LABELS.get(r.score.get("band"), r.score.get("band", "")),
            "item9": r.score.get("item9"),
        }
        for r in by_instrument["phq9"]
    ]
    fiqr_rows = [
        {
            "date": r.completed_at.date(),
            "total": r.score.get("total"),
            "band": fiqr.BAND_LABELS.get(fiqr.band_for(float(r.score.get("total") or 0)), ""),
        }
        for r in by_instrument["fiqr"]
    ]
    acr_rows = [{"date": r.completed_at.date(), **r.score} for r in by_instrument["acr2016"]]
    phq9_svg = charts.line_chart(
        axis=axis,
        series=[
            charts.Series(
                "PHQ-9 total", "s-phq9", [(row["date"], row["total"]) for row in phq9_rows]
            )
        ],
        low=0,
        high=phq9.TOTAL_MAX,
        bands=phq9_bands(),
        title="PHQ-9 total (0-27) with severity bands (Kroenke 2001)",
        height=130,
    )
    fiqr_svg = charts.line_chart(
        axis=axis,
        series=[
            charts.Series(
                "FIQR total", "s-fiqr", [(row["date"], row["total"]) for row in fiqr_rows]
            )
        ],
        low=0,
        high=100,
        bands=fiqr_bands(),
        title="FIQR total (0-100) with severity bands (Bennett 2009)",
        height=130,
    )
    bars = []
    course_rows = []
    for course in record.courses:
        drug = course.drug
        tier = drug.serotonergic if drug else "none"
        dose = f"{course.dose.normalize():f} {course.unit}".strip() if course.dose else ""
        label = f"{drug.name if drug else course.name} {dose}".strip()
        dose_change = course.previous_course_id is not None
        washout = drug.washout_days if drug else 0
        bars.append(
            charts.TimelineBar(
                label=label,
                start=course.started_on,
                end=course.stopped_on,
                washout_days=washout,
                css=TIER_CSS.get(tier, "tier-none") + ("" if drug else " tier-unknown"),
                dose_change=dose_change,
                detail=f"{label}: {course.started_on.isoformat()} to "
                f"{course.stopped_on.isoformat() if course.stopped_on else 'now'}",
            )
        )
        course_rows.append(
            {
                "course": course,
                "label": label,
                "tier": tier if drug else "unknown",
                "dose_change": dose_change,
                "washout_until": (
                    course.stopped_on + timedelta(days=washout)
                    if course.stopped_on and washout
                    else None
                ),
            }
        )
    timeline_svg = charts.timeline(
        axis=axis, bars=bars, title="Medication timeline (same dates as the mood chart)"
    )
    return RecordView(
        scales_svg=mark_safe(scales_svg),  # noqa: S308 - built from escaped values in charts
        mood_svg=mark_safe(mood_svg),  # noqa: S308
        timeline_svg=mark_safe(timeline_svg),  # noqa: S308
        phq9_svg=mark_safe(phq9_svg),  # noqa: S308
        fiqr_svg=mark_safe(fiqr_svg),  # noqa: S308
        phq9_rows=list(reversed(phq9_rows)),
        fiqr_rows=list(reversed(fiqr_rows)),
        acr_latest=acr_rows[-1] if acr_rows else None,
        acr_rows=list(reversed(acr_rows)),
        course_rows=list(reversed(course_rows)),
    )
