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
