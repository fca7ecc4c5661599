"""Login protection: django-axes locks a username and, separately, an address after 5 failures
within 15 minutes, for 15 minutes, on the login page and the token API; password-reset requests
are rate-limited by address and by email."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
RESET = "/accounts/password-reset/"
LIMIT = 5


@pytest.fixture(autouse=True)
def _clear_rate_limit_cache():
    cache.clear()
    yield
    cache.clear()


def page_login(email, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)
    return client, response


def api_login(email, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    return client.post(
        TOKEN,
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_signs_in_with_the_right_password(pat):
    client, response = page_login(pat.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_it_locks_the_login_page_after_five_failures(pat):
    for _ in range(LIMIT - 1):
        _, response = page_login(pat.email, "wrong-password")
        assert response.status_code == 200  # the form again, with an error
    _, response = page_login(pat.email, "wrong-password")
    assert response.status_code == 429, "the fifth failure locks"
    client, response = page_login(pat.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert "Please wait before trying again" in body
    assert "administrator" in body


def test_four_failures_do_not_lock_and_a_success_resets_the_count(pat):
    for _ in range(LIMIT - 1):
        page_login(pat.email, "wrong-password")
    client, response = page_login(pat.email, PASSWORD)
    assert signed_in(client)
    for _ in range(LIMIT - 1):
        page_login(pat.email, "wrong-password")
    client, response = page_login(pat.email, PASSWORD)
    assert signed_in(client), "the successful sign-in reset the failures"


def test_it_locks_a_username_tried_from_many_addresses(pat):
    for n in range(LIMIT):
        page_login(pat.email, "wrong-password", ip=f"10.0.1.{n}")
    client, response = page_login(pat.email, PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429
    assert not signed_in(client)


def test_it_counts_the_username_case_insensitively(pat):
    for n in range(LIMIT):
        page_login(pat.email.upper(), "wrong-password", ip=f"10.0.1.{n}")
    _, response = page_login(pat.email, PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429


def test_it_locks_an_address_trying_many_usernames(pat, sam):
    for n in range(LIMIT):
        page_login(f"nobody{n}@example.com", "wrong-password", ip="10.0.3.3")
    client, response = page_login(sam.email, PASSWORD, ip="10.0.3.3")
    assert response.status_code == 429
    assert not signed_in(client)
    other, response = page_login(sam.email, PASSWORD, ip="10.0.3.4")
    assert signed_in(other), "another address is not locked"


def test_the_lock_lasts_fifteen_minutes(pat):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            page_login(pat.email, "wrong-password")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        _, response = page_login(pat.email, PASSWORD)
        assert response.status_code == 429
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        client, response = page_login(pat.email, PASSWORD)
        assert signed_in(client)


def test_failures_older_than_fifteen_minutes_stop_counting(pat):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT - 1):
            page_login(pat.email, "wrong-password")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        page_login(pat.email, "wrong-password")
        client, _ = page_login(pat.email, PASSWORD)
        assert signed_in(client)


def test_the_token_api_is_locked_too(pat):
    for _ in range(LIMIT - 1):
        response = api_login(pat.email, "wrong-password")
        assert response.status_code == 400
    assert api_login(pat.email, "wrong-password").status_code == 429
    response = api_login(pat.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many" in response.json()["detail"]
    assert not Token.objects.filter(user=pat).exists()


def test_failures_on_the_api_and_the_page_add_up(pat):
    for _ in range(3):
        api_login(pat.email.upper(), "wrong-password", ip="10.0.4.1")
    for _ in range(2):
        page_login(pat.email, "wrong-password", ip="10.0.4.2")
    _, response = page_login(pat.email, PASSWORD, ip="10.0.4.3")
    assert response.status_code == 429
    assert api_login(pat.email, PASSWORD, ip="10.0.4.4").status_code == 429


def test_an_admin_unlocks_a_locked_user(pat, ada, client_for):
    for n in range(LIMIT):
        page_login(pat.email, "wrong-password", ip=f"10.0.5.{n}")
    assert page_login(pat.email, PASSWORD, ip="10.0.6.1")[1].status_code == 429
    attempts = list(AccessAttempt.objects.filter(username=pat.email))
    assert attempts
    admin = client_for(ada)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    for attempt in attempts:
        response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
    # The addresses used were each below the limit, so the username lock was the only one.
    client, _ = page_login(pat.email, PASSWORD, ip="10.0.6.1")
    assert signed_in(client)


def test_a_patient_cannot_see_the_lockout_admin(pat, client_for):
    response = client_for(pat).get("/admin/axes/accessattempt/")
    assert response.status_code == 302  # to the admin login: not staff
    assert "/admin/login/" in response["Location"]


def test_sign_up_still_signs_the_new_user_in(db):
    client = Client()
    response = client.post(
        "/accounts/signup/patient/",
        {
            "full_name": "New Person",
            "email": "new.person@example.com",
            "password": PASSWORD,
            "date_of_birth": "1984-02-29",
            "timezone": "Europe/London",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_password_reset_is_rate_limited_by_email(pat):
    for n in range(LIMIT):
        response = Client().post(RESET, {"email": pat.email}, REMOTE_ADDR=f"10.0.7.{n}")
        assert response.status_code == 302
    assert len(mail.outbox) == LIMIT
    response = Client().post(RESET, {"email": pat.email.upper()}, REMOTE_ADDR="10.0.7.99")
    assert response.status_code == 429
    assert len(mail.outbox) == LIMIT, "nothing is sent past the limit"


def test_password_reset_is_rate_limited_by_address(pat):
    for n in range(LIMIT):
        Client().post(RESET, {"email": f"someone{n}@example.com"}, REMOTE_ADDR="10.0.8.1")
    response = Client().post(RESET, {"email": pat.email}, REMOTE_ADDR="10.0.8.1")
    assert response.status_code == 429
    assert mail.outbox == []
    response = Client().post(RESET, {"email": pat.email}, REMOTE_ADDR="10.0.8.2")
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_limit_lifts_after_the_window(pat):
    start = timezone.now()
    # The cache's clock is time.time(); travel moves it too.
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT + 1):
            Client().post(RESET, {"email": pat.email}, REMOTE_ADDR="10.0.9.1")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = Client().post(RESET, {"email": pat.email}, REMOTE_ADDR="10.0.9.1")
        assert response.status_code == 302
