"""Combination alerts v2 against the database: one open alert per kind and patient that grows
with the set, hypertensive combinations, and re-exposure after a resolved alert
(docs/clinical-rules.md#combination-alerts)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from alerts.models import Alert, AlertEvent, AlertStatus
from alerts.rules import serotonergic
from alerts.services import alert_resolve, sync_alerts, sync_alerts_batch
from alerts.tests.factories import NOW, course, day
from conftest import make_patient
from medications.catalog import drug_search_keys
from medications.interactions import Assessment, Finding
from medications.models import Drug, MedicationCourse
from tests import builders

pytestmark = pytest.mark.django_db

HISTORY_KINDS = ("created", "evidence", "escalated")


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def combination_alerts(patient, kind="serotonergic_combination"):
    return list(Alert.objects.filter(patient=patient, kind=kind).order_by("created_at", "id"))


def history(alert):
    return list(
        AlertEvent.objects.filter(alert=alert, kind__in=HISTORY_KINDS).values_list(
            "kind", flat=True
        )
    )


def resolve(alert, clinician):
    alert_resolve(alert=alert, actor=clinician, note="Reviewed with the patient.")


# --- One open alert per kind that grows with the set ---


def test_pair_to_triple_updates_the_same_alert_and_escalates(pat, cleo):
    course(pat, "sertraline", -60)
    course(pat, "trazodone", -10)
    sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    assert (alert.severity, alert.dedupe_key) == ("moderate", "serotonergic_combination")

    course(pat, "tramadol", -1)
    result = sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    assert result.escalated == [alert.pk] and result.created == []
    assert alert.severity == "high"
    assert alert.title == "Serotonergic combination: sertraline + tramadol + trazodone"
    assert history(alert) == ["created", "escalated"]
    sets = [hit["drugs"] for hit in alert.details["evidence"]["hits"]]
    assert sets == [["sertraline", "tramadol", "trazodone"], ["sertraline", "trazodone"]]
    assert "tramadol" in alert.details["explanation"]


def test_a_drug_joining_without_a_higher_severity_adds_an_evidence_event(pat, cleo):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -10)
    sync_alerts(pat)
    course(pat, "trazodone", -1)
    result = sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    assert result.evidence == [alert.pk]
    assert alert.severity == "high"
    assert history(alert) == ["created", "evidence"]
    event = AlertEvent.objects.get(alert=alert, kind="evidence")
    assert [hit["drugs"] for hit in event.data["hits"]] == [["sertraline", "tramadol", "trazodone"]]
    assert alert.title == "Serotonergic combination: sertraline + tramadol + trazodone"
    assert len(alert.details["evidence"]["hits"]) == 2


def test_never_a_pair_alert_beside_its_triple(pat):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -10)
    course(pat, "trazodone", -10, -1)  # counted until yesterday
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        sync_alerts(pat)  # the triple
    sync_alerts(pat)  # the pair, trazodone no longer counts: not news
    (alert,) = combination_alerts(pat)
    assert history(alert) == ["created"]
    assert alert.title == "Serotonergic combination: sertraline + tramadol + trazodone"
    course(pat, "phenelzine", 0)
    sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    assert alert.severity == "critical"
    assert history(alert) == ["created", "escalated"]
    assert Alert.objects.filter(patient=pat).count() == 1


def test_syncing_twice_changes_nothing(pat):
    course(pat, "sertraline", -60)
    course(pat, "tramadol", -10)
    sync_alerts(pat)
    course(pat, "trazodone", -1)
    sync_alerts(pat)
    before = list(AlertEvent.objects.values_list("id", flat=True))
    for _ in range(2):
        again = sync_alerts(pat)
        assert (again.created, again.escalated, again.evidence) == ([], [], [])
        sync_alerts_batch(patient_ids=[pat.pk])
    assert list(AlertEvent.objects.values_list("id", flat=True)) == before
    assert Alert.objects.count() == 1


# --- Hypertensive combinations (hand-built findings: the engine decides the mechanisms) ---


def _fake_engine(monkeypatch, table):
    """alerts.rules.serotonergic.assess answers `table[frozenset of counted names]`."""
    real = serotonergic.assess

    def fake(courses, on):
        counted = real(courses, on)
        names = frozenset(
            c.drug.name for c in courses if c.drug and serotonergic.course_counts_on(c, on)
        )
        findings = tuple(table.get(names, ()))
        return Assessment("none", findings, counted.unknown, tuple(sorted(names)))

    monkeypatch.setattr(serotonergic, "assess", fake)


def _finding(drugs, severity, mechanism):
    return Finding(
        tuple(drugs.split("+")), severity, "P4", f"{drugs}. Source: a label.", "", mechanism
    )


def test_a_hypertensive_combination_raises_its_own_kind(pat, monkeypatch):
    _fake_engine(
        monkeypatch,
        {
            frozenset({"phenelzine", "bupropion"}): [
                _finding("bupropion+phenelzine", "contraindicated", "hypertensive")
            ],
            frozenset({"phenelzine", "bupropion", "sertraline"}): [
                _finding("phenelzine+sertraline", "contraindicated", "serotonergic"),
                _finding("bupropion+phenelzine", "contraindicated", "hypertensive"),
            ],
        },
    )
    course(pat, "phenelzine", -30)
    course(pat, "bupropion", -2)
    sync_alerts(pat)
    (alert,) = combination_alerts(pat, "hypertensive_combination")
    assert (alert.severity, alert.dedupe_key) == ("critical", "hypertensive_combination")
    assert alert.title == "Hypertensive combination: bupropion + phenelzine"
    assert combination_alerts(pat) == []

    course(pat, "sertraline", -1)
    sync_alerts(pat)
    assert [a.severity for a in combination_alerts(pat)] == ["critical"]
    assert len(combination_alerts(pat, "hypertensive_combination")) == 1
    assert Alert.objects.filter(patient=pat).count() == 2


def test_minor_findings_raise_no_alert(pat, monkeypatch):
    _fake_engine(
        monkeypatch,
        {
            frozenset({"trazodone", "mirtazapine"}): [
                _finding("mirtazapine+trazodone", "minor", "serotonergic")
            ]
        },
    )
    course(pat, "trazodone", -30)
    course(pat, "mirtazapine", -2)
    sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 0


# --- Re-exposure after a resolved alert ---


def _resolved_pair(pat, cleo, *, tramadol_dose=None):
    course(pat, "sertraline", -60)
    tramadol = builders.course(pat, "tramadol", day(-30), dose=tramadol_dose)
    sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    resolve(alert, cleo)
    return alert, tramadol


def _stop(course_row, last_day):
    course_row.stopped_on = last_day
    course_row.save(update_fields=["stopped_on"])


def test_unchanged_regimen_after_resolution_raises_nothing(pat, cleo):
    _resolved_pair(pat, cleo)
    sync_alerts(pat)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        sync_alerts(pat)
    assert len(combination_alerts(pat)) == 1


def test_a_restart_after_resolution_opens_a_new_alert(pat, cleo):
    first, tramadol = _resolved_pair(pat, cleo)
    _stop(tramadol, day(-1))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        course(pat, "tramadol", 0)
        result = sync_alerts(pat)
    old, new = combination_alerts(pat)
    assert old.pk == first.pk and old.status == AlertStatus.RESOLVED
    assert new.status == AlertStatus.OPEN and result.created == [new.pk]
    assert new.dedupe_key == "serotonergic_combination"
    # and only once
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        sync_alerts(pat)
    assert len(combination_alerts(pat)) == 2


def test_a_course_started_before_the_resolution_but_recorded_after_opens_a_new_alert(pat, cleo):
    _resolved_pair(pat, cleo)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        course(pat, "trazodone", -20)  # the patient logs it late
        sync_alerts(pat)
    assert len(combination_alerts(pat)) == 2


@pytest.mark.parametrize(("new_dose", "raises"), [(100, True), (25, False)])
def test_a_dose_increase_after_resolution_opens_a_new_alert_a_decrease_does_not(
    pat, cleo, new_dose, raises
):
    _, tramadol = _resolved_pair(pat, cleo, tramadol_dose=50)
    _stop(tramadol, day(-1))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        builders.course(pat, "tramadol", day(0), dose=new_dose, previous=tramadol)
        sync_alerts(pat)
    assert len(combination_alerts(pat)) == (2 if raises else 1)


def test_a_higher_severity_after_resolution_opens_a_new_alert(pat, cleo):
    _resolved_pair(pat, cleo)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        course(pat, "phenelzine", -40)  # recorded after; critical anyway
        sync_alerts(pat)
    assert [a.severity for a in combination_alerts(pat)] == ["high", "critical"]


@pytest.mark.clock
@pytest.mark.parametrize(
    ("tz", "resolved_at", "local_day"),
    [
        # UTC+14: 11:00 UTC on 15 June is 01:00 on 16 June there
        ("Pacific/Kiritimati", datetime(2026, 6, 15, 11, 0, tzinfo=UTC), date(2026, 6, 16)),
        # UTC-11: 05:00 UTC on 15 June is 18:00 on 14 June there
        ("Pacific/Pago_Pago", datetime(2026, 6, 15, 5, 0, tzinfo=UTC), date(2026, 6, 14)),
    ],
)
@pytest.mark.parametrize(("start_offset", "raises"), [(0, True), (-1, False)])
def test_a_course_starting_on_the_patients_day_of_the_resolution_is_new(
    cleo, tz, resolved_at, local_day, start_offset, raises
):
    patient = make_patient(f"z{start_offset}{abs(hash(tz))}@example.com", "Zed", tz=tz)
    with time_machine.travel(resolved_at - timedelta(days=3), tick=False):
        builders.course(patient, "sertraline", local_day - timedelta(days=90))
        first = builders.course(
            patient, "tramadol", local_day - timedelta(days=30), local_day - timedelta(days=2)
        )
        sync_alerts(patient)
    (alert,) = combination_alerts(patient)
    assert alert.details["evidence"]["hits"][0]["courses"][1]["started_on"] == (
        first.started_on.isoformat()
    )
    # Recorded before the resolution, starting on the patient's day of the resolution (or the
    # day before): the clinician resolved the alert without it.
    with time_machine.travel(resolved_at - timedelta(minutes=30), tick=False):
        builders.course(patient, "tramadol", local_day + timedelta(days=start_offset))
        sync_alerts(patient)
    with time_machine.travel(resolved_at, tick=False):
        resolve(alert, cleo)
    with time_machine.travel(resolved_at + timedelta(minutes=30), tick=False):
        sync_alerts(patient)
    assert len(combination_alerts(patient)) == (2 if raises else 1)


def test_an_alert_open_for_long_and_resolved_recently_still_suppresses(pat, cleo):
    with time_machine.travel(NOW - timedelta(days=500), tick=False):
        course(pat, "sertraline", -900)
        course(pat, "tramadol", -800)
        sync_alerts(pat)
    (alert,) = combination_alerts(pat)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        resolve(alert, cleo)
    sync_alerts(pat)
    assert len(combination_alerts(pat)) == 1


def test_resolved_alerts_add_no_query_per_patient(cleo, django_assert_max_num_queries):
    def patients(prefix, count):
        found = []
        for i in range(count):
            patient = make_patient(f"{prefix}{i}@example.com", "P")
            course(patient, "sertraline", -60)
            course(patient, "tramadol", -10)
            found.append(patient)
        sync_alerts_batch(patient_ids=[p.pk for p in found])
        for alert in Alert.objects.filter(patient__in=found):
            resolve(alert, cleo)
        for patient in found:
            course(patient, "trazodone", 0)  # a new course: re-exposure for everyone
        return found

    small, large = patients("s", 2), patients("l", 20)
    with django_assert_max_num_queries(14):
        sync_alerts_batch(patient_ids=[p.pk for p in small])
    with django_assert_max_num_queries(14):
        sync_alerts_batch(patient_ids=[p.pk for p in large])
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 22
    assert MedicationCourse.objects.count() == 66


def test_a_hypertensive_combination_from_the_catalog_classes_end_to_end(pat, cleo):
    # A drug row with the blood-pressure class, read by the sweep's loader and the v2 engine.
    decongestant = Drug.objects.create(
        name="testephedrine",
        classes=["decongestant", "hypertensive_with_maoi"],
        search_keys=drug_search_keys("testephedrine", []),
    )
    course(pat, "phenelzine", -30)
    MedicationCourse.objects.create(
        patient=pat, drug=decongestant, name="Testephedrine", started_on=day(-1)
    )
    sync_alerts(pat)
    (alert,) = combination_alerts(pat, "hypertensive_combination")
    assert alert.severity == "critical"
    assert alert.title == "Hypertensive combination: phenelzine + testephedrine"
    assert "blood pressure" in alert.details["patient_message"]
    assert combination_alerts(pat) == []
    sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 1
