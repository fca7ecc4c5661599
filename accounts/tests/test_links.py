"""Invitations and the care-link lifecycle (patient-controlled sharing)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.access import patients_visible_to
from accounts.models import CareLink, Invitation
from conftest import make_clinician
from core.errors import FieldErrors


@pytest.fixture
def dr(db):
    return make_clinician("dr@example.com", "Dr Who")


def test_it_links_a_patient_who_accepts_an_invitation(pat, dr):
    invitation = services.invitation_create(clinician=dr)
    link = services.invitation_accept(patient=pat, code=invitation.code.lower())
    assert link.status == "active"
    assert list(patients_visible_to(dr)) == [pat]
    invitation.refresh_from_db()
    assert invitation.used_by == pat and invitation.used_at is not None


def test_an_unverified_clinician_cannot_invite(db):
    pending = make_clinician("pending@example.com", "Pending", verified=False)
    with pytest.raises(FieldErrors):
        services.invitation_create(clinician=pending)
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    "state, message",
    [
        ("unknown", "could not find"),
        ("used", "already been used"),
        ("expired", "expired"),
    ],
)
def test_it_refuses_bad_codes_with_a_clear_message(pat, sam, dr, state, message):
    code = "NOSUCHCODE"
    if state != "unknown":
        invitation = services.invitation_create(clinician=dr)
        code = invitation.code
        if state == "used":
            services.invitation_accept(patient=sam, code=code)
        if state == "expired":
            invitation.expires_at = timezone.now() - timedelta(seconds=1)
            invitation.save(update_fields=["expires_at"])
    with pytest.raises(FieldErrors) as error:
        services.invitation_accept(patient=pat, code=code)
    assert message in " ".join(error.value.errors["code"])
    assert not CareLink.objects.filter(patient=pat).exists()


def test_a_second_link_to_the_same_clinician_is_refused(pat, dr):
    services.invitation_accept(patient=pat, code=services.invitation_create(clinician=dr).code)
    second = services.invitation_create(clinician=dr)
    with pytest.raises(FieldErrors):
        services.invitation_accept(patient=pat, code=second.code)
    assert CareLink.objects.filter(patient=pat).count() == 1
    assert Invitation.objects.get(pk=second.pk).used_at is None


def test_a_patient_may_link_several_clinicians(pat, dr):
    other = make_clinician("other@example.com", "Other")
    services.invitation_accept(patient=pat, code=services.invitation_create(clinician=dr).code)
    services.invitation_accept(patient=pat, code=services.invitation_create(clinician=other).code)
    assert set(
        CareLink.objects.filter(patient=pat, status="active").values_list("clinician", flat=True)
    ) == {
        dr.pk,
        other.pk,
    }


def test_revoking_cuts_access_on_the_next_request(pat, cleo, client_for):
    cleo_client = client_for(cleo)
    assert pat.full_name in cleo_client.get(reverse("clinic:dashboard")).content.decode()
    link = CareLink.objects.get(patient=pat, clinician=cleo)
    response = client_for(pat).post(reverse("sharing-revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "revoked" and link.revoked_at is not None
    assert pat.full_name not in cleo_client.get(reverse("clinic:dashboard")).content.decode()


def test_a_patient_cannot_revoke_someone_elses_link(pat, sam, cleo, client_for):
    link = CareLink.objects.get(patient=pat, clinician=cleo)
    response = client_for(sam).post(reverse("sharing-revoke", args=[link.pk]))
    assert response.status_code == 404
    assert CareLink.objects.get(pk=link.pk).status == "active"


def test_the_sharing_page_accepts_a_code_and_lists_the_clinician(pat, dr, client_for):
    code = services.invitation_create(clinician=dr).code
    client = client_for(pat)
    response = client.post(reverse("sharing"), {"code": f" {code[:5]}-{code[5:]} "}, follow=True)
    assert "You now share your record with Dr Who" in response.content.decode()
    assert CareLink.objects.filter(patient=pat, clinician=dr, status="active").exists()


def test_the_sharing_page_shows_field_errors_and_stores_nothing(pat, client_for):
    response = client_for(pat).post(reverse("sharing"), {"code": "WRONG"})
    assert response.status_code == 200
    assert "could not find that invitation" in response.content.decode()
    assert not CareLink.objects.exists()


def test_the_sharing_page_is_for_patients_only(cleo, client_for):
    assert client_for(cleo).get(reverse("sharing")).status_code == 404


def test_a_clinician_creates_invitation_codes_on_the_invite_page(cleo, client_for):
    response = client_for(cleo).post(reverse("clinician-invitations"), follow=True)
    invitation = Invitation.objects.get(clinician=cleo)
    assert invitation.code in response.content.decode()


def test_the_invitation_link_prefills_the_code_for_a_signed_in_patient(pat, dr, client_for):
    code = services.invitation_create(clinician=dr).code
    response = client_for(pat).get(reverse("invitation-landing", args=[code]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?code={code}")
