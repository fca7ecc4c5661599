"""The pure evidence merge (alerts/rules/evidence.py): tables of cases, no database."""

import pytest

from alerts.rules.evidence import (
    Merge,
    Resolved,
    details_for,
    hit_is_new,
    is_new_episode,
    merge_into_open,
    without_rule_ids,
)
from alerts.rules.facts import AlertCandidate


def hit(rule: str, *items: str, **extra) -> dict:
    return {"rule": rule, "items": list(items), **extra}


def mood(severity: str, *hits: dict) -> AlertCandidate:
    return AlertCandidate(
        kind="mood_worsening",
        severity=severity,
        dedupe_key="mood_worsening",
        title="Mood worsening",
        rule="+".join(h["rule"] for h in hits),
        rule_version=1,
        evidence={"hits": list(hits)},
        explanation="candidate explanation",
    )


def stored(*hits: dict) -> dict:
    return {"evidence": {"hits": list(hits)}}


M2 = hit("M2", "phq9:2", explanation="M2 text.")
M2_LATER = hit("M2", "phq9:3", explanation="M2 later.")
M4 = hit("M4", "entry:1", "entry:2", "entry:3", explanation="M4 text.")
M4_OVERLAP = hit("M4", "entry:3", "entry:4", "entry:5", explanation="M4 overlap.")
M5 = hit("M5", "entry:3", explanation="M5 text.")


@pytest.mark.parametrize(
    ("candidate_hit", "seen", "new"),
    [
        (M2, [], True),  # nothing seen yet
        (M2, [M2], False),  # the same hit
        (M2_LATER, [M2], True),  # same rule, another response: a new episode
        (M4_OVERLAP, [M4], False),  # same rule sharing an entry: the same episode continues
        (M5, [M4], True),  # another rule on a shared entry is still news
        (hit("M3"), [hit("M3")], False),  # no items on either side: same episode
        (hit("M3"), [hit("M3", "phq9:1")], True),
    ],
)
def test_hit_is_new(candidate_hit, seen, new):
    assert hit_is_new(candidate_hit, seen) is new


@pytest.mark.parametrize(
    ("open_severity", "open_hits", "candidate", "escalate", "hits_after", "new_hits"),
    [
        # Nothing new at the same severity: the alert stays as it is.
        ("moderate", [M2], mood("moderate", M2), False, None, ()),
        # Nothing new at a lower severity: nothing happens either (never de-escalated).
        ("high", [M2], mood("moderate", M2), False, None, ()),
        # A new hit at the same severity: appended after the stored ones.
        ("moderate", [M2], mood("moderate", M2, M5), False, [M2, M5], (M5,)),
        # A continuing episode (shared item) is not new evidence.
        ("high", [M4], mood("high", M4_OVERLAP), False, None, ()),
        # New evidence at a lower severity is recorded without escalating.
        ("high", [M4], mood("moderate", M5), False, [M4, M5], (M5,)),
        # Higher severity escalates: the candidate's hits first, then stored hits it does not
        # cover (the earlier M2 episode is kept, the overlapping M4 is replaced).
        ("moderate", [M2, M4], mood("high", M4_OVERLAP), True, [M4_OVERLAP, M2], ()),
        # Higher severity with the same hits still escalates (a more serious picture).
        ("moderate", [M2], mood("high", M2), True, [M2], ()),
    ],
)
def test_merge_into_open(open_severity, open_hits, candidate, escalate, hits_after, new_hits):
    merge = merge_into_open(candidate, severity=open_severity, details=stored(*open_hits))
    assert merge.escalate is escalate
    assert merge.new_hits == new_hits
    if hits_after is None:
        assert merge == Merge()
    else:
        assert merge.details["evidence"]["hits"] == hits_after


def test_merged_details_name_every_rule_and_join_the_explanations():
    merge = merge_into_open(mood("moderate", M5), severity="moderate", details=stored(M2))
    assert merge.details["rule"] == "M2+M5"
    assert merge.details["explanation"] == "M2 text. M5 text."
    assert merge.details["rule_version"] == 1


def test_details_fall_back_to_the_candidate_when_a_hit_has_no_explanation():
    candidate = mood("moderate", hit("M4", "entry:9"))
    details = details_for(candidate, [hit("M4", "entry:9")])
    assert details["explanation"] == "candidate explanation"
    assert details["rule"] == "M4"


def per_event(severity: str = "critical") -> AlertCandidate:
    return AlertCandidate(
        kind="suicidal_ideation",
        severity=severity,
        dedupe_key="suicidal_ideation:entry:1",
        title="Thoughts of self-harm reported",
        rule="M1",
        rule_version=1,
        evidence={"hits": [hit("M1", "entry:1")]},
    )


@pytest.mark.parametrize(
    ("candidate", "resolved", "raise_again"),
    [
        # One alert per triggering entry or response, never raised again once seen.
        (per_event(), [Resolved("critical", stored(hit("M1", "entry:1")))], False),
        # The same evidence after resolution: the clinician has seen it.
        (mood("moderate", M2), [Resolved("moderate", stored(M2))], False),
        # A continuing episode after resolution: still seen.
        (mood("high", M4_OVERLAP), [Resolved("high", stored(M4))], False),
        # New evidence after resolution: a new alert.
        (mood("moderate", M2_LATER), [Resolved("moderate", stored(M2))], True),
        # Higher than the latest resolved one: a new alert even on old evidence.
        (mood("high", M2), [Resolved("moderate", stored(M2))], True),
        # Only the latest resolved alert's severity counts; all their hits count as seen.
        (
            mood("high", M2),
            [Resolved("moderate", stored(M2_LATER)), Resolved("high", stored(M2))],
            False,
        ),
    ],
)
def test_is_new_episode(candidate, resolved, raise_again):
    assert is_new_episode(candidate, resolved) is raise_again


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("M2: PHQ-9 total rose from 5 to 13.", "PHQ-9 total rose from 5 to 13."),
        (
            "M3: PHQ-9 total 21 is severe (Kroenke 2001). M4: mood <= 2 on 3 days.",
            "PHQ-9 total 21 is severe (Kroenke 2001). mood <= 2 on 3 days.",
        ),
        (
            "S1: check-in of 2026-06-01 reports 3 symptoms.",
            "check-in of 2026-06-01 reports 3 symptoms.",
        ),
        (
            "PHQ-9 rose from 5 to 13 in 6 weeks (Löwe 2004).",
            "PHQ-9 rose from 5 to 13 in 6 weeks (Löwe 2004).",
        ),
        ("Item M2: not a prefix", "Item M2: not a prefix"),  # only at a sentence start
    ],
)
def test_version_1_rule_ids_are_dropped_from_explanations(stored, shown):
    assert without_rule_ids(stored) == shown


def test_a_stored_version_1_hit_merged_again_shows_no_rule_id():
    old = {"rule": "M3", "items": ["phq9:1"], "explanation": "M3: PHQ-9 total 21 is severe."}
    new = {"rule": "M4", "items": ["entry:5"], "explanation": "Mood of 2 or less on 3 days."}
    candidate = AlertCandidate(
        kind="mood_worsening",
        severity="high",
        dedupe_key="mood_worsening",
        title="Mood worsening",
        rule="M4",
        rule_version=2,
        evidence={"hits": [new]},
    )
    merge = merge_into_open(candidate, severity="high", details={"evidence": {"hits": [old]}})
    assert merge.details is not None
    assert merge.details["explanation"] == "PHQ-9 total 21 is severe. Mood of 2 or less on 3 days."
    assert merge.details["rule"] == "M3+M4"  # data, never shown
