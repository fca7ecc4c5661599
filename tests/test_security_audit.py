"""The audit trail: append-only through the app and the admin, and free of health data."""

import json
import re
from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.audit import audit_event
from accounts.models import AuditEvent, AuditTrailIsAppendOnly, User
from alerts.models import Alert
from journal.models import DailyEntry, QuestionnaireResponse
from journal.selectors import patient_today
from medications.models import MedicationCourse

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

CANARY_NOTE = "Kwcanarynote5512"
CANARY_MED = "Kwcanarymed5512"
CANARY_ALERT = "Kwcanaryalert5512"


@pytest.fixture
def event(pat, cleo):
    return audit_event(
        actor=cleo, patient=pat, action="record_view", object_type="patient", object_id=pat.pk
    )


def test_an_audit_row_cannot_be_changed(event):
    event.action = "nothing_happened"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "record_view"


def test_an_audit_row_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_changes_and_deletes_are_refused(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "record_view"


def test_each_row_names_the_actor_and_patient_on_its_own(event, pat, cleo):
    row = AuditEvent.objects.values().get(pk=event.pk)
    assert row["actor_user_id"] == cleo.pk
    assert row["actor_email"] == "cleo@example.com"
    assert row["patient_user_id"] == pat.pk


@pytest.mark.parametrize("who", ["cleo", "pat"], ids=["actor", "patient"])
def test_a_user_in_the_audit_trail_cannot_be_deleted(event, personas, who):
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=personas[who].pk).delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.actor_id, kept.patient_id) == (personas["cleo"].pk, personas["pat"].pk)
    assert kept.action == "record_view"


