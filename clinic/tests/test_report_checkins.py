"""The visit report's check-in sections, medication chart and alert history (PDF and CSV)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from accounts.models import ClinicianProfile
from alerts.models import AlertEvent
from clinic import report_charts, reports
from clinic.tests import factories as f
from journal.models import DailyEntry
from medications.models import MedicationCourse

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

START = "2026-03-01"
END = "2026-03-31"


def _entry(patient, day, *, regions=(), symptoms=(), notes=""):
    return DailyEntry.objects.create(
        patient=patient,
        date=date.fromisoformat(day),
        pain=5,
        fatigue=5,
        sleep_quality=5,
        cognition=5,
        mood=5,
        pain_regions=list(regions),
        serotonin_symptoms=list(symptoms),
        notes=notes,
    )


@pytest.fixture
def march(pat, cleo):
    _entry(pat, "2026-02-28", regions=["neck"], symptoms=["fever"], notes="Zq outside before")
    _entry(pat, START, regions=["neck", "hip_left"], notes="Zq first day <font size=40>big</font>")
    _entry(pat, "2026-03-15", regions=["neck"], symptoms=["sweating", "tremor", "fever"])
    _entry(pat, END, symptoms=["confusion"], notes="Zq last day")
    _entry(pat, "2026-04-01", regions=["lower_back"], notes="Zq outside after")
    first = f.course(pat, "sertraline", date(2026, 2, 1), date(2026, 3, 9), dose=50)
    f.course(pat, "sertraline", date(2026, 3, 10), dose=100, previous=first)
    f.course(pat, "tramadol", date(2026, 3, 12), date(2026, 3, 20))
    alert = f.alert(pat, "high", kind="serotonergic_combination", title="Sertraline with tramadol")
    alert.created_at = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    alert.save(update_fields=["created_at"])
    AlertEvent.objects.filter(alert=alert).update(created_at=alert.created_at)
    AlertEvent.objects.create(
        alert=alert,
        kind="acknowledged",
        actor=cleo,
        created_at=datetime(2026, 3, 13, 1, 30, tzinfo=UTC),
    )
    AlertEvent.objects.create(
        alert=alert,
        kind="note",
        actor=cleo,
        note="Called the patient: Zq follow-up <b>note</b>",
        created_at=datetime(2026, 3, 13, 2, 0, tzinfo=UTC),
    )
    AlertEvent.objects.create(
        alert=alert, kind="notified", actor=None, created_at=datetime(2026, 3, 13, 2, 1, tzinfo=UTC)
    )
    ClinicianProfile.objects.filter(user=cleo).update(timezone="America/Los_Angeles")
    return pat


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _report(client, patient, fmt):
    return client.get(f"/clinician/patients/{patient.pk}/report.{fmt}?start={START}&end={END}")


def test_pdf_has_notes_regions_symptoms_chart_and_alert_history(client_for, cleo, march):
    response = _report(client_for(cleo), march, "pdf")

    assert response.status_code == 200
    text = _pdf_text(response.content)
    # Table cells wrap: compare with the whitespace collapsed.
    compact = " ".join(text.split())
    for expected in (
        "Medication timeline",
        "sertraline 50 mg",  # chart labels, drawn strings
        "sertraline 100 mg",
        "tramadol",
        "dose change",
        "2026-03-01",
        "2026-03-31",
        "Check-in notes",
        "Zq first day <font size=40>big</font>",  # literal, not markup
        "Zq last day",
        "Pain regions",
        "out of 3 check-in days",
        "Front",  # the heat map's figures and key
        "Back",
        "More than 3 in 4",
        "Serotonin-toxicity symptoms per day",
        "Heavy sweating, Shaking (tremor), Fever",
        "Confusion",
        "Alert history and follow-up",
        "Times in America/Los_Angeles",
        "Acknowledged",
        "Cleo Linked",
        "Zq follow-up <b>note</b>",
        "strong serotonergic",  # the chart's key
        # 01:30 UTC on 13 March is 18:30 on the 12th in Los Angeles (PDT since 8 March)
        "2026-03-12 18:30 PDT",
    ):
        assert expected in compact, expected
    assert "outside" not in text
    assert "Clinician notified" not in text
    # The regions table: neck on both check-in days that marked a region, hip on one.
    assert "Neck 2" in compact
    assert "Left hip or buttock 1" in compact


def test_csv_has_notes_regions_symptoms_and_alert_events(client_for, cleo, march):
    response = _report(client_for(cleo), march, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "date", "item", "value", "detail"]
    by_section: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_section.setdefault(row[0], []).append(row)
    assert by_section["checkin_note"] == [
        ["checkin_note", "2026-03-01", "notes", "", "Zq first day <font size=40>big</font>"],
        ["checkin_note", "2026-03-31", "notes", "", "Zq last day"],
    ]
    assert by_section["pain_regions"] == [
        ["pain_regions", "2026-03-01", "hip_left neck", "2", "Left hip or buttock; Neck"],
        ["pain_regions", "2026-03-15", "neck", "1", "Neck"],
    ]
    assert by_section["pain_region_days"] == [
        ["pain_region_days", "", "hip_left", "1", "Left hip or buttock: 1 of 3 check-in days"],
        ["pain_region_days", "", "neck", "2", "Neck: 2 of 3 check-in days"],
    ]
    assert by_section["serotonin_symptoms"] == [
        [
            "serotonin_symptoms",
            "2026-03-15",
            "sweating tremor fever",
            "3",
            "Heavy sweating; Shaking (tremor); Fever",
        ],
        ["serotonin_symptoms", "2026-03-31", "confusion", "1", "Confusion"],
    ]
    events = by_section["alert_event"]
    assert [e[2] for e in events] == ["Created", "Acknowledged", "Note"]
    assert events[0][1] == "2026-03-12 08:00 PDT (America/Los_Angeles)"
    assert events[2][3] == "Sertraline with tramadol (high)"
    assert events[2][4] == "Cleo Linked - Called the patient: Zq follow-up <b>note</b>"
    assert "outside" not in response.content.decode()


def test_patients_own_report_shows_times_in_their_zone(client_for, march):
    response = client_for(march).get(f"/patient/report/report.csv?start={START}&end={END}")
    assert "(America/New_York)" in response.content.decode()


def test_a_long_medication_list_becomes_several_charts(pat):
    day = date(2026, 3, 1)
    for i in range(report_charts.ROWS_PER_CHART + 5):
        f.course(pat, "sertraline" if i % 2 else f"Tea {i}", day + timedelta(days=i % 20))
    courses = list(MedicationCourse.objects.filter(patient=pat).select_related("drug"))
    charts = report_charts.medication_charts(courses, start=day, end=day + timedelta(days=29))
    assert len(charts) == 2
    assert all(c.width <= report_charts.CHART_WIDTH for c in charts)


def test_a_one_day_period_still_draws(pat):
    day = date(2026, 3, 1)
    f.course(pat, "sertraline", day - timedelta(days=3))
    course = MedicationCourse.objects.select_related("drug").get(patient=pat)
    data = reports.report_data(pat, start=day, end=day)
    assert _pdf_text(reports.render_pdf(data)).count("2026-03-01") >= 1
    assert report_charts.medication_charts([course], start=day, end=day)


def test_empty_period_says_none(pat):
    day = date(2026, 3, 1)
    text = _pdf_text(reports.render_pdf(reports.report_data(pat, start=day, end=day)))
    assert "No medicines in this period." in text
    assert "Alert history and follow-up" in text
