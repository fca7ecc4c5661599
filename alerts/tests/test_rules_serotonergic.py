"""Combination alerts (docs/clinical-rules.md#combination-alerts). No database.

Most cases use hand-built findings (`Finding` with a mechanism) and hand-built drug facts, so
they test the alert rule, not the interaction engine's tables.
"""

from datetime import UTC, datetime, time, timedelta

import pytest

from alerts.rules import evaluate
from alerts.rules.evidence import Resolved, is_new_episode, merge_into_open
from alerts.rules.facts import EntryFacts
from alerts.rules.serotonergic import (
    combination_candidate,
    combination_candidates,
    courses_seen,
    evaluate_combinations,
    highest_severity,
    reexposed_courses,
    unchecked_text,
)
from alerts.tests.rule_builders import TODAY, course, day, phq9, snapshot
from core.timezones import local_date
from medications.black_box import DOSE_CHANGE_UNKNOWN, DOSE_DECREASE, DOSE_INCREASE
from medications.interactions import Assessment, CourseFacts, DrugFacts, Finding


def finding(drugs: str, severity: str, mechanism: str = "serotonergic", rule: str = "P10"):
    names = tuple(drugs.split("+"))
    return Finding(
        drugs=names,
        severity=severity,
        rule=rule,
        explanation=f"{' + '.join(names)}: {severity}. Source: a label.",
        patient_explanation="",
        mechanism=mechanism,
    )


def assessment(*findings: Finding, unknown: tuple[str, ...] = ()) -> Assessment:
    names = tuple(sorted({name for f in findings for name in f.drugs}))
    top = highest_severity(findings)
    return Assessment(severity=top, findings=tuple(findings), unknown=unknown, counted=names)


def facts(name: str, tier: str = "strong", *classes: str, **extra) -> DrugFacts:
    return DrugFacts(name=name, serotonergic=tier, classes=frozenset(classes), **extra)


def taken(drug: DrugFacts, started: int, stopped: int | None = None, **extra) -> CourseFacts:
    return CourseFacts(
        name=drug.name,
        drug=drug,
        started_on=day(started),
        stopped_on=None if stopped is None else day(stopped),
        **extra,
    )


SERTRALINE = facts("sertraline", "strong", "ssri")
TRAMADOL = facts("tramadol", "strong", "serotonergic_opioid")
TRAZODONE = facts("trazodone", "weak", "triazolopyridine")
PHENELZINE = facts("phenelzine", "maoi")
RASAGILINE = facts("rasagiline", "maob")
BUPROPION = facts("bupropion", "none", "hypertensive_with_maoi")
PSEUDOEPHEDRINE = facts("pseudoephedrine", "none", "decongestant", "hypertensive_with_maoi")
ONDANSETRON = facts("ondansetron", "weak", "setron")
ACETAMINOPHEN = facts("acetaminophen", "none")
ULTRACET = facts("ultracet", "none", ingredients=(TRAMADOL, ACETAMINOPHEN))
REGIMEN = (
    taken(SERTRALINE, -60),
    taken(TRAMADOL, -3),
    taken(TRAZODONE, -3),
    taken(PHENELZINE, -1),
    taken(RASAGILINE, -1),
    taken(BUPROPION, -5),
    taken(PSEUDOEPHEDRINE, -2),
    taken(ONDANSETRON, -2),
)


def kinds(*findings: Finding) -> dict[str, str]:
    """{alert kind: alert severity} of the candidates for these findings."""
    found = combination_candidates(assessment(*findings), REGIMEN, TODAY)
    return {c.kind: c.severity for c in found}


