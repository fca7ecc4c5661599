"""Sign-up: clear field messages, nothing stored on bad input, Argon2 in production settings;
a new account waits for its email to be confirmed, and an address that already has an account
gets the same answer as a new one (issue 10, finding 8)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, ClinicianProfile, PatientProfile, User
from conftest import PASSWORD

GOOD = {
    "full_name": "New Patient",
    "email": "new@example.com",
    "password": "a-long-and-unusual-passphrase",
    "date_of_birth": "1990-06-01",
    "timezone": "Europe/London",
    "consent": "on",
}
CLINICIAN = {
    "full_name": "Dr New",
    "email": "drnew@example.com",
    "password": "a-long-and-unusual-passphrase",
    "organisation": "Clinic",
    "licence_number": "L-1",
    "timezone": "America/Los_Angeles",
}
CHECK_EMAIL = "/accounts/signup/check-email/"


def emailed_link(message) -> str:
    match = re.search(r"https?://\S+/accounts/signup/confirm/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def link_path(link: str, site_url: str = "http://127.0.0.1:8000") -> str:
    assert link.startswith(site_url)
    return link[len(site_url) :]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_creates_an_inactive_patient_and_emails_a_confirmation_link(client, db):
    response = client.post(reverse("signup-patient"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == CHECK_EMAIL
    assert not signed_in(client)
    user = User.objects.get(email="new@example.com")
    assert user.role == "patient"
    assert user.is_active is False
    assert user.patient_profile.timezone == "Europe/London"
    assert user.patient_profile.consented_at is not None
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    body = mail.outbox[0].body
    assert emailed_link(mail.outbox[0]).startswith("http://127.0.0.1:8000/accounts/signup/")
    for private in ("New Patient", "1990", "Europe/London"):
        assert private not in body


def test_the_link_confirms_the_account_and_then_it_signs_in(client, db):
    client.post(reverse("signup-patient"), GOOD)
    path = link_path(emailed_link(mail.outbox[0]))

    shown = Client().get(path)  # a mail scanner following the link changes nothing
    assert shown.status_code == 200
    assert b"Confirm my email address" in shown.content
    assert User.objects.get(email="new@example.com").is_active is False

    confirmed = Client().post(path, follow=True)
    assert confirmed.redirect_chain[-1][0] == reverse("login")
    assert b"Your email address is confirmed" in confirmed.content
    user = User.objects.get(email="new@example.com")
    assert user.is_active is True
    assert AuditEvent.objects.filter(actor=user, action="signup_confirmed").count() == 1

    browser = Client()
    response = browser.post(
        reverse("login"), {"username": GOOD["email"], "password": GOOD["password"]}
    )
    assert response.status_code == 302
    assert signed_in(browser)
    assert browser.get(reverse("home")).status_code == 302  # routed to the patient home


def test_an_unconfirmed_account_cannot_sign_in_and_is_told_why_without_a_leak(client, db):
    client.post(reverse("signup-patient"), GOOD)
    browser = Client()
    response = browser.post(
        reverse("login"), {"username": GOOD["email"], "password": GOOD["password"]}
    )
    assert response.status_code == 200
    assert not signed_in(browser)
    errors = " ".join(response.context["form"].non_field_errors())
    assert "confirmation link" in errors
    unknown = Client().post(
        reverse("login"), {"username": "nobody@example.com", "password": GOOD["password"]}
    )
    assert " ".join(unknown.context["form"].non_field_errors()) == errors


def test_a_link_works_once(client, db):
    client.post(reverse("signup-patient"), GOOD)
    path = link_path(emailed_link(mail.outbox[0]))
    assert Client().post(path).status_code == 302
    again = Client().post(path)
    assert again.status_code == 400
    assert b"This link no longer works" in again.content


def test_an_expired_link_does_not_confirm(client, db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("signup-patient"), GOOD)
    path = link_path(emailed_link(mail.outbox[0]))
    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        response = Client().post(path)
    assert response.status_code == 400
    assert User.objects.get(email="new@example.com").is_active is False


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: "x" + token,  # payload
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_does_not_confirm(client, db, mangle):
    client.post(reverse("signup-patient"), GOOD)
    token = link_path(emailed_link(mail.outbox[0])).split("/")[-2]
    response = Client().post(reverse("signup-confirm", args=[mangle(token)]))
    assert response.status_code == 400
    assert User.objects.get(email="new@example.com").is_active is False


def test_an_old_link_cannot_reactivate_a_deactivated_account(client, db):
    client.post(reverse("signup-patient"), GOOD)
    path = link_path(emailed_link(mail.outbox[0]))
    Client().post(path)
    browser = Client()
    browser.post(reverse("login"), {"username": GOOD["email"], "password": GOOD["password"]})
    User.objects.filter(email=GOOD["email"]).update(is_active=False)  # an administrator's act
    assert Client().post(path).status_code == 400
    assert User.objects.get(email=GOOD["email"]).is_active is False


def test_links_are_built_from_site_url_never_the_request_host(client, db, settings):
    settings.SITE_URL = "https://portal.example.org"
    settings.ALLOWED_HOSTS = ["evil.example.com", "testserver"]
    client.post(reverse("signup-patient"), GOOD, HTTP_HOST="evil.example.com")
    link = emailed_link(mail.outbox[0])
    assert link.startswith("https://portal.example.org/accounts/signup/confirm/")
    assert "evil" not in mail.outbox[0].body


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"password": "short"}, "password", "too short"),
        ({"password": "password1234"}, "password", "too common"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "future"),
        ({"date_of_birth": "yesterday"}, "date_of_birth", "valid date"),
        ({"timezone": "Mars/Olympus"}, "timezone", "valid choice"),
        ({"consent": ""}, "consent", "required"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_it_explains_bad_input_and_stores_nothing(client, db, change, field, message):
    response = client.post(reverse("signup-patient"), {**GOOD, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field]).lower()
    assert not User.objects.exists()
    assert not PatientProfile.objects.exists()
    assert mail.outbox == []


# 11:30 UTC on 28 November: already 29 November in Auckland (UTC+13), still the 28th in
# Honolulu (UTC-10). "The future" is judged by the calendar where the patient lives.
@pytest.mark.parametrize(
    "zone, date_of_birth, accepted",
    [
        ("Pacific/Auckland", "2026-11-29", True),
        ("UTC", "2026-11-29", False),
        ("Pacific/Honolulu", "2026-11-28", True),
        ("Pacific/Honolulu", "2026-11-29", False),
    ],
)
def test_a_date_of_birth_in_the_future_is_judged_in_the_chosen_time_zone(
    client, db, zone, date_of_birth, accepted
):
    with time_machine.travel("2026-11-28T11:30:00Z", tick=False):
        response = client.post(
            reverse("signup-patient"), {**GOOD, "timezone": zone, "date_of_birth": date_of_birth}
        )
    if accepted:
        assert response.status_code == 302
        profile = PatientProfile.objects.get(user__email=GOOD["email"])
        assert profile.date_of_birth.isoformat() == date_of_birth
    else:
        assert response.status_code == 200
        assert "future" in " ".join(response.context["form"].errors["date_of_birth"])
        assert not User.objects.exists()


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_an_existing_email_gets_the_same_answer_and_its_owner_a_notice(pat):
    new = Client().post(reverse("signup-patient"), GOOD, follow=True)
    mail.outbox.clear()
    existing = Client().post(
        reverse("signup-patient"),
        {**GOOD, "email": "PAT@example.com", "full_name": "Someone Else"},
        follow=True,
    )
    assert existing.redirect_chain == new.redirect_chain == [(CHECK_EMAIL, 302)]
    # Byte for byte the same page, but for each client's own CSRF token (the footer's language
    # switch is a form on every page).
    assert without_csrf(existing.content) == without_csrf(new.content)
    assert b"Check your email to continue" in existing.content

    assert User.objects.filter(email__iexact="pat@example.com").count() == 1
    pat.refresh_from_db()
    assert pat.check_password(PASSWORD), "the existing account is untouched"
    assert pat.full_name == "Pat Patient"
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    notice = mail.outbox[0]
    assert "tried to" in notice.subject.lower()
    assert "http://127.0.0.1:8000/accounts/password-reset/" in notice.body
    assert "/signup/confirm/" not in notice.body, "no link that could activate anything"
    for private in ("Pat Patient", "1980", "Someone Else"):
        assert private not in notice.body


def test_an_existing_clinician_email_gets_the_notice_from_the_clinician_form(cleo):
    response = Client().post(
        reverse("signup-clinician"), {**CLINICIAN, "email": "cleo@example.com"}
    )
    assert response["Location"] == CHECK_EMAIL
    assert [m.to for m in mail.outbox] == [["cleo@example.com"]]
    assert not ClinicianProfile.objects.filter(organisation="Clinic").exists()


def test_a_clinician_confirms_then_signs_in_to_the_waiting_page(client, db):
    response = client.post(reverse("signup-clinician"), CLINICIAN)
    assert response["Location"] == CHECK_EMAIL
    profile = ClinicianProfile.objects.get(user__email="drnew@example.com")
    assert profile.timezone == "America/Los_Angeles"
    assert profile.verified_at is None
    assert profile.user.is_active is False
    confirmed = Client().post(link_path(emailed_link(mail.outbox[0])), follow=True)
    assert b"an administrator will verify your account" in confirmed.content
    browser = Client()
    browser.post(
        reverse("login"), {"username": CLINICIAN["email"], "password": CLINICIAN["password"]}
    )
    page = browser.get(reverse("home"), follow=True)
    assert "awaiting verification" in page.content.decode()


def test_the_clinician_form_asks_for_a_time_zone_grouped_by_region(client, db):
    page = client.get(reverse("signup-clinician")).content.decode()
    assert '<label for="id_timezone">Your time zone</label>' in page
    assert 'data-browser-timezone="true"' in page
    assert '<optgroup label="America">' in page and '<optgroup label="Pacific">' in page
    assert '<option value="America/Los_Angeles">Los Angeles</option>' in page
    assert "accounts/browser-timezone.js" in page and "<script>" not in page  # static, CSP
    assert "Etc/GMT" not in page and "Factory" not in page


@pytest.mark.parametrize("zone", ["", "Etc/GMT+5", "Factory", "localtime", "Mars/Olympus"])
def test_a_clinician_zone_outside_the_list_is_refused_and_nothing_is_written(client, db, zone):
    response = client.post(reverse("signup-clinician"), {**CLINICIAN, "timezone": zone})
    assert response.status_code == 200
    assert response.context["form"].errors["timezone"]
    assert not User.objects.filter(email=CLINICIAN["email"]).exists()
    # Sent back with an error: the browser's zone must not overwrite the person's choice.
    assert 'data-browser-timezone="true"' not in response.content.decode()


def test_production_settings_hash_with_argon2_first():
    import portal.settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_page_signs_in_with_email(client, pat):
    response = client.post(reverse("login"), {"username": "pat@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(pat.pk)


def test_login_page_refuses_a_wrong_password(pat):
    client = Client()
    response = client.post(reverse("login"), {"username": "pat@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_a_sign_up_losing_a_race_for_the_address_sends_the_notice(pat):
    from accounts import services

    def create_after_the_other_won():
        raise services.EmailTaken()

    result = services.signup_request(
        email="pat@example.com", password=PASSWORD, create=create_after_the_other_won
    )
    assert result is None
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]


def test_a_mail_server_failure_still_answers_the_same_page(client, db, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    response = client.post(reverse("signup-patient"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == CHECK_EMAIL
    user = User.objects.get(email=GOOD["email"])
    assert f"user id {user.pk}" in caplog.text
    assert GOOD["email"] not in caplog.text, "the log names an id, never the address"
