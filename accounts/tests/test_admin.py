import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, ClinicianProfile
from conftest import make_clinician


def test_an_admin_verifies_clinicians_with_the_admin_action(client, ada, db):
    pending = make_clinician("pending@example.com", "Pending", verified=False)
    client.force_login(ada)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "verify_clinicians", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    profile = ClinicianProfile.objects.get(user=pending)
    assert profile.verified_at is not None and profile.verified_by == ada
    assert AuditEvent.objects.filter(
        action="clinician_verified", object_id=str(pending.pk)
    ).exists()


def test_the_user_list_filters_by_role(client, ada, personas):
    client.force_login(ada)
    response = client.get(reverse("admin:accounts_user_changelist") + "?role__exact=clinician")
    body = response.content.decode()
    assert "cleo@example.com" in body and "pat@example.com" not in body


def test_audit_events_are_read_only_in_the_admin(client, ada, pat):
    event = AuditEvent.objects.create(actor=ada, patient=pat, action="test")
    client.force_login(ada)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Deleting users the audit trail names deactivates them (issue 10, finding 5) ---


def _in_trail(actor, patient):
    from accounts.audit import audit_event

    return audit_event(actor=actor, patient=patient, action="record_view")


def test_deleting_a_user_in_the_audit_trail_deactivates_them(client, ada, pat, cleo):
    from rest_framework.authtoken.models import Token

    from accounts.tokens import token_issue

    event = _in_trail(cleo, pat)
    token = token_issue(user=cleo)
    client.force_login(ada)
    url = reverse("admin:accounts_user_delete", args=[cleo.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "deactivated" in page.content.decode()
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "deactivated instead of deleted" in response.content.decode()
    cleo.refresh_from_db()
    assert cleo.is_active is False
    assert not Token.objects.filter(pk=token.pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk, actor=cleo, patient=pat).exists()
    assert AuditEvent.objects.filter(
        action="user_deactivated", actor=ada, object_id=str(cleo.pk)
    ).exists()


def test_the_delete_action_deactivates_users_in_the_trail_and_deletes_the_others(
    client, ada, pat, cleo, uma
):
    from accounts.models import User

    _in_trail(cleo, pat)
    client.force_login(ada)
    changelist = reverse("admin:accounts_user_changelist")
    selected = {"action": "delete_selected", "_selected_action": [pat.pk, cleo.pk, uma.pk]}
    confirm = client.post(changelist, selected)
    assert confirm.status_code == 200  # Django's confirmation, for Uma only
    assert User.objects.filter(pk__in=[pat.pk, cleo.pk], is_active=False).count() == 2
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [uma.pk], "post": "yes"}
    )
    assert not User.objects.filter(pk=uma.pk).exists()
    assert User.objects.filter(pk__in=[pat.pk, cleo.pk]).count() == 2
    assert AuditEvent.objects.filter(action="record_view", actor=cleo, patient=pat).exists()


