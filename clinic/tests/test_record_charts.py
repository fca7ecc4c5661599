"""The record's per-measure charts, medication timeline and paginated PHQ-9 table."""

import re
from datetime import timedelta

import pytest

from clinic.tests import factories as f
from clinic.views import PHQ9_PAGE_SIZE
from core.timezones import patient_today

pytestmark = pytest.mark.clock


@pytest.fixture
def today(pat):
    # The record counts from the patient's own today (core.timezones), which at 03:30 UTC is
    # still yesterday for Pat in New York.
    return patient_today(pat)


def _phq9_dates(html: str) -> list[str]:
    table = html.split('id="phq9-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td>", table)


def test_every_phq9_response_is_reachable_page_by_page(client_for, cleo, pat, today):
    count = 2 * PHQ9_PAGE_SIZE + 3
    for i in range(count):
        f.phq9_response(pat, [1] * 9, today - timedelta(days=7 * i))
    client = client_for(cleo)
    seen = []
    for page in (1, 2, 3):
        response = client.get(f"/clinician/patients/{pat.pk}/", {"phq9_page": page})
        assert response.status_code == 200
        html = response.content.decode()
        rows = _phq9_dates(html)
        assert len(rows) == (PHQ9_PAGE_SIZE if page < 3 else 3)
        assert f"page {page} of 3" in html
        seen += rows
    newest, oldest = today, today - timedelta(days=7 * (count - 1))
    assert seen[0] == f"{newest.day} {newest:%b %Y}" and seen[-1] == f"{oldest.day} {oldest:%b %Y}"
    assert len(seen) == count and len(set(seen)) == count  # every response once, newest first
    html = client.get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert 'phq9_page=2#phq9-title">Older</a>' in html
    # A page past the end or not a number shows the nearest page, never a 500.
    for raw in ("99", "x", "-1"):
        response = client.get(f"/clinician/patients/{pat.pk}/", {"phq9_page": raw})
        assert response.status_code == 200


def test_a_few_phq9_responses_need_no_pages(client_for, cleo, pat, today):
    f.phq9_response(pat, [2] * 9, today)
    html = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert len(_phq9_dates(html)) == 1
    assert "PHQ-9 pages" not in html


def test_another_patients_phq9_pages_are_404(client_for, cleo, sam, uma, pat, today):
    f.phq9_response(sam, [1] * 9, today)
    for clinician, patient in ((cleo, sam), (uma, pat)):
        response = client_for(clinician).get(f"/clinician/patients/{patient.pk}/", {"phq9_page": 2})
        assert response.status_code == 404


def test_record_charts_one_per_measure_with_markers(client_for, cleo, pat, today):
    f.entries(pat, today, [6] * 5, start_offset=20)  # then a 20-day gap up to today
    first = f.course(pat, "sertraline", today - timedelta(days=25), today - timedelta(days=11))
    f.course(pat, "sertraline", today - timedelta(days=10), dose=100, previous=first)
    response = client_for(cleo).get(f"/clinician/patients/{pat.pk}/", {"days": 30})
    charts = response.context["view"].measure_charts
    assert [c["key"] for c in charts["charts"]] == [
        "pain",
        "fatigue",
        "sleep_quality",
        "cognition",
        "mood",
    ]
    assert charts["mode"] == "daily"
    mood = charts["charts"][-1]["points"]
    assert [p["y"] for p in mood[-20:]] == [None] * 20  # the gap: nulls, no line across it
    assert [(m["kind"], m["x"]) for m in charts["markers"]] == [("start", 4), ("dose_change", 19)]
    html = response.content.decode()
    assert 'id="measure-charts-data" type="application/json"' in html
    assert 'aria-controls="mchart-mood"' in html and 'id="mchart-mood"' in html
    assert "Medicine changes in this period" in html
    assert "portal/measure_charts.js" in html
    assert "style=" not in html and "<script>" not in html


def test_record_uses_weekly_means_for_long_periods(client_for, cleo, pat, today):
    f.entries(pat, today, [4, 6] * 50)
    response = client_for(cleo).get(f"/clinician/patients/{pat.pk}/", {"days": 365})
    charts = response.context["view"].measure_charts
    assert charts["mode"] == "weekly"
    assert len(charts["charts"][0]["points"]) in (53, 54)


def test_clinician_empty_state(client_for, cleo, pat):
    html = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "No check-ins in this period." in html
    assert "add today's check-in" not in html


def test_questionnaire_totals_share_the_day_axis(client_for, cleo, pat, today):
    f.phq9_response(pat, [2] * 9, today - timedelta(days=3))
    f.phq9_response(pat, [1] * 9, today - timedelta(days=200))  # before the period: table only
    response = client_for(cleo).get(f"/clinician/patients/{pat.pk}/", {"days": 30})
    chart = response.context["view"].phq9_chart
    assert chart["span"] == 29 and chart["max"] == 27
    assert [(p["x"], p["y"]) for p in chart["points"]] == [(26, 18)]
    assert chart["legend"] == (
        "0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe"
        " (bands: Kroenke 2001)"
    )
    fiqr_legend = response.context["view"].fiqr_chart["legend"]
    assert fiqr_legend.startswith("up to 23 remission, 24–40 mild")
    assert fiqr_legend.endswith("above 82 very severe (bands: Salaffi 2020)")
    html = response.content.decode()
    assert 'id="phq9-chart-data" type="application/json"' in html
    assert len(_phq9_dates(html)) == 2  # both in the table
    assert "No FIQR yet." in html
    assert "Shaded bands: 0–4 minimal, 5–9 mild" in html
