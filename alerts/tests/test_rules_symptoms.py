"""Rule S1 (docs/clinical-rules.md#serotonin-toxicity-symptoms). Pure: no database."""

import pytest

from alerts.rules.facts import EntryFacts
from alerts.rules.symptoms import evaluate_symptoms, s1_applies, s1_candidate
from alerts.tests.rule_builders import course, day, snapshot

THREE = ("agitation", "sweating", "tremor")
TWO = ("agitation", "sweating")


def entry_on(offset: int, symptoms, entry_id: int = 9) -> EntryFacts:
    return EntryFacts(id=entry_id, date=day(offset), mood=5, serotonin_symptoms=tuple(symptoms))


@pytest.mark.parametrize(
    ("symptoms", "courses", "fires"),
    [
        # with a combination (sertraline + tramadol, major)
        (THREE, [course("sertraline", -100), course("tramadol", -60)], True),
        (TWO, [course("sertraline", -100), course("tramadol", -60)], False),
        (
            THREE + ("fever", "confusion"),
            [course("sertraline", -100), course("tramadol", -60)],
            True,
        ),
        # moderate combination (strong + weak) is "any severity"
        (THREE, [course("sertraline", -100), course("trazodone", -60)], True),
        # no combination and no recent start
        (THREE, [course("sertraline", -100)], False),
        (THREE, [], False),
        # a strong drug started (or dose changed) 7 days ago counts, 8 days ago does not
        (THREE, [course("sertraline", -7)], True),
        (THREE, [course("sertraline", -8)], False),
        (THREE, [course("sertraline", 0)], True),  # started today
        (THREE, [course("sertraline", 1)], False),  # starts tomorrow
        (THREE, [course("sertraline", -90, -8), course("sertraline", -7)], True),  # dose change
        (THREE, [course("phenelzine", -3)], True),  # MAOI start
        (THREE, [course("trazodone", -3)], False),  # weak start alone
        (THREE, [course("pregabalin", -3)], False),  # non-serotonergic start
        (THREE, [course("Mystery tea", -3)], False),  # unknown free text
        # a washout tail still makes a combination: fluoxetine stopped 20 days ago (35-day washout)
        (THREE, [course("fluoxetine", -300, -20), course("trazodone", -100)], True),
        (THREE, [course("fluoxetine", -300, -35), course("trazodone", -100)], False),
        # unknown codes and duplicates do not add up to three
        (("agitation", "sweating", "headache"), [course("sertraline", -2)], False),
        (("agitation", "agitation", "sweating"), [course("sertraline", -2)], False),
    ],
)
def test_s1(symptoms, courses, fires):
    candidate = s1_candidate(entry_on(0, symptoms), tuple(courses))
    assert (candidate is not None) is fires
    # The patient's urgent-care notice (journal, via alerts.urgent_care) answers the same.
    assert s1_applies(symptoms, tuple(courses), day(0)) is fires
    if fires:
        assert candidate.kind == "serotonin_toxicity_symptoms"
        assert candidate.severity == "critical"
        assert candidate.dedupe_key == "serotonin_toxicity_symptoms:entry:9"
        assert candidate.evidence["hits"][0]["symptoms"] == sorted(set(symptoms))


def test_s1_is_judged_on_the_entry_date_not_today():
    # The entry of 10 days ago came 5 days after a sertraline start: S1 fires for it.
    courses = (course("sertraline", -15),)
    snap = snapshot(
        entries=[entry_on(-10, THREE, entry_id=3), entry_on(0, THREE, entry_id=4)], courses=courses
    )
    assert [c.dedupe_key for c in evaluate_symptoms(snap)] == [
        "serotonin_toxicity_symptoms:entry:3"
    ]


def test_s1_evidence_names_the_combination_and_the_start():
    courses = (course("sertraline", -100), course("tramadol", -2))
    candidate = s1_candidate(entry_on(0, THREE), courses)
    hit = candidate.evidence["hits"][0]
    assert hit["combination_severity"] == "major"
    assert hit["combination_drugs"] == ["sertraline", "tramadol"]
    assert hit["recently_started"] == ["tramadol"]
    assert "Hunter" in candidate.explanation


def test_s1_tells_the_patient_to_seek_urgent_care_and_never_to_stop():
    candidate = s1_candidate(entry_on(0, THREE), (course("sertraline", -1),))
    message = candidate.patient_message.lower()
    assert "urgent" in message and "talk to your clinician" in message
    assert "stop" not in message
