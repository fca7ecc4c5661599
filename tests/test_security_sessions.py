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


# --- A change of access ends sessions and tokens (issue 10, finding 6) ---


def _admin_user_form(user, **changes) -> dict:
    """The admin's change form for `user`, as the browser would post it, with `changes`."""
    profile = getattr(user, "patient_profile", None)
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "patient_profile-TOTAL_FORMS": "1" if profile else "0",
        "patient_profile-INITIAL_FORMS": "1" if profile else "0",
        "patient_profile-MIN_NUM_FORMS": "0",
        "patient_profile-MAX_NUM_FORMS": "1",
        "clinician_profile-TOTAL_FORMS": "0",
        "clinician_profile-INITIAL_FORMS": "0",
        "clinician_profile-MIN_NUM_FORMS": "0",
        "clinician_profile-MAX_NUM_FORMS": "1",
    }
    if profile:
        data.update(
            {
                "patient_profile-0-id": profile.pk,
                "patient_profile-0-user": user.pk,
                "patient_profile-0-date_of_birth": "",
                "patient_profile-0-timezone": profile.timezone,
            }
        )
    for name, value in changes.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.mark.parametrize(
    "changes",
    [{"role": "clinician"}, {"role": "admin"}, {"is_staff": True}, {"is_superuser": True}],
    ids=["to-clinician", "to-admin", "staff", "superuser"],
)
def test_an_admin_changing_access_ends_the_users_sessions_and_tokens(pat, ada, changes):
    from accounts.tokens import token_issue

    browser = sign_in(pat)
    key = token_issue(user=pat).key
    assert token_client(key).get(ME).status_code == 200
    admin = Client()
    admin.force_login(ada)
    response = admin.post(
        f"/admin/accounts/user/{pat.pk}/change/", _admin_user_form(pat, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not is_signed_in(browser)
    assert not Token.objects.filter(key=key).exists()
    assert token_client(key).get(ME).status_code == REFUSED


def test_an_admin_editing_a_name_keeps_the_users_sessions(pat, ada):
    from accounts.tokens import token_issue

    browser = sign_in(pat)
    key = token_issue(user=pat).key
    admin = Client()
    admin.force_login(ada)
    response = admin.post(
        f"/admin/accounts/user/{pat.pk}/change/", _admin_user_form(pat, full_name="Pat P.")
    )
    assert response.status_code == 302
    assert is_signed_in(browser)
    assert token_client(key).get(ME).status_code == 200


def test_a_change_made_outside_the_admin_still_ends_sessions_and_tokens(pat):
    """The safety net: sessions and token grants remember the access they were issued for."""
    from accounts.models import User
    from accounts.tokens import token_issue

    browser = sign_in(pat)
    key = token_issue(user=pat).key
    User.objects.filter(pk=pat.pk).update(role="clinician")
    assert not is_signed_in(browser)
    response = token_client(key).get(ME)
    assert response.status_code == REFUSED
    assert "access changed" in response.json()["detail"]


def test_verifying_a_clinician_ends_their_sessions_and_tokens(val, ada):
    from accounts.tokens import token_issue

    browser = sign_in(val)
    key = token_issue(user=val).key
    admin = Client()
    admin.force_login(ada)
    admin.post(
        "/admin/accounts/user/",
        {"action": "verify_clinicians", "_selected_action": [val.pk]},
    )
    val.clinician_profile.refresh_from_db()
    assert val.clinician_profile.verified_at is not None
    assert not is_signed_in(browser)
    assert not Token.objects.filter(key=key).exists()


# --- A clinician's or administrator's token stands for a verified second factor ---


@pytest.mark.parametrize("who", ["cleo", "ada"])
@pytest.mark.parametrize("second_factor", [False, True])
def test_a_privileged_token_needs_a_second_factor(personas, settings, who, second_factor):
    from accounts.models import TokenGrant
    from accounts.tokens import token_issue

    settings.MFA_REQUIRED = True
    key = token_issue(user=personas[who], second_factor=second_factor).key
    assert TokenGrant.objects.get(token_id=key).second_factor is second_factor
    response = token_client(key).get(ME)
    if second_factor:
        assert response.status_code == 200
    else:
        assert response.status_code == REFUSED
        assert "two-step verification" in response.json()["detail"]
        assert not Token.objects.filter(key=key).exists()


def test_a_token_made_without_a_grant_is_refused_for_a_clinician(cleo, settings):
    settings.MFA_REQUIRED = True
    key = Token.objects.create(user=cleo).key
    assert token_client(key).get(ME).status_code == REFUSED


def test_a_patient_token_needs_no_second_factor(pat, settings):
    settings.MFA_REQUIRED = True
    key = obtain(pat).json()["token"]
    assert token_client(key).get(ME).status_code == 200


def test_a_token_without_a_second_factor_is_replaced_when_one_is_given(cleo):
    from accounts.tokens import token_issue

    plain = token_issue(user=cleo).key
    assert token_issue(user=cleo).key == plain
    assert token_issue(user=cleo, second_factor=True).key != plain
    assert not Token.objects.filter(key=plain).exists()


def test_an_admin_setting_a_new_password_revokes_the_users_tokens(pat, ada):
    from accounts.tokens import token_issue

    key = token_issue(user=pat).key
    admin = Client()
    admin.force_login(ada)
    new_password = "an-admin-chosen-passphrase-2026"
    response = admin.post(
        f"/admin/accounts/user/{pat.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(key=key).exists()
