import io
from datetime import date, timedelta

import pytest
from django.http import QueryDict
from pypdf import PdfReader

from accounts.models import AuditEvent
from clinic import reports
from clinic.tests import factories as f
from core.timezones import patient_today

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", (TODAY - timedelta(days=89), TODAY)),
        ("start=2026-01-01&end=2026-01-31", (date(2026, 1, 1), date(2026, 1, 31))),
        ("start=2026-03-01", (date(2026, 3, 1), TODAY)),
        ("end=2026-03-31", (date(2026, 1, 1), date(2026, 3, 31))),
        ("start=2026-01-05&end=2026-01-05", (date(2026, 1, 5), date(2026, 1, 5))),
        ("start=2021-01-01&end=2026-01-01", (date(2021, 1, 1), date(2026, 1, 1))),  # 5 years
        ("start=2020-02-29&end=2025-02-28", (date(2020, 2, 29), date(2025, 2, 28))),
    ],
)
def test_valid_periods(params, expected):
    assert reports.parse_period(QueryDict(params), today=TODAY) == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ("start=2026-02-01&end=2026-01-01", "start", "after the end"),
        ("start=2021-01-01&end=2026-01-02", "end", "at most 5 years"),
        ("start=yesterday", "start", "YYYY-MM-DD"),
        ("end=2026-13-01", "end", "YYYY-MM-DD"),
        ("start=%00", "start", "YYYY-MM-DD"),
    ],
)
def test_bad_periods_give_a_clear_message(params, field, message):
    with pytest.raises(reports.PeriodError) as error:
        reports.parse_period(QueryDict(params), today=TODAY)
    assert message in error.value.errors[field][0]


@pytest.fixture
def pat_with_data(pat):
    today = patient_today(pat)  # the report's default period ends on the patient's today
    f.entries(pat, today, [6] * 10, [4] * 10)
    f.phq9_response(pat, [2] * 8 + [1], today - timedelta(days=2))
    f.fiqr_response(pat, 5, today - timedelta(days=2))
    f.course(pat, "sertraline", today - timedelta(days=40))
    f.course(pat, "tramadol", today - timedelta(days=4))
    f.course(pat, "Mystery tea", today - timedelta(days=4))
    f.alert(pat, "high", kind="serotonergic_combination", title="Sertraline with tramadol")
    return pat


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_clinician_pdf_has_every_section_and_is_audited(client_for, cleo, pat_with_data):
    response = client_for(cleo).get(f"/clinician/patients/{pat_with_data.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    for section in (
        "Visit report",
        "Pat Patient",
        "Daily check-ins",
        "Questionnaires",
        "Medications",
        "Interactions (serotonergic and blood pressure)",
        "Alerts",
    ):
        assert section in text, section
    assert "10 check-ins" in text
    assert "sertraline" in text and "Mystery tea" in text
    assert "MAJOR" in text  # sertraline + tramadol
    assert "Sertraline with tramadol" in text
    assert (
        AuditEvent.objects.filter(actor=cleo, patient=pat_with_data, action="report_pdf").count()
        == 1
    )


def test_clinician_csv_lists_rows_by_section(client_for, cleo, pat_with_data):
    response = client_for(cleo).get(f"/clinician/patients/{pat_with_data.pk}/report.csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "section,date,item,value,detail"
    sections = {line.split(",")[0] for line in lines[1:]}
    assert sections == {"period", "checkin", "questionnaire", "medication", "alert", "alert_event"}
    assert sum(1 for line in lines if line.startswith("checkin,")) == 10 * 5


def test_patient_downloads_their_own_report_without_audit(client_for, pat_with_data):
    client = client_for(pat_with_data)
    page = client.get("/patient/report/")
    assert page.status_code == 200 and b"Download PDF" in page.content
    response = client.get("/patient/report/report.pdf")
    assert response.status_code == 200
    assert "Daily check-ins" in _pdf_text(response.content)
    assert client.get("/patient/report/report.csv").status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="report_").exists()


@pytest.mark.parametrize(
    "query",
    ["?start=2026-02-01&end=2026-01-01", "?start=2010-01-01&end=2026-01-01", "?start=garbage"],
)
@pytest.mark.parametrize("who", ["cleo", "pat"])
def test_bad_periods_answer_400_with_a_message(personas, client_for, who, query):
    pat = personas["pat"]
    url = (
        f"/clinician/patients/{pat.pk}/report.pdf"
        if who == "cleo"
        else "/patient/report/report.pdf"
    )
    response = client_for(personas[who]).get(url + query)
    assert response.status_code == 400
    assert b"Please choose another period" in response.content


@pytest.mark.parametrize("persona", ["uma", "rex", "val", "sam", "ada"])
def test_nobody_else_gets_pats_report(personas, client_for, persona):
    pat = personas["pat"]
    client = client_for(personas[persona])
    assert client.get(f"/clinician/patients/{pat.pk}/report.pdf").status_code == 404
    if persona != "sam":  # Sam's own report is Sam's, never Pat's
        assert client.get("/patient/report/report.pdf").status_code == 404


def test_unknown_report_format_is_404(client_for, cleo, pat):
    assert client_for(cleo).get(f"/clinician/patients/{pat.pk}/report.xls").status_code == 404
