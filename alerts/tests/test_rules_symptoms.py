"""Rule S1 (docs/clinical-rules.md#serotonin-toxicity-symptoms). Pure: no database."""

import pytest

from alerts.rules import symptoms
from alerts.rules.facts import EntryFacts
from alerts.rules.symptoms import (
    NOTICE_TELL_CLINICIAN,
    NOTICE_URGENT_CARE,
    _counts_as_combination,
    evaluate_symptoms,
    s1_applies,
    s1_candidate,
    s1_notice,
)
from alerts.tests.rule_builders import TODAY, course, day, snapshot
from medications.interactions import Assessment, CourseFacts, DrugFacts, Finding
from tests.builders import drug_facts

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
    candidate = s1_candidate(entry_on(0, symptoms), tuple(courses), TODAY)
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
    (candidate,) = evaluate_symptoms(snap)
    assert candidate.dedupe_key == "serotonin_toxicity_symptoms:entry:3"
    # v2: was critical; an entry dated before T-2 is back-filled: high, no urgent care.
    assert candidate.severity == "high"
    assert "urgent" not in candidate.patient_message.lower()


@pytest.mark.parametrize(
    ("entry_offset", "severity", "notice"),
    [
        (0, "critical", NOTICE_URGENT_CARE),
        (-1, "critical", NOTICE_URGENT_CARE),
        (-2, "critical", NOTICE_URGENT_CARE),  # T-2: still current
        (-3, "high", NOTICE_TELL_CLINICIAN),  # T-3: back-filled
        (-30, "high", NOTICE_TELL_CLINICIAN),
        (-365, "high", NOTICE_TELL_CLINICIAN),
    ],
)
def test_s1_back_filled_entries_are_high_and_tell_the_clinician(entry_offset, severity, notice):
    # sertraline + tramadol taken throughout: the combination counts on every entry date.
    courses = (course("sertraline", -400), course("tramadol", -400))
    snap = snapshot(entries=[entry_on(entry_offset, THREE)], courses=courses)
    (candidate,) = evaluate_symptoms(snap)
    assert candidate.severity == severity
    assert candidate.evidence["hits"][0]["back_filled"] is (severity == "high")
    assert s1_notice(THREE, courses, day(entry_offset), TODAY) == notice
    message = candidate.patient_message.lower()
    if notice == NOTICE_URGENT_CARE:
        assert "urgent medical care now" in message
    else:
        assert "urgent" not in message and "emergency" not in message
        assert "tell your clinician" in message
        assert "filled in 3 days after" in candidate.explanation or entry_offset != -3


def test_s1_notice_is_none_without_the_rule():
    assert s1_notice(TWO, (course("sertraline", -1),), day(-5), TODAY) is None
    assert s1_notice(THREE, (), day(0), TODAY) is None


@pytest.mark.parametrize(
    ("severity", "counts"),
    [
        ("none", False),
        ("minor", False),  # v2: a minor combination (weak + weak, engine v2) does not count
        ("moderate", True),
        ("major", True),
        ("contraindicated", True),
    ],
)
def test_s1_a_combination_counts_from_moderate_up(severity, counts):
    assert _counts_as_combination(severity) is counts


def test_s1_a_recent_maob_start_counts_like_strong_and_maoi():
    maob = DrugFacts(name="rasagiline", serotonergic="maob", washout_days=14)
    courses = (CourseFacts(name="Azilect", drug=maob, started_on=day(-7)),)
    assert s1_applies(THREE, courses, day(0))
    later = (CourseFacts(name="Azilect", drug=maob, started_on=day(-8)),)
    assert not s1_applies(THREE, later, day(0))


def test_s1_explanation_is_plain_words_with_sources():
    courses = (course("sertraline", -100), course("tramadol", -2))
    explanation = s1_candidate(entry_on(0, THREE), courses, TODAY).explanation
    assert "S1" not in explanation and ".md" not in explanation
    assert "FDA Drug Safety Communication of 2016-03-22" in explanation
    assert "Sternbach (1991)" in explanation and "Dunkley 2003" in explanation
    assert drug_facts("sertraline").name in explanation


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


