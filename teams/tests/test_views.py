"""Team pages end to end: invite, join, remove, leave, share a patient with the team."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import CareLink, Invitation
from conftest import make_clinician
from teams.models import Team, TeamInvitation, TeamMembership, TeamRole
from teams.tests.test_access import _member, _share


@pytest.fixture
def clinic(db):
    return Team.objects.create(name="Demo Pain Clinic")


@pytest.fixture
def mona(clinic):
    """The clinic's team admin (a practice manager: no clinician role in the team)."""
    return _member(clinic, "mona@example.org", TeamRole.TEAM_ADMIN)


def _join_path(message):
    return re.search(r"https?://[^/\s]+(/team/join/[^/\s]+/)", message.body).group(1)


def test_it_invites_by_email_and_the_invited_clinician_joins_once(
    clinic, mona, client_for, django_capture_on_commit_callbacks
):
    admin = client_for(mona)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/team/{clinic.pk}/invite/", {"email": "Nurse@Example.org", "role": "triage"}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["nurse@example.org"]]
    path = _join_path(mail.outbox[0])
    nurse = make_clinician("nurse@example.org", "Nico Nurse")

    joined = client_for(nurse).post(path)

    assert joined.status_code == 302
    assert TeamMembership.objects.filter(team=clinic, user=nurse, role="triage").count() == 1
    again = client_for(nurse).post(path, follow=True)
    assert "already used or has expired" in again.content.decode()
    assert TeamMembership.objects.filter(user=nurse).count() == 1


def test_a_forwarded_invitation_does_not_work_for_another_account(clinic, mona, client_for):
    invitation = TeamInvitation.objects.create(
        team=clinic,
        email="nurse@example.org",
        role="triage",
        expires_at=timezone.now() + timedelta(days=1),
    )
    eve = make_clinician("eve@example.org", "Eve")

    response = client_for(eve).post(f"/team/join/{invitation.token}/", follow=True)

    assert "This invitation is for nurse@example.org" in response.content.decode()
    assert not TeamMembership.objects.filter(user=eve).exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_an_expired_invitation_is_refused(clinic, client_for):
    invitation = TeamInvitation.objects.create(
        team=clinic, email="nurse@example.org", role="triage", expires_at=timezone.now()
    )
    nurse = make_clinician("nurse@example.org", "Nico Nurse")

    response = client_for(nurse).post(f"/team/join/{invitation.token}/", follow=True)

    assert "already used or has expired" in response.content.decode()
    assert not TeamMembership.objects.filter(user=nurse).exists()


def test_only_a_team_admin_invites_or_removes(clinic, mona, client_for, pat):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    nina = _member(clinic, "nina@example.org", TeamRole.TRIAGE)
    member = TeamMembership.objects.get(user=nina)

    invite = client_for(tess).post(
        f"/team/{clinic.pk}/invite/", {"email": "x@example.org", "role": "clinician"}
    )
    remove = client_for(tess).post(f"/team/{clinic.pk}/members/{member.pk}/end/")

    assert (invite.status_code, remove.status_code) == (404, 404)
    assert not TeamInvitation.objects.exists()
    assert TeamMembership.objects.get(pk=member.pk).active


def test_removal_ends_page_and_token_access_on_the_next_request(
    clinic, mona, pat, client_for, api_client
):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    _share(pat, clinic, tess)
    page = client_for(tess)
    token = Token.objects.create(user=tess)
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert page.get(f"/clinician/patients/{pat.pk}/").status_code == 200
    member = TeamMembership.objects.get(user=tess)

    client_for(mona).post(f"/team/{clinic.pk}/members/{member.pk}/end/")

    assert page.get(f"/clinician/patients/{pat.pk}/").status_code == 404
    assert api.get(f"/api/v1/patients/{pat.pk}/").status_code in (403, 404)
    assert "Pat Patient" not in page.get("/clinician/").content.decode()


def test_a_member_leaves_and_the_last_team_admin_cannot(clinic, mona, client_for):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    own = TeamMembership.objects.get(user=tess)
    admin_row = TeamMembership.objects.get(user=mona)

    client_for(tess).post(f"/team/{clinic.pk}/members/{own.pk}/end/")
    refused = client_for(mona).post(f"/team/{clinic.pk}/members/{admin_row.pk}/end/", follow=True)

    assert not TeamMembership.objects.get(pk=own.pk).active
    assert TeamMembership.objects.get(pk=admin_row.pk).active
    assert "at least one team admin" in refused.content.decode()


def test_a_patient_shares_with_the_team_by_code_and_stops(clinic, pat, client_for):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    nina = _member(clinic, "nina@example.org", TeamRole.TRIAGE)
    client_for(tess).post(f"/team/{clinic.pk}/patient-code/")
    code = Invitation.objects.get(team=clinic).code
    patient = client_for(pat)

    shared = patient.post("/patient/sharing/", {"code": code}, follow=True)

    assert "You now share your record with Demo Pain Clinic." in shared.content.decode()
    link = CareLink.objects.get(patient=pat, team=clinic)
    assert client_for(nina).get(f"/clinician/patients/{pat.pk}/").status_code == 200
    assert "Demo Pain Clinic" in patient.get("/patient/sharing/").content.decode()
    again = patient.post("/patient/sharing/", {"code": code})
    assert "This invitation code has already been used." in again.content.decode()
    assert CareLink.objects.filter(patient=pat, team=clinic).count() == 1

    patient.post(f"/patient/sharing/{link.pk}/revoke/")

    assert client_for(nina).get(f"/clinician/patients/{pat.pk}/").status_code == 404
    assert client_for(tess).get(f"/clinician/patients/{pat.pk}/").status_code == 404


def test_the_team_page_shows_members_but_no_patient_data(clinic, mona, pat, client_for):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    _share(pat, clinic, tess)

    page = client_for(mona).get(f"/team/{clinic.pk}/").content.decode()

    assert "tess@example.org" in page
    assert "Pat Patient" not in page and "pat@example.com" not in page
    assert client_for(mona).get(f"/clinician/patients/{pat.pk}/").status_code == 404


def test_another_teams_page_is_not_found(clinic, client_for):
    other = Team.objects.create(name="Elsewhere")
    otto = _member(other, "otto@example.org", TeamRole.TEAM_ADMIN)

    assert client_for(otto).get(f"/team/{clinic.pk}/").status_code == 404
    assert client_for(otto).post(f"/team/{clinic.pk}/patient-code/").status_code == 404
