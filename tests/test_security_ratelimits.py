"""One rate limit (accounts/ratelimits.py, django-ratelimit on the shared cache) for sign-up,
password reset, invitation codes and second-factor codes: past the limit nothing is done, pages
answer a 429 "Please wait" page and the API 429 JSON, never a 500. Password reset has its own
tests in test_security_lockout.py."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import mfa
from accounts.models import CareLink, User
from accounts.services import invitation_create
from conftest import PASSWORD

SIGNUP = "/accounts/signup/patient/"
SHARING = "/patient/sharing/"
VERIFY = "/accounts/mfa/verify/"
TOKEN = "/api/v1/auth/token/"
SIGNUP_LIMIT = 5
CODE_LIMIT = 10


def signup_form(n: int, **change) -> dict:
    return {
        "full_name": "New Person",
        "email": f"new{n}@example.com",
        "password": "a-long-and-unusual-passphrase",
        "date_of_birth": "1984-02-29",
        "timezone": "Europe/London",
        "consent": "on",
        **change,
    }


def assert_please_wait(response, words: str) -> None:
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please wait before trying again" in body
    assert words in body
    assert 0 < int(response["Retry-After"]) <= 15 * 60


# --- Sign-up: per address; an existing email counts like a new one ---


def test_sign_up_is_limited_per_address_and_nothing_is_created_past_it(pat):
    ip = "10.1.0.1"
    for n in range(SIGNUP_LIMIT - 1):
        response = Client().post(SIGNUP, signup_form(n), REMOTE_ADDR=ip)
        assert response.status_code == 302
    # Probing an existing address counts too: enumeration is throttled as well as creation.
    assert Client().post(SIGNUP, signup_form(0, email=pat.email), REMOTE_ADDR=ip).status_code == 302
    sent = len(mail.outbox)
    assert sent == SIGNUP_LIMIT

    response = Client().post(SIGNUP, signup_form(99), REMOTE_ADDR=ip)
    assert_please_wait(response, "sign-up requests")
    assert not User.objects.filter(email="new99@example.com").exists()
    response = Client().post(SIGNUP, signup_form(98, email=pat.email), REMOTE_ADDR=ip)
    assert response.status_code == 429, "the same answer for an existing address"
    assert len(mail.outbox) == sent, "nothing is sent past the limit"

    other = Client().post(SIGNUP, signup_form(99), REMOTE_ADDR="10.1.0.2")
    assert other.status_code == 302, "another address is not limited"


def test_sign_up_form_errors_do_not_use_up_the_limit(db):
    ip = "10.1.1.1"
    for _ in range(SIGNUP_LIMIT * 2):
        response = Client().post(SIGNUP, signup_form(0, password="short"), REMOTE_ADDR=ip)
        assert response.status_code == 200
    assert Client().post(SIGNUP, signup_form(1), REMOTE_ADDR=ip).status_code == 302


def test_the_sign_up_limit_lifts_after_the_window(db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(SIGNUP_LIMIT + 1):
            Client().post(SIGNUP, signup_form(n), REMOTE_ADDR="10.1.2.1")
        assert Client().post(SIGNUP, signup_form(50), REMOTE_ADDR="10.1.2.1").status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert Client().post(SIGNUP, signup_form(51), REMOTE_ADDR="10.1.2.1").status_code == 302


# --- Invitation codes: per account, checked before the code ---


def test_invitation_codes_are_limited_per_account(pat, sam, uma, client_for):
    invitation = invitation_create(clinician=uma)
    patient = client_for(pat)
    for n in range(CODE_LIMIT):
        response = patient.post(SHARING, {"code": f"WRONG{n:03d}"})
        assert response.status_code == 200
        assert "could not find" in response.content.decode()
    response = patient.post(SHARING, {"code": invitation.code})
    assert_please_wait(response, "invitation code")
    assert not CareLink.objects.filter(patient=pat, clinician=uma).exists()
    response = client_for(pat).post(SHARING, {"code": invitation.code})
    assert response.status_code == 429, "a new session of the same account is limited too"

    other = client_for(sam).post(SHARING, {"code": invitation.code})
    assert other.status_code == 302
    assert CareLink.objects.filter(patient=sam, clinician=uma, status="active").exists()


# --- Second-factor codes: per account, on the page and the token API together ---


@pytest.fixture
def cleo_enrolled(cleo, settings):
    settings.MFA_REQUIRED = True
    return TOTPDevice.objects.create(user=cleo, name="app", confirmed=True)


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})[
        "Location"
    ]
    return client


def test_second_factor_codes_are_limited_per_account_across_sessions(cleo, cleo_enrolled):
    first, second = signed_in(cleo), signed_in(cleo)
    for n in range(CODE_LIMIT):
        (first if n % 2 else second).post(VERIFY, {"code": f"{n:06d}"})
    response = first.post(VERIFY, {"code": mfa.totp_code_now(cleo_enrolled)})
    assert_please_wait(response, "verification code")
    assert "Sign out" in response.content.decode()
    assert first.get("/clinician/")["Location"].startswith(VERIFY), "still not verified"


def test_token_api_codes_count_with_the_page_and_answer_429_json(cleo, cleo_enrolled):
    page = signed_in(cleo)
    for n in range(CODE_LIMIT - 1):
        page.post(VERIFY, {"code": f"{n:06d}"})
    api = APIClient()
    body = {"email": cleo.email, "password": PASSWORD}
    assert api.post(TOKEN, {**body, "otp": "999999"}, format="json").status_code == 400
    response = api.post(TOKEN, {**body, "otp": mfa.totp_code_now(cleo_enrolled)}, format="json")
    assert response.status_code == 429
    assert "verification code" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.filter(user=cleo).exists()


# --- The cache is down: never a 500 ---


def test_a_cache_outage_lets_requests_through_instead_of_failing(pat, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = Client().post(SIGNUP, signup_form(1), REMOTE_ADDR="10.1.3.1")
    assert response.status_code == 302
    response = Client().post("/accounts/password-reset/", {"email": pat.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
