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
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from alerts.rules.serotonergic import unchecked_text
from clinic import charts
from clinic.cards import local_date
from clinic.templatetags import clinic_tags
from core.html import escape_text
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
        row.html = row_html(row)


def _if(condition: object, then: str, otherwise: str = "") -> str:
    return then if condition else otherwise


def row_html(row: Any) -> SafeString:  # noqa: ANN401 - a PatientRow plus prepare_rows' attributes
    """One <tr> of the triage table, as the dashboard template's loop body wrote it (kept in
    clinic/tests/legacy_markup/dashboard_row_template.html and compared there): the template
    engine's lookups and `{% if %}`s were most of the page's render time. Every value from data
    is escaped here (core.html.escape_text); the deltas and sparklines are already safe HTML."""
    e = escape_text
    severity = e(row.max_severity)
    if row.open_alerts:
        alerts = (
            f'<span class="sev sev-{severity}">{e(row.severity_label)}</span> '
            f'<span class="count">{row.open_alerts} open</span>\n        '
        )
    else:
        alerts = '<span class="muted">None</span>'
    if row.last_entry:
        last = (
            f"{e(row.last_entry_text)}\n          "
            f'<span class="{e(row.since_css)} small">{e(row.since_text)}</span>\n        '
        )
    else:
        last = '<span class="stale">Never</span>'
    dash = '<span class="muted">–</span>'
    pain = _if(
        row.pain_text,
        f'<span class="mean">{e(row.pain_text)}</span> {e(row.pain_delta)}',
        dash,
    )
    mood = _if(
        row.mood_text,
        f'<span class="mean">{e(row.mood_text)}</span> {e(row.mood_delta)}',
        dash,
    )
    if row.phq9_total is not None:
        phq9_cell = (
            f"<strong>{row.phq9_total}</strong> "
            f'<span class="band band-{e(row.phq9_band)}">{e(row.phq9_band_text)}</span>\n'
            f'          <span class="muted small">{e(row.phq9_at_text)}</span>\n        '
        )
    else:
        phq9_cell = dash
    if row.interaction_severity != "none":
        interactions = (
            f'<span class="ix ix-{e(row.interaction_severity)}">'
            f"{e(row.interaction_label)}</span>\n"
            f'          <span class="small">{e(row.interaction_text)}</span>\n        '
        )
    else:
        interactions = '<span class="muted">None</span>'
    unchecked = _if(
        row.unchecked_text, f'<span class="unchecked small">{e(row.unchecked_text)}</span>'
    )
    born = _if(row.born_year, f'<span class="muted small">b. {e(row.born_year)}</span>')
    box = _if(
        row.black_box_open, '<span class="bbw">Open</span>', '<span class="muted">Closed</span>'
    )
    return mark_safe(  # noqa: S308 - every value above went through escape_text
        f'\n    <tr class="triage-row{_if(row.max_severity, f" row-{severity}")}">\n'
        f'      <th scope="row" data-label="Patient"><a class="patient-link" href="{e(row.url)}">'
        f"{e(row.name)}</a>\n        {born}</th>\n"
        f'      <td data-label="Open alerts">\n        {alerts}\n      </td>\n'
        f'      <td data-label="Last check-in">\n        {last}\n      </td>\n'
        f'      <td data-label="Pain, 7 days">\n        {pain}\n        {e(row.spark_pain)}\n'
        "      </td>\n"
        f'      <td data-label="Mood, 7 days">\n        {mood}\n        {e(row.spark_mood)}\n'
        "      </td>\n"
        f'      <td data-label="Latest PHQ-9">\n        {phq9_cell}\n      </td>\n'
        f'      <td data-label="Interactions">\n        {interactions}\n        {unchecked}\n'
        "      </td>\n"
        f'      <td data-label="Black-box window">{box}</td>\n'
        "    </tr>\n  "
    )
