"""/account/export/ (a ZIP of everything) and /account/delete/ (close the account)."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import (
    AuditEvent,
    CareLink,
    CareLinkStatus,
    NotificationPreference,
    PatientProfile,
    User,
)
from alerts.models import Alert, AlertEvent, Notification, NotificationStatus
from conftest import PASSWORD, make_clinician
from journal.models import DailyEntry, QuestionnaireResponse
from medications.models import MedicationCourse
from portal.data_rights import EXPORT_MEMBERS
from teams.models import Team, TeamMembership, TeamRole
from tests.builders import course

pytestmark = pytest.mark.django_db

CANARY = "Qxcanary5531"
SAM_MARK = "Samsecret8812"


def _entry(patient, day, notes):
    return DailyEntry.objects.create(
        patient=patient,
        date=day,
        pain=6,
        fatigue=5,
        sleep_quality=4,
        cognition=3,
        mood=5,
        notes=notes,
    )


@pytest.fixture
def tom(pat):
    team = Team.objects.create(name="Pat's Clinic")
    member = make_clinician("tom@example.com", "Tom Teammember")
    TeamMembership.objects.create(team=team, user=member, role=TeamRole.CLINICIAN)
    cleo_member = User.objects.get(email="cleo@example.com")
    TeamMembership.objects.create(team=team, user=cleo_member, role=TeamRole.CLINICIAN)
    CareLink.objects.create(
        patient=pat,
        clinician=member,
        team=team,
        status=CareLinkStatus.ACTIVE,
        activated_at=timezone.now(),
    )
    return member


@pytest.fixture
def pats_data(pat, sam, cleo):
    today = timezone.now().date()
    entry = _entry(pat, today - timedelta(days=1), f"notes {CANARY} =1+1")
    _entry(sam, today - timedelta(days=1), f"notes {SAM_MARK}")
    QuestionnaireResponse.objects.create(
        patient=pat,
        instrument="phq9",
        answers={"q1": 2, "comment": CANARY},
        score={"total": 12, "band": "moderate", "item9": 0},
    )
    course(pat, "sertraline", today - timedelta(days=30))
    course(pat, f"Herbal {CANARY}", today - timedelta(days=10))
    course(sam, f"Herbal {SAM_MARK}", today - timedelta(days=10))
    alert = Alert.objects.create(
        patient=pat,
        kind="mood_worsening",
        severity="moderate",
        title=f"Mood worse {CANARY}",
        details={"patient_message": f"We noticed {CANARY}", "evidence": {"hits": []}},
        dedupe_key=f"mood_worsening:{CANARY}",
    )
    AlertEvent.objects.create(alert=alert, actor=cleo, kind="note", note=f"Called {CANARY}")
    AlertEvent.objects.create(alert=alert, kind="created", data={"why": CANARY})
    Notification.objects.create(alert=alert, recipient=cleo, kind="initial")
    NotificationPreference.objects.update_or_create(user=pat, defaults={"checkin_reminder": True})
    pat.full_name = f"Pat {CANARY}"
    pat.save(update_fields=["full_name"])
    return {"entry": entry, "alert": alert}


# --- Export -------------------------------------------------------------------------------------


def _zip(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _rows(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_export_holds_every_kind_and_only_pats(client_for, pat, sam, cleo, pats_data):
    archive = _zip(client_for(pat).post("/account/export/"))
    assert sorted(archive.namelist()) == sorted(EXPORT_MEMBERS)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert SAM_MARK.encode() not in everything
    checkins = _rows(archive, "checkins.csv")
    assert checkins[0][:6] == ["date", "pain", "fatigue", "sleep_quality", "cognition", "mood"]
    assert checkins[1][-1] == f"notes {CANARY} =1+1"
    questionnaires = _rows(archive, "questionnaires.csv")
    assert questionnaires[0] == ["date", "completed_at", "questionnaire", "answers", "scores"]
    assert CANARY in questionnaires[1][3] and '"total": 12' in questionnaires[1][4]
    medications = _rows(archive, "medications.csv")
    assert medications[0][:3] == ["name_as_entered", "medicine", "dose"]
    assert {row[0] for row in medications[1:]} == {"sertraline", f"Herbal {CANARY}"}
    alerts = _rows(archive, "alerts.csv")
    assert alerts[0] == ["date", "message", "status", "closed_on"]
    assert alerts[1][1] == f"We noticed {CANARY}"
    sharing = _rows(archive, "sharing.csv")
    assert sharing[0][0] == "care_team" and sharing[1][1] == "Cleo Linked"
    settings_rows = dict(_rows(archive, "settings.csv")[1:])
    assert settings_rows["checkin_reminder"] == "on"
    assert settings_rows["time_zone"] == "America/New_York"
    bundle = json.loads(archive.read("record.fhir.json"))
    assert bundle["resourceType"] == "Bundle"
    assert archive.read("visit-report.pdf").startswith(b"%PDF")


def test_export_cells_are_formula_safe(client_for, pat, sam, cleo, pats_data):
    course(pat, "=HYPERLINK(1)", timezone.now().date())
    archive = _zip(client_for(pat).post("/account/export/"))
    names = [row[0] for row in _rows(archive, "medications.csv")]
    assert "'=HYPERLINK(1)" in names


def test_export_is_audited_as_the_patients_own(client_for, pat, sam, cleo, pats_data):
    client_for(pat).post("/account/export/")
    event = AuditEvent.objects.get(action="self_export")
    assert (event.actor_id, event.patient_id) == (pat.pk, pat.pk)
    # Not a read by someone else: the access log leaves it out.
    assert client_for(pat).get("/patient/access-log/").context["rows"] == []


def test_export_page_and_roles(client_for, pat, cleo, ada):
    page = client_for(pat).get("/account/export/")
    assert page.status_code == 200
    assert "Download my data (ZIP)" in page.content.decode()
    for user in (cleo, ada):
        assert client_for(user).post("/account/export/").status_code == 404
    assert client_for().post("/account/export/").status_code == 302
    assert not AuditEvent.objects.filter(action="self_export").exists()


def test_export_needs_csrf(pat):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(pat)
    assert client.post("/account/export/").status_code == 403


# --- Deletion -----------------------------------------------------------------------------------


def _text_columns_holding(text):
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                rows = model._default_manager.annotate(
                    _text=Cast(field.name, models.TextField())
                ).filter(_text__icontains=text)
                if rows.exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


def _delete(client_for, pat, capture, password=PASSWORD):
    client = client_for(pat)
    with capture(execute=True):
        response = client.post("/account/delete/", {"password": password})
    return client, response


def test_deletion_leaves_no_health_data_and_keeps_audit_and_alert_ids(
    client_for, pat, sam, cleo, tom, pats_data, django_capture_on_commit_callbacks
):
    assert _text_columns_holding(CANARY)  # the scan finds the canary before
    client_for(cleo).get(f"/clinician/patients/{pat.pk}/")
    LogEntry.objects.create(
        user=cleo,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(pat.pk),
        object_repr=pat.email,
        action_flag=CHANGE,
    )
    audit_before = list(AuditEvent.objects.filter(patient=pat).values_list("pk", "created_at"))
    alert = pats_data["alert"]
    client, response = _delete(client_for, pat, django_capture_on_commit_callbacks)
    assert response.status_code == 302

    assert _text_columns_holding(CANARY) == []
    assert not DailyEntry.objects.filter(patient=pat).exists()
    assert not QuestionnaireResponse.objects.filter(patient=pat).exists()
    assert not MedicationCourse.objects.filter(patient=pat).exists()
    assert not NotificationPreference.objects.filter(user=pat).exists()
    assert not CareLink.objects.filter(patient=pat).exists()
    # Sam's data untouched.
    assert DailyEntry.objects.filter(patient=sam, notes__contains=SAM_MARK).exists()
    # Audit rows kept as they were; alerts keep ids and times without content.
    assert (
        list(AuditEvent.objects.filter(patient=pat).values_list("pk", "created_at")) == audit_before
    )
    kept = Alert.objects.get(pk=alert.pk)
    assert kept.created_at == alert.created_at and kept.kind == alert.kind
    assert kept.title == "Removed at the patient's request"
    assert AlertEvent.objects.filter(alert=alert).count() == 2
    assert Notification.objects.get(alert=alert).status == NotificationStatus.CANCELLED
    # The account: kept for the audit trail, anonymised and closed.
    pat.refresh_from_db()
    assert pat.email == f"deleted-{pat.pk}@invalid"
    assert pat.full_name == ""
    assert not pat.is_active and not pat.has_usable_password()
    assert PatientProfile.objects.get(user=pat).date_of_birth is None
    assert not LogEntry.objects.filter(object_repr="pat@example.com").exists()
    # Signed out.
    assert client.get("/patient/").status_code == 302


def test_each_caring_clinician_is_told_once(
    client_for, pat, sam, cleo, rex, uma, tom, pats_data, django_capture_on_commit_callbacks
):
    _delete(client_for, pat, django_capture_on_commit_callbacks)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["cleo@example.com", "tom@example.com"]
    for message in mail.outbox:
        assert message.subject == "A patient closed their account"
        assert "a patient you were caring for" in message.body.lower()
        assert "Pat" not in message.body and CANARY not in message.body


def test_wrong_password_deletes_nothing(
    client_for, pat, sam, cleo, pats_data, django_capture_on_commit_callbacks
):
    _, response = _delete(client_for, pat, django_capture_on_commit_callbacks, "not-it")
    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert DailyEntry.objects.filter(patient=pat).exists()
    pat.refresh_from_db()
    assert pat.is_active and pat.email == "pat@example.com"
    assert mail.outbox == []


def test_delete_page_is_for_patients_only(client_for, pat, cleo, ada):
    assert client_for(pat).get("/account/delete/").status_code == 200
    for user in (cleo, ada):
        assert client_for(user).post("/account/delete/", {"password": PASSWORD}).status_code == 404
    assert User.objects.get(pk=cleo.pk).is_active


def test_account_page_links_to_data_rights(client_for, pat, cleo):
    body = client_for(pat).get("/account/").content.decode()
    for url in ("/patient/access-log/", "/account/export/", "/account/delete/"):
        assert url in body
    assert "/account/delete/" not in client_for(cleo).get("/account/").content.decode()
