"""/account/: each part is its own form with field errors; the email address changes only when
the link sent to the new address is used; time zone, password, language and reminders."""

import base64
import json
import re
from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import email_change
from accounts.models import AuditEvent, NotificationPreference, PatientProfile, User
from accounts.tokens import token_issue
from conftest import PASSWORD
from journal.models import DailyEntry

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def post(client, section: str, **data) -> object:
    return client.post("/account/", {"section": section, **data})


def emailed_path(message, pattern: str) -> str:
    match = re.search(rf"https?://\S+{pattern}\S+/", message.body)
    assert match, message.body
    return match.group(0)[len(SITE) :]


# --- the page -----------------------------------------------------------------------------


def test_it_shows_every_part_to_a_patient(client_for, pat):
    response = client_for(pat).get("/account/")
    text = response.content.decode()
    assert response.status_code == 200
    for anchor in (
        'id="name"',
        'id="email"',
        'id="timezone"',
        'id="password"',
        'id="language"',
        'id="reminders"',
    ):
        assert anchor in text
    assert "<optgroup" in text and 'value="America/New_York" selected' in text
    assert "Etc/GMT" not in text and "Factory" not in text and "localtime" not in text
    assert "<script>" not in text  # strict CSP: static script only
    assert "accounts/timezone.js" in text


def test_a_clinician_gets_the_page_without_reminders(client_for, cleo):
    text = client_for(cleo).get("/account/").content.decode()
    assert 'id="timezone"' in text and 'id="reminders"' not in text


def test_an_admin_gets_the_page_without_a_time_zone(client_for, ada):
    response = client_for(ada).get("/account/")
    assert response.status_code == 200
    assert 'id="timezone"' not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_navigation_links_to_it_for_both_roles(client_for, pat, cleo):
    for user in (pat, cleo):
        assert 'href="/account/"' in client_for(user).get("/account/").content.decode()


def test_an_unknown_section_is_404(client_for, pat):
    assert post(client_for(pat), "nonsense").status_code == 404
    assert post(client_for(pat), "").status_code == 404


# --- name ------------------------------------------------------------------------------------


def test_it_saves_the_name(client_for, pat):
    response = post(client_for(pat), "name", full_name="  Patricia P  ")
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.full_name == "Patricia P"


def test_an_empty_name_is_a_field_error(client_for, pat):
    response = post(client_for(pat), "name", full_name="   ")
    assert response.status_code == 400
    assert 'id="id_full_name_error"' in response.content.decode()
    pat.refresh_from_db()
    assert pat.full_name == "Pat Patient"


# --- email -----------------------------------------------------------------------------------


def test_nothing_changes_until_the_link_sent_to_the_new_address_is_used(client_for, pat):
    client = client_for(pat)
    response = post(client, "email", email="Pat.New@Example.org")
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat.new@example.org"]
    path = emailed_path(mail.outbox[0], "/account/email/confirm/")
    # Opening the link (GET, as a mail scanner would) changes nothing either.
    page = Client().get(path)
    assert page.status_code == 200 and "pat.new@example.org" in page.content.decode()
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"
    # Pressing the button does, even from another browser that is not signed in.
    assert Client().post(path).status_code == 302
    pat.refresh_from_db()
    assert pat.email == "pat.new@example.org"
    # The old address is told, with the new one masked.
    notice = mail.outbox[-1]
    assert notice.to == ["pat@example.com"]
    assert "p•••@example.org" in notice.body and "pat.new@example.org" not in notice.body
    assert AuditEvent.objects.filter(action="email_changed", object_id=str(pat.pk)).count() == 1
    # The link works once.
    assert Client().post(path).status_code == 400
    # The session that asked stays signed in.
    assert client.get("/account/").status_code == 200


def test_an_expired_link_changes_nothing(client_for, pat, settings):
    post(client_for(pat), "email", email="later@example.org")
    path = emailed_path(mail.outbox[0], "/account/email/confirm/")
    with time_machine.travel(timezone.now() + settings.EMAIL_CHANGE_TIMEOUT + timedelta(minutes=1)):
        response = Client().post(path)
    assert response.status_code == 400
    assert "no longer works" in response.content.decode()
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"


def test_a_tampered_link_changes_nothing(client_for, pat):
    token = email_change.email_change_token_make(user=pat, new_email="mine@example.org")
    payload, stamp, signature = token.split(":")
    evil = (
        base64.urlsafe_b64encode(
            json.dumps({"u": pat.pk, "e": "evil@example.org", "f": "x"}).encode()
        )
        .decode()
        .rstrip("=")
    )
    for forged in (f"{evil}:{stamp}:{signature}", f"{payload}:{stamp}:{signature[:-2]}xx"):
        assert Client().post(f"/account/email/confirm/{forged}/").status_code == 400
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"


