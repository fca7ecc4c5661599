"""/api/v1/alerts/: scope per persona, the follow-up workflow and bad input."""

import pytest
import time_machine

from accounts.models import AuditEvent
from alerts.models import Alert, AlertEvent
from alerts.services import sync_alerts
from alerts.tests.factories import NOW, course, entry
from conftest import make_patient

pytestmark = pytest.mark.django_db

LIST = "/api/v1/alerts/"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pat_alert(pat):
    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    sync_alerts(pat)
    return Alert.objects.get(patient=pat)


@pytest.fixture
def sam_alert(sam):
    entry(sam, 0, self_harm_thoughts=True)
    sync_alerts(sam)
    return Alert.objects.get(patient=sam)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_it_lists_linked_patients_alerts_for_the_clinician(api_client, cleo, pat_alert, sam_alert):
    response = api_client(cleo).get(LIST)
    assert response.status_code == 200
    assert ids(response) == [pat_alert.pk]
    row = response.json()["results"][0]
    assert row["severity"] == "high"
    assert row["kind"] == "serotonergic_combination"
    assert row["details"]["evidence"]["hits"][0]["drugs"] == ["duloxetine", "tramadol"]
    assert row["patient"] == pat_alert.patient_id
    assert AuditEvent.objects.filter(actor=cleo, action="alerts.list").count() == 1


@pytest.mark.parametrize("who", ["uma", "rex", "val", "sam"])
def test_it_hides_pats_alerts_from_everyone_else(api_client, personas, pat_alert, who):
    response = api_client(personas[who]).get(LIST)
    assert response.status_code == 200
    assert pat_alert.pk not in ids(response)
    detail = api_client(personas[who]).get(f"{LIST}{pat_alert.pk}/")
    assert detail.status_code == 404


def test_anonymous_is_refused(api_client, pat_alert):
    assert api_client(None).get(LIST).status_code in (401, 403)


def test_the_patient_sees_own_alerts_in_plain_words(api_client, pat, pat_alert, sam_alert):
    response = api_client(pat).get(LIST)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    # seen_on / seen_message: set only on a self-harm alert a clinician has seen.
    fields = {"id", "kind", "status", "message", "seen_on", "seen_message", "created_at"}
    assert set(row) == fields
    assert row["message"].startswith(
        "Your care team has been told about a possible interaction between duloxetine and tramadol."
    )
    assert "stop" not in row["message"].lower()
    assert AuditEvent.objects.count() == 0
    detail = api_client(pat).get(f"{LIST}{pat_alert.pk}/")
    assert detail.status_code == 200 and "details" not in detail.json()


@pytest.mark.parametrize(
    ("who", "code"), [("cleo", 200), ("uma", 404), ("rex", 404), ("val", 404), ("pat", 200)]
)
def test_patient_filter_is_scoped(api_client, personas, pat_alert, who, code):
    response = api_client(personas[who]).get(LIST, {"patient": pat_alert.patient_id})
    assert response.status_code == code
    if code == 200:
        assert ids(response) == [pat_alert.pk]


def test_patient_filter_of_another_patient_is_404_for_a_patient(api_client, sam, pat_alert):
    assert api_client(sam).get(LIST, {"patient": pat_alert.patient_id}).status_code == 404


@pytest.mark.parametrize("bad", ["closed", "OPEN", "1"])
def test_bad_status_filter_is_400(api_client, cleo, pat_alert, bad):
    response = api_client(cleo).get(LIST, {"status": bad})
    assert response.status_code == 400
    assert "status" in response.json()


def test_status_filter(api_client, cleo, pat_alert):
    assert ids(api_client(cleo).get(LIST, {"status": "open"})) == [pat_alert.pk]
    assert ids(api_client(cleo).get(LIST, {"status": "resolved"})) == []


def test_clinician_detail_has_the_timeline_and_is_audited(api_client, cleo, pat_alert):
    response = api_client(cleo).get(f"{LIST}{pat_alert.pk}/")
    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["events"]] == ["created"]
    audit = AuditEvent.objects.get(action="alerts.read")
    assert (audit.actor, audit.patient_id, audit.object_id) == (
        cleo,
        pat_alert.patient_id,
        str(pat_alert.pk),
    )


def test_acknowledge_once(api_client, cleo, pat_alert):
    client = api_client(cleo)
    first = client.post(f"{LIST}{pat_alert.pk}/acknowledge/", {}, format="json")
    assert first.status_code == 200
    assert first.json()["status"] == "acknowledged"
    second = client.post(f"{LIST}{pat_alert.pk}/acknowledge/", {}, format="json")
    assert second.status_code == 200
    pat_alert.refresh_from_db()
    assert (pat_alert.status, pat_alert.acknowledged_by) == ("acknowledged", cleo)
    assert AlertEvent.objects.filter(alert=pat_alert, kind="acknowledged").count() == 1


