"""The patient is told when their care team has seen a self-harm alert, and nothing more."""

from datetime import UTC, datetime

import pytest
import time_machine

from accounts.models import PatientProfile
from alerts.models import Alert
from alerts.selectors import care_team_seen_on, patient_notices
from alerts.services import alert_acknowledge, alert_add_note, sync_alerts
from alerts.tests.factories import NOW, entry
from conftest import api_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NOTE = "Zqclinnote: called her husband, plan reviewed"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def self_harm_alert(pat):
    entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)
    return Alert.objects.get(patient=pat, kind="suicidal_ideation")


def _acknowledge_at(alert, clinician, moment):
    with time_machine.travel(moment, tick=False):
        alert_acknowledge(alert=alert, actor=clinician, note=NOTE)
        alert_add_note(alert=alert, actor=clinician, note=NOTE)


def test_before_acknowledgement_the_patient_sees_no_seen_line(client_for, pat, self_harm_alert):
    html = client_for(pat).get("/patient/").content.decode()

    assert "Your care team has seen this" not in html
    body = api_client_for(pat).get("/api/v1/alerts/").json()
    (row,) = body["results"]
    assert (row["seen_on"], row["seen_message"]) == (None, None)


def test_after_acknowledgement_the_home_page_and_api_say_when(
    client_for, pat, cleo, self_harm_alert
):
    _acknowledge_at(self_harm_alert, cleo, datetime(2026, 6, 15, 18, 0, tzinfo=UTC))

    html = client_for(pat).get("/patient/").content.decode()
    assert "Your care team has seen this on 15 June 2026." in html
    body = api_client_for(pat).get("/api/v1/alerts/").json()
    (row,) = body["results"]
    assert row["seen_on"] == "2026-06-15"
    assert row["seen_message"] == "Your care team has seen this on 15 June 2026."
    detail = api_client_for(pat).get(f"/api/v1/alerts/{self_harm_alert.pk}/").json()
    assert detail["seen_message"] == row["seen_message"]


def test_the_clinicians_notes_and_name_never_reach_the_patient(
    client_for, pat, cleo, self_harm_alert
):
    _acknowledge_at(self_harm_alert, cleo, NOW)

    pages = [
        client_for(pat).get("/patient/").content.decode(),
        api_client_for(pat).get("/api/v1/alerts/").content.decode(),
        api_client_for(pat).get(f"/api/v1/alerts/{self_harm_alert.pk}/").content.decode(),
    ]
    for text in pages:
        assert "Your care team has seen this" in text
        assert "Zqclinnote" not in text
        assert "Cleo" not in text


@pytest.mark.parametrize(
    ("zone", "acknowledged_at", "local_day"),
    [
        # 10:30 UTC on 15 June is already 16 June on Kiritimati (UTC+14).
        ("Pacific/Kiritimati", datetime(2026, 6, 15, 10, 30, tzinfo=UTC), "2026-06-16"),
        # 09:30 UTC on 16 June is still 15 June in Niue (UTC-11).
        ("Pacific/Niue", datetime(2026, 6, 16, 9, 30, tzinfo=UTC), "2026-06-15"),
        ("America/New_York", datetime(2026, 6, 16, 3, 59, tzinfo=UTC), "2026-06-15"),
        ("America/New_York", datetime(2026, 6, 16, 4, 0, tzinfo=UTC), "2026-06-16"),
    ],
)
def test_the_date_is_the_patients_local_date(pat, cleo, zone, acknowledged_at, local_day):
    PatientProfile.objects.filter(user=pat).update(timezone=zone)
    pat.refresh_from_db()
    entry(pat, -1, self_harm_thoughts=True)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat, kind="suicidal_ideation")
    _acknowledge_at(alert, cleo, acknowledged_at)
    alert.refresh_from_db()

    assert care_team_seen_on(alert, pat).isoformat() == local_day
    (notice,) = [n for n in patient_notices(pat) if n["kind"] == "suicidal_ideation"]
    assert notice["seen_on"].isoformat() == local_day
    body = api_client_for(pat).get("/api/v1/alerts/").json()
    assert body["results"][0]["seen_on"] == local_day


def test_other_kinds_do_not_carry_a_seen_line(pat, cleo):
    from alerts.tests.factories import course

    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat, kind="serotonergic_combination")
    alert_acknowledge(alert=alert, actor=cleo)

    assert care_team_seen_on(Alert.objects.get(pk=alert.pk), pat) is None
    assert all(not notice["seen_message"] for notice in patient_notices(pat))
    (row,) = api_client_for(pat).get("/api/v1/alerts/").json()["results"]
    assert row["seen_message"] is None