S, H = "serotonergic", "hypertensive"


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ((), {}),
        # severity mapping: contraindicated -> critical, major -> high, moderate -> moderate
        (
            (finding("phenelzine+sertraline", "contraindicated"),),
            {"serotonergic_combination": "critical"},
        ),
        ((finding("sertraline+tramadol", "major"),), {"serotonergic_combination": "high"}),
        ((finding("sertraline+trazodone", "moderate"),), {"serotonergic_combination": "moderate"}),
        # minor: listed on pages, never an alert
        ((finding("ondansetron+trazodone", "minor"),), {}),
        ((finding("rasagiline+trazodone", "minor"),), {}),
        # the highest finding of the mechanism decides
        (
            (
                finding("sertraline+trazodone", "moderate"),
                finding("ondansetron+trazodone", "minor"),
            ),
            {"serotonergic_combination": "moderate"},
        ),
        # the three-drug finding counts like any other serotonergic finding
        (
            (
                finding("ondansetron+sertraline+trazodone", "major", rule="three_or_more"),
                finding("sertraline+trazodone", "moderate"),
                finding("ondansetron+sertraline", "moderate"),
                finding("ondansetron+trazodone", "minor"),
            ),
            {"serotonergic_combination": "high"},
        ),
        # hypertensive findings raise the other kind only
        (
            (finding("bupropion+phenelzine", "contraindicated", H),),
            {"hypertensive_combination": "critical"},
        ),
        (
            (finding("pseudoephedrine+rasagiline", "moderate", H),),
            {"hypertensive_combination": "moderate"},
        ),
        (
            (finding("phenelzine+rasagiline", "contraindicated", H),),
            {"hypertensive_combination": "critical"},
        ),
        ((finding("pseudoephedrine+rasagiline", "minor", H),), {}),
        # both kinds from one assessment, each with its own severity
        (
            (
                finding("phenelzine+sertraline", "contraindicated", S),
                finding("pseudoephedrine+rasagiline", "moderate", H),
            ),
            {"serotonergic_combination": "critical", "hypertensive_combination": "moderate"},
        ),
        # a severe hypertensive finding does not raise the serotonergic severity
        (
            (
                finding("sertraline+trazodone", "moderate", S),
                finding("bupropion+phenelzine", "contraindicated", H),
            ),
            {"serotonergic_combination": "moderate", "hypertensive_combination": "critical"},
        ),
    ],
)
def test_candidates_by_mechanism(findings, expected):
    assert kinds(*findings) == expected


def test_one_key_per_kind_whatever_the_set():
    pair = combination_candidates(
        assessment(finding("sertraline+tramadol", "major")), REGIMEN, TODAY
    )
    triple = combination_candidates(
        assessment(
            finding("sertraline+tramadol", "major"),
            finding("sertraline+trazodone", "moderate"),
            finding("tramadol+trazodone", "moderate"),
        ),
        REGIMEN,
        TODAY,
    )
    assert [c.dedupe_key for c in pair] == ["serotonergic_combination"]
    assert [c.dedupe_key for c in triple] == ["serotonergic_combination"]
    pair_hit, triple_hit = pair[0].evidence["hits"][0], triple[0].evidence["hits"][0]
    assert pair_hit["items"] == ["set:sertraline+tramadol"]
    assert triple_hit["items"] == ["set:sertraline+tramadol+trazodone"]
    assert triple_hit["drugs"] == ["sertraline", "tramadol", "trazodone"]
    assert [c["drug"] for c in triple_hit["courses"]] == ["sertraline", "tramadol", "trazodone"]
    assert triple[0].title == "Serotonergic combination: sertraline + tramadol + trazodone"


def test_evidence_lists_findings_and_courses_without_rule_ids():
    (candidate,) = combination_candidates(
        assessment(
            finding("rasagiline+sertraline", "moderate", rule="P7"),
            finding("rasagiline+trazodone", "minor", rule="P9"),
        ),
        REGIMEN,
        TODAY,
    )
    hit = candidate.evidence["hits"][0]
    assert [f["severity"] for f in hit["findings"]] == ["moderate", "minor"]
    assert all("rule" not in f for f in hit["findings"])
    assert hit["courses"][0] == {
        "drug": "rasagiline",
        "name": "rasagiline",
        "started_on": day(-1).isoformat(),
        "stopped_on": None,
        "dose_change": None,
        "recorded_at": None,
    }
    text = " ".join([candidate.title, candidate.explanation, candidate.patient_message])
    for rule_id in ("P7", "P9", "P10", "three_or_more", "CLINICAL"):
        assert rule_id not in text
    assert "Source: a label." in candidate.explanation
    assert "Minor (worth discussing, no alert on its own)" in candidate.explanation


def test_hypertensive_wording():
    (candidate,) = combination_candidates(
        assessment(finding("bupropion+phenelzine", "contraindicated", H)), REGIMEN, TODAY
    )
    assert candidate.kind == candidate.dedupe_key == "hypertensive_combination"
    assert candidate.title == "Hypertensive combination: bupropion + phenelzine"
    assert "blood pressure" in candidate.explanation
    assert candidate.patient_message.startswith(
        "Your care team has been told about a possible interaction between bupropion and "
        "phenelzine that can raise blood pressure."
    )
    assert "stop" not in candidate.patient_message.lower()
    assert [c.drug.name for c in candidate.courses] == ["bupropion", "phenelzine"]


