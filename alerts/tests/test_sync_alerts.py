"""alerts.services.sync_alerts end to end against the database (eager tasks, email mocked)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from accounts.models import AuditEvent, PatientProfile
from alerts.models import Alert, AlertEvent, AlertStatus
from alerts.services import alert_acknowledge, alert_resolve, sync, sync_alerts, sync_alerts_batch
from alerts.tests.factories import NOW, course, day, entry, m5_history, moods, phq9
from conftest import make_patient
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def keys(patient):
    return sorted(Alert.objects.filter(patient=patient).values_list("dedupe_key", flat=True))


def events(alert):
    return list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))


def test_it_creates_each_alert_once(pat, cleo):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -3)
    result = sync_alerts(pat)
    assert keys(pat) == ["serotonergic_combination"]
    alert = Alert.objects.get(patient=pat)
    assert (alert.kind, alert.severity, alert.status) == (
        "serotonergic_combination",
        "high",
        "open",
    )
    assert alert.details["evidence"]["hits"][0]["drugs"] == ["sertraline", "tramadol"]
    assert "FDA DSC 2016-03-22" in alert.details["explanation"]
    assert events(alert) == ["created"]
    assert result.created == [alert.pk]

    again = sync_alerts(pat)
    assert again.created == [] and again.escalated == [] and again.evidence == []
    assert Alert.objects.count() == 1
    assert events(alert) == ["created"]


def test_it_marks_the_patient_evaluated(pat):
    sync_alerts(pat)
    profile = PatientProfile.objects.get(user=pat)
    assert profile.last_evaluated_at == NOW


def test_it_raises_every_kind_from_one_snapshot(pat):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -3)
    flagged = entry(
        pat, 0, mood=1, self_harm_thoughts=True, serotonin_symptoms=["fever", "tremor", "sweating"]
    )
    response = phq9(pat, -1, 21, item9=2)
    sync_alerts(pat)
    assert keys(pat) == [
        "mood_worsening",
        "serotonergic_combination",
        f"serotonin_toxicity_symptoms:entry:{flagged.pk}",
        f"suicidal_ideation:entry:{flagged.pk}",
        f"suicidal_ideation:phq9:{response.pk}",
    ]
    severities = dict(Alert.objects.filter(patient=pat).values_list("kind", "severity").distinct())
    assert severities["suicidal_ideation"] == "critical"
    assert severities["serotonin_toxicity_symptoms"] == "critical"


def test_it_uses_today_in_the_patients_time_zone(pat):
    # v2: the run may end on T-6..T (v1: T or T-1; this test then used June 11-13). Low moods
    # on June 6-8. At 02:00 UTC on June 15 it is still June 14 in New York, so D = June 8 is T-6
    # and M4 fires; for a patient in UTC, D would be T-7.
    moods(pat, {-9: 1, -8: 1, -7: 1})
    utc_patient = make_patient("utc@example.com", "Una", tz="UTC")
    moods(utc_patient, {-9: 1, -8: 1, -7: 1})
    with time_machine.travel(datetime(2026, 6, 15, 2, 0, tzinfo=UTC), tick=False):
        sync_alerts_batch(patient_ids=[pat.pk, utc_patient.pk])
    assert keys(pat) == ["mood_worsening"]
    assert keys(utc_patient) == []


@pytest.mark.parametrize(
    ("tz", "fires"),
    [
        ("Pacific/Kiritimati", False),  # UTC+14: already June 16, so June 9 is T-7
        ("Pacific/Pago_Pago", True),  # UTC-11: still June 15, so June 9 is T-6
    ],
)
def test_a_low_mood_run_of_the_last_week_in_extreme_time_zones(tz, fires):
    patient = make_patient(f"tz{abs(hash(tz))}@example.com", "Zed", tz=tz)
    moods(patient, {-8: 1, -7: 1, -6: 0})  # June 7-9
    with time_machine.travel(datetime(2026, 6, 15, 11, 0, tzinfo=UTC), tick=False):
        sync_alerts_batch(patient_ids=[patient.pk])
    assert keys(patient) == (["mood_worsening"] if fires else [])


def test_new_evidence_is_added_as_an_event_without_a_new_alert(pat):
    first = phq9(pat, -20, 21)  # M3 (high)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    moods(pat, {-2: 2, -1: 1, 0: 0})  # M4 (high): new evidence, same severity
    result = sync_alerts(pat)
    alert.refresh_from_db()
    assert result.evidence == [alert.pk]
    assert events(alert) == ["created", "evidence"]
    assert [hit["rule"] for hit in alert.details["evidence"]["hits"]] == ["M3", "M4"]
    assert alert.details["rule"] == "M3+M4"
    # v2: plain words, no rule ids ("M4:" in v1).
    assert "Kroenke 2001" in alert.details["explanation"]
    assert "3 days in a row" in alert.details["explanation"]
    assert "M4" not in alert.details["explanation"]
    assert alert.severity == "high"
    assert Alert.objects.count() == 1
    # Same evidence again: nothing new.
    sync_alerts(pat)
    assert events(alert) == ["created", "evidence"]
    assert first.pk in alert.details["evidence"]["hits"][0]["response_ids"]


def test_a_higher_severity_escalates_and_notifies_again(
    pat, cleo, mailoutbox, django_capture_on_commit_callbacks
):
    m5_history(pat)  # M5 moderate (patient 46, no black-box window)
    with django_capture_on_commit_callbacks(execute=True):
        sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    assert alert.severity == "moderate"
    assert len(mailoutbox) == 1
    alert_acknowledge(alert=alert, actor=cleo)

    phq9(pat, -30, 9)
    phq9(pat, 0, 16)  # M2 (+7): high
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_alerts(pat)
    alert.refresh_from_db()
    assert result.escalated == [alert.pk]
    assert (alert.severity, alert.status) == ("high", AlertStatus.OPEN)
    assert events(alert) == ["created", "notified", "acknowledged", "escalated", "notified"]
    assert AlertEvent.objects.get(alert=alert, kind="escalated").data["from"] == "moderate"
    assert len(mailoutbox) == 2
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("kind", ["entry", "phq9", "combination", "mood"])
def test_a_resolved_alert_is_not_recreated_from_the_same_evidence(pat, cleo, kind):
    if kind == "entry":
        entry(pat, -1, self_harm_thoughts=True)
    elif kind == "phq9":
        phq9(pat, -1, 8, item9=1)
    elif kind == "combination":
        course(pat, "sertraline", -60)
        course(pat, "tramadol", -3)
    else:
        m5_history(pat)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    alert_resolve(alert=alert, actor=cleo, note="Called the patient; plan agreed.")
    sync_alerts(pat)
    sync_alerts_batch(patient_ids=[pat.pk])
    assert Alert.objects.filter(patient=pat).count() == 1
    # Still not recreated the next day (the calendar moved, the evidence did not).
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 1


def test_a_resolved_mood_alert_is_raised_again_on_new_evidence(pat, cleo):
    phq9(pat, -40, 8)
    phq9(pat, -20, 14)  # M2
    sync_alerts(pat)
    first = Alert.objects.get(patient=pat)
    alert_resolve(alert=first, actor=cleo, note="Reviewed.")
    sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 1
    phq9(pat, 0, 20)  # M2 and M3 on a new response
    sync_alerts(pat)
    second = Alert.objects.exclude(pk=first.pk).get(patient=pat)
    assert second.status == "open"
    assert second.details["rule"] == "M2+M3"


def test_a_resolved_moderate_mood_alert_is_raised_again_when_it_becomes_more_severe(pat, cleo):
    m5_history(pat)
    sync_alerts(pat)
    first = Alert.objects.get(patient=pat)
    alert_resolve(alert=first, actor=cleo, note="Reviewed.")
    course(pat, "sertraline", -2)  # opens the black-box window: same evidence, now high
    sync_alerts(pat)
    second = Alert.objects.exclude(pk=first.pk).get(patient=pat)
    assert second.severity == "high"


def test_a_more_severe_set_of_drugs_escalates_the_same_alert(pat):
    # v2 (docs/clinical-rules.md#combination-alerts): was a second alert beside the first; one
    # open combination alert per kind now grows with the set.
    course(pat, "sertraline", -60)
    course(pat, "trazodone", -10)
    sync_alerts(pat)
    course(pat, "phenelzine", 0)
    sync_alerts(pat)
    assert dict(Alert.objects.values_list("dedupe_key", "severity")) == {
        "serotonergic_combination": "critical",
    }


def test_a_per_entry_alert_is_one_per_entry(pat):
    first = entry(pat, -2, self_harm_thoughts=True)
    sync_alerts(pat)
    second = entry(pat, -1, self_harm_thoughts=True)
    sync_alerts(pat)
    sync_alerts(pat)
    assert keys(pat) == [
        f"suicidal_ideation:entry:{first.pk}",
        f"suicidal_ideation:entry:{second.pk}",
    ]


def test_a_back_dated_self_harm_tick_still_raises_its_alert(pat):
    old = entry(pat, -200, self_harm_thoughts=True)
    old_response = phq9(pat, -300, 10, item9=1)
    phq9(pat, -200, 5)
    phq9(pat, -100, 5)
    sync_alerts(pat)
    assert keys(pat) == [
        f"suicidal_ideation:entry:{old.pk}",
        f"suicidal_ideation:phq9:{old_response.pk}",
    ]


def test_the_sweep_reads_a_back_dated_self_harm_tick_of_a_changed_patient(pat, sam):
    from alerts.tasks import sweep_all, sweep_changed

    sync_alerts_batch(patient_ids=[pat.pk, sam.pk])
    old = entry(pat, -100, self_harm_thoughts=True)
    entry(sam, -100, self_harm_thoughts=True)
    # Only Pat's save went through the trigger (which stamps data_changed_at).
    PatientProfile.objects.filter(user=pat).update(data_changed_at=NOW + timedelta(seconds=1))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert sweep_changed.delay().get() == 1
        assert sweep_all.delay().get() == 2
    assert keys(pat) == [f"suicidal_ideation:entry:{old.pk}"]
    # Sam's row changed without the trigger: the nightly sweep reads only the entry window for
    # unchanged patients; a direct evaluation reads everything.
    assert keys(sam) == []
    sync_alerts(sam)
    assert len(keys(sam)) == 1


def test_an_old_severe_phq9_is_compared_with_the_one_before_it(pat):
    # Latest two PHQ-9s are loaded however old. v2: 22 then 21, 100 days apart, now alerts
    # (no severe total in the 90 days before; v1 expected no alert, already severe).
    phq9(pat, -400, 22)
    phq9(pat, -300, 21)
    sync_alerts(pat)
    assert keys(pat) == ["mood_worsening"]


def test_an_old_severe_phq9_within_90_days_of_the_latest_is_loaded(pat):
    # Severe exactly 90 days before the latest, with two responses in between (so not among the
    # latest two): the same episode, no alert (v2 M3 edge, through the loader). The lowest of
    # those 90 days is 18, so no PHQ-9 rise either.
    phq9(pat, -300, 22)
    phq9(pat, -280, 18)
    phq9(pat, -250, 19)
    phq9(pat, -210, 21)
    sync_alerts(pat)
    assert keys(pat) == []


def test_a_severe_phq9_91_days_before_the_latest_no_longer_suppresses(pat):
    phq9(pat, -301, 22)
    phq9(pat, -280, 18)
    phq9(pat, -250, 19)
    phq9(pat, -210, 21)
    sync_alerts(pat)
    assert keys(pat) == ["mood_worsening"]


def test_the_lowest_phq9_of_the_90_days_is_loaded_whatever_came_after(pat):
    # 5 -> 9 -> 10 -> 11 -> 13 over 12 weeks: the lowest (5, the oldest) is the baseline.
    for offset, total in [(-84, 5), (-63, 9), (-42, 10), (-21, 11), (0, 13)]:
        phq9(pat, offset, total)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    (hit,) = alert.details["evidence"]["hits"]
    assert (hit["rule"], hit["totals"]) == ("M2", [5, 13])
    assert "PHQ-9 rose from 5" in alert.details["explanation"]
    assert "in 12 weeks" in alert.details["explanation"]


def test_a_back_filled_symptom_entry_of_months_ago_raises_a_high_alert(pat):
    course(pat, "sertraline", -400)
    course(pat, "tramadol", -400)
    back_filled = entry(pat, -200, serotonin_symptoms=["fever", "tremor", "sweating"])
    sync_alerts(pat)
    alert = Alert.objects.get(kind="serotonin_toxicity_symptoms")
    assert alert.dedupe_key == f"serotonin_toxicity_symptoms:entry:{back_filled.pk}"
    assert alert.severity == "high"


def test_a_stop_of_a_warned_drug_opens_the_black_box_window_for_m5(pat):
    m5_history(pat)
    course(pat, "sertraline", -300, -84)  # stopped 84 days ago: inside the window
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    assert alert.severity == "high"
    assert "was stopped (last taken" in alert.details["explanation"]


def test_a_dose_decrease_is_read_from_the_database_with_its_own_reason(pat):
    m5_history(pat)
    first = builders.course(pat, "sertraline", day(-300), day(-31), dose=100)
    builders.course(pat, "sertraline", day(-30), dose=50, previous=first)
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    assert alert.severity == "high"
    lowered = "The dose of sertraline (a medicine with a suicidality warning) was lowered on"
    assert f"{lowered} {day(-30).isoformat()}" in alert.details["explanation"]
    assert "was stopped" not in alert.details["explanation"]


def _history(patient, days: int) -> None:
    for offset in range(days):
        entry(patient, -offset, mood=6, serotonin_symptoms=["fever"] if offset % 5 else [])
    for offset in range(0, days, 14):
        phq9(patient, -offset, 6)
    for offset in range(0, days, 60):
        course(patient, "sertraline", -offset - 59, -offset)
    course(patient, "tramadol", -3)


@pytest.mark.parametrize("history_days", [10, 400])
def test_query_count_does_not_grow_with_history(
    pat, cleo, history_days, django_assert_max_num_queries
):
    _history(pat, history_days)
    entry(pat, -history_days - 1, self_harm_thoughts=True)
    # First run creates alerts, events and their outbox rows (one insert); second run changes
    # nothing.
    with django_assert_max_num_queries(15):
        sync_alerts(pat)
    with django_assert_max_num_queries(9):
        sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 2


def test_batch_query_count_does_not_grow_with_patients(cleo, django_assert_max_num_queries):
    small = [make_patient(f"p{i}@example.com", "P") for i in range(3)]
    large = [make_patient(f"q{i}@example.com", "Q") for i in range(30)]
    for patient in small + large:
        _history(patient, 20)
    with django_assert_max_num_queries(14):
        sync_alerts_batch(patient_ids=[p.pk for p in small])
    with django_assert_max_num_queries(14):
        sync_alerts_batch(patient_ids=[p.pk for p in large])
    assert Alert.objects.count() == 33


def test_the_batch_gives_the_same_alerts_as_one_by_one(pat, sam):
    for patient in (pat, sam):
        course(patient, "sertraline", -60)
        course(patient, "duloxetine", -3)
        m5_history(patient)
        entry(patient, -20, self_harm_thoughts=True)
    sync_alerts(pat)
    sync_alerts_batch(patient_ids=[sam.pk])
    mine = [k.replace(str(pat.pk), "") for k in keys(pat)]
    assert len(keys(pat)) == 3
    assert len(keys(sam)) == len(mine)


def test_an_insert_race_merges_into_the_alert_that_won(pat, monkeypatch):
    # Simulate a concurrent worker: the existing alert is not seen when planning, so the
    # insert hits the unique constraint and must merge instead of failing or duplicating.
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -3)
    sync_alerts(pat)
    monkeypatch.setattr(sync, "_existing_alerts", lambda candidates, now: {})
    result = sync_alerts(pat)
    assert result.created == []
    assert Alert.objects.count() == 1
    assert events(Alert.objects.get()) == ["created"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_syncing_at_once_create_one_alert(pat, require_postgres):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -3)
    entry(pat, 0, self_harm_thoughts=True)
    barrier = threading.Barrier(4)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            sync_alerts(pat)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Alert.objects.filter(patient=pat).count() == 2
    assert AlertEvent.objects.filter(kind="created").count() == 2


def test_the_sweep_benchmark_runs_at_a_tiny_size():
    from bench.bench_sweep import run_sweep, seed

    ids = seed(25, today=NOW.date())
    evaluated, seconds = run_sweep()
    assert evaluated == 25 and seconds > 0
    created = Alert.objects.filter(patient_id__in=ids).count()
    assert run_sweep()[0] == 25
    assert Alert.objects.filter(patient_id__in=ids).count() == created


def test_sync_writes_no_audit_event(pat):
    entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)
    assert AuditEvent.objects.count() == 0
