"""The patient's "today" (core.timezones): one answer for every app, even at UTC+14 and UTC-11.

Pacific/Kiritimati is UTC+14 (its day starts at 10:00 UTC the day before); Pacific/Pago_Pago is
UTC-11 (its day starts at 11:00 UTC). Each boundary is tested a second either side.
"""

import zoneinfo
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import ClinicianProfile, PatientProfile
from alerts.models import Alert
from alerts.services import sync_alerts_batch
from alerts.tests.factories import entry
from core.timezones import (
    PatientTimezoneMiddleware,
    clinician_today,
    format_time,
    is_choosable_zone,
    local_date,
    patient_today,
    timezone_choices,
    user_zone,
    zone_named,
)
from journal.instruments import InstrumentError
from journal.models import DailyEntry
from journal.services import daily_entry_save
from journal.tests.helpers import VALID_ENTRY

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11

BOUNDARIES = [
    # (zone, UTC instant, the patient's date then)
    (KIRITIMATI, datetime(2026, 6, 15, 9, 59, 59, tzinfo=UTC), date(2026, 6, 15)),
    (KIRITIMATI, datetime(2026, 6, 15, 10, 0, 0, tzinfo=UTC), date(2026, 6, 16)),
    (PAGO_PAGO, datetime(2026, 6, 15, 10, 59, 59, tzinfo=UTC), date(2026, 6, 14)),
    (PAGO_PAGO, datetime(2026, 6, 15, 11, 0, 0, tzinfo=UTC), date(2026, 6, 15)),
    ("UTC", datetime(2026, 6, 15, 23, 59, 59, tzinfo=UTC), date(2026, 6, 15)),
    ("", datetime(2026, 6, 15, 23, 59, 59, tzinfo=UTC), date(2026, 6, 15)),  # unset: UTC
    ("Mars/Olympus", datetime(2026, 6, 15, 0, 0, 0, tzinfo=UTC), date(2026, 6, 15)),  # unknown
]


def with_zone(patient, zone: str):
    PatientProfile.objects.filter(user=patient).update(timezone=zone)
    patient.refresh_from_db()
    return patient


@pytest.mark.parametrize(("zone", "instant", "today"), BOUNDARIES)
def test_it_is_the_patients_own_date(pat, zone, instant, today):
    with_zone(pat, zone)
    with time_machine.travel(instant, tick=False):
        assert patient_today(pat) == today
    assert patient_today(pat, now=instant) == today
    assert local_date(instant, zone) == today


def test_a_user_without_a_profile_lives_in_utc(cleo):
    instant = datetime(2026, 6, 15, 23, 0, tzinfo=UTC)
    assert patient_today(cleo, now=instant) == date(2026, 6, 15)
    assert zone_named(None).key == "UTC"


@pytest.mark.parametrize(
    ("zone", "instant", "entry_date", "allowed"),
    [
        (KIRITIMATI, datetime(2026, 6, 15, 9, 59, 59, tzinfo=UTC), date(2026, 6, 16), False),
        (KIRITIMATI, datetime(2026, 6, 15, 10, 0, 0, tzinfo=UTC), date(2026, 6, 16), True),
        (PAGO_PAGO, datetime(2026, 6, 15, 10, 59, 59, tzinfo=UTC), date(2026, 6, 15), False),
        (PAGO_PAGO, datetime(2026, 6, 15, 11, 0, 0, tzinfo=UTC), date(2026, 6, 15), True),
    ],
)
def test_the_journal_refuses_only_the_patients_future(pat, zone, instant, entry_date, allowed):
    with_zone(pat, zone)
    with time_machine.travel(instant, tick=False):
        if allowed:
            daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        else:
            with pytest.raises(InstrumentError):
                daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
    assert DailyEntry.objects.filter(patient=pat, date=entry_date).exists() is allowed


@pytest.mark.parametrize(
    ("zone", "instant", "fires"),
    [
        # Low moods on 13-15 June (alerts.tests.factories TODAY is 15 June). Rule M4 v2 needs
        # the run to end on T-6..T (v1: today or yesterday, so these rows used 16/17 June): it
        # fires until the patient's 22 June begins.
        (KIRITIMATI, datetime(2026, 6, 21, 9, 59, 59, tzinfo=UTC), True),  # 21 June 23:59
        (KIRITIMATI, datetime(2026, 6, 21, 10, 0, 0, tzinfo=UTC), False),  # 22 June 00:00
        (PAGO_PAGO, datetime(2026, 6, 22, 10, 59, 59, tzinfo=UTC), True),  # 21 June 23:59
        (PAGO_PAGO, datetime(2026, 6, 22, 11, 0, 0, tzinfo=UTC), False),  # 22 June 00:00
    ],
)
def test_the_alert_rules_use_the_same_today(pat, zone, instant, fires):
    with_zone(pat, zone)
    for offset in (-2, -1, 0):
        entry(pat, offset, mood=1)
    with time_machine.travel(instant, tick=False):
        sync_alerts_batch(patient_ids=[pat.pk])
    assert Alert.objects.filter(patient=pat, kind="mood_worsening").exists() is fires


