"""Session lifetime, password change ending other sessions, API tokens that expire and revoke."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
# DRF answers 403 rather than 401 because session authentication is listed first (it sends no
# WWW-Authenticate challenge); the body names the reason.
REFUSED = 403


def sign_in(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def is_signed_in(client) -> bool:
    return client.get(ME).status_code == 200


@pytest.fixture
def start():
    return timezone.now()


def test_a_clinician_is_signed_out_after_thirty_idle_minutes(cleo, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(cleo)
        assert is_signed_in(client)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert is_signed_in(client)
    # 29 minutes after the last request, not after sign-in: activity keeps the session.
    with time_machine.travel(start + timedelta(minutes=57), tick=False):
        assert is_signed_in(client)
    with time_machine.travel(start + timedelta(minutes=57 + 31), tick=False):
        response = client.get("/clinician/invitations/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert "_auth_user_id" not in client.session
        assert not is_signed_in(client)


def test_the_idle_sign_out_explains_itself(cleo, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(cleo)
        client.get(ME)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        response = client.get("/clinician/invitations/", follow=True)
        assert b"30 minutes without activity" in response.content


def test_an_idle_clinician_api_session_gets_403(cleo, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(cleo)
        client.get(ME)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get(ME).status_code == 403


def test_an_admin_is_also_signed_out_when_idle(ada, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(ada)
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get("/admin/").status_code == 302


def test_a_patient_is_not_signed_out_for_being_idle(pat, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(pat)
        client.get(ME)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert is_signed_in(client)


@pytest.mark.parametrize("who", ["pat", "cleo"])
def test_every_session_ends_twelve_hours_after_sign_in(personas, who, start):
    with time_machine.travel(start, tick=False):
        client = sign_in(personas[who])
    # Active every 20 minutes, so only the absolute limit can end it.
    minute = 20
    while minute < 12 * 60:
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            assert is_signed_in(client), f"signed out early at minute {minute}"
        minute += 20
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not is_signed_in(client)


def test_password_change_ends_the_other_sessions_and_keeps_this_one(pat):
    here = sign_in(pat)
    elsewhere = sign_in(pat)
    token = Token.objects.create(user=pat)
    new_password = "a-brand-new-password-2026"
    response = here.post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert not Token.objects.filter(pk=token.pk).exists(), "API tokens are revoked too"
    pat.refresh_from_db()
    assert pat.check_password(new_password)


def token_client(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def obtain(user, **extra):
    return APIClient().post(
        TOKEN, {"email": user.email, "password": PASSWORD, **extra}, format="json"
    )


def test_a_token_is_issued_with_its_expiry(pat, start):
    with time_machine.travel(start, tick=False):
        response = obtain(pat)
    assert response.status_code == 200
    body = response.json()
    assert Token.objects.get(user=pat).key == body["token"]
    assert body["expires_at"].startswith((start + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"))
    assert token_client(body["token"]).get(ME).json()["email"] == pat.email


def test_a_token_expires_after_the_ttl(pat, start):
    with time_machine.travel(start, tick=False):
        key = obtain(pat).json()["token"]
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert token_client(key).get(ME).status_code == 200
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        response = token_client(key).get(ME)
        assert response.status_code == REFUSED
        assert "expired" in response.json()["detail"]
        assert not Token.objects.filter(key=key).exists()
        fresh = obtain(pat).json()["token"]
    assert fresh != key


def test_an_expired_token_is_replaced_when_a_new_one_is_requested(pat, start):
    with time_machine.travel(start, tick=False):
        key = obtain(pat).json()["token"]
        assert obtain(pat).json()["token"] == key, "a valid token is reused"
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert obtain(pat).json()["token"] != key
    assert Token.objects.filter(user=pat).count() == 1


def test_the_ttl_comes_from_settings(pat, settings, start):
    settings.TOKEN_TTL = timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        key = obtain(pat).json()["token"]
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert token_client(key).get(ME).status_code == REFUSED


def test_delete_revokes_the_callers_token(pat, sam):
    key = obtain(pat).json()["token"]
    sams = obtain(sam).json()["token"]
    client = token_client(key)
    assert client.delete(TOKEN).status_code == 204
    assert client.get(ME).status_code == REFUSED
    assert not Token.objects.filter(user=pat).exists()
    assert Token.objects.filter(key=sams).exists(), "only the caller's token"


def test_delete_without_credentials_is_refused(db):
    assert APIClient().delete(TOKEN).status_code in (401, 403)


def test_wrong_credentials_get_a_field_error_not_a_token(pat):
    response = APIClient().post(TOKEN, {"email": pat.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()