def test_a_combination_product_course_stands_for_its_ingredient():
    courses = (taken(SERTRALINE, -60), taken(ULTRACET, -2))
    (candidate,) = combination_candidates(
        assessment(finding("sertraline+tramadol", "major")), courses, TODAY
    )
    rows = candidate.evidence["hits"][0]["courses"]
    assert [(r["drug"], r["name"]) for r in rows] == [
        ("sertraline", "sertraline"),
        ("tramadol", "ultracet"),
    ]
    assert candidate.courses == courses


def test_unknown_medicines_are_named_but_never_alert_alone():
    unknown = ("Grandma's tea", "Zz")
    assert combination_candidates(assessment(unknown=unknown), REGIMEN, TODAY) == []
    (candidate,) = combination_candidates(
        assessment(finding("sertraline+tramadol", "major"), unknown=unknown), REGIMEN, TODAY
    )
    assert "2 medicines could not be checked: Grandma's tea, Zz." in candidate.explanation
    assert candidate.evidence["hits"][0]["unknown"] == list(unknown)


@pytest.mark.parametrize(
    ("names", "text"),
    [
        ((), ""),
        (("Grandma's tea",), "1 medicine could not be checked: Grandma's tea."),
        (("a", "b"), "2 medicines could not be checked: a, b."),
    ],
)
def test_unchecked_text(names, text):
    assert unchecked_text(names) == text


def test_only_courses_that_count_today_are_listed():
    courses = (
        taken(SERTRALINE, -90, -40),  # stopped long ago (no washout in these facts)
        taken(SERTRALINE, -39),
        taken(TRAMADOL, -3),
        taken(TRAMADOL, 1),  # starts tomorrow
    )
    candidate = combination_candidate(
        assessment(finding("sertraline+tramadol", "major")), courses, TODAY, "serotonergic"
    )
    assert [(c.drug.name, c.started_on) for c in candidate.courses] == [
        ("sertraline", day(-39)),
        ("tramadol", day(-3)),
    ]


# --- With the catalog and the interaction engine (rows whose answer v1 and v2 agree on) ---


@pytest.mark.parametrize(
    ("courses", "drugs", "severity"),
    [
        ([], None, None),
        ([course("sertraline", -30)], None, None),
        ([course("sertraline", -30), course("pregabalin", -30)], None, None),
        ([course("sertraline", -30), course("tramadol", -3)], "sertraline+tramadol", "high"),
        ([course("tramadol", -3), course("duloxetine", -30)], "duloxetine+tramadol", "high"),
        ([course("phenelzine", -30), course("trazodone", -3)], "phenelzine+trazodone", "critical"),
        ([course("sertraline", -30), course("trazodone", -3)], "sertraline+trazodone", "moderate"),
        (
            [course("sertraline", -30), course("trazodone", -3), course("mirtazapine", -3)],
            "mirtazapine+sertraline+trazodone",
            "high",
        ),
        ([course("sertraline", -60, -31), course("sertraline", -30)], None, None),
        ([course("sertraline", -30), course("tramadol", 1)], None, None),
        ([course("sertraline", -30), course("tramadol", -10, 0)], "sertraline+tramadol", "high"),
        ([course("sertraline", -30), course("tramadol", -10, -1)], None, None),
        (
            [course("fluoxetine", -300, -34), course("phenelzine", 0)],
            "fluoxetine+phenelzine",
            "critical",
        ),
        ([course("fluoxetine", -300, -35), course("phenelzine", 0)], None, None),
        ([course("sertraline", -30), course("Grandma's tea", -3)], None, None),
    ],
)
def test_combination_with_the_engine(courses, drugs, severity):
    candidates = evaluate_combinations(snapshot(courses=courses))
    if drugs is None:
        assert candidates == []
        return
    (candidate,) = candidates
    assert candidate.dedupe_key == candidate.kind == "serotonergic_combination"
    assert candidate.severity == severity
    assert candidate.evidence["hits"][0]["drugs"] == drugs.split("+")


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
        "serotonergic_combination",
        "serotonin_toxicity_symptoms:entry:1",
        "suicidal_ideation:entry:1",
        "suicidal_ideation:phq9:102",
    ]
    for candidate in candidates:
        assert "stop" not in candidate.patient_message.lower()


# --- Growth of the open alert (alerts.rules.evidence) ---


def _candidate(*findings: Finding):
    return combination_candidate(assessment(*findings), REGIMEN, TODAY, "serotonergic")


PAIR = (finding("sertraline+trazodone", "moderate"),)
TRIPLE = (
    finding("sertraline+tramadol", "major"),
    finding("sertraline+trazodone", "moderate"),
    finding("tramadol+trazodone", "moderate"),
)


def _stored(candidate) -> dict:
    return {"evidence": candidate.evidence}


