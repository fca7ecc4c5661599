"""One time model (docs/architecture.md#time): a patient's dates are the patient's own, a
clinician's times are the clinician's, labelled.

The scene of issue 14: Pat lives in Sydney (UTC+11 in November), Cleo works in Los Angeles
(UTC-8). At 03:00 UTC on 28 Nov 2026 it is 14:00 on the 28th in Sydney and 19:00 on the 27th in
Los Angeles. Pat's PHQ-9 at 21:30 UTC on the 27th was 08:30 on the 28th where she lives: every
page, file and export must say 28 Nov, while Cleo's dashboard says her own today is the 27th.
"""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template

from accounts.models import ClinicianProfile, PatientProfile
from alerts.models import Alert
from alerts.services import sync_alerts
from clinic import fhir, reports, selectors
from clinic.models import PatientTriage
from clinic.services import refresh_triage
from clinic.tests import factories as f
from conftest import link, make_patient
from core.timezones import patient_day_bounds, patient_today
from journal.instruments import phq9
from journal.models import DailyEntry, QuestionnaireResponse

pytestmark = pytest.mark.clock

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
PHQ9_AT = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # 08:30 on 28 Nov in Sydney
SYDNEY_DAY = date(2026, 11, 28)
LA_DAY = date(2026, 11, 27)


def zone(user, name):
    model = PatientProfile if user.role == "patient" else ClinicianProfile
    model.objects.filter(user=user).update(timezone=name)
    user.refresh_from_db()
    return user


def phq9_at(patient, moment, items=(1, 1, 1, 1, 1, 1, 1, 1, 1)):
    answers = {"items": list(items)}
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="phq9",
        answers=answers,
        score=phq9.score(answers),
        completed_at=moment,
    )


@pytest.fixture
def scene(cleo, pat):
    """Pat in Sydney with a check-in, a PHQ-9 (item 9 > 0: an alert) and a medicine on her
    28 Nov; Cleo in Los Angeles."""
    zone(pat, "Australia/Sydney")
    zone(cleo, "America/Los_Angeles")
    with time_machine.travel(NOW, tick=False):
        f.entries(pat, SYDNEY_DAY, [6])
        response = phq9_at(pat, PHQ9_AT)
        f.course(pat, "sertraline", SYDNEY_DAY)
        sync_alerts(pat)
        yield response


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_the_alert_and_the_record_give_the_phq9_the_same_day(client_for, cleo, pat, scene):
    with time_machine.travel(NOW, tick=False):
        (alert,) = Alert.objects.filter(patient=pat, kind="suicidal_ideation")
        evidence = json.dumps(alert.details)
        assert "2026-11-28" in evidence and "2026-11-27" not in evidence

        page = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
        view = selectors.patient_record(pat)
    assert view.today == SYDNEY_DAY  # the record ends on the patient's today
    assert "– 28 Nov 2026" in page
    phq9_table = page.split("PHQ-9", 1)[1]
    assert "<td>28 Nov 2026</td>" in phq9_table
    assert "<td>27 Nov 2026</td>" not in phq9_table
    assert "28 Nov 2026" in page.split("sertraline", 1)[1]  # the medicine's start


def test_the_dashboard_shows_the_patients_days_and_the_clinicians_today(
    client_for, api_client, cleo, pat, scene
):
    with time_machine.travel(NOW, tick=False):
        page = client_for(cleo).get("/clinician/")
        api = api_client(cleo).get("/api/v1/patients/").json()
    assert page.context["page"].today == LA_DAY
    assert "Today is 27 Nov 2026." in page.content.decode()
    (row,) = page.context["rows"]
    assert (row.last_entry, row.days_since_entry, row.since_text) == (SYDNEY_DAY, 0, "today")
    assert row.phq9_at_text == "28 Nov"
    assert row.pain_7 is not None  # the entry of her today is in her 7-day window
    assert row.sparkline_mood == [(27, 6)]  # the last point of her own 28 days
    (result,) = api["results"]
    assert result["latest_phq9"]["date"] == "2026-11-28"
    assert result["last_entry"] == {"date": "2026-11-28", "days_since": 0}


def test_the_report_and_csv_use_the_patients_days(client_for, cleo, pat, scene):
    with time_machine.travel(NOW, tick=False):
        client = client_for(cleo)
        same_day = client.get(f"/clinician/patients/{pat.pk}/report.csv?start=2026-11-28")
        day_before = client.get(
            f"/clinician/patients/{pat.pk}/report.csv?start=2026-11-27&end=2026-11-27"
        )
    rows = csv_rows(same_day.content.decode())
    by_section = {row[0]: row for row in rows[1:]}
    assert by_section["period"][1] == "2026-11-28"  # the default end: the patient's today
    assert by_section["checkin"][1] == "2026-11-28"
    assert by_section["questionnaire"][1] == "2026-11-28"
    assert by_section["medication"][1] == "2026-11-28"
    assert by_section["alert"][1] == "2026-11-28"  # raised 03:00 UTC: 14:00 in Sydney
    # 27 Nov was the PHQ-9's date in UTC and in Los Angeles, not where Pat lives.
    sections = {row[0] for row in csv_rows(day_before.content.decode())[1:]}
    assert sections == {"period"}


