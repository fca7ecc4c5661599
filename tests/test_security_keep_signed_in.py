"""Keep me signed in on this device" (issue 15): 30 days for patients who tick it; clinicians
and administrators who tick it keep the 30-minute idle and 12-hour absolute limits."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.sessions import KEEP_SIGNED_IN_KEY
from conftest import PASSWORD
from portal.middleware import SESSION_STARTED_KEY

LOGIN = "/accounts/login/"
ME = "/api/v1/me/"
THIRTY_DAYS = 30 * 24 * 60 * 60


def sign_in(user, *, remember: bool) -> tuple[Client, object]:
    client = Client()
    data = {"username": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content[:300]
    return client, response


def is_signed_in(client) -> bool:
    return client.get(ME).status_code == 200


@pytest.fixture
def start():
    return timezone.now()


def test_the_login_form_offers_the_box_to_everyone(db):
    html = Client().get(LOGIN).content.decode()
    assert 'name="remember"' in html
    assert "Keep me signed in on this device for 30 days" in html
    assert "no one else uses" in html


def test_a_patient_who_ticks_it_gets_a_thirty_day_session(pat, start):
    with time_machine.travel(start, tick=False):
        client, response = sign_in(pat, remember=True)
        cookie = response.cookies["sessionid"]
        assert int(cookie["max-age"]) == THIRTY_DAYS
        assert client.session.get_expiry_age() == THIRTY_DAYS
        assert client.session[KEEP_SIGNED_IN_KEY] is True
    # Past the 12 hours everyone else has, with a week without any request in between.
    with time_machine.travel(start + timedelta(hours=13), tick=False):
        assert is_signed_in(client)
    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert is_signed_in(client)
        assert client.get("/patient/checkin/").status_code == 200
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):
        assert is_signed_in(client)
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        response = client.get("/patient/checkin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert not is_signed_in(client)


def test_the_thirty_day_sign_out_says_so(pat):
    client, _ = sign_in(pat, remember=True)
    # The middleware's own limit, even if the session row outlived it (its clock is the stamp).
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - THIRTY_DAYS - 60
    session.save()
    response = client.get("/patient/checkin/", follow=True)
    assert "signed out after 30 days" in response.content.decode()
    assert not is_signed_in(client)


def test_a_patient_who_does_not_tick_it_keeps_twelve_hours(pat, start):
    with time_machine.travel(start, tick=False):
        client, response = sign_in(pat, remember=False)
        assert int(response.cookies["sessionid"]["max-age"]) == 12 * 60 * 60
        assert KEEP_SIGNED_IN_KEY not in client.session
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not is_signed_in(client)


@pytest.mark.parametrize("who", ["cleo", "ada"])
def test_clinicians_and_admins_who_tick_it_keep_the_idle_limit(personas, who, start):
    user = personas[who]
    with time_machine.travel(start, tick=False):
        client, response = sign_in(user, remember=True)
        assert int(response.cookies["sessionid"]["max-age"]) == 12 * 60 * 60
        assert KEEP_SIGNED_IN_KEY not in client.session
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert not is_signed_in(client)


@pytest.mark.parametrize("who", ["cleo", "ada"])
def test_clinicians_and_admins_who_tick_it_keep_the_absolute_limit(personas, who, start):
    user = personas[who]
    with time_machine.travel(start, tick=False):
        client, _ = sign_in(user, remember=True)
    for minutes in range(25, 12 * 60, 25):  # busy all day: never idle
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert is_signed_in(client), minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not is_signed_in(client)


def test_a_flag_forged_onto_a_clinician_session_changes_nothing(cleo, start):
    with time_machine.travel(start, tick=False):
        client, _ = sign_in(cleo, remember=False)
        session = client.session
        session[KEEP_SIGNED_IN_KEY] = True
        session.set_expiry(timedelta(days=30))
        session.save()
        assert is_signed_in(client)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert not is_signed_in(client)