def test_a_drug_joining_the_set_is_new_evidence_and_escalates_when_worse():
    pair = _candidate(*PAIR)
    merge = merge_into_open(_candidate(*TRIPLE), severity="moderate", details=_stored(pair))
    assert merge.escalate
    assert [h["items"] for h in merge.details["evidence"]["hits"]] == [
        ["set:sertraline+tramadol+trazodone"],
        ["set:sertraline+trazodone"],
    ]
    assert merge.details["evidence"]["current"]["drugs"] == ["sertraline", "tramadol", "trazodone"]


def test_a_drug_joining_without_a_higher_severity_adds_evidence_only():
    pair = _candidate(finding("sertraline+tramadol", "major"))
    merge = merge_into_open(_candidate(*TRIPLE), severity="high", details=_stored(pair))
    assert not merge.escalate
    assert [h["items"] for h in merge.new_hits] == [["set:sertraline+tramadol+trazodone"]]
    assert len(merge.details["evidence"]["hits"]) == 2


def test_a_smaller_set_changes_nothing():
    triple = _candidate(*TRIPLE)
    pair = _candidate(finding("sertraline+tramadol", "major"))
    assert merge_into_open(pair, severity="high", details=_stored(triple)).details is None


def test_the_same_set_again_changes_nothing():
    pair = _candidate(*PAIR)
    assert (
        merge_into_open(_candidate(*PAIR), severity="moderate", details=_stored(pair)).details
        is None
    )


# --- Re-exposure after a resolved alert ---

RESOLVED_AT = datetime.combine(TODAY, time(15, 0), tzinfo=UTC)
BEFORE, AFTER = RESOLVED_AT - timedelta(hours=1), RESOLVED_AT + timedelta(hours=1)


@pytest.mark.parametrize(
    ("course_facts", "new"),
    [
        # a restart after the resolution
        (taken(TRAMADOL, 1, recorded_at=AFTER), True),
        # started before the resolution but recorded after it
        (taken(TRAMADOL, -10, recorded_at=AFTER), True),
        # started on the day of the resolution, recorded before it, not in the resolved alert
        (taken(TRAMADOL, 0, recorded_at=BEFORE), True),
        # ... but the resolved alert already listed it: the clinician knew
        (taken(SERTRALINE, -60, recorded_at=BEFORE), False),
        # started the day before, recorded before: an unchanged regimen
        (taken(TRAMADOL, -1, recorded_at=BEFORE), False),
        (taken(TRAMADOL, -1), False),  # recorded_at unknown: long ago
        # dose changes: an increase (or a change of unknown direction) is new, a decrease is not
        (taken(TRAMADOL, 0, recorded_at=AFTER, dose_change=DOSE_INCREASE), True),
        (taken(TRAMADOL, 0, recorded_at=AFTER, dose_change=DOSE_CHANGE_UNKNOWN), True),
        (taken(TRAMADOL, -5, recorded_at=AFTER, dose_change=DOSE_INCREASE), True),
        (taken(TRAMADOL, 0, recorded_at=AFTER, dose_change=DOSE_DECREASE), False),
        (taken(TRAMADOL, 2, recorded_at=AFTER, dose_change=DOSE_DECREASE), False),
        (taken(TRAMADOL, -1, recorded_at=BEFORE, dose_change=DOSE_INCREASE), False),
        # an ingredient of a combination product restarted
        (taken(ULTRACET, 0, recorded_at=AFTER), True),
    ],
)
def test_reexposure(course_facts, new):
    seen = {f"sertraline:{day(-60).isoformat()}"}
    found = reexposed_courses([course_facts], resolved_at=RESOLVED_AT, resolved_on=TODAY, seen=seen)
    assert bool(found) is new


@pytest.mark.parametrize(
    ("tz", "resolved_at", "local_day"),
    [
        # UTC+14: 11:00 UTC on the 15th is 01:00 on the 16th there
        ("Pacific/Kiritimati", datetime(2026, 6, 15, 11, 0, tzinfo=UTC), TODAY + timedelta(days=1)),
        # UTC-11: 05:00 UTC on the 15th is 18:00 on the 14th there
        ("Pacific/Pago_Pago", datetime(2026, 6, 15, 5, 0, tzinfo=UTC), TODAY - timedelta(days=1)),
    ],
)
def test_reexposure_uses_the_patients_day_of_the_resolution(tz, resolved_at, local_day):
    resolved_on = local_date(resolved_at, tz)
    assert resolved_on == local_day
    before = resolved_at - timedelta(minutes=30)
    on_the_day = CourseFacts("tramadol", TRAMADOL, started_on=local_day, recorded_at=before)
    day_before = CourseFacts(
        "tramadol", TRAMADOL, started_on=local_day - timedelta(days=1), recorded_at=before
    )
    kwargs = {"resolved_at": resolved_at, "resolved_on": resolved_on}
    assert reexposed_courses([on_the_day], **kwargs) == [on_the_day]
    assert reexposed_courses([day_before], **kwargs) == []


