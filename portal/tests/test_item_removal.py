"""A patient deletes a mistaken check-in, questionnaire or medicine: atomic, alerts learn of it,
and the clinicians' record shows a tombstone (no content)."""

from datetime import timedelta

import pytest

from accounts.models import PatientProfile, RemovedItem
from alerts.models import Alert, AlertEvent, AlertStatus, EventKind
from alerts.services import sync_alerts
from conftest import api_client_for
from journal.models import DailyEntry, QuestionnaireResponse
from journal.selectors import patient_today
from medications.models import MedicationCourse
from tests.builders import course

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NOTE_MARK = "Zqremoved4471"


def _entry(patient, day, **values):
    defaults = dict(pain=5, fatigue=5, sleep_quality=5, cognition=5, mood=5, notes=NOTE_MARK)
    return DailyEntry.objects.create(patient=patient, date=day, **(defaults | values))


def _mood_alert(patient, entry_ids, severity="moderate", key="mood_worsening"):
    return Alert.objects.create(
        patient=patient,
        kind="mood_worsening",
        severity=severity,
        title="Mood worsening",
        dedupe_key=key,
        details={
            "evidence": {
                "hits": [
                    {
                        "rule": "M4",
                        "items": [f"entry:{pk}" for pk in entry_ids],
                        "entry_ids": list(entry_ids),
                    }
                ]
            }
        },
    )


def test_checkin_delete_page_tombstone_and_reevaluation(client_for, pat, cleo):
    day = patient_today(pat) - timedelta(days=3)
    entry = _entry(pat, day)
    client = client_for(pat)
    confirm = client.get(f"/patient/checkin/{entry.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete this check-in" in confirm.content.decode()
    before = PatientProfile.objects.get(user=pat).data_changed_at
    response = client.post(f"/patient/checkin/{entry.pk}/delete/")
    assert response.status_code == 302
    assert not DailyEntry.objects.filter(pk=entry.pk).exists()
    removed = RemovedItem.objects.get(patient=pat)
    assert (removed.kind, removed.item_date) == ("checkin", day)
    assert PatientProfile.objects.get(user=pat).data_changed_at != before
    record = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert f"Check-in of {day:%-d %b %Y} removed by the patient on" in record
    assert NOTE_MARK not in record


def test_checkin_edit_page_offers_delete(client_for, pat):
    entry = _entry(pat, patient_today(pat))
    body = client_for(pat).get(f"/patient/checkin/?date={entry.date.isoformat()}").content
    assert f"/patient/checkin/{entry.pk}/delete/".encode() in body
    history = client_for(pat).get("/patient/history/").content
    assert f"/patient/checkin/{entry.pk}/delete/".encode() in history


def test_others_cannot_delete(client_for, pat, sam, cleo):
    entry = _entry(pat, patient_today(pat))
    for user in (sam, cleo):
        assert client_for(user).post(f"/patient/checkin/{entry.pk}/delete/").status_code == 404
    assert api_client_for(cleo).delete(f"/api/v1/entries/{entry.pk}/").status_code == 403
    assert api_client_for(sam).delete(f"/api/v1/entries/{entry.pk}/").status_code == 404
    assert DailyEntry.objects.filter(pk=entry.pk).exists()
    assert not RemovedItem.objects.exists()


def test_alert_based_only_on_the_entry_is_resolved_with_an_event(client_for, pat, cleo):
    entry = _entry(pat, patient_today(pat) - timedelta(days=1))
    alert = _mood_alert(pat, [entry.pk])
    assert api_client_for(pat).delete(f"/api/v1/entries/{entry.pk}/").status_code == 204
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    event = AlertEvent.objects.get(alert=alert, kind=EventKind.RESOLVED)
    assert event.note.startswith("The patient removed the entry this alert was based on")
    assert RemovedItem.objects.filter(patient=pat, kind="checkin").count() == 1


def test_alert_with_other_evidence_stays_open_with_a_note(pat, cleo):
    first = _entry(pat, patient_today(pat) - timedelta(days=2))
    second = _entry(pat, patient_today(pat) - timedelta(days=1))
    alert = _mood_alert(pat, [first.pk, second.pk])
    unrelated = _mood_alert(pat, [second.pk], key="other")
    assert api_client_for(pat).delete(f"/api/v1/entries/{first.pk}/").status_code == 204
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    note = AlertEvent.objects.get(alert=alert, kind=EventKind.NOTE).note
    assert "The alert stays open" in note
    assert not AlertEvent.objects.filter(alert=unrelated).exists()


def test_critical_alert_is_never_auto_resolved(pat, cleo):
    entry = _entry(pat, patient_today(pat) - timedelta(days=1))
    alert = _mood_alert(pat, [entry.pk], severity="critical")
    api_client_for(pat).delete(f"/api/v1/entries/{entry.pk}/")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_suicidal_ideation_alert_is_never_auto_resolved(client_for, pat, cleo):
    entry = _entry(pat, patient_today(pat), self_harm_thoughts=True)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat, kind="suicidal_ideation")
    client_for(pat).post(f"/patient/checkin/{entry.pk}/delete/")
    alert.refresh_from_db()
    assert alert.status != AlertStatus.RESOLVED
    assert "The alert stays open" in AlertEvent.objects.get(alert=alert, kind=EventKind.NOTE).note
    # A later evaluation keeps it too.
    sync_alerts(pat)
    alert.refresh_from_db()
    assert alert.status != AlertStatus.RESOLVED