def test_the_fhir_export_carries_the_patients_offset(api_client, cleo, pat, scene):
    with time_machine.travel(NOW, tick=False):
        bundle = json.loads(api_client(cleo).get(f"/api/v1/patients/{pat.pk}/fhir/").content)
    resources = [e["resource"] for e in bundle["entry"]]
    (phq9_obs,) = [r for r in resources if r.get("code", {}).get("text") == "PHQ-9 total score"]
    assert phq9_obs["effectiveDateTime"] == "2026-11-28T08:30:00+11:00"
    (pain,) = [r for r in resources if r.get("code", {}).get("text", "").startswith("Pain")]
    assert pain["effectiveDateTime"] == "2026-11-28"
    (statement,) = [r for r in resources if r["resourceType"] == "MedicationStatement"]
    assert statement["effectivePeriod"]["start"] == "2026-11-28"
    assert statement["status"] == "active"


def test_the_clinician_sees_times_in_her_zone_labelled(client_for, cleo, pat, scene):
    with time_machine.travel(NOW, tick=False):
        queue = client_for(cleo).get("/clinician/alerts/").content.decode()
        record = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    # Raised at 03:00 UTC on the 28th: 19:00 on the 27th in Los Angeles, labelled.
    assert "raised 27 Nov 2026, 19:00 PST" in queue
    assert "27 Nov 2026, 19:00 PST" in record


def test_the_same_instant_is_labelled_in_each_clinicians_zone(cleo, pat):
    template = Template("{% load clinician_time %}{% clinician_time when %}")
    cases = [
        ("America/Los_Angeles", "27 Nov 2026, 19:00 PST"),
        ("Australia/Sydney", "28 Nov 2026, 14:00 AEDT"),
        ("Pacific/Kiritimati", "28 Nov 2026, 17:00 UTC+14"),
        ("Asia/Kathmandu", "28 Nov 2026, 08:45 UTC+5:45"),
        ("UTC", "28 Nov 2026, 03:00 UTC"),
    ]
    from django.utils import timezone

    for name, shown in cases:
        with timezone.override(name):
            assert template.render(Context({"when": NOW})) == shown, name
    assert template.render(Context({"when": None})) == ""


# --- Day boundaries at UTC+14 and UTC-11 -----------------------------------------------------

BOUNDARIES = [
    # (zone, instant of the PHQ-9, the patient's date of it, the ISO time FHIR shows)
    (
        "Pacific/Kiritimati",
        datetime(2026, 6, 15, 9, 59, 59, tzinfo=UTC),
        date(2026, 6, 15),
        "2026-06-15T23:59:59+14:00",
    ),
    (
        "Pacific/Kiritimati",
        datetime(2026, 6, 15, 10, 0, 0, tzinfo=UTC),
        date(2026, 6, 16),
        "2026-06-16T00:00:00+14:00",
    ),
    (
        "Pacific/Pago_Pago",
        datetime(2026, 6, 15, 10, 59, 59, tzinfo=UTC),
        date(2026, 6, 14),
        "2026-06-14T23:59:59-11:00",
    ),
    (
        "Pacific/Pago_Pago",
        datetime(2026, 6, 15, 11, 0, 0, tzinfo=UTC),
        date(2026, 6, 15),
        "2026-06-15T00:00:00-11:00",
    ),
]


@pytest.mark.parametrize(("zone_name", "instant", "local", "iso"), BOUNDARIES)
def test_a_questionnaire_is_on_the_patients_date_at_the_day_boundary(
    cleo, pat, zone_name, instant, local, iso
):
    zone(pat, zone_name)
    phq9_at(pat, instant, items=(1, 1, 1, 1, 1, 1, 1, 1, 0))
    with time_machine.travel(instant + timedelta(hours=1), tick=False):
        from clinic.record import build_record_view

        view = build_record_view(selectors.patient_record(pat, days=30))
        bundle = fhir.patient_bundle(pat)
    assert [row["date"] for row in view.phq9_rows] == [local]
    (obs,) = [e["resource"] for e in bundle["entry"] if "effectiveDateTime" in e["resource"]]
    assert obs["effectiveDateTime"] == iso
    # The report of that one local day holds it; the days either side do not.
    for day, count in ((local, 1), (local - timedelta(days=1), 0), (local + timedelta(days=1), 0)):
        data = reports.report_data(pat, start=day, end=day)
        assert len(data.responses) == count, day
    rows = csv_rows(reports.render_csv(reports.report_data(pat, start=local, end=local)))
    assert ["questionnaire", local.isoformat()] == rows[-1][:2]


