"""Turns a PatientRecord into what the record page shows: charts, timeline, findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from clinic import charts
from clinic.selectors.record import PatientRecord
from core.chart_series import Measure, measure_charts
from core.timezones import patient_local_date
from journal.instruments import fiqr, phq9
from journal.instruments.checkin import SCALES
from journal.models import Instrument, QuestionnaireResponse
from medications.markers import course_markers

# One chart per measure, in this order (clinical words; 0 and 10 as the patient saw them).
RECORD_MEASURES = tuple(
    Measure(key, label, SCALES[key][1], SCALES[key][2])
    for key, label in (
        ("pain", "Pain"),
        ("fatigue", "Fatigue"),
        ("sleep_quality", "Sleep quality"),
        ("cognition", "Brain fog"),
        ("mood", "Mood"),
    )
)
MEASURE_KEYS = tuple(m.key for m in RECORD_MEASURES)

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


def _band_legend(bands: list[charts.Band], *, whole: bool) -> str:
    """ "0–4 minimal, 5–9 mild, …" (whole-number totals) or "up to 23 remission, 24–40 mild, …"."""
    parts = []
    for i, band in enumerate(bands):
        name = band.label.lower()
        last = i == len(bands) - 1
        if whole:
            top = band.high if last else band.high - 1
            parts.append(f"{band.low:g}–{top:g} {name}")
        elif i == 0:
            parts.append(f"up to {band.high:g} {name}")
        elif last:
            parts.append(f"above {band.low:g} {name}")
        else:
            parts.append(f"{band.low + 1:g}–{band.high:g} {name}")
    return ", ".join(parts)


def totals_chart(
    rows: list[dict[str, Any]],
    *,
    record: PatientRecord,
    high: float,
    bands: list[charts.Band],
    label: str,
    legend: str,
) -> dict[str, Any]:
    """A questionnaire's totals over its severity bands, on the day axis of the other charts
    (portal/static/portal/measure_charts.js draws it; x = days since the first day shown)."""
    start, end = record.start, record.today
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "span": (end - start).days,
        "label": label,
        "max": high,
        "bands": [{"low": b.low, "high": b.high, "label": b.label} for b in bands],
        "legend": legend,
        "points": [
            {"x": (row["date"] - start).days, "y": row["total"], "date": row["date"].isoformat()}
            for row in rows
            if start <= row["date"] <= end and row["total"] is not None
        ],
        "markers": [],
    }


@dataclass
class RecordView:
    measure_charts: dict[str, Any]
    timeline: dict[str, Any]
    phq9_chart: dict[str, Any]
    fiqr_chart: dict[str, Any]
    phq9_rows: list[dict[str, Any]]
    fiqr_rows: list[dict[str, Any]]
    acr_latest: dict[str, Any] | None
    acr_rows: list[dict[str, Any]]
    course_rows: list[dict[str, Any]]


def build_record_view(record: PatientRecord) -> RecordView:
    markers = course_markers(record.courses, start=record.start, end=record.today)
    measures = measure_charts(
        measures=RECORD_MEASURES,
        rows=[(e.date, {key: getattr(e, key) for key in MEASURE_KEYS}) for e in record.entries],
        start=record.start,
        end=record.today,
        markers=markers,
    )
    by_instrument: dict[str, list[QuestionnaireResponse]] = {
        choice: [] for choice in Instrument.values
    }
    for response in record.responses:
        by_instrument.setdefault(response.instrument, []).append(response)

    def on(response: QuestionnaireResponse) -> date:
        # The patient's date, as in the alert and the report (core.timezones).
        return patient_local_date(record.patient, response.completed_at)

    phq9_rows = [
        {
            "date": on(r),
            "total": r.score.get("total"),
            "band": phq9.BAND_LABELS.get(r.score.get("band"), r.score.get("band", "")),
            "item9": r.score.get("item9"),
        }
        for r in by_instrument["phq9"]
    ]
    fiqr_rows = [
        {
            "date": on(r),
            "total": r.score.get("total"),
            "band": fiqr.BAND_LABELS.get(fiqr.band_for(float(r.score.get("total") or 0)), ""),
        }
        for r in by_instrument["fiqr"]
    ]
    acr_rows = [{"date": on(r), **r.score} for r in by_instrument["acr2016"]]
    phq9_chart = totals_chart(
        phq9_rows,
        record=record,
        high=phq9.TOTAL_MAX,
        bands=phq9_bands(),
        label="PHQ-9 total",
        legend=_band_legend(phq9_bands(), whole=True) + " (bands: Kroenke 2001)",
    )
    fiqr_chart = totals_chart(
        fiqr_rows,
        record=record,
        high=100,
        bands=fiqr_bands(),
        label="FIQR total",
        legend=_band_legend(fiqr_bands(), whole=False) + " (bands: Salaffi 2020)",
    )
    span = (record.today - record.start).days
    timeline_rows = []
    course_rows = []

    def day_x(day: date) -> int:
        return min(max((day - record.start).days, 0), span)

    for course in record.courses:
        drug = course.drug
        tier = drug.serotonergic if drug else "none"
        dose = f"{course.dose.normalize():f} {course.unit}".strip() if course.dose else ""
        label = f"{drug.name if drug else course.name} {dose}".strip()
        dose_change = course.previous_course_id is not None
        washout = drug.washout_days if drug else 0
        last = course.stopped_on or record.today
        washout_end = last + timedelta(days=washout) if course.stopped_on and washout else last
        if course.started_on <= record.today and washout_end >= record.start:
            timeline_rows.append(
                {
                    "label": label,
                    "tier": tier if drug else "unknown",
                    "from": day_x(course.started_on),
                    # A bar covers its last day whole: it ends where the next day begins.
                    "to": min(day_x(last) + 1, span),
                    "washout_to": min(day_x(washout_end) + 1, span),
                    "washout_days": washout,
                    "dose_change": dose_change,
                    "detail": f"{label}: {course.started_on.isoformat()} to "
                    f"{course.stopped_on.isoformat() if course.stopped_on else 'now'}",
                }
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
    timeline = {
        "start": measures["start"],
        "end": measures["end"],
        "span": span,
        "courses": timeline_rows,
        "markers": measures["markers"],
    }
    return RecordView(
        measure_charts=measures,
        timeline=timeline,
        phq9_chart=phq9_chart,
        fiqr_chart=fiqr_chart,
        phq9_rows=list(reversed(phq9_rows)),
        fiqr_rows=list(reversed(fiqr_rows)),
        acr_latest=acr_rows[-1] if acr_rows else None,
        acr_rows=list(reversed(acr_rows)),
        course_rows=list(reversed(course_rows)),
    )