def test_resolve_requires_a_note(api_client, cleo, pat_alert):
    client = api_client(cleo)
    for body in ({}, {"note": ""}, {"note": "   "}, {"note": None}):
        response = client.post(f"{LIST}{pat_alert.pk}/resolve/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["note"]
    pat_alert.refresh_from_db()
    assert pat_alert.status == "open"
    assert not AlertEvent.objects.filter(kind="resolved").exists()


def test_resolve_with_a_note(api_client, cleo, pat_alert):
    response = api_client(cleo).post(
        f"{LIST}{pat_alert.pk}/resolve/", {"note": "Tramadol switched by GP."}, format="json"
    )
    assert response.status_code == 200
    pat_alert.refresh_from_db()
    assert (pat_alert.status, pat_alert.resolved_by) == ("resolved", cleo)
    event = AlertEvent.objects.get(alert=pat_alert, kind="resolved")
    assert (event.actor, event.note) == (cleo, "Tramadol switched by GP.")
    # Resolving again records nothing more.
    api_client(cleo).post(f"{LIST}{pat_alert.pk}/resolve/", {"note": "again"}, format="json")
    assert AlertEvent.objects.filter(alert=pat_alert, kind="resolved").count() == 1


def test_notes(api_client, cleo, pat_alert):
    client = api_client(cleo)
    assert (
        client.post(f"{LIST}{pat_alert.pk}/notes/", {"note": ""}, format="json").status_code == 400
    )
    assert client.post(f"{LIST}{pat_alert.pk}/notes/", ["x"], format="json").status_code == 400
    response = client.post(
        f"{LIST}{pat_alert.pk}/notes/", {"note": "Left a message."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert AlertEvent.objects.get(alert=pat_alert, kind="note").note == "Left a message."


@pytest.mark.parametrize(
    ("who", "code"),
    # Patients may never follow up alerts (403 whatever the id, so it reveals nothing).
    [("uma", 404), ("rex", 404), ("val", 404), ("ada", 404), ("sam", 403)],
)
@pytest.mark.parametrize("action", ["acknowledge", "resolve", "notes"])
def test_actions_out_of_scope_are_refused(api_client, personas, pat_alert, who, code, action):
    response = api_client(personas[who]).post(
        f"{LIST}{pat_alert.pk}/{action}/", {"note": "x"}, format="json"
    )
    assert response.status_code == code
    pat_alert.refresh_from_db()
    assert pat_alert.status == "open"
    assert list(AlertEvent.objects.values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "notes"])
def test_the_patient_cannot_follow_up_own_alert(api_client, pat, pat_alert, action):
    response = api_client(pat).post(f"{LIST}{pat_alert.pk}/{action}/", {"note": "x"}, format="json")
    assert response.status_code == 403
    assert list(AlertEvent.objects.values_list("kind", flat=True)) == ["created"]


def test_missing_alert_is_404(api_client, cleo):
    assert api_client(cleo).post(f"{LIST}999999/acknowledge/", {}, format="json").status_code == 404


@pytest.mark.parametrize("patients", [2, 12])
def test_list_query_count_is_flat(api_client, cleo, patients, django_assert_max_num_queries):
    from conftest import link

    for i in range(patients):
        patient = make_patient(f"x{i}@example.com", "X")
        link(patient, cleo)
        entry(patient, 0, self_harm_thoughts=True)
        course(patient, "tramadol", -3)
        course(patient, "duloxetine", -60)
        sync_alerts(patient)
    with django_assert_max_num_queries(8):
        response = api_client(cleo).get(LIST)
    assert len(response.json()["results"]) == 2 * patients


def test_end_to_end_a_checkin_posted_through_the_api_raises_the_alert(
    api_client, pat, cleo, mailoutbox, django_capture_on_commit_callbacks
):
    from journal.selectors import patient_today

    body = {
        "date": patient_today(pat).isoformat(),
        "pain": 6,
        "fatigue": 7,
        "sleep_quality": 3,
        "cognition": 5,
        "mood": 2,
        "self_harm_thoughts": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(pat).post("/api/v1/entries/", body, format="json")
    assert response.status_code == 201
    assert "crisis" in response.json()  # shown at once, not by the background job
    alert = Alert.objects.get(patient=pat)
    assert alert.kind == "suicidal_ideation" and alert.severity == "critical"
    assert [m.to for m in mailoutbox] == [["cleo@example.com"]]
    assert ids(api_client(cleo).get(LIST)) == [alert.pk]


def test_end_to_end_medicines_posted_through_the_api_raise_a_combination_alert(
    api_client, pat, cleo, django_capture_on_commit_callbacks
):
    from journal.selectors import patient_today

    today = patient_today(pat).isoformat()
    client = api_client(pat)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            "/api/v1/medications/", {"drug": "Cymbalta", "started_on": today}, format="json"
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            "/api/v1/medications/", {"drug": "Ultram", "started_on": today}, format="json"
        )
    assert (first.status_code, second.status_code) == (201, 201)
    alert = Alert.objects.get(patient=pat)
    assert alert.dedupe_key == "serotonergic_combination"
    (row,) = api_client(pat).get(LIST).json()["results"]
    assert "duloxetine and tramadol" in row["message"]
