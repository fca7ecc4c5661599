"""Migration 0005: stored version 1 explanations lose their rule-id prefixes (data keys stay)."""

import importlib

import pytest
from django.apps import apps

from alerts.models import Alert

pytestmark = pytest.mark.django_db

migration = importlib.import_module("alerts.migrations.0005_explanations_without_rule_ids")


def test_stored_explanations_are_rewritten_and_rule_keys_kept(pat):
    hits = [
        {"rule": "M2", "items": ["phq9:1"], "explanation": "M2: PHQ-9 total rose from 5 to 13."},
        {"rule": "M4", "items": ["entry:2"], "explanation": "M4: mood <= 2 on 3 days."},
    ]
    old = Alert.objects.create(
        patient=pat,
        kind="mood_worsening",
        severity="high",
        severity_rank=3,
        title="Mood worsening",
        dedupe_key="mood_worsening",
        details={
            "rule": "M2+M4",
            "explanation": "M2: PHQ-9 total rose from 5 to 13. M4: mood <= 2 on 3 days.",
            "evidence": {"hits": hits},
        },
    )
    untouched = {"rule": "M1", "explanation": "Daily check-in: thoughts of self-harm ticked."}
    plain = Alert.objects.create(
        patient=pat,
        kind="suicidal_ideation",
        severity="critical",
        severity_rank=4,
        title="Thoughts of self-harm reported",
        dedupe_key="suicidal_ideation:entry:9",
        details=untouched,
    )
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # idempotent
    old.refresh_from_db()
    plain.refresh_from_db()
    assert old.details["explanation"] == "PHQ-9 total rose from 5 to 13. mood <= 2 on 3 days."
    assert [h["explanation"] for h in old.details["evidence"]["hits"]] == [
        "PHQ-9 total rose from 5 to 13.",
        "mood <= 2 on 3 days.",
    ]
    assert old.details["rule"] == "M2+M4" and old.details["evidence"]["hits"][0]["rule"] == "M2"
    assert plain.details == untouched
