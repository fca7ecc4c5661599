"""Migration 0007: one open combination alert per kind and patient (the others merged into it)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from alerts.models import Alert, AlertEvent, AlertStatus
from alerts.services import sync_alerts
from alerts.tests.factories import NOW, course

pytestmark = pytest.mark.django_db


def _migration_keys() -> tuple[tuple[str, str], tuple[str, str]]:
    """(the alerts migration before this one, this one), by name, whatever their numbers (the
    numbers change when branches are merged)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (after,) = [
        key
        for key in loader.disk_migrations
        if key[0] == "alerts" and key[1].endswith("_one_combination_alert_per_kind")
    ]
    (before,) = [dep for dep in loader.disk_migrations[after].dependencies if dep[0] == "alerts"]
    return before, after


BEFORE, AFTER = _migration_keys()


def _hit(drugs, started):
    return {
        "rule": "combination",
        "items": [f"course:{d}:{started}" for d in drugs],
        "on": "2026-06-14",
        "drugs": drugs,
        "interaction_severity": "major",
        "findings": [],
        "courses": [
            {"drug": d, "name": d, "started_on": started, "stopped_on": None} for d in drugs
        ],
        "unknown": [],
    }


def _old_alert(model, patient, drugs, severity, rank, status="open", hours_ago=0, kind=None):
    kind = kind or "serotonergic_combination"
    return model.objects.create(
        patient_id=patient.pk,
        kind=kind,
        severity=severity,
        severity_rank=rank,
        status=status,
        title="Serotonergic combination: " + " + ".join(drugs),
        details={
            "rule": "combination",
            "explanation": "Old explanation.",
            "evidence": {"hits": [_hit(drugs, "2026-05-16")]},
        },
        dedupe_key=f"{kind}:" + "+".join(drugs),
        created_at=NOW - timedelta(hours=hours_ago),
    )


@pytest.fixture
def old_state(require_postgres):
    """The database at 0006, with its historical models; migrated forward again after.

    PostgreSQL: its schema changes roll back with the test's transaction (SQLite cannot run a
    schema editor inside one)."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    state = MigrationExecutor(connection).loader.project_state(BEFORE)
    yield state.apps
    # Back to the latest state of every app (the test's transaction also rolls all this back).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])


def test_two_open_per_set_alerts_become_one_per_kind(old_state, pat, sam):
    OldAlert = old_state.get_model("alerts", "Alert")
    pair = _old_alert(OldAlert, pat, ["fluoxetine", "phenelzine"], "critical", 4, hours_ago=48)
    triple = _old_alert(
        OldAlert, pat, ["fluoxetine", "phenelzine", "tramadol"], "critical", 4, "acknowledged", 1
    )
    lower = _old_alert(OldAlert, pat, ["sertraline", "trazodone"], "moderate", 2, hours_ago=2)
    resolved = _old_alert(OldAlert, pat, ["sertraline", "tramadol"], "high", 3, "resolved", 300)
    other_patient = _old_alert(OldAlert, sam, ["sertraline", "tramadol"], "high", 3)

    _migrate()

    kept = Alert.objects.get(pk=triple.pk)  # most severe, then newest
    assert kept.dedupe_key == "serotonergic_combination"
    # an unseen (open) alert merged into an acknowledged one re-opens it
    assert kept.status == AlertStatus.OPEN
    sets = [hit["drugs"] for hit in kept.details["evidence"]["hits"]]
    assert sets == [
        ["fluoxetine", "phenelzine", "tramadol"],
        ["fluoxetine", "phenelzine"],
        ["sertraline", "trazodone"],
    ]
    assert all(
        any(item.startswith("set:") for item in hit["items"])
        for hit in kept.details["evidence"]["hits"]
    )
    for merged in (pair, lower):
        row = Alert.objects.get(pk=merged.pk)
        assert row.status == AlertStatus.RESOLVED and row.resolved_at is not None
        event = AlertEvent.objects.get(alert=row, kind="resolved")
        assert event.note.startswith(f"Merged into alert #{kept.pk}")
    event = AlertEvent.objects.get(alert=kept, kind="evidence")
    assert sorted(event.data["merged_from"]) == sorted([pair.pk, lower.pk])
    old_resolved = Alert.objects.get(pk=resolved.pk)
    assert old_resolved.dedupe_key == "serotonergic_combination"
    assert old_resolved.status == AlertStatus.RESOLVED
    assert old_resolved.details["evidence"]["hits"][0]["items"][-1] == "set:sertraline+tramadol"
    assert Alert.objects.get(pk=other_patient.pk).dedupe_key == "serotonergic_combination"
    unresolved = Alert.objects.exclude(status=AlertStatus.RESOLVED)
    assert sorted(unresolved.values_list("patient_id", "dedupe_key")) == sorted(
        [(pat.pk, "serotonergic_combination"), (sam.pk, "serotonergic_combination")]
    )


def test_the_next_sync_finds_the_merged_alert_and_adds_nothing(old_state, pat):
    OldAlert = old_state.get_model("alerts", "Alert")
    course(pat, "sertraline", -30)
    course(pat, "tramadol", -30)
    old = _old_alert(OldAlert, pat, ["sertraline", "tramadol"], "high", 3)
    _migrate()
    events = AlertEvent.objects.count()
    result = sync_alerts(pat, now=NOW)
    assert (result.created, result.escalated, result.evidence) == ([], [], [])
    assert list(Alert.objects.values_list("pk", flat=True)) == [old.pk]
    assert AlertEvent.objects.count() == events


def test_it_runs_twice_without_change(old_state, pat):
    OldAlert = old_state.get_model("alerts", "Alert")
    _old_alert(OldAlert, pat, ["fluoxetine", "phenelzine"], "critical", 4, hours_ago=5)
    _old_alert(OldAlert, pat, ["phenelzine", "sertraline"], "critical", 4)
    _migrate()
    snapshot = sorted(Alert.objects.values_list("pk", "status", "dedupe_key", "details"))
    migration = MigrationExecutor(connection).loader.get_migration(*AFTER)
    migration.operations[0].code(apps, None)
    assert sorted(Alert.objects.values_list("pk", "status", "dedupe_key", "details")) == snapshot
    assert AlertEvent.objects.filter(kind="resolved").count() == 1