# --- S1 v2 with hand-built findings (docs/clinical-rules.md#serotonin-toxicity-symptoms) ---


def _finding(drugs: str, severity: str, mechanism: str = "serotonergic") -> Finding:
    names = tuple(drugs.split("+"))
    return Finding(names, severity, "P0", f"{drugs}: {severity}.", "", mechanism)


LONG_AGO = -400  # courses started long before: no recent start


@pytest.mark.parametrize(
    ("findings", "starts", "entry_offset", "expected"),
    [
        # a serotonergic combination of moderate or more on the entry's date
        ((_finding("a+b", "moderate"),), LONG_AGO, 0, "critical"),
        ((_finding("a+b", "major"),), LONG_AGO, 0, "critical"),
        ((_finding("a+b", "contraindicated"),), LONG_AGO, 0, "critical"),
        # minor does not count, nor does a hypertensive-only finding, however severe
        ((_finding("a+b", "minor"),), LONG_AGO, 0, None),
        ((_finding("a+b", "contraindicated", "hypertensive"),), LONG_AGO, 0, None),
        (
            (_finding("a+b", "contraindicated", "hypertensive"), _finding("a+c", "minor")),
            LONG_AGO,
            0,
            None,
        ),
        # a strong/MAOI/MAO-B start or dose change 0..7 days before the entry
        ((), 0, 0, "critical"),
        ((), -7, 0, "critical"),
        ((), -8, 0, None),
        ((_finding("a+b", "minor"),), -7, 0, "critical"),
        # back-filled: entries of T-2..T are current, earlier ones high (tell the clinician)
        ((_finding("a+b", "moderate"),), LONG_AGO, -2, "critical"),
        ((_finding("a+b", "moderate"),), LONG_AGO, -3, "high"),
        ((), -10, -3, "high"),  # a start 7 days before a back-filled entry
        ((), -11, -3, None),
        ((_finding("a+b", "minor"),), LONG_AGO, -3, None),
    ],
)
def test_s1_v2_table(monkeypatch, findings, starts, entry_offset, expected):
    def fake_assess(courses, on):
        return Assessment("none", tuple(findings), (), ())

    monkeypatch.setattr(symptoms, "assess", fake_assess)
    strong = DrugFacts(name="a", serotonergic="strong")
    courses = (CourseFacts(name="a", drug=strong, started_on=day(starts)),)
    candidate = s1_candidate(entry_on(entry_offset, THREE), courses, TODAY)
    assert (candidate.severity if candidate else None) == expected
    notice = s1_notice(THREE, courses, day(entry_offset), TODAY)
    assert (
        notice
        == {
            None: None,
            "critical": NOTICE_URGENT_CARE,
            "high": NOTICE_TELL_CLINICIAN,
        }[expected]
    )
    if expected == "high":
        assert "tell your clinician" in candidate.patient_message.lower()
        assert "urgent" not in candidate.patient_message.lower()
    if candidate is not None and findings and findings[0].mechanism == "serotonergic":
        assert candidate.evidence["hits"][0]["combination_severity"] == findings[0].severity


def test_s1_a_recent_start_of_a_combination_product_counts_by_its_ingredient():
    tramadol = DrugFacts(name="tramadol", serotonergic="strong")
    acetaminophen = DrugFacts(name="acetaminophen", serotonergic="none")
    ultracet = DrugFacts(
        name="ultracet", serotonergic="none", ingredients=(tramadol, acetaminophen)
    )
    courses = (CourseFacts(name="Ultracet", drug=ultracet, started_on=day(-2)),)
    candidate = s1_candidate(entry_on(0, THREE), courses, TODAY)
    assert candidate is not None
    assert candidate.evidence["hits"][0]["recently_started"] == ["tramadol"]
    paracetamol_only = (CourseFacts(name="Tylenol", drug=acetaminophen, started_on=day(-2)),)
    assert s1_candidate(entry_on(0, THREE), paracetamol_only, TODAY) is None
