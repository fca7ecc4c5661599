"""The triage figures of a patient as query expressions: what a PatientTriage row stores.

Read by the dashboard selectors and written by services.refresh_triage; kept apart from both
so neither imports the other for them. The 7-day means and the 28-day baseline are rule M5's
windows (alerts.rules.mood.m5_windows), so the dashboard and the alert agree on the days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Avg, FloatField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from accounts.access import patients_visible_to
from accounts.models import User
from alerts.rules.mood import m5_windows
from journal.models import DailyEntry, Instrument, QuestionnaireResponse

TRIAGE_FIGURES = ("last_entry", "mood_7", "pain_7", "mood_28", "pain_28", "phq9_total")


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


def triage_figures_queryset(user: User, *, today: date) -> QuerySet[User]:
    """Visible patients with the figures PatientTriage stores, computed from the journal."""
    window = m5_windows(today)
    return patients_visible_to(user).annotate(
        last_entry=Subquery(
            DailyEntry.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
        ),
        mood_7=_entry_avg("mood", window.recent_first, window.recent_last),
        pain_7=_entry_avg("pain", window.recent_first, window.recent_last),
        mood_28=_entry_avg("mood", window.baseline_first, window.baseline_last),
        pain_28=_entry_avg("pain", window.baseline_first, window.baseline_last),
        phq9_total=phq9_total(),
    )


def worsening(row: dict[str, Any]) -> float:
    """Mood down (10 best) plus pain up (10 worst) against the 28-day baseline."""
    total = 0.0
    if row["mood_7"] is not None and row["mood_28"] is not None:
        total += row["mood_28"] - row["mood_7"]
    if row["pain_7"] is not None and row["pain_28"] is not None:
        total += row["pain_7"] - row["pain_28"]
    return total
