"""GET/PATCH /api/v1/me/preferences/: the caller's own reminders and language; field-level 400s
with nothing stored."""

from datetime import time

import pytest

from accounts.models import NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/preferences/"
DEFAULTS = {
    "checkin_reminder": False,
    "checkin_reminder_time": None,
    "questionnaire_reminders": False,
    "language": "en",
}


def test_it_answers_the_defaults_without_storing_a_row(api_client, pat):
    response = api_client(pat).get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert not NotificationPreference.objects.filter(user=pat).exists()


def test_a_patient_turns_reminders_on(api_client, pat):
    body = {"checkin_reminder": True, "checkin_reminder_time": "07:45", "language": "es"}
    response = api_client(pat).patch(URL, body, format="json")
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, **body, "checkin_reminder_time": "07:45:00"}
    preference = NotificationPreference.objects.get(user=pat)
    assert preference.checkin_reminder_time == time(7, 45) and preference.language == "es"
    assert api_client(pat).get(URL).json()["checkin_reminder_time"] == "07:45:00"


def test_a_partial_patch_keeps_the_rest(api_client, pat):
    NotificationPreference.objects.create(
        user=pat, checkin_reminder=True, checkin_reminder_time=time(8), language="es"
    )
    response = api_client(pat).patch(URL, {"questionnaire_reminders": True}, format="json")
    assert response.json() == {
        "checkin_reminder": True,
        "checkin_reminder_time": "08:00:00",
        "questionnaire_reminders": True,
        "language": "es",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "fr"}, "language"),
        ({"checkin_reminder": "maybe"}, "checkin_reminder"),
        ({"checkin_reminder_time": "25:00"}, "checkin_reminder_time"),
        ({"checkin_reminder_time": "08:00:00Z"}, "checkin_reminder_time"),  # local, no offset
        ({"checkin_reminder_time": "08:00+02:00"}, "checkin_reminder_time"),
        ({"checkin_reminder_time": 8}, "checkin_reminder_time"),
        ({"checkin_reminder_time": ["08:00"]}, "checkin_reminder_time"),
        ({"checkin_reminder": True}, "checkin_reminder_time"),  # on, but at no time
        ({"checkin_reminder": True, "checkin_reminder_time": None}, "checkin_reminder_time"),
    ],
)
def test_bad_values_are_field_errors_and_store_nothing(api_client, pat, body, field):
    response = api_client(pat).patch(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not NotificationPreference.objects.filter(user=pat, checkin_reminder=True).exists()
    assert not NotificationPreference.objects.filter(user=pat, language="fr").exists()


def test_a_body_that_is_not_an_object_is_a_400(api_client, pat):
    assert api_client(pat).patch(URL, [1, 2], format="json").status_code == 400


def test_a_clinician_may_set_the_language_but_not_reminders(api_client, cleo):
    assert api_client(cleo).patch(URL, {"language": "es"}, format="json").status_code == 200
    response = api_client(cleo).patch(
        URL, {"checkin_reminder": True, "checkin_reminder_time": "08:00"}, format="json"
    )
    assert response.status_code == 400 and "checkin_reminder" in response.json()
    assert not NotificationPreference.objects.get(user=cleo).checkin_reminder


def test_each_user_sees_only_their_own(api_client, pat, sam):
    NotificationPreference.objects.create(user=sam, language="es")
    assert api_client(pat).get(URL).json()["language"] == "en"
    api_client(pat).patch(URL, {"language": "es"}, format="json")
    assert NotificationPreference.objects.get(user=sam).language == "es"
    assert NotificationPreference.objects.filter(language="es").count() == 2


def test_anonymous_is_refused(api_client, db):
    assert api_client().get(URL).status_code in (401, 403)
    assert api_client().patch(URL, {"language": "es"}, format="json").status_code in (401, 403)