def test_questionnaire_delete_page_and_api(client_for, pat, sam, cleo):
    response = QuestionnaireResponse.objects.create(
        patient=pat, instrument="phq9", answers={}, score={"total": 3, "band": "minimal"}
    )
    other = QuestionnaireResponse.objects.create(
        patient=pat, instrument="fiqr", answers={}, score={"total": 30}
    )
    assert (
        client_for(pat).get(f"/patient/questionnaires/saved/{response.pk}/delete/").status_code
        == 200
    )
    assert (
        client_for(sam).post(f"/patient/questionnaires/saved/{response.pk}/delete/").status_code
        == 404
    )
    assert (
        client_for(pat).post(f"/patient/questionnaires/saved/{response.pk}/delete/").status_code
        == 302
    )
    assert api_client_for(cleo).delete(f"/api/v1/questionnaires/{other.pk}/").status_code == 403
    assert api_client_for(pat).delete(f"/api/v1/questionnaires/{other.pk}/").status_code == 204
    assert not QuestionnaireResponse.objects.filter(patient=pat).exists()
    assert sorted(RemovedItem.objects.values_list("kind", flat=True)) == ["fiqr", "phq9"]
    record = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "PHQ-9 of" in record and "FIQR of" in record


def test_medicine_delete_page_and_api(client_for, pat, sam, cleo):
    today = patient_today(pat)
    first = course(pat, "sertraline", today - timedelta(days=20))
    second = course(pat, "tramadol", today - timedelta(days=5))
    assert client_for(pat).get(f"/patient/medications/{first.pk}/delete/").status_code == 200
    assert (
        f"/patient/medications/{first.pk}/delete/".encode()
        in client_for(pat).get("/patient/medications/").content
    )
    assert client_for(sam).post(f"/patient/medications/{first.pk}/delete/").status_code == 404
    assert client_for(pat).post(f"/patient/medications/{first.pk}/delete/").status_code == 302
    assert api_client_for(cleo).delete(f"/api/v1/medications/{second.pk}/").status_code == 404
    assert api_client_for(pat).delete(f"/api/v1/medications/{second.pk}/").status_code == 204
    assert not MedicationCourse.objects.filter(patient=pat).exists()
    assert [r.item_date for r in RemovedItem.objects.order_by("id")] == [
        first.started_on,
        second.started_on,
    ]


def test_removing_a_medicine_notes_the_combination_alert(pat, cleo):
    today = patient_today(pat)
    course(pat, "sertraline", today - timedelta(days=20))
    mistaken = course(pat, "tramadol", today - timedelta(days=5))
    sync_alerts(pat)
    alert = Alert.objects.filter(patient=pat, kind="serotonergic_combination").first()
    assert alert is not None
    api_client_for(pat).delete(f"/api/v1/medications/{mistaken.pk}/")
    alert.refresh_from_db()
    assert alert.status != AlertStatus.RESOLVED
    assert AlertEvent.objects.filter(alert=alert, kind=EventKind.NOTE).exists()


def test_removal_is_atomic(pat, monkeypatch):
    from accounts import removals

    entry = _entry(pat, patient_today(pat))

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(removals.RemovedItem.objects, "create", broken)
    with pytest.raises(RuntimeError):
        api_client_for(pat).delete(f"/api/v1/entries/{entry.pk}/")
    assert DailyEntry.objects.filter(pk=entry.pk).exists()


def test_correct_a_course_start_date_and_dose(client_for, pat, sam, cleo):
    today = patient_today(pat)
    mistaken = course(pat, "sertraline", today - timedelta(days=3), dose=500)
    url = f"/patient/medications/{mistaken.pk}/correct/"
    assert client_for(pat).get(url).status_code == 200
    assert url.encode() in client_for(pat).get("/patient/medications/").content
    for user in (sam, cleo):
        assert client_for(user).post(url, {"started_on": today.isoformat()}).status_code == 404
    future = (today + timedelta(days=400)).isoformat()
    refused = client_for(pat).post(url, {"started_on": future, "dose": "50", "unit": "mg"})
    assert refused.status_code == 400
    mistaken.refresh_from_db()
    assert mistaken.dose == 500
    before = PatientProfile.objects.get(user=pat).data_changed_at
    day = (today - timedelta(days=10)).isoformat()
    saved = client_for(pat).post(url, {"started_on": day, "dose": "50", "unit": "mg"})
    assert saved.status_code == 302
    mistaken.refresh_from_db()
    assert (mistaken.started_on.isoformat(), mistaken.dose) == (day, 50)
    assert PatientProfile.objects.get(user=pat).data_changed_at != before
