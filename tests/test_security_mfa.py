"""Two-step verification: clinicians and administrators enrol an authenticator app and verify a
code each session before any patient data, the admin or the API; recovery codes work once."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import mfa
from conftest import PASSWORD

LOGIN = "/accounts/login/"
SETUP = "/accounts/mfa/"
VERIFY = "/accounts/mfa/verify/"
CODES = "/accounts/mfa/recovery-codes/"
CLINICIAN_PAGE = "/clinician/invitations/"


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED = True


def sign_in(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device


def verified_client(user, device, offset_steps=0) -> Client:
    client = sign_in(user)
    code = mfa.totp_code_now(device, offset_steps=offset_steps)
    response = client.post(VERIFY, {"code": code, "next": CLINICIAN_PAGE})
    assert response.status_code == 302, response.content[:500]
    return client


def test_a_clinician_without_a_device_is_sent_to_enrol(cleo):
    client = sign_in(cleo)
    response = client.get(CLINICIAN_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fclinician%2Finvitations%2F"


@pytest.mark.parametrize("path", ["/clinician/", "/clinician/invitations/", "/admin/", "/"])
def test_no_clinician_page_opens_before_verification(cleo, path):
    enrolled(cleo)
    response = sign_in(cleo).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/patients/", "/api/v1/entries/"])
def test_the_api_refuses_an_unverified_clinician_session(cleo, path):
    enrolled(cleo)
    response = sign_in(cleo).get(path)
    assert response.status_code == 403
    assert "Two-step verification" in response.json()["detail"]


def test_enrolment_shows_a_qr_code_and_the_secret_and_keeps_one_pending_device(cleo):
    client = sign_in(cleo)
    first = client.get(SETUP)
    again = client.get(SETUP)
    assert first.status_code == again.status_code == 200
    device = TOTPDevice.objects.get(user=cleo)
    assert device.confirmed is False
    body = first.content.decode()
    assert '<svg role="img"' in body
    assert mfa.totp_secret_text(device) in body
    assert "style=" not in body
    assert "<script" not in body


def test_enrolment_needs_a_matching_code(cleo):
    client = sign_in(cleo)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert not TOTPDevice.objects.filter(user=cleo, confirmed=True).exists()


def test_enrolment_confirms_the_device_and_shows_ten_recovery_codes_once(cleo):
    client = sign_in(cleo)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cleo)
    response = client.post(SETUP, {"code": mfa.totp_code_now(device), "next": CLINICIAN_PAGE})
    assert response.status_code == 302
    assert response["Location"].startswith(CODES)
    device.refresh_from_db()
    assert device.confirmed

    shown = client.get(response["Location"])
    codes = list(shown.context["codes"])
    assert len(codes) == mfa.RECOVERY_CODE_COUNT == len(set(codes))
    for code in codes:
        assert code in shown.content.decode()
    stored = set(StaticToken.objects.filter(device__user=cleo).values_list("token", flat=True))
    assert stored == {mfa.recovery_code_hash(code) for code in codes}
    assert not stored & ({code.replace("-", "") for code in codes} | set(codes)), "hashed at rest"

    again = client.get(CODES)
    assert again.context["codes"] is None
    for code in codes:
        assert code not in again.content.decode()
    # The enrolling session is verified.
    assert client.get(CLINICIAN_PAGE).status_code == 200


def test_a_new_session_must_verify_a_code(cleo):
    device = enrolled(cleo)
    client = sign_in(cleo)
    assert client.get(CLINICIAN_PAGE)["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": "123456", "next": CLINICIAN_PAGE})
    assert response.status_code == 200
    assert b"did not work" in response.content
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        # after the back-off that followed the wrong code
        code = mfa.totp_code_now(device)
        response = client.post(VERIFY, {"code": code, "next": CLINICIAN_PAGE})
        assert response.status_code == 302
        assert response["Location"] == CLINICIAN_PAGE
        assert client.get(CLINICIAN_PAGE).status_code == 200
        assert client.get("/api/v1/me/").status_code == 200


def test_a_code_cannot_be_used_twice(cleo):
    device = enrolled(cleo)
    code = mfa.totp_code_now(device)
    first = sign_in(cleo)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = sign_in(cleo)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200


def test_repeated_wrong_codes_are_slowed_down(cleo):
    device = enrolled(cleo)
    client = sign_in(cleo)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            client.post(VERIFY, {"code": "000000"})
        # Even the right code is refused during the back-off (2^3 seconds after 4 failures).
        response = client.post(VERIFY, {"code": mfa.totp_code_now(device)})
        assert response.status_code == 200
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        response = client.post(VERIFY, {"code": mfa.totp_code_now(device)})
        assert response.status_code == 302


def test_a_recovery_code_works_once(cleo):
    enrolled(cleo)
    codes = mfa.recovery_codes_create(user=cleo)
    client = sign_in(cleo)
    response = client.post(VERIFY, {"code": codes[3].upper(), "next": CLINICIAN_PAGE})
    assert response.status_code == 302
    assert mfa.recovery_codes_left(cleo) == 9
    other = sign_in(cleo)
    assert other.post(VERIFY, {"code": codes[3]}).status_code == 200


def test_the_next_parameter_cannot_leave_the_site(cleo):
    device = enrolled(cleo)
    client = sign_in(cleo)
    response = client.post(
        VERIFY, {"code": mfa.totp_code_now(device), "next": "https://evil.example.org/"}
    )
    assert response["Location"] == "/"


def test_an_admin_must_verify_before_the_admin(ada):
    client = sign_in(ada)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    device = enrolled(ada)
    response = client.post(VERIFY, {"code": mfa.totp_code_now(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_unverified_clinician_must_enrol_too(val):
    assert sign_in(val).get("/clinician/")["Location"].startswith(SETUP)


def test_patients_are_not_asked_and_cannot_open_the_pages(pat):
    client = sign_in(pat)
    assert client.get("/patient/sharing/").status_code == 200
    assert client.get(SETUP).status_code == 404
    assert client.get(VERIFY).status_code == 404


def test_nothing_is_asked_when_mfa_is_turned_off(cleo, settings):
    settings.MFA_REQUIRED = False
    assert sign_in(cleo).get(CLINICIAN_PAGE).status_code == 200


def test_a_clinician_token_needs_a_code(cleo):
    device = enrolled(cleo)
    api = APIClient()
    body = {"email": cleo.email, "password": PASSWORD}
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "otp" in response.json()
    response = api.post("/api/v1/auth/token/", {**body, "otp": "000000"}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=cleo).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        code = mfa.totp_code_now(device)
        response = api.post("/api/v1/auth/token/", {**body, "otp": code}, format="json")
        assert response.status_code == 200
        key = response.json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/me/").status_code == 200


def test_a_patient_token_needs_no_code(pat):
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": pat.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_the_demo_accounts_have_the_published_secret_and_demo_otp_prints_the_code(db):
    from accounts.demo import seed_accounts

    users = seed_accounts()
    for key in ("clinician", "admin"):
        device = mfa.confirmed_totp_device(users[key])
        assert mfa.is_demo_device(device)
    out = StringIO()
    call_command("demo_otp", "clinician@example.org", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client = Client()
    client.post(LOGIN, {"username": "clinician@example.org", "password": "portal-demo-2026"})
    assert client.post(VERIFY, {"code": code})["Location"] == "/"


def test_demo_otp_refuses_a_real_account(cleo):
    enrolled(cleo)
    with pytest.raises(Exception, match="No demo authenticator"):
        call_command("demo_otp", cleo.email, stdout=StringIO())


def test_the_admin_never_shows_an_authenticator_secret(cleo, ada, client_for, settings):
    settings.MFA_REQUIRED = False  # this is about what the admin shows, not how Ada got in
    device = enrolled(cleo)
    admin = client_for(ada)
    page = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert mfa.totp_secret_text(device).replace(" ", "") not in page.content.decode()
    assert admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (403, 404)
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists(), "an admin can reset it"


# --- Issue 10, finding 12: a new session key at verification; tokens need a verified sign-in ---


def test_the_session_key_changes_when_the_code_is_verified(cleo):
    from django.contrib.sessions.backends.db import SessionStore

    device = enrolled(cleo)
    client = sign_in(cleo)
    password_only_key = client.session.session_key
    response = client.post(VERIFY, {"code": mfa.totp_code_now(device), "next": CLINICIAN_PAGE})
    assert response.status_code == 302
    verified_key = client.cookies["sessionid"].value
    assert verified_key != password_only_key
    assert not SessionStore().exists(password_only_key), "the old key is gone, not just unused"
    assert client.get(CLINICIAN_PAGE).status_code == 200

    # Whoever kept the password-only key has nothing: no session at all.
    stale = Client()
    stale.cookies["sessionid"] = password_only_key
    response = stale.get(CLINICIAN_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_session_key_changes_when_enrolment_confirms_the_first_code(cleo):
    client = sign_in(cleo)
    client.get(SETUP)
    password_only_key = client.session.session_key
    device = TOTPDevice.objects.get(user=cleo)
    response = client.post(SETUP, {"code": mfa.totp_code_now(device), "next": CLINICIAN_PAGE})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != password_only_key
    shown = client.get(response["Location"])
    assert len(shown.context["codes"]) == mfa.RECOVERY_CODE_COUNT, "the new session keeps them"


def _token_with_code(user, device) -> str:
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"email": user.email, "password": PASSWORD, "otp": mfa.totp_code_now(device)},
            format="json",
        )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_password_only_session_cannot_revoke_tokens(cleo):
    device = enrolled(cleo)
    key = _token_with_code(cleo, device)
    client = sign_in(cleo)  # password only: no code verified in this session
    response = client.delete("/api/v1/auth/token/")
    assert response.status_code == 403
    assert "Two-step verification" in response.json()["detail"]
    assert Token.objects.filter(user=cleo, key=key).exists()


def test_a_password_only_session_cannot_get_a_token(cleo):
    enrolled(cleo)
    client = sign_in(cleo)
    response = client.post(
        "/api/v1/auth/token/",
        {"email": cleo.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "otp" in response.json()
    assert not Token.objects.filter(user=cleo).exists()


def test_a_verified_session_revokes_tokens(cleo):
    device = enrolled(cleo)
    client = verified_client(cleo, device)
    _token_with_code(cleo, device)  # a later code: each code works once
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=cleo).exists()


def test_a_clinician_token_revokes_itself(cleo):
    device = enrolled(cleo)
    key = _token_with_code(cleo, device)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=cleo).exists()


def test_a_patient_session_revokes_tokens_without_a_code(pat, client_for):
    Token.objects.create(user=pat)
    assert client_for(pat).delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=pat).exists()