def _resolved(candidate, severity: str, resolved_at=RESOLVED_AT) -> Resolved:
    return Resolved(
        severity=severity,
        details=_stored(candidate),
        resolved_at=resolved_at,
        resolved_on=resolved_at.date(),
    )


def test_after_resolution_an_unchanged_or_smaller_set_raises_nothing():
    triple = combination_candidate(
        assessment(*TRIPLE),
        (taken(SERTRALINE, -60), taken(TRAMADOL, -3), taken(TRAZODONE, -3)),
        TODAY,
        "serotonergic",
    )
    resolved = [_resolved(triple, "high")]
    assert courses_seen([resolved[0].details]) == {
        f"sertraline:{day(-60).isoformat()}",
        f"tramadol:{day(-3).isoformat()}",
        f"trazodone:{day(-3).isoformat()}",
    }
    assert not is_new_episode(triple, resolved)
    smaller = combination_candidate(
        assessment(finding("sertraline+tramadol", "major")),
        (taken(SERTRALINE, -60), taken(TRAMADOL, -3)),
        TODAY,
        "serotonergic",
    )
    assert not is_new_episode(smaller, resolved)


def test_after_resolution_a_restart_or_a_higher_severity_raises_a_new_alert():
    courses = (taken(SERTRALINE, -60), taken(TRAMADOL, -3))
    pair = combination_candidate(
        assessment(finding("sertraline+tramadol", "major")), courses, TODAY, "serotonergic"
    )
    resolved = [_resolved(pair, "high", resolved_at=RESOLVED_AT - timedelta(days=2))]
    restarted = combination_candidate(
        assessment(finding("sertraline+tramadol", "major")),
        (taken(SERTRALINE, -60), taken(TRAMADOL, 0, recorded_at=RESOLVED_AT)),
        TODAY,
        "serotonergic",
    )
    assert is_new_episode(restarted, resolved)
    worse = combination_candidate(
        assessment(finding("phenelzine+sertraline", "contraindicated")),
        (taken(SERTRALINE, -60), taken(PHENELZINE, -10)),
        TODAY,
        "serotonergic",
    )
    resolved_recently = [_resolved(pair, "high")]
    assert is_new_episode(worse, resolved_recently)
    # the latest resolution counts: an older one does not make the restart new again
    resolutions = [
        _resolved(pair, "high", resolved_at=RESOLVED_AT - timedelta(days=30)),
        _resolved(restarted, "high", resolved_at=RESOLVED_AT + timedelta(hours=2)),
    ]
    assert not is_new_episode(restarted, resolutions)


# --- Through the v2 engine with hand-built drug facts (tiers and classes as in the catalog) ---

MIRTAZAPINE = facts("mirtazapine", "weak", "tetracyclic")


@pytest.mark.parametrize(
    ("drugs", "expected"),
    [
        # an MAOI with bupropion: contraindicated, blood pressure (P4)
        ((PHENELZINE, BUPROPION), {"hypertensive_combination": "critical"}),
        # MAO-B with a decongestant: moderate, blood pressure
        ((RASAGILINE, PSEUDOEPHEDRINE), {"hypertensive_combination": "moderate"}),
        # two MAO-B inhibitors: contraindicated, blood pressure
        ((RASAGILINE, facts("safinamide", "maob")), {"hypertensive_combination": "critical"}),
        # MAO-B with a weak drug: minor, no alert
        ((RASAGILINE, ONDANSETRON), {}),
        # weak + weak: minor, no alert; three weak drugs: moderate
        ((TRAZODONE, MIRTAZAPINE), {}),
        ((TRAZODONE, MIRTAZAPINE, ONDANSETRON), {"serotonergic_combination": "moderate"}),
        # one regimen, both kinds
        (
            (PHENELZINE, SERTRALINE, BUPROPION),
            {"serotonergic_combination": "critical", "hypertensive_combination": "critical"},
        ),
    ],
)
def test_with_the_v2_engine(drugs, expected):
    courses = tuple(taken(drug, -10) for drug in drugs)
    found = evaluate_combinations(snapshot(courses=courses))
    assert {c.kind: c.severity for c in found} == expected
    for candidate in found:
        assert candidate.dedupe_key == candidate.kind
        assert not any(f"P{n}" in candidate.explanation for n in range(1, 14))
