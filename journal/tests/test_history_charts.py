"""The patient's history charts: one per measure, patient-local dates (UTC+14 and UTC-11),
weekly means from 90 days, medication markers as on the clinician's record, an empty state."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import PatientProfile
from journal.models import DailyEntry
from journal.tests.helpers import VALID_ENTRY
from tests.builders import course

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11


def _zone(patient, zone):
    PatientProfile.objects.filter(user=patient).update(timezone=zone)
    patient.refresh_from_db()


def _charts(client, days=30):
    response = client.get("/patient/history/", {"days": days})
    assert response.status_code == 200
    return response, response.context["measure_charts"]


@pytest.mark.parametrize(
    ("zone", "instant", "local_today"),
    [
        (KIRITIMATI, datetime(2026, 6, 15, 10, 0, tzinfo=UTC), date(2026, 6, 16)),
        (KIRITIMATI, datetime(2026, 6, 15, 9, 59, tzinfo=UTC), date(2026, 6, 15)),
        (PAGO_PAGO, datetime(2026, 6, 15, 10, 59, tzinfo=UTC), date(2026, 6, 14)),
        (PAGO_PAGO, datetime(2026, 6, 15, 11, 0, tzinfo=UTC), date(2026, 6, 15)),
    ],
)
def test_the_last_day_is_the_patients_own_today(pat, client_for, zone, instant, local_today):
    _zone(pat, zone)
    DailyEntry.objects.create(patient=pat, date=local_today, **{**VALID_ENTRY, "pain": 9})
    DailyEntry.objects.create(
        patient=pat, date=local_today + timedelta(days=1), **{**VALID_ENTRY, "pain": 1}
    )
    with time_machine.travel(instant, tick=False):
        _, charts = _charts(client_for(pat))
    assert charts["end"] == local_today.isoformat()
    pain = next(c for c in charts["charts"] if c["key"] == "pain")
    assert pain["points"][-1] == {"x": 29, "y": 9}  # the local tomorrow is not plotted


def test_weekly_means_by_the_patients_own_week(pat, client_for):
    # Sunday 14 June 2026 in Kiritimati starts at 10:00 UTC on Saturday 13 June.
    _zone(pat, KIRITIMATI)
    DailyEntry.objects.create(patient=pat, date=date(2026, 6, 8), **{**VALID_ENTRY, "mood": 2})
    DailyEntry.objects.create(patient=pat, date=date(2026, 6, 14), **{**VALID_ENTRY, "mood": 6})
    with time_machine.travel(datetime(2026, 6, 13, 10, 0, tzinfo=UTC), tick=False):
        _, charts = _charts(client_for(pat), days=90)
    assert charts["mode"] == "weekly" and charts["end"] == "2026-06-14"
    mood = next(c for c in charts["charts"] if c["key"] == "mood")["points"]
    assert mood[-1]["week"] == "2026-W24" and mood[-1]["y"] == 4.0 and mood[-1]["n"] == 2
    assert all(p["y"] is None for p in mood[:-1])


def test_charts_in_measure_order_with_toggles(pat, client_for):
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        DailyEntry.objects.create(patient=pat, date=date(2026, 3, 10), **VALID_ENTRY)
        response, charts = _charts(client_for(pat))
    assert [c["key"] for c in charts["charts"]] == [
        "pain",
        "fatigue",
        "sleep_quality",
        "cognition",
        "mood",
    ]
    html = response.content.decode()
    for key in ("pain", "fatigue", "sleep_quality", "cognition", "mood"):
        assert f'aria-controls="mchart-{key}"' in html
        assert f'<canvas data-measure="{key}"' in html
    assert "chart-daily" not in html  # no more five lines on one chart


def test_medication_changes_are_marked_on_the_patients_charts(pat, sam, client_for):
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        first = course(pat, "sertraline", date(2026, 2, 20), date(2026, 3, 1))
        course(pat, "sertraline", date(2026, 3, 2), date(2026, 3, 8), dose=100, previous=first)
        course(sam, "fluoxetine", date(2026, 3, 3))  # another patient's: never shown
        DailyEntry.objects.create(patient=pat, date=date(2026, 3, 9), **VALID_ENTRY)
        response, charts = _charts(client_for(pat))
    assert [(m["kind"], m["date"]) for m in charts["markers"]] == [
        ("start", "2026-02-20"),
        ("dose_change", "2026-03-02"),
        ("stop", "2026-03-08"),
    ]
    assert charts["markers"][1]["label"].endswith("dose 50 mg → 100 mg")
    html = response.content.decode()
    assert "Medicine changes in this period" in html
    assert "luoxetine" not in html


def test_empty_state_says_what_to_do(pat, client_for):
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        response, charts = _charts(client_for(pat))
    assert charts["empty"] is True
    html = response.content.decode()
    assert "No check-ins in this period yet" in html
    assert 'href="/patient/checkin/">add today\'s check-in</a>' in html
