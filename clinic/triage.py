"""The triage figures of a patient as query expressions: what a PatientTriage row stores.

Read by the dashboard selectors and written by services.refresh_triage; kept apart from both
so neither imports the other for them. The 7-day means and the 28-day baseline are rule M5's
windows (alerts.rules.mood.m5_windows) counted back from each patient's own "today" (their local
date, core.timezones), so the dashboard and the alert agree on the days wherever the patient is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Expression,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from accounts.access import patients_visible_to
from accounts.models import User
from alerts.rules.mood import m5_windows
from journal.models import DailyEntry, Instrument, QuestionnaireResponse

TRIAGE_FIGURES = (
    "last_entry",
    "mood_7",
    "pain_7",
    "mood_28",
    "pain_28",
    "phq9_total",
    "phq9_band",
    "phq9_at",
)


def _entry_avg(field_name: str, start: date, end: date) -> Subquery:
    rows = (
        DailyEntry.objects.filter(patient=OuterRef("pk"), date__gte=start, date__lte=end)
        .order_by()
        .values("patient")
        .annotate(value=Avg(field_name))
        .values("value")
    )
    return Subquery(rows, output_field=FloatField())


def latest_phq9() -> QuerySet[QuestionnaireResponse]:
    """The outer patient's PHQ-9 responses, latest first (use inside a Subquery)."""
    return QuestionnaireResponse.objects.filter(
        patient=OuterRef("pk"), instrument=Instrument.PHQ9
    ).order_by("-completed_at", "-id")


def phq9_total() -> Subquery:
    """The total of the outer patient's latest PHQ-9."""
    return Subquery(
        latest_phq9()
        .annotate(total=Cast(KeyTextTransform("total", "score"), IntegerField()))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def _per_day(
    ids_by_day: Mapping[date, list[int]], build: Callable[[date], Subquery]
) -> Subquery | Expression:
    """`build(today)` for each patient's own today: one CASE over the (at most three) dates
    the patients' zones are on at one instant, so one statement still serves the whole panel."""
    if len(ids_by_day) == 1:
        return build(next(iter(ids_by_day)))
    return Case(
        *[When(pk__in=ids, then=build(day)) for day, ids in sorted(ids_by_day.items())],
        output_field=FloatField(),
    )


def triage_figures_queryset(user: User, *, days: Mapping[int, date]) -> QuerySet[User]:
    """Visible patients among `days` (patient id -> that patient's today) with the figures
    PatientTriage stores, computed from the journal over each patient's own windows."""
    ids_by_day: dict[date, list[int]] = defaultdict(list)
    for patient_id, day in days.items():
        ids_by_day[day].append(patient_id)

    def avg(field_name: str, recent: bool) -> Subquery | Expression:
        def build(today: date) -> Subquery:
            window = m5_windows(today)
            if recent:
                return _entry_avg(field_name, window.recent_first, window.recent_last)
            return _entry_avg(field_name, window.baseline_first, window.baseline_last)

        return _per_day(ids_by_day, build)

    return (
        patients_visible_to(user)
        .filter(pk__in=list(days))
        .annotate(
            last_entry=Subquery(
                DailyEntry.objects.filter(patient=OuterRef("pk"))
                .order_by("-date")
                .values("date")[:1]
            ),
            mood_7=avg("mood", recent=True),
            pain_7=avg("pain", recent=True),
            mood_28=avg("mood", recent=False),
            pain_28=avg("pain", recent=False),
            phq9_total=phq9_total(),
            phq9_band=Coalesce(
                Subquery(
                    latest_phq9()
                    .annotate(band=KeyTextTransform("band", "score"))
                    .values("band")[:1]
                ),
                Value(""),
                output_field=CharField(),
            ),
            phq9_at=Subquery(latest_phq9().values("completed_at")[:1]),
        )
    )


def worsening(row: dict[str, Any]) -> float:
    """Mood down (10 best) plus pain up (10 worst) against the 28-day baseline."""
    total = 0.0
    if row["mood_7"] is not None and row["mood_28"] is not None:
        total += row["mood_28"] - row["mood_7"]
    if row["pain_7"] is not None and row["pain_28"] is not None:
        total += row["pain_7"] - row["pain_28"]
    return total