def current_zone_view(request):
    return HttpResponse(timezone.get_current_timezone_name())


def run(user):
    request = RequestFactory().get("/")
    request.user = user
    return PatientTimezoneMiddleware(current_zone_view)(request).content.decode()


def test_a_patient_sees_their_own_time_zone(pat):
    with_zone(pat, KIRITIMATI)
    assert run(pat) == KIRITIMATI
    assert timezone.get_current_timezone_name() == "UTC"  # restored after the request


def test_others_see_the_server_zone(cleo, db):
    assert run(cleo) == "UTC"
    assert run(AnonymousUser()) == "UTC"


def test_an_unknown_zone_falls_back_to_utc_like_the_patients_today(pat):
    with_zone(pat, "Mars/Olympus")
    assert run(pat) == "UTC"


# --- Clinicians' zones, labels and the list of zones (issue 14) -------------------------------


def test_a_clinician_sees_their_own_time_zone(cleo):
    ClinicianProfile.objects.filter(user=cleo).update(timezone="America/Los_Angeles")
    cleo.refresh_from_db()
    assert run(cleo) == "America/Los_Angeles"
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_clinicians_today_is_their_own_date(cleo):
    ClinicianProfile.objects.filter(user=cleo).update(timezone="America/Los_Angeles")
    cleo.refresh_from_db()
    instant = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 19:00 on the 27th in Los Angeles
    assert clinician_today(cleo, instant) == date(2026, 11, 27)
    assert user_zone(cleo).key == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/Los_Angeles", "15 Jun 2026, 05:30 PDT"),
        ("Europe/London", "15 Jun 2026, 13:30 BST"),
        ("UTC", "15 Jun 2026, 12:30 UTC"),
        (KIRITIMATI, "16 Jun 2026, 02:30 UTC+14"),
        (PAGO_PAGO, "15 Jun 2026, 01:30 SST"),
        ("Asia/Kolkata", "15 Jun 2026, 18:00 IST"),
        ("Asia/Kathmandu", "15 Jun 2026, 18:15 UTC+5:45"),
        ("America/Sao_Paulo", "15 Jun 2026, 09:30 UTC-3"),
    ],
)
def test_a_time_is_shown_with_its_zone(zone, shown):
    assert format_time(datetime(2026, 6, 15, 12, 30, tzinfo=UTC), zone_named(zone)) == shown


def test_timezone_choices_are_grouped_by_region_without_pseudo_zones():
    groups = timezone_choices()
    names = [group for group, _ in groups]
    assert names[0] == "UTC"
    assert {"Africa", "America", "Asia", "Australia", "Europe", "Pacific"} <= set(names)
    values = [value for _, zones in groups for value, _ in zones]
    assert len(values) == len(set(values)) > 300
    for excluded in ("Factory", "localtime", "posixrules", "Etc/GMT+5", "Etc/UTC", "US/Pacific"):
        assert excluded not in values, excluded
    assert not [v for v in values if v.startswith("Etc/")]
    for value in values:
        zoneinfo.ZoneInfo(value)  # every one is a real zone
    america = dict(dict(groups)["America"])
    assert america["America/Los_Angeles"] == "Los Angeles"
    assert america["America/Argentina/Buenos_Aires"] == "Argentina / Buenos Aires"
    assert dict(dict(groups)["Pacific"])[KIRITIMATI] == "Kiritimati"
    assert is_choosable_zone("Australia/Sydney") and not is_choosable_zone("Factory")


def test_is_choosable_zone():
    from core.timezones import is_choosable_zone

    assert is_choosable_zone("Pacific/Pago_Pago") and is_choosable_zone("UTC")
    refused = ("Etc/GMT+5", "Factory", "localtime", "US/Eastern", "EST5EDT", "GB", "")
    assert not any(is_choosable_zone(name) for name in refused)