@pytest.mark.parametrize(
    ("zone_name", "instant", "today"),
    [
        ("Pacific/Kiritimati", datetime(2026, 6, 15, 9, 59, 59, tzinfo=UTC), date(2026, 6, 15)),
        ("Pacific/Kiritimati", datetime(2026, 6, 15, 10, 0, 0, tzinfo=UTC), date(2026, 6, 16)),
        ("Pacific/Pago_Pago", datetime(2026, 6, 15, 10, 59, 59, tzinfo=UTC), date(2026, 6, 14)),
        ("Pacific/Pago_Pago", datetime(2026, 6, 15, 11, 0, 0, tzinfo=UTC), date(2026, 6, 15)),
    ],
)
def test_the_dashboard_windows_count_from_each_patients_own_today(
    cleo, pat, zone_name, instant, today
):
    """Two patients of one clinician, on different calendar days at the same instant: each
    row counts its 7-day mean and "days since" from the patient's own today."""
    zone(pat, zone_name)
    other = make_patient("utc@example.com", "Una Utc", tz="UTC")
    link(other, cleo)
    f.entries(pat, today, [3])  # on the patient's own today
    f.entries(other, instant.date(), [8])  # on UTC's today
    with time_machine.travel(instant, tick=False):
        rows = {
            r.patient.pk: r for r in selectors.dashboard_page(cleo, selectors.DashboardQuery()).rows
        }
    assert (rows[pat.pk].days_since_entry, rows[pat.pk].mood_7) == (0, 3.0)
    assert (rows[other.pk].days_since_entry, rows[other.pk].mood_7) == (0, 8.0)
    assert rows[pat.pk].sparkline_mood == [(27, 3)]
    assert PatientTriage.objects.get(patient=pat).as_of == today


def test_a_triage_row_turns_stale_when_the_patients_own_day_ends(cleo, pat):
    zone(pat, "Pacific/Kiritimati")
    other = make_patient("utc@example.com", "Una Utc", tz="UTC")
    link(other, cleo)
    before = datetime(2026, 6, 15, 9, 59, 59, tzinfo=UTC)
    assert refresh_triage(cleo, now=before) == 2
    assert refresh_triage(cleo, now=before) == 0
    # 10:00 UTC: midnight in Kiritimati, still the 15th in UTC.
    assert refresh_triage(cleo, now=before + timedelta(seconds=1)) == 1
    assert PatientTriage.objects.get(patient=pat).as_of == date(2026, 6, 16)
    assert PatientTriage.objects.get(patient=other).as_of == date(2026, 6, 15)


def test_the_stale_filter_counts_from_each_patients_today(cleo, pat):
    """ "No check-in for 7 days": 7 of the patient's own days, not the server's."""
    zone(pat, "Pacific/Kiritimati")
    instant = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # 16 Jun in Kiritimati, 15 Jun in UTC
    f.entries(pat, date(2026, 6, 9), [5])  # 7 days before her 16th; 6 before UTC's 15th
    with time_machine.travel(instant, tick=False):
        query = selectors.DashboardQuery(filters=("stale",))
        rows = selectors.dashboard_page(cleo, query).rows
    assert [r.patient for r in rows] == [pat]
    assert rows[0].days_since_entry == 7


# --- A DST change -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first", "after"),
    [
        # 8 Mar 2026: clocks go forward, a 23-hour day (EST -> EDT).
        (
            date(2026, 3, 8),
            datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
            datetime(2026, 3, 9, 4, 0, tzinfo=UTC),
        ),
        # 1 Nov 2026: clocks go back, a 25-hour day (EDT -> EST).
        (
            date(2026, 11, 1),
            datetime(2026, 11, 1, 4, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 5, 0, tzinfo=UTC),
        ),
    ],
)
def test_a_dst_day_is_the_patients_whole_local_day(pat, day, first, after):
    zone(pat, "America/New_York")
    assert patient_day_bounds(pat, day, day) == (first, after)
    phq9_at(pat, first)
    phq9_at(pat, after - timedelta(seconds=1))  # 23:59:59 local, 23 or 25 hours later
    phq9_at(pat, after)  # the next day
    data = reports.report_data(pat, start=day, end=day)
    assert len(data.responses) == 2
    assert {row[1] for row in csv_rows(reports.render_csv(data))[3:]} == {day.isoformat()}