def test_the_migration_copies_ids_and_email_onto_existing_rows(pat, cleo):
    """The backfill of 0002, run against the historical model (plain manager, no copies yet)."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = importlib.import_module("accounts.migrations.0002_audit_identity_kept")
    state = MigrationExecutor(connection).loader.project_state(
        ("accounts", "0002_audit_identity_kept")
    )
    Historical = state.apps.get_model("accounts", "AuditEvent")
    old = Historical.objects.create(actor_id=cleo.pk, patient_id=pat.pk, action="old_read")
    system = Historical.objects.create(actor_id=None, patient_id=None, action="old_system")
    migration.copy_identities(state.apps, None)
    row = AuditEvent.objects.values().get(pk=old.pk)
    assert (row["actor_user_id"], row["actor_email"], row["patient_user_id"]) == (
        cleo.pk,
        "cleo@example.com",
        pat.pk,
    )
    row = AuditEvent.objects.values().get(pk=system.pk)
    assert (row["actor_user_id"], row["actor_email"], row["patient_user_id"]) == (None, "", None)


def test_the_admin_lists_but_cannot_add_change_or_delete(event, ada, client_for):
    admin = client_for(ada)
    assert admin.get("/admin/accounts/auditevent/").status_code == 200
    assert admin.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert admin.get("/admin/accounts/auditevent/add/").status_code == 403
    assert admin.post("/admin/accounts/auditevent/add/", {"action": "x"}).status_code == 403
    response = admin.post(
        f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "edited", "object_type": ""}
    )
    assert response.status_code == 403
    assert (
        admin.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = admin.post(
        "/admin/accounts/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    event_after = AuditEvent.objects.get(pk=event.pk)
    assert event_after.action == "record_view"


def test_the_audit_admin_has_no_delete_action(event, ada, client_for):
    response = client_for(ada).get("/admin/accounts/auditevent/")
    assert b"delete_selected" not in response.content


@pytest.fixture
def pats_record(pat, cleo):
    today = patient_today(pat)
    entry = DailyEntry.objects.create(
        patient=pat,
        date=today - timedelta(days=1),
        pain=7,
        fatigue=8,
        sleep_quality=2,
        cognition=7,
        mood=2,
        notes=CANARY_NOTE,
        self_harm_thoughts=True,
    )
    QuestionnaireResponse.objects.create(
        patient=pat,
        instrument="phq9",
        answers={"items": [3] * 9},
        score={"total": 27, "band": "severe", "item9": 3},
    )
    course = MedicationCourse.objects.create(
        patient=pat,
        drug=None,
        name=CANARY_MED,
        dose=50,
        unit="mg",
        frequency="daily",
        started_on=today - timedelta(days=10),
    )
    alert = Alert.objects.create(
        patient=pat,
        kind="suicidal_ideation",
        severity="critical",
        title=CANARY_ALERT,
        details={"note": CANARY_NOTE},
        dedupe_key="audit-test",
    )
    return {"entry": entry, "course": course, "alert": alert}


SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_.:\-]*$")  # identifiers, never sentences


def test_clinician_reads_leave_ids_only_in_the_audit_trail(pat, cleo, pats_record, client_for):
    client = client_for(cleo)
    urls = [
        f"/api/v1/entries/?patient={pat.pk}",
        f"/api/v1/entries/{pats_record['entry'].pk}/",
        f"/api/v1/questionnaires/?patient={pat.pk}",
        f"/api/v1/medications/?patient={pat.pk}",
        f"/api/v1/medications/{pats_record['course'].pk}/",
        f"/api/v1/alerts/?patient={pat.pk}",
        f"/api/v1/alerts/{pats_record['alert'].pk}/",
        "/api/v1/patients/",
        f"/api/v1/patients/{pat.pk}/",
        f"/api/v1/patients/{pat.pk}/fhir/",
        "/clinician/",
        f"/clinician/patients/{pat.pk}/",
        "/clinician/alerts/",
    ]
    for url in urls:
        before = AuditEvent.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert AuditEvent.objects.count() == before + 1, f"{url} must write exactly one audit row"
    rows = list(AuditEvent.objects.values())
    assert len(rows) == len(urls)
    forbidden = (
        CANARY_NOTE,
        CANARY_MED,
        CANARY_ALERT,
        "severe",
        "sertraline",
        pat.email,
        "Pat Patient",
    )
    for row in rows:
        assert row["actor_id"] == cleo.pk
        assert row["patient_id"] in (pat.pk, None)
        assert SAFE_TOKEN.match(row["action"]), row
        assert SAFE_TOKEN.match(row["object_type"]), row
        assert row["object_id"] == "" or row["object_id"].isdigit(), row
        text = json.dumps(row, default=str)
        for word in forbidden:
            assert word not in text


def test_the_audit_model_has_no_free_text_field():
    """A new free-text field would be a place for health data to land: review it first."""
    fields = {f.name for f in AuditEvent._meta.get_fields()}
    assert fields == {
        "id",
        "actor",
        "patient",
        "action",
        "object_type",
        "object_id",
        "ip",
        "created_at",
        # Copies that keep the identity on the row (issue 10): ids and the reader's address.
        "actor_user_id",
        "actor_email",
        "patient_user_id",
        # The care team through which the read was granted (issue 16): a team's name, set by
        # accounts.audit from the team row, never typed by the reader.
        "team_name",
    }


# --- One audit row per patient whose data a list response carries (issue 10, finding 7a) ---


@pytest.fixture
def two_patients(pat, sam, cleo):
    """Cleo is linked to Pat and Sam; each has an entry, a PHQ-9, a medicine and an alert."""
    from conftest import link

    link(sam, cleo)
    today = timezone.localdate()
    for index, patient in enumerate((pat, sam)):
        DailyEntry.objects.create(
            patient=patient, date=today, pain=1, fatigue=1, sleep_quality=5, cognition=1, mood=5
        )
        QuestionnaireResponse.objects.create(
            patient=patient,
            instrument="phq9",
            answers={"items": [0] * 9},
            score={"total": 0, "band": "minimal", "item9": 0},
        )
        MedicationCourse.objects.create(
            patient=patient,
            name="sertraline",
            dose=50,
            unit="mg",
            frequency="daily",
            started_on=today - timedelta(days=3),
        )
        Alert.objects.create(
            patient=patient,
            kind="mood_worsening",
            severity="moderate",
            title="Mood worsening",
            details={},
            dedupe_key=f"two-{index}",
        )
    return pat, sam


LIST_APIS = [
    "/api/v1/entries/",
    "/api/v1/questionnaires/",
    "/api/v1/medications/",
    "/api/v1/alerts/",
    "/api/v1/patients/",
]


@pytest.mark.parametrize("url", LIST_APIS)
def test_a_list_across_patients_writes_one_audit_row_per_patient(
    url, two_patients, cleo, client_for
):
    pat, sam = two_patients
    response = client_for(cleo).get(url + "?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2
    rows = AuditEvent.objects.filter(actor=cleo)
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted([pat.pk, sam.pk])
    assert not rows.filter(patient__isnull=True).exists()
    assert set(rows.values_list("actor_email", flat=True)) == {"cleo@example.com"}


@pytest.mark.parametrize("url", LIST_APIS[:4])
def test_only_the_patients_on_the_page_are_audited(url, two_patients, cleo, client_for):
    response = client_for(cleo).get(url + "?page_size=1")
    [item] = response.json()["results"]
    shown = item.get("patient") or item.get("patient_id")
    assert list(AuditEvent.objects.filter(actor=cleo).values_list("patient_id", flat=True)) == [
        shown
    ]


@pytest.mark.parametrize("url", LIST_APIS[:4])
def test_a_patient_reading_their_own_list_is_not_audited(url, two_patients, pat, client_for):
    assert client_for(pat).get(url).status_code == 200
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("url", ["/clinician/", "/clinician/alerts/"])
def test_clinician_list_pages_audit_each_patient_shown(url, two_patients, cleo, client_for):
    pat, sam = two_patients
    assert client_for(cleo).get(url).status_code == 200
    rows = AuditEvent.objects.filter(actor=cleo)
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted([pat.pk, sam.pk])


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8::7", None])
def test_audit_reads_writes_every_column_of_each_row(address, two_patients, cleo, ada, rf):
    """accounts.audit writes a page's rows in one plain INSERT ... SELECT: each column lands
    typed (the address as an address, or none; the time as a time), once per patient, and the
    actor themself is never a row of their own reads."""
    from accounts.audit import audit_reads

    pat, sam = two_patients
    request = rf.get("/clinician/")
    request.user = cleo
    if address is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = address
    before = timezone.now()
    written = audit_reads(
        request,
        patient_ids=[sam.pk, pat.pk, sam.pk, None, cleo.pk],
        action="dashboard_view",
        object_type="patient_list",
    )
    assert written == 2
    rows = list(AuditEvent.objects.order_by("patient_id"))
    assert [row.patient_id for row in rows] == sorted([pat.pk, sam.pk])
    for row in rows:
        assert (row.actor_id, row.actor_user_id, row.actor_email) == (cleo.pk, cleo.pk, cleo.email)
        assert row.patient_user_id == row.patient_id
        assert (row.action, row.object_type, row.object_id) == (
            "dashboard_view",
            "patient_list",
            "",
        )
        assert row.ip == address
        assert before <= row.created_at <= timezone.now()
        assert row.team_name == ""  # Cleo's own links grant these reads
    request.user = ada  # an administrator's read: audited, no team
    assert audit_reads(request, patient_ids=[pat.pk], action="admin_view") == 1
    assert AuditEvent.objects.get(actor=ada).team_name == ""