def test_an_address_with_an_account_gets_a_notice_not_a_link(client_for, pat, sam):
    response = post(client_for(pat), "email", email="SAM@example.com")
    assert response.status_code == 302  # the same answer as for a free address
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert "/account/email/confirm/" not in mail.outbox[0].body
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"


def test_an_address_taken_after_the_link_was_sent_is_refused(client_for, pat):
    post(client_for(pat), "email", email="race@example.org")
    path = emailed_path(mail.outbox[0], "/account/email/confirm/")
    User.objects.create_user(email="race@example.org", password=PASSWORD)
    response = Client().post(path)
    assert response.status_code == 400
    assert "another account" in response.content.decode()
    pat.refresh_from_db()
    assert pat.email == "pat@example.com"


def test_the_current_address_and_a_bad_address_are_field_errors(client_for, pat):
    for value, message in (
        ("PAT@example.com", "already your email"),
        ("not-an-email", "valid email"),
    ):
        response = post(client_for(pat), "email", email=value)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert mail.outbox == []


def test_email_change_requests_are_rate_limited(client_for, pat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_change": "2/900s"}
    client = client_for(pat)
    statuses = [post(client, "email", email=f"n{n}@example.org").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


# --- time zone -------------------------------------------------------------------------------


def test_it_saves_the_patients_zone_and_marks_her_data_changed(client_for, pat):
    PatientProfile.objects.filter(user=pat).update(data_changed_at=None)
    response = post(client_for(pat), "timezone", timezone="Pacific/Kiritimati")
    assert response.status_code == 302
    profile = PatientProfile.objects.get(user=pat)
    assert profile.timezone == "Pacific/Kiritimati"
    assert profile.data_changed_at is not None


def test_it_saves_a_clinicians_zone(client_for, cleo):
    assert post(client_for(cleo), "timezone", timezone="Europe/Paris").status_code == 302
    cleo.clinician_profile.refresh_from_db()
    assert cleo.clinician_profile.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    "value", ["Etc/GMT+5", "Etc/UTC", "Factory", "localtime", "US/Eastern", "Mars/Olympus", ""]
)
def test_a_zone_not_in_the_list_is_a_field_error(client_for, pat, value):
    response = post(client_for(pat), "timezone", timezone=value)
    assert response.status_code == 400
    assert 'id="id_timezone_error"' in response.content.decode()
    assert PatientProfile.objects.get(user=pat).timezone == "America/New_York"


def test_an_alias_stored_at_sign_up_asks_for_a_choice(client_for, pat):
    PatientProfile.objects.filter(user=pat).update(timezone="US/Eastern")
    text = client_for(pat).get("/account/").content.decode()
    assert "Now set to <strong>US/Eastern</strong>" in text
    assert '<option value="" selected>Choose your time zone</option>' in text


def test_an_admin_cannot_post_a_zone(client_for, ada):
    assert post(client_for(ada), "timezone", timezone="Europe/Paris").status_code == 404


# --- password --------------------------------------------------------------------------------


def test_it_changes_the_password_keeps_this_session_and_ends_api_tokens(client_for, pat):
    client = client_for(pat)
    other_device = client_for(pat)
    token_issue(user=pat)
    response = post(
        client,
        "password",
        old_password=PASSWORD,
        new_password1="a-new-and-unusual-passphrase",
        new_password2="a-new-and-unusual-passphrase",
    )
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password("a-new-and-unusual-passphrase")
    assert client.get("/account/").status_code == 200  # still signed in here
    assert other_device.get("/account/").status_code == 302  # signed out elsewhere
    assert not Token.objects.filter(user=pat).exists()


def test_a_wrong_old_password_is_a_field_error(client_for, pat):
    response = post(
        client_for(pat),
        "password",
        old_password="wrong",
        new_password1="a-new-and-unusual-passphrase",
        new_password2="a-new-and-unusual-passphrase",
    )
    assert response.status_code == 400
    assert 'id="id_old_password_error"' in response.content.decode()
    pat.refresh_from_db()
    assert pat.check_password(PASSWORD)


# --- language and reminders ------------------------------------------------------------------


def test_it_saves_the_language(client_for, pat):
    assert post(client_for(pat), "language", language="es").status_code == 302
    assert NotificationPreference.objects.get(user=pat).language == "es"
    assert post(client_for(pat), "language", language="fr").status_code == 400
    assert NotificationPreference.objects.get(user=pat).language == "es"


def test_it_turns_reminders_on_at_a_time(client_for, pat):
    response = post(
        client_for(pat),
        "reminders",
        checkin_reminder="on",
        checkin_reminder_time="20:30",
        questionnaire_reminders="on",
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=pat)
    assert preference.checkin_reminder and preference.questionnaire_reminders
    assert preference.checkin_reminder_time == time(20, 30)


def test_a_reminder_without_a_time_is_a_field_error(client_for, pat):
    response = post(client_for(pat), "reminders", checkin_reminder="on")
    assert response.status_code == 400
    assert 'id="id_checkin_reminder_time_error"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=pat, checkin_reminder=True).exists()


def test_a_clinician_has_no_reminders_form(client_for, cleo):
    response = post(
        client_for(cleo), "reminders", checkin_reminder="on", checkin_reminder_time="08:00"
    )
    assert response.status_code == 404
    assert not NotificationPreference.objects.filter(user=cleo).exists()


# --- the offer after the first check-in ----------------------------------------------------


def first_checkin(patient):
    DailyEntry.objects.create(
        patient=patient,
        date=timezone.now().date(),
        pain=1,
        fatigue=1,
        sleep_quality=1,
        cognition=1,
        mood=1,
    )


def test_reminders_are_offered_after_the_first_checkin_until_answered(client_for, pat):
    client = client_for(pat)
    assert "Want a daily reminder?" not in client.get("/patient/").content.decode()
    first_checkin(pat)
    home = client.get("/patient/").content.decode()
    assert "Want a daily reminder?" in home and 'href="/account/#reminders"' in home
    response = post(client, "offer")
    assert response.status_code == 302 and response["Location"] == "/patient/"
    assert "Want a daily reminder?" not in client.get("/patient/").content.decode()
    assert not NotificationPreference.objects.get(user=pat).checkin_reminder


def test_the_offer_goes_once_reminders_are_on(client_for, pat):
    first_checkin(pat)
    client = client_for(pat)
    post(client, "reminders", checkin_reminder="on", checkin_reminder_time="08:00")
    assert "Want a daily reminder?" not in client.get("/patient/").content.decode()


# --- unsubscribe -----------------------------------------------------------------------------


def reminders_on(user):
    NotificationPreference.objects.create(
        user=user,
        checkin_reminder=True,
        checkin_reminder_time=time(8),
        questionnaire_reminders=True,
    )


def test_the_unsubscribe_link_asks_then_turns_every_reminder_off(pat, sam):
    reminders_on(pat)
    reminders_on(sam)
    path = email_change.unsubscribe_link(pat)[len(SITE) :]
    client = Client(enforce_csrf_checks=True)  # RFC 8058: the mail provider posts no CSRF token
    page = client.get(path)
    assert page.status_code == 200 and "Stop reminders" in page.content.decode()
    assert NotificationPreference.objects.get(user=pat).checkin_reminder  # GET changes nothing
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Reminders are off" in done.content.decode()
    preference = NotificationPreference.objects.get(user=pat)
    assert not preference.checkin_reminder and not preference.questionnaire_reminders
    assert NotificationPreference.objects.get(user=sam).checkin_reminder  # Sam's untouched


def test_a_tampered_unsubscribe_link_does_nothing(pat):
    reminders_on(pat)
    token = email_change.unsubscribe_token_make(pat)
    value, _, signature = token.rpartition(":")
    for forged in (value + ":" + signature[:-2] + "xx", "bad-token", token + "x"):
        assert Client().post(f"/account/unsubscribe/{forged}/").status_code == 400
    assert NotificationPreference.objects.get(user=pat).checkin_reminder


def test_an_unsubscribe_link_acts_for_its_own_user_whoever_opens_it(client_for, pat, sam):
    reminders_on(pat)
    reminders_on(sam)
    path = email_change.unsubscribe_link(pat)[len(SITE) :]
    # Sam, signed in, opens Pat's link: it is Pat's reminders that stop (the link's owner),
    # never Sam's; and the link cannot be re-pointed at Sam without breaking the signature.
    client_for(sam).post(path)
    assert not NotificationPreference.objects.get(user=pat).checkin_reminder
    assert NotificationPreference.objects.get(user=sam).checkin_reminder
    sams = email_change.unsubscribe_token_make(sam)
    pats = email_change.unsubscribe_token_make(pat)
    assert sams != pats
    spliced = sams.split(":")[0] + ":" + pats.split(":")[1]
    assert email_change.unsubscribe_user(spliced) is None