def test_a_clinicians_label_follows_dst(cleo):
    template = Template("{% load clinician_time %}{% clinician_time when %}")
    from django.utils import timezone

    with timezone.override("America/New_York"):
        before = template.render(Context({"when": datetime(2026, 11, 1, 5, 30, tzinfo=UTC)}))
        after = template.render(Context({"when": datetime(2026, 11, 1, 6, 30, tzinfo=UTC)}))
    assert (before, after) == ("1 Nov 2026, 01:30 EDT", "1 Nov 2026, 01:30 EST")


def test_a_triage_row_of_a_dst_day_stays_fresh_for_its_25_hours(cleo, pat):
    zone(pat, "America/New_York")
    morning = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 00:30 EDT on 1 Nov
    assert refresh_triage(cleo, now=morning) == 1
    row = PatientTriage.objects.get(patient=pat)
    assert (row.as_of, row.fresh_until) == (
        date(2026, 11, 1),
        datetime(2026, 11, 2, 5, 0, tzinfo=UTC),
    )
    assert refresh_triage(cleo, now=datetime(2026, 11, 2, 4, 59, tzinfo=UTC)) == 0
    assert refresh_triage(cleo, now=datetime(2026, 11, 2, 5, 0, tzinfo=UTC)) == 1


def test_entries_keep_their_dates(pat):
    """A check-in's date is the patient's already (it is a date): no zone touches it."""
    zone(pat, "Pacific/Kiritimati")
    f.entries(pat, date(2026, 6, 16), [5])
    data = reports.report_data(pat, start=date(2026, 6, 16), end=date(2026, 6, 16))
    assert [e.date for e in data.entries] == [date(2026, 6, 16)]
    assert DailyEntry.objects.get(patient=pat).date == date(2026, 6, 16)


ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Australia/Sydney", "Asia/Kathmandu")


@pytest.mark.parametrize("size", [5, 30])
def test_a_panel_across_zones_costs_the_same_queries(cleo, size, django_assert_max_num_queries):
    """Patients on three calendar days at once (UTC+14, UTC-11, UTC, ...): still one figures
    query for the panel and the same 9 / 5 queries as a one-zone panel (the first read finds
    stale rows, recomputes them and orders again; see test_dashboard_page_queries_are_constant)."""
    instant = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
    with time_machine.travel(instant, tick=False):
        for i in range(size):
            p = make_patient(f"z{i}@example.com", f"Zoned {i}", tz=ZONES[i % len(ZONES)])
            link(p, cleo)
            today = patient_today(p)
            f.entries(p, today, [5] * 40, [4] * 40)
            f.course(p, "sertraline", today - timedelta(days=5))
            f.alert(p, "high")
        with django_assert_max_num_queries(9):
            selectors.dashboard_page(cleo, selectors.DashboardQuery(filters=("alerts",)))
        with django_assert_max_num_queries(5):
            page = selectors.dashboard_page(cleo, selectors.DashboardQuery(filters=("alerts",)))
    assert len(page.rows) == min(size, selectors.PAGE_SIZE)
    assert {r.days_since_entry for r in page.rows} == {0}
    assert {r.mood_7 for r in page.rows} == {5.0}


def test_the_pdfs_period_and_rows_agree_at_the_day_boundary(client_for, cleo, pat):
    """UTC+14: the PHQ-9 at 10:00 UTC on 15 Jun is Pat's 16 Jun; the PDF of her 16 Jun says
    so in its header and its row, and the PDF of her 15 Jun has no questionnaire."""
    from pypdf import PdfReader

    zone(pat, "Pacific/Kiritimati")
    phq9_at(pat, datetime(2026, 6, 15, 10, 0, tzinfo=UTC), items=(1,) * 8 + (0,))
    client = client_for(cleo)

    def pdf(query):
        with time_machine.travel(datetime(2026, 6, 15, 10, 30, tzinfo=UTC), tick=False):
            response = client.get(f"/clinician/patients/{pat.pk}/report.pdf{query}")
        reader = PdfReader(io.BytesIO(response.content))
        return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")

    default = pdf("")  # ends on the patient's today, 16 Jun, not the clinician's 15 Jun
    assert "period 2026-03-19 to 2026-06-16" in default
    assert "2026-06-16 PHQ-9" in default
    one_day = pdf("?start=2026-06-16&end=2026-06-16")
    assert "period 2026-06-16 to 2026-06-16" in one_day and "2026-06-16 PHQ-9" in one_day
    day_before = pdf("?start=2026-06-15&end=2026-06-15")
    assert "period 2026-06-15 to 2026-06-15" in day_before
    assert "PHQ-9" not in day_before.split("Questionnaires", 1)[1].split("Medications", 1)[0]
