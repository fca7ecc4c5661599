"""Sign-up: clear field messages, nothing stored on bad input, Argon2 in production settings."""

import pytest
from django.urls import reverse

from accounts.models import ClinicianProfile, PatientProfile, User

GOOD = {
    "full_name": "New Patient",
    "email": "new@example.com",
    "password": "a-long-and-unusual-passphrase",
    "date_of_birth": "1990-06-01",
    "timezone": "Europe/London",
    "consent": "on",
}


def test_it_creates_a_patient_with_profile_and_signs_them_in(client, db):
    response = client.post(reverse("signup-patient"), GOOD)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == "patient"
    assert user.patient_profile.timezone == "Europe/London"
    assert user.patient_profile.consented_at is not None
    assert client.get(reverse("home")).status_code == 302  # signed in: routed to the patient home


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


def test_a_duplicate_email_is_refused_case_insensitively(client, pat):
    response = client.post(reverse("signup-patient"), {**GOOD, "email": "PAT@example.com"})
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert User.objects.filter(email__iexact="pat@example.com").count() == 1


def test_a_clinician_signs_up_unverified_and_sees_the_waiting_page(client, db):
    response = client.post(
        reverse("signup-clinician"),
        {
            "full_name": "Dr New",
            "email": "drnew@example.com",
            "password": "a-long-and-unusual-passphrase",
            "organisation": "Clinic",
            "licence_number": "L-1",
        },
        follow=True,
    )
    profile = ClinicianProfile.objects.get(user__email="drnew@example.com")
    assert profile.verified_at is None
    assert "awaiting verification" in response.content.decode()


def test_production_settings_hash_with_argon2_first():
    import portal.settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_page_signs_in_with_email(client, pat):
    from conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "pat@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(pat.pk)


def test_login_page_refuses_a_wrong_password(pat):
    from django.test import Client

    client = Client()
    response = client.post(reverse("login"), {"username": "pat@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session
