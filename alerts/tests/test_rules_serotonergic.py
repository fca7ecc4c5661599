"""Serotonergic combination alerts (docs/clinical-rules.md#combination-severity). No database."""

import pytest

from alerts.rules import evaluate
from alerts.rules.facts import EntryFacts
from alerts.rules.serotonergic import combination_candidate
from alerts.tests.rule_builders import course, day, phq9, snapshot


@pytest.mark.parametrize(
    ("courses", "key", "severity"),
    [
        ([], None, None),
        ([course("sertraline", -30)], None, None),
        ([course("sertraline", -30), course("pregabalin", -30)], None, None),
        ([course("sertraline", -30), course("tramadol", -3)], "sertraline+tramadol", "high"),
        ([course("tramadol", -3), course("duloxetine", -30)], "duloxetine+tramadol", "high"),
        ([course("phenelzine", -30), course("trazodone", -3)], "phenelzine+trazodone", "critical"),
        ([course("sertraline", -30), course("trazodone", -3)], "sertraline+trazodone", "moderate"),
        (
            [course("trazodone", -30), course("cyclobenzaprine", -3)],
            "cyclobenzaprine+trazodone",
            "moderate",
        ),
        # three serotonergic drugs at moderate become major -> high
        (
            [course("sertraline", -30), course("trazodone", -3), course("mirtazapine", -3)],
            "mirtazapine+sertraline+trazodone",
            "high",
        ),
        # the same drug twice (dose change) is one drug
        ([course("sertraline", -60, -31), course("sertraline", -30)], None, None),
        # a course starting tomorrow does not count yet
        ([course("sertraline", -30), course("tramadol", 1)], None, None),
        # last day taken counts; a drug with no washout stops counting the day after
        ([course("sertraline", -30), course("tramadol", -10, 0)], "sertraline+tramadol", "high"),
        ([course("sertraline", -30), course("tramadol", -10, -1)], None, None),
        # washout: fluoxetine last taken on day -34 -> still counts today (day 34 after stop)
        (
            [course("fluoxetine", -300, -34), course("phenelzine", 0)],
            "fluoxetine+phenelzine",
            "critical",
        ),
        ([course("fluoxetine", -300, -35), course("phenelzine", 0)], None, None),
        # duloxetine washout 5 days
        ([course("duloxetine", -300, -4), course("tramadol", 0)], "duloxetine+tramadol", "high"),
        ([course("duloxetine", -300, -5), course("tramadol", 0)], None, None),
        # unknown free text is never a finding on its own
        ([course("sertraline", -30), course("Grandma's tea", -3)], None, None),
    ],
)
def test_combination(courses, key, severity):
    candidate = combination_candidate(snapshot(courses=courses))
    if key is None:
        assert candidate is None
        return
    assert candidate.dedupe_key == "serotonergic_combination:" + key
    assert candidate.severity == severity
    assert candidate.kind == "serotonergic_combination"
    assert candidate.evidence["hits"][0]["drugs"] == key.split("+")


def test_combination_reports_unknown_medicines_back():
    courses = (course("sertraline", -30), course("tramadol", -3), course("Grandma's tea", -3))
    candidate = combination_candidate(snapshot(courses=courses))
    assert candidate.evidence["hits"][0]["unknown"] == ["Grandma's tea"]
    assert "Grandma's tea" in candidate.explanation


def test_combination_evidence_identifies_the_counting_courses():
    courses = (course("sertraline", -60, -31), course("sertraline", -30), course("tramadol", -3))
    hit = combination_candidate(snapshot(courses=courses)).evidence["hits"][0]
    # The first sertraline course ended 31 days ago, past its 14-day washout: not listed.
    assert hit["items"] == [
        f"course:sertraline:{day(-30).isoformat()}",
        f"course:tramadol:{day(-3).isoformat()}",
    ]
    assert [f["rule"] for f in hit["findings"]] == ["strong_strong"]


def test_combination_wording():
    candidate = combination_candidate(
        snapshot(courses=(course("tramadol", -3), course("duloxetine", -30)))
    )
    assert candidate.patient_message.startswith(
        "Your care team has been told about a possible interaction between duloxetine and tramadol."
    )
    assert "stop" not in candidate.patient_message.lower()
    assert "FDA DSC 2016-03-22" in candidate.explanation
    three = combination_candidate(
        snapshot(
            courses=(course("sertraline", -3), course("trazodone", -3), course("mirtazapine", -3))
        )
    )
    assert "mirtazapine, sertraline and trazodone" in three.patient_message


def test_evaluate_returns_every_rule_once_per_key():
    snap = snapshot(
        entries=[
            EntryFacts(
                id=1,
                date=day(0),
                mood=1,
                self_harm_thoughts=True,
                serotonin_symptoms=("fever", "tremor", "confusion"),
            ),
        ],
        phq9=phq9((-14, 9), (0, 20, 1)),
        courses=(course("sertraline", -30), course("tramadol", -3)),
    )
    candidates = evaluate(snap)
    keys = [c.dedupe_key for c in candidates]
    assert sorted(keys) == [
        "mood_worsening",
        "serotonergic_combination:sertraline+tramadol",
        "serotonin_toxicity_symptoms:entry:1",
        "suicidal_ideation:entry:1",
        "suicidal_ideation:phq9:102",
    ]
    assert len(set(keys)) == len(keys)
    for candidate in candidates:
        assert "stop" not in candidate.patient_message.lower()
        assert candidate.rule_version >= 1
