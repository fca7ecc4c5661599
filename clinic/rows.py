"""Dashboard rows ready to render: every label, date and chart of a row computed in Python.

The dashboard template shows 25 rows of 8 cells; with `|date`, `|capfirst`, `|slice`/`|join`
and nested `{% if %}` per cell the template engine cost as much as the page's queries. The
strings here are exactly what those filters rendered (still autoescaped by the template),
in the active time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from alerts.rules.serotonergic import unchecked_text
from clinic import charts
from clinic.cards import local_date
from clinic.templatetags import clinic_tags
from journal.instruments import phq9

STALE_AFTER_DAYS = 7


def _since(days: int | None) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def prepare_rows(rows: Iterable[Any], *, days: int) -> None:
    """Adds display attributes to each `selectors.PatientRow` (in place; they are not its
    declared fields, hence the Any)."""
    record_url = reverse("clinic:patient", args=[0]).replace("/0/", "/{}/")
    pain_label, mood_label = f"Pain, last {days} days", f"Mood, last {days} days"
    for row in rows:
        patient = row.patient
        profile = getattr(patient, "patient_profile", None)
        born = profile.date_of_birth if profile is not None else None
        row.url = record_url.format(patient.pk)
        row.name = patient.display_name
        row.born_year = local_date(born, "Y") if born else ""
        row.severity_label = capfirst(row.max_severity)
        row.last_entry_text = local_date(row.last_entry, "j M") if row.last_entry else ""
        days_since = row.days_since_entry
        stale = days_since is not None and days_since >= STALE_AFTER_DAYS
        row.since_css = "stale" if stale else "muted"
        row.since_text = _since(days_since)
        row.pain_text = "" if row.pain_7 is None else f"{row.pain_7:.1f}"
        row.mood_text = "" if row.mood_7 is None else f"{row.mood_7:.1f}"
        row.pain_delta = clinic_tags.change(row.pain_change, higher_is_worse=True)
        row.mood_delta = clinic_tags.change(row.mood_change, higher_is_worse=False)
        row.phq9_band_text = phq9.BAND_LABELS.get(row.phq9_band, row.phq9_band or "")
        # The patient's own date, as on the record and in the alert (core.timezones).
        row.phq9_at_text = local_date(row.phq9_on, "j M")
        row.interaction_label = capfirst(row.interaction_severity)
        row.interaction_text = "; ".join(" + ".join(map(str, d)) for d in row.interaction_drugs[:2])
        row.unchecked_text = unchecked_text(row.unchecked_medicines)
        # charts.sparkline escapes every value it writes.
        row.spark_pain = mark_safe(  # noqa: S308
            charts.sparkline(row.sparkline_pain, days=days, css="spark-pain", label=pain_label)
        )
        row.spark_mood = mark_safe(  # noqa: S308
            charts.sparkline(row.sparkline_mood, days=days, css="spark-mood", label=mood_label)
        )
