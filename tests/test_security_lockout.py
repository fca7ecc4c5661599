"""Login protection: django-axes locks a username and, separately, an address after 5 failures
within 15 minutes, for 15 minutes, on the login page and the token API; a successful sign-in
clears the failures of that username only; password-reset requests are rate-limited by address
and by email."""

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


def sign_in_by(door: str, email: str, password: str, ip: str) -> int:
    """One sign-in through the login page or the token API; the status it answered."""
    if door == "page":
        return page_login(email, password, ip=ip)[1].status_code
    return api_login(email, password, ip=ip).status_code


def failures_against(email: str) -> int:
    return sum(a.failures_since_start for a in AccessAttempt.objects.filter(username=email))


@pytest.mark.parametrize(
    "guess_door, own_door",
    [("page", "page"), ("api", "api"), ("page", "api"), ("api", "page")],
)
def test_an_own_success_does_not_clear_the_failures_against_someone_else(
    cleo, sam, guess_door, own_door
):
    """Issue 10 #1: 4 wrong passwords against the victim, then a correct sign-in to the
    attacker's own account from the same address, 3 times over: the victim ends up locked."""
    attacker_ip = "10.0.10.1"
    answers = []
    for _ in range(3):
        for _ in range(LIMIT - 1):
            answers.append(sign_in_by(guess_door, cleo.email, "wrong-password", attacker_ip))
        sign_in_by(own_door, sam.email, PASSWORD, attacker_ip)
    assert 429 in answers, "the guesses themselves ran into the lock"
    # The victim's username is locked from anywhere, on both doors.
    client, response = page_login(cleo.email, PASSWORD, ip="10.0.11.1")
    assert response.status_code == 429
    assert not signed_in(client)
    assert api_login(cleo.email, PASSWORD, ip="10.0.11.2").status_code == 429
    assert not Token.objects.filter(user=cleo).exists()


def test_a_success_clears_the_failures_of_that_username_only(pat, sam):
    ip = "10.0.12.1"
    for _ in range(2):
        page_login(pat.email, "wrong-password", ip=ip)
        page_login(sam.email, "wrong-password", ip=ip)
    client, _ = page_login(sam.email, PASSWORD, ip=ip)
    assert signed_in(client)
    assert failures_against(sam.email) == 0, "Sam's own failures are cleared"
    assert failures_against(pat.email) == 2, "Pat's failures from the same address stay"


def test_a_token_api_success_clears_that_users_failures_too(pat):
    for _ in range(LIMIT - 1):
        api_login(pat.email, "wrong-password")
    assert api_login(pat.email, PASSWORD).status_code == 200
    assert failures_against(pat.email) == 0
    for _ in range(LIMIT - 1):
        api_login(pat.email, "wrong-password", ip="10.0.13.1")
    assert api_login(pat.email, PASSWORD, ip="10.0.13.1").status_code == 200


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


def test_password_reset_is_rate_limited_by_email(pat):
    for n in range(LIMIT):
        response = Client().post(RESET, {"email": pat.email}, REMOTE_ADDR=f"10.0.7.{n}")
        assert response.status_code == 302
    assert len(mail.outbox) == LIMIT
    response = Client().post(RESET, {"email": pat.email.upper()}, REMOTE_ADDR="10.0.7.99")
    assert response.status_code == 429
    assert "password-reset requests" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 15 * 60
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
