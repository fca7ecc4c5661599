"""Reads of the patient journal. Callers pass a patient already checked by accounts.access."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext

from accounts.models import User
from core.chart_series import Measure, markers_for, measure_charts

# patient_today is re-exported: the journal's pages, APIs and tests take "today" from here.
from core.timezones import patient_local_date, patient_zone
from core.timezones import patient_today as patient_today
from journal.instruments import fiqr, phq9
from journal.instruments.checkin import SCALES
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from journal.schedule import Due, schedule

HISTORY_DAYS_CHOICES = (30, 90, 365)
# The per-measure charts, in this order, with the words the patient saw at check-in.
CHART_MEASURES = tuple(Measure(key, label, low, high) for key, (label, low, high) in SCALES.items())
HISTORY_DEFAULT_DAYS = 30
GLANCE_DAYS = 7


def entries_for(patient: User) -> QuerySet[DailyEntry]:
    return DailyEntry.objects.filter(patient=patient).order_by("-date")


def responses_for(patient: User) -> QuerySet[QuestionnaireResponse]:
    return QuestionnaireResponse.objects.filter(patient=patient).order_by("-completed_at")


def entry_on(patient: User, day: date) -> DailyEntry | None:
    return DailyEntry.objects.filter(patient=patient, date=day).first()


def entry_before(patient: User, day: date) -> DailyEntry | None:
    """The patient's most recent check-in before `day` (for "same as yesterday")."""
    return DailyEntry.objects.filter(patient=patient, date__lt=day).order_by("-date").first()


def last_completed_on(patient: User) -> dict[str, date | None]:
    """Patient-local date of the latest response per instrument (one query)."""
    latest: dict[str, date | None] = {choice: None for choice in Instrument.values}
    rows = (
        QuestionnaireResponse.objects.filter(patient=patient)
        .values("instrument")
        .annotate(latest=Max("completed_at"))
        .values_list("instrument", "latest")
    )
    for instrument, completed_at in rows:
        latest[instrument] = patient_local_date(patient, completed_at)
    return latest


@dataclass(frozen=True, slots=True)
class GlanceDay:
    day: date
    entry: DailyEntry | None


@dataclass(frozen=True, slots=True)
class HomeSummary:
    today: date
    today_entry: DailyEntry | None
    due: list[Due]
    glance: list[GlanceDay]  # oldest first


def home_summary(patient: User) -> HomeSummary:
    today = patient_today(patient)
    first_day = today - timedelta(days=GLANCE_DAYS - 1)
    by_day = {
        entry.date: entry for entry in entries_for(patient).filter(date__range=(first_day, today))
    }
    days = [first_day + timedelta(days=offset) for offset in range(GLANCE_DAYS)]
    return HomeSummary(
        today=today,
        today_entry=by_day.get(today),
        due=schedule(last_completed_on(patient), today),
        glance=[GlanceDay(day=day, entry=by_day.get(day)) for day in days],
    )


def history_days(raw: str | None) -> int:
    try:
        days = int(raw or "")
    except ValueError:
        return HISTORY_DEFAULT_DAYS
    return days if days in HISTORY_DAYS_CHOICES else HISTORY_DEFAULT_DAYS


def history(patient: User, *, days: int) -> dict[str, Any]:
    """Numbers for the history charts and tables: two queries whatever the range."""
    today = patient_today(patient)
    first_day = today - timedelta(days=days - 1)
    entries = list(
        DailyEntry.objects.filter(patient=patient, date__range=(first_day, today))
        .order_by("date")
        .only("date", *SCALES, "pain_regions")
    )
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=patient_zone(patient))
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient, completed_at__gte=since)
        .order_by("completed_at")
        .only("instrument", "score", "completed_at")
    )
    daily = [
        {
            "id": entry.pk,
            "date": entry.date.isoformat(),
            **{scale: getattr(entry, scale) for scale in SCALES},
            "regions": len(entry.pain_regions or []),
        }
        for entry in entries
    ]
    phq9_rows, fiqr_rows, acr_rows = [], [], []
    for response in responses:
        day = patient_local_date(patient, response.completed_at).isoformat()
        score = response.score or {}
        if response.instrument == Instrument.PHQ9:
            band = score.get("band", "")
            phq9_rows.append(
                {
                    "id": response.pk,
                    "date": day,
                    "total": score.get("total"),
                    "band": phq9.BAND_LABELS.get(band, band),
                }
            )
        elif response.instrument == Instrument.FIQR:
            total = score.get("total")
            band = score.get("band") or (fiqr.band_for(total) if total is not None else "")
            fiqr_rows.append(
                {
                    "id": response.pk,
                    "date": day,
                    "total": total,
                    "band": fiqr.BAND_LABELS.get(band, band),
                }
            )
        elif response.instrument == Instrument.ACR2016:
            acr_rows.append(
                {
                    "id": response.pk,
                    "date": day,
                    "wpi": score.get("wpi"),
                    "sss": score.get("sss"),
                    "meets_criteria": bool(score.get("meets_criteria")),
                }
            )
    return {
        "days": days,
        "first_day": first_day.isoformat(),
        "today": today.isoformat(),
        "daily": daily,
        "phq9": phq9_rows,
        "fiqr": fiqr_rows,
        "acr2016": acr_rows,
    }


def history_charts(patient: User, history: dict[str, Any]) -> dict[str, Any]:
    """The per-measure charts of `history(...)`: daily points for 30 days, weekly means from 90
    days, medication markers (one more query, through the marker hook in core)."""
    start = date.fromisoformat(history["first_day"])
    end = date.fromisoformat(history["today"])
    return measure_charts(
        # In the page's language (the scale words are English in the code).
        measures=tuple(
            Measure(m.key, gettext(m.label), gettext(m.low), gettext(m.high))
            for m in CHART_MEASURES
        ),
        rows=[(date.fromisoformat(row["date"]), row) for row in history["daily"]],
        start=start,
        end=end,
        markers=markers_for(patient, start, end),
    )
