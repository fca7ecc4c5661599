"""clinic.rows.row_html writes a triage row exactly as the dashboard template's loop did.

The loop as it was when the rows moved to Python is kept in legacy_markup/; rows of every shape
(alerts or none, a check-in or never, means or none, a PHQ-9 or none, interactions, unchecked
medicines, the black-box window, hostile names) are rendered both ways and compared byte for
byte.
"""

import itertools
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from clinic.rows import row_html

TEMPLATE = engines["django"].from_string(
    (Path(__file__).parent / "legacy_markup" / "dashboard_row_template.html").read_text()
)
HOSTILE = 'Ana <b>"&</b>'
SAFE_DELTA = mark_safe('<span class="delta worse">▲ +1.2</span>')  # noqa: S308 - a literal
SPARK = mark_safe('<svg class="spark"><title>Pain &amp; more</title></svg>')  # noqa: S308

BASE: dict[str, Any] = {
    "url": "/clinician/patients/7/",
    "name": "Olive Other",
    "born_year": "1999",
    "max_severity": "",
    "severity_label": "",
    "open_alerts": 0,
    "last_entry": None,
    "last_entry_text": "",
    "since_css": "muted",
    "since_text": "",
    "pain_text": "",
    "mood_text": "",
    "pain_delta": SAFE_DELTA,
    "mood_delta": SAFE_DELTA,
    "spark_pain": SPARK,
    "spark_mood": SPARK,
    "phq9_total": None,
    "phq9_band": "",
    "phq9_band_text": "",
    "phq9_at_text": "",
    "interaction_severity": "none",
    "interaction_label": "None",
    "interaction_text": "",
    "unchecked_text": "",
    "black_box_open": False,
}
ALERTS: list[dict[str, Any]] = [
    {},
    {"max_severity": "critical", "severity_label": "Critical", "open_alerts": 3},
    {"max_severity": "low", "severity_label": "Low", "open_alerts": 1234},
]
CHECKINS: list[dict[str, Any]] = [
    {},
    {"last_entry": "2026-03-01", "last_entry_text": "1 Mar", "since_text": "today"},
    {
        "last_entry": "2026-02-01",
        "last_entry_text": "1 Feb",
        "since_css": "stale",
        "since_text": "28 days ago",
        "pain_text": "7.5",
        "mood_text": "0.0",
    },
]
SCORES: list[dict[str, Any]] = [
    {},
    {"phq9_total": 0, "phq9_band": "minimal", "phq9_band_text": "Minimal", "phq9_at_text": "2 Mar"},
    {"phq9_total": 21, "phq9_band": "severe", "phq9_band_text": "Severe", "phq9_at_text": ""},
]
MEDICINES: list[dict[str, Any]] = [
    {},
    {
        "interaction_severity": "severe",
        "interaction_label": "Severe",
        "interaction_text": "tramadol + sertraline; linezolid + <x>",
        "unchecked_text": "Not checked: “kratom & co”",
        "black_box_open": True,
    },
    {"interaction_severity": "moderate", "interaction_label": "Moderate", "born_year": ""},
    {"name": HOSTILE, "url": '/x/?a="b"&c'},
]
ROWS = [
    SimpleNamespace(**{**BASE, **a, **b, **c, **d})
    for a, b, c, d in itertools.product(ALERTS, CHECKINS, SCORES, MEDICINES)
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.open_alerts}-{row.phq9_total}")
def test_a_row_renders_as_the_template_did(row):
    expected = TEMPLATE.render({"rows": [row]})
    assert "  " + row_html(row) + "\n" == expected


def test_a_page_of_rows_renders_as_the_template_did():
    expected = TEMPLATE.render({"rows": ROWS})
    assert "  " + "".join(row_html(row) for row in ROWS) + "\n" == expected