def test_a_user_outside_the_trail_is_deleted_as_usual(client, ada, uma):
    from accounts.models import User

    client.force_login(ada)
    response = client.post(reverse("admin:accounts_user_delete", args=[uma.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=uma.pk).exists()


# --- The admin's reads of patient data are audited (issue 10, finding 7b) ---


@pytest.fixture
def pats_course_and_alert(pat):
    from datetime import date

    from alerts.models import Alert
    from medications.models import MedicationCourse

    course = MedicationCourse.objects.create(
        patient=pat,
        name="sertraline",
        dose=50,
        unit="mg",
        frequency="daily",
        started_on=date(2026, 1, 1),
    )
    alert = Alert.objects.create(
        patient=pat,
        kind="mood_worsening",
        severity="moderate",
        title="t",
        details={},
        dedupe_key="admin-audit",
    )
    return course, alert


def test_admin_lists_and_change_pages_of_patient_data_are_audited(
    client, ada, pat, sam, cleo, pats_course_and_alert
):
    course, alert = pats_course_and_alert
    client.force_login(ada)
    cases = [
        (reverse("admin:medications_medicationcourse_changelist"), "", pat.pk),
        (
            reverse("admin:medications_medicationcourse_change", args=[course.pk]),
            str(course.pk),
            pat.pk,
        ),
        (reverse("admin:alerts_alert_changelist"), "", pat.pk),
        (reverse("admin:alerts_alert_change", args=[alert.pk]), str(alert.pk), pat.pk),
        (reverse("admin:accounts_user_change", args=[pat.pk]), str(pat.pk), pat.pk),
        (reverse("admin:accounts_carelink_changelist"), "", pat.pk),
    ]
    for url, object_id, patient_id in cases:
        before = AuditEvent.objects.count()
        assert client.get(url).status_code == 200, url
        [row] = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - before]
        assert (row.actor_id, row.patient_id, row.object_id) == (ada.pk, patient_id, object_id), url
        assert row.action.startswith("admin."), url


def test_a_clinicians_change_page_is_not_a_patient_read(client, ada, cleo):
    client.force_login(ada)
    assert client.get(reverse("admin:accounts_user_change", args=[cleo.pk])).status_code == 200
    assert not AuditEvent.objects.exists()


# --- Care links created in the admin wait for the patient (issue 10, finding 7c) ---


def test_an_admin_created_link_is_pending_until_the_patient_accepts(
    client, client_for, ada, pat, uma
):
    from accounts.access import patients_visible_to
    from accounts.models import CareLink

    client.force_login(ada)
    response = client.post(
        reverse("admin:accounts_carelink_add"),
        {"patient": pat.pk, "clinician": uma.pk, "status": "active"},
    )
    assert response.status_code == 302
    link = CareLink.objects.get(patient=pat, clinician=uma)
    assert link.status == "pending" and link.activated_at is None
    assert pat not in patients_visible_to(uma)
    assert AuditEvent.objects.filter(
        action="care_link_proposed_by_admin", actor=ada, patient=pat, object_id=str(link.pk)
    ).exists()
    patient = client_for(pat)
    page = patient.get("/patient/sharing/").content.decode()
    assert "Uma Unlinked" in page and f"/patient/sharing/{link.pk}/accept/" in page
    assert patient.post(f"/patient/sharing/{link.pk}/accept/").status_code == 302
    link.refresh_from_db()
    assert link.status == "active" and link.activated_at is not None
    assert pat in patients_visible_to(uma)
    assert AuditEvent.objects.filter(action="care_link_accepted", actor=pat).exists()


def test_the_patient_can_decline_an_admin_created_link(client, client_for, ada, pat, uma):
    from accounts.access import patients_visible_to
    from accounts.models import CareLink

    client.force_login(ada)
    client.post(reverse("admin:accounts_carelink_add"), {"patient": pat.pk, "clinician": uma.pk})
    link = CareLink.objects.get(patient=pat, clinician=uma)
    assert client_for(pat).post(f"/patient/sharing/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.status == "revoked"
    assert pat not in patients_visible_to(uma)
    # Declined or already answered: accepting it now is refused.
    assert client_for(pat).post(f"/patient/sharing/{link.pk}/accept/").status_code == 404


@pytest.mark.parametrize("who", ["sam", "uma", "ada"])
def test_nobody_else_can_accept_a_patients_pending_link(client_for, personas, who):
    from accounts.models import CareLink

    link = CareLink.objects.create(patient=personas["pat"], clinician=personas["uma"])
    assert client_for(personas[who]).post(f"/patient/sharing/{link.pk}/accept/").status_code == 404
    link.refresh_from_db()
    assert link.status == "pending"


def test_the_admin_cannot_set_a_links_status(client, ada, pat, cleo):
    from accounts.models import CareLink

    link = CareLink.objects.get(patient=pat, clinician=cleo)
    client.force_login(ada)
    client.post(reverse("admin:accounts_carelink_change", args=[link.pk]), {"status": "revoked"})
    link.refresh_from_db()
    assert link.status == "active"


# --- Time zones in the admin (issue 14) ---


def test_the_admin_edits_a_clinicians_zone_from_the_grouped_list(client, ada, cleo, rf):
    from django.contrib import admin

    from accounts.admin import ClinicianProfileInline
    from accounts.models import User

    client.force_login(ada)
    page = client.get(reverse("admin:accounts_user_change", args=[cleo.pk])).content.decode()
    assert 'name="clinician_profile-0-timezone"' in page
    assert '<optgroup label="America">' in page

    request = rf.post("/")
    request.user = ada
    formset_class = ClinicianProfileInline(User, admin.site).get_formset(request, cleo)
    profile = cleo.clinician_profile

    def submit(zone):
        data = {
            "clinician_profile-TOTAL_FORMS": "1",
            "clinician_profile-INITIAL_FORMS": "1",
            "clinician_profile-0-id": str(profile.pk),
            "clinician_profile-0-user": str(cleo.pk),
            "clinician_profile-0-organisation": "Clinic",
            "clinician_profile-0-licence_number": "L-1",
            "clinician_profile-0-timezone": zone,
        }
        return formset_class(data, instance=cleo, prefix="clinician_profile")

    refused = submit("Etc/GMT+8")
    assert not refused.is_valid() and "timezone" in refused.errors[0]
    accepted = submit("America/Los_Angeles")
    assert accepted.is_valid(), accepted.errors
    accepted.save()
    profile.refresh_from_db()
    assert profile.timezone == "America/Los_Angeles"


def test_the_audit_list_labels_its_times_with_the_zone(client, ada, pat):
    AuditEvent.objects.create(actor=ada, patient=pat, action="record_view", object_type="patient")
    client.force_login(ada)
    body = client.get(reverse("admin:accounts_auditevent_changelist")).content.decode()
    assert re.search(r'field-when"><a [^>]+>\d+ \w{3} \d{4}, \d\d:\d\d UTC</a>', body)
