"""Pair rules, three-drug rule, washouts and combination products of version 2
(docs/clinical-rules.md#pair-rules), against drug facts built here.

The facts are built directly with their tiers and classes, not read from the catalog data (which
changes independently): each row says exactly which tier and classes it relies on.
"""

import re
from datetime import date, timedelta

import pytest

from medications.black_box import black_box_events, black_box_window_open
from medications.interactions import (
    PAIR_RULES,
    SEVERITY_ORDER,
    SEVERITY_TO_ALERT,
    CourseFacts,
    DrugFacts,
    assess,
    assess_current,
    course_counts_on,
    ingredient_order,
    match_pair,
)

T = date(2026, 11, 27)


def facts(name, tier, washout=0, *classes, warning="", ingredients=()):
    return DrugFacts(
        name=name,
        serotonergic=tier,
        washout_days=washout,
        suicidality_warning=warning,
        classes=frozenset(classes),
        ingredients=tuple(ingredients),
    )


DRUGS = {
    d.name: d
    for d in (
        facts("phenelzine", "maoi", 14, warning="boxed"),
        facts("isocarboxazid", "maoi", 14, warning="boxed"),
        facts("linezolid", "maoi", 1, "maoi_antimicrobial"),
        facts("methylene blue", "maoi", 1, "maoi_antimicrobial"),
        facts("tedizolid", "none"),
        facts("rasagiline", "maob", 14),
        facts("safinamide", "maob", 14),
        facts("sertraline", "strong", 14, "ssri", warning="boxed"),
        facts("fluoxetine", "strong", 35, "ssri", warning="boxed"),
        facts("duloxetine", "strong", 5, "snri", warning="boxed"),
        facts("clomipramine", "strong", 14, "tca", warning="boxed"),
        facts("5-htp", "strong"),
        facts("tramadol", "strong", 0, "serotonergic_opioid"),
        facts("dextromethorphan", "strong", 0, "serotonergic_opioid"),
        facts("st john's wort", "strong", 0, "st_johns_wort"),
        facts("amphetamine", "strong", 0, "stimulant", "hypertensive_with_maoi"),
        facts("amitriptyline", "weak", 14, "tca", warning="boxed"),
        facts("mirtazapine", "weak", 14, "tetracyclic", warning="boxed"),
        facts("trazodone", "weak", 14, "triazolopyridine", warning="boxed"),
        facts("cyclobenzaprine", "weak", 0, "cyclobenzaprine"),
        facts("sumatriptan", "weak", 0, "triptan"),
        facts("ondansetron", "weak", 0, "setron"),
        facts("lithium", "weak"),
        facts("fentanyl", "weak"),
        # Tier "none": only their classes bring them into a rule (docs/clinical-rules.md).
        facts("bupropion", "none", 14, "hypertensive_with_maoi", warning="boxed"),
        facts("atomoxetine", "none", 0, "hypertensive_with_maoi"),
        facts("carbamazepine", "none", 0, "hypertensive_with_maoi"),
        facts("methylphenidate", "none", 0, "stimulant", "hypertensive_with_maoi"),
        # a decongestant whose data lists only its class: still hypertensive with an MAOI
        facts("pseudoephedrine", "none", 0, "decongestant"),
        facts("pregabalin", "none", warning="warning"),
        facts("acetaminophen", "none"),
        facts("olanzapine", "none"),
        facts("quinidine", "none"),
    )
}
D = DRUGS
PRODUCTS = {
    "ultracet": facts("ultracet", "none", ingredients=(D["tramadol"], D["acetaminophen"])),
    "symbyax": facts("symbyax", "none", ingredients=(D["olanzapine"], D["fluoxetine"])),
    "auvelity": facts("auvelity", "none", ingredients=(D["bupropion"], D["dextromethorphan"])),
}


def course(name, started_on=None, stopped_on=None, *, typed=None):
    drug = DRUGS.get(name) or PRODUCTS.get(name)
    return CourseFacts(
        name=typed or name,
        drug=drug,
        started_on=started_on or T - timedelta(days=30),
        stopped_on=stopped_on,
    )


def days(n):
    return T + timedelta(days=n)


S, H = "serotonergic", "hypertensive"

# (a, b, severity, mechanism, rule): every row of the table, first match wins.
PAIR_CASES = [
    # P1 maoi + maoi / maob / strong
    ("phenelzine", "isocarboxazid", "contraindicated", S, "maoi_combination"),
    ("phenelzine", "rasagiline", "contraindicated", S, "maoi_combination"),
    ("phenelzine", "sertraline", "contraindicated", S, "maoi_combination"),
    ("linezolid", "sertraline", "contraindicated", S, "maoi_combination"),
    ("methylene blue", "duloxetine", "contraindicated", S, "maoi_combination"),
    ("linezolid", "rasagiline", "contraindicated", S, "maoi_combination"),
    # a strong stimulant with an MAOI: P1 comes before P4
    ("phenelzine", "amphetamine", "contraindicated", S, "maoi_combination"),
    # P2 maoi (not an antimicrobial) + weak
    ("phenelzine", "sumatriptan", "contraindicated", S, "maoi_weak"),
    ("isocarboxazid", "amitriptyline", "contraindicated", S, "maoi_weak"),
    # P3 maoi_antimicrobial + weak: major, not P2's contraindicated
    ("linezolid", "sumatriptan", "major", S, "maoi_antimicrobial_weak"),
    ("methylene blue", "ondansetron", "major", S, "maoi_antimicrobial_weak"),
    # P4 maoi + hypertensive_with_maoi (tier "none" drugs)
    ("phenelzine", "bupropion", "contraindicated", H, "maoi_hypertensive"),
    ("phenelzine", "atomoxetine", "contraindicated", H, "maoi_hypertensive"),
    ("phenelzine", "carbamazepine", "contraindicated", H, "maoi_hypertensive"),
    ("phenelzine", "methylphenidate", "contraindicated", H, "maoi_hypertensive"),
    ("phenelzine", "pseudoephedrine", "contraindicated", H, "maoi_hypertensive"),
    ("linezolid", "pseudoephedrine", "contraindicated", H, "maoi_hypertensive"),
    # P5 maob + maob
    ("rasagiline", "safinamide", "contraindicated", H, "maob_maob"),
    # P6 maob + stimulant (hypertensive) or an SNRI, TCA, ... (serotonergic)
    ("rasagiline", "methylphenidate", "contraindicated", H, "maob_stimulant"),
    ("safinamide", "amphetamine", "contraindicated", H, "maob_stimulant"),
    ("rasagiline", "duloxetine", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "clomipramine", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "amitriptyline", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "mirtazapine", "contraindicated", S, "maob_contraindicated"),
    ("safinamide", "trazodone", "contraindicated", S, "maob_contraindicated"),
    ("safinamide", "tramadol", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "dextromethorphan", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "cyclobenzaprine", "contraindicated", S, "maob_contraindicated"),
    ("rasagiline", "st john's wort", "contraindicated", S, "maob_contraindicated"),
    # P7 maob + SSRI or other strong
    ("rasagiline", "sertraline", "moderate", S, "maob_strong"),
    ("safinamide", "fluoxetine", "moderate", S, "maob_strong"),
    ("rasagiline", "5-htp", "moderate", S, "maob_strong"),
    # P8 maob + decongestant
    ("rasagiline", "pseudoephedrine", "moderate", H, "maob_decongestant"),
    # P9 maob + other weak
    ("rasagiline", "sumatriptan", "minor", S, "maob_weak"),
    ("safinamide", "ondansetron", "minor", S, "maob_weak"),
    ("rasagiline", "lithium", "minor", S, "maob_weak"),
    ("rasagiline", "fentanyl", "minor", S, "maob_weak"),
    # P10 strong + strong
    ("sertraline", "tramadol", "major", S, "strong_strong"),
    ("sertraline", "fluoxetine", "major", S, "strong_strong"),
    ("amphetamine", "duloxetine", "major", S, "strong_strong"),
    # P11 strong + weak
    ("sertraline", "sumatriptan", "moderate", S, "strong_weak"),
    ("tramadol", "lithium", "moderate", S, "strong_weak"),
    # P12 weak + weak (v2: minor, Gillman)
    ("sumatriptan", "ondansetron", "minor", S, "weak_weak"),
    ("cyclobenzaprine", "mirtazapine", "minor", S, "weak_weak"),
    # P13 anything else
    ("sertraline", "pregabalin", "none", None, None),
    ("phenelzine", "pregabalin", "none", None, None),
    ("phenelzine", "tedizolid", "none", None, None),
    ("rasagiline", "bupropion", "none", None, None),
    ("rasagiline", "atomoxetine", "none", None, None),
    ("sertraline", "pseudoephedrine", "none", None, None),
    ("amphetamine", "pseudoephedrine", "none", None, None),
    ("bupropion", "pseudoephedrine", "none", None, None),
    ("tedizolid", "pseudoephedrine", "none", None, None),
    ("sumatriptan", "acetaminophen", "none", None, None),
]

RULE_ID = re.compile(r"\b[PMS]\d+\b")


@pytest.mark.parametrize(("a", "b", "severity", "mechanism", "rule"), PAIR_CASES)
@pytest.mark.parametrize("reverse", [False, True], ids=["a+b", "b+a"])
def test_every_pair_row_in_both_orders(a, b, severity, mechanism, rule, reverse):
    courses = [course(a), course(b)]
    if reverse:
        courses.reverse()

    result = assess(courses, T)

    assert result.severity == severity
    if rule is None:
        assert result.findings == ()
    else:
        (finding,) = result.findings
        assert (finding.severity, finding.mechanism, finding.rule) == (severity, mechanism, rule)
        assert finding.drugs == tuple(sorted((a, b)))
        assert not RULE_ID.search(finding.explanation)
        assert not RULE_ID.search(finding.patient_explanation)
        assert "Source: " in finding.explanation
        assert "stop" not in finding.patient_explanation.lower()
    drugs = [D[b], D[a]] if reverse else [D[a], D[b]]
    assert assess_current(drugs) == result


def test_the_table_covers_every_row_and_keeps_its_order():
    codes = [rule.code for rule in PAIR_RULES]
    assert codes == ["P1", "P2", "P3", "P4", "P5", "P6", "P6", "P7", "P8", "P9", "P10", "P11",
                     "P12"]  # fmt: skip
    covered = {rule for *_, rule in PAIR_CASES if rule}
    assert covered == {rule.name for rule in PAIR_RULES}


def test_match_pair_names_the_drugs_in_the_rows_order():
    rule, first, second = match_pair(D["sumatriptan"], D["linezolid"])
    assert (rule.code, first.name, second.name) == ("P3", "linezolid", "sumatriptan")
    assert match_pair(D["pregabalin"], D["sertraline"]) is None


@pytest.mark.parametrize(
    ("names", "severity", "expected"),
    [
        # first match: an antimicrobial MAOI with a weak drug is P3 (major), not P2
        (["linezolid", "sumatriptan"], "major", [("maoi_antimicrobial_weak", "major", S)]),
        # an MAO-B inhibitor is not phenelzine: with an SSRI, moderate
        (["rasagiline", "sertraline"], "moderate", [("maob_strong", "moderate", S)]),
        # ... with an SSRI and a decongestant: two findings of two mechanisms, no three-drug
        # rule (pseudoephedrine's tier is "none")
        (
            ["rasagiline", "sertraline", "pseudoephedrine"],
            "moderate",
            [("maob_decongestant", "moderate", H), ("maob_strong", "moderate", S)],
        ),
        # a combination of both mechanisms, the most severe first
        (
            ["phenelzine", "bupropion", "sumatriptan"],
            "contraindicated",
            [("maoi_hypertensive", "contraindicated", H), ("maoi_weak", "contraindicated", S)],
        ),
    ],
)
def test_first_matching_row_wins(names, severity, expected):
    result = assess([course(name) for name in names], T)
    assert result.severity == severity
    assert [(f.rule, f.severity, f.mechanism) for f in result.findings] == expected


def test_a_none_tier_drug_with_a_rule_class_takes_part_but_is_not_counted_as_serotonergic():
    result = assess([course("phenelzine"), course("bupropion"), course("pregabalin")], T)
    assert [f.drugs for f in result.findings] == [("bupropion", "phenelzine")]
    # `counted` lists serotonergic drugs only (the Hunter tool reads it as "one is present").
    assert result.counted == ("phenelzine",)
    assert assess([course("bupropion"), course("pseudoephedrine")], T).counted == ()
    assert assess_current([D["phenelzine"], D["bupropion"]]).counted == ("phenelzine",)


# --- three-drug rule, version 2 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "severity", "extra"),
    [
        # three weak: every pair minor -> overall moderate (v2; was major in v1)
        (["sumatriptan", "ondansetron", "cyclobenzaprine"], "moderate", "moderate"),
        (["sumatriptan", "ondansetron", "cyclobenzaprine", "lithium"], "moderate", "moderate"),
        # two weak + a tier-"none" drug with only a blood-pressure class: stays minor
        (["sumatriptan", "ondansetron", "bupropion"], "minor", None),
        (["sumatriptan", "ondansetron", "pseudoephedrine"], "minor", None),
        (["sumatriptan", "ondansetron", "pregabalin"], "minor", None),
        # strong + two weak: moderate -> major (a strong drug is among them)
        (["sertraline", "sumatriptan", "ondansetron"], "major", "major"),
        # MAO-B + two weak: all minor -> moderate (one step only)
        (["rasagiline", "sumatriptan", "ondansetron"], "moderate", "moderate"),
        # MAO-B + SSRI + weak: moderate -> major (an MAO-B inhibitor is among them)
        (["rasagiline", "sertraline", "sumatriptan"], "major", "major"),
        # MAO-B + SSRI + decongestant: only two count (pseudoephedrine's tier is "none")
        (["rasagiline", "sertraline", "pseudoephedrine"], "moderate", None),
        # already major or above: no extra finding
        (["sertraline", "tramadol", "sumatriptan"], "major", None),
        (["phenelzine", "sumatriptan", "ondansetron"], "contraindicated", None),
        # strong + weak + none: two count
        (["sertraline", "sumatriptan", "pregabalin"], "moderate", None),
        # only the serotonergic findings are raised: a blood-pressure moderate beside a
        # serotonergic minor of three weak-ish drugs gives a serotonergic moderate, not major
        (
            ["rasagiline", "sumatriptan", "ondansetron", "pseudoephedrine"],
            "moderate",
            "moderate",
        ),
        # the same drug twice is one drug: two count
        (["sumatriptan", "sumatriptan", "ondansetron"], "minor", None),
    ],
)
def test_three_drug_rule_v2(names, severity, extra):
    result = assess([course(name) for name in names], T)

    assert result.severity == severity
    extras = [f for f in result.findings if f.rule == "three_or_more"]
    if extra is None:
        assert extras == []
    else:
        (finding,) = extras
        assert finding.severity == extra
        assert finding.mechanism == "serotonergic"
        serotonergic = sorted({n for n in names if D[n].serotonergic != "none"})
        assert finding.drugs == tuple(serotonergic)
        assert ("minor to moderate" if extra == "moderate" else "moderate to major") in (
            finding.explanation
        )
        assert result.findings[0] == finding or result.findings[0].severity != extra
    ranks = [SEVERITY_ORDER.index(f.severity) for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)


# --- washouts of version 2 at their boundaries ------------------------------------------------


@pytest.mark.parametrize(
    ("stopped", "partner", "severity"),
    [
        ("amitriptyline", "phenelzine", "contraindicated"),
        ("mirtazapine", "phenelzine", "contraindicated"),
        ("trazodone", "phenelzine", "contraindicated"),
        ("bupropion", "phenelzine", "contraindicated"),
        ("rasagiline", "sertraline", "moderate"),
        ("safinamide", "duloxetine", "contraindicated"),
        ("phenelzine", "bupropion", "contraindicated"),
    ],
)
@pytest.mark.parametrize(("day", "counts"), [(0, True), (13, True), (14, False), (15, False)])
def test_fourteen_day_washouts_end_on_day_14(stopped, partner, severity, day, counts):
    """Last taken on day 0: counts through day 13, no longer on day 14."""
    day0 = date(2026, 10, 1)
    on = day0 + timedelta(days=day)
    stopped_course = course(stopped, started_on=date(2026, 1, 1), stopped_on=day0)
    courses = [stopped_course, course(partner, started_on=on)]

    assert course_counts_on(stopped_course, on) is counts
    assert assess(courses, on).severity == (severity if counts else "none")


def test_a_washout_tail_note_names_the_last_counting_day():
    courses = [
        course("mirtazapine", started_on=date(2026, 1, 1), stopped_on=date(2026, 11, 20)),
        course("phenelzine", started_on=T),
    ]
    (finding,) = assess(courses, T).findings
    assert "mirtazapine stopped 2026-11-20; its 14-day washout runs to 2026-12-03" in (
        finding.explanation
    )


# --- combination products ----------------------------------------------------------------------


def test_a_product_counts_each_ingredient_and_findings_name_the_ingredient():
    result = assess([course("ultracet", typed="Ultracet"), course("sertraline")], T)

    (finding,) = result.findings
    assert (result.severity, finding.rule) == ("major", "strong_strong")
    assert finding.drugs == ("sertraline", "tramadol")
    assert "ultracet" not in finding.explanation.lower()
    assert result.counted == ("sertraline", "tramadol")
    assert result.unknown == ()


def test_a_product_and_its_own_ingredient_are_one_drug():
    result = assess([course("ultracet"), course("tramadol", typed="Ultram")], T)
    assert (result.severity, result.findings, result.counted) == ("none", (), ("tramadol",))
    assert assess_current([PRODUCTS["ultracet"], D["tramadol"]]) == result


def test_a_product_with_two_dangerous_ingredients_gives_both_findings():
    result = assess([course("auvelity"), course("phenelzine")], T)
    assert [(f.drugs, f.mechanism) for f in result.findings] == [
        (("bupropion", "phenelzine"), "hypertensive"),
        (("dextromethorphan", "phenelzine"), "serotonergic"),
    ]
    assert result.severity == "contraindicated"


def test_each_ingredient_keeps_its_own_washout():
    # Symbyax last taken 20 days ago: fluoxetine (35 days) still counts, olanzapine never did.
    product = course("symbyax", started_on=days(-100), stopped_on=days(-20))
    result = assess([product, course("phenelzine", started_on=T)], T)
    (finding,) = result.findings
    assert finding.drugs == ("fluoxetine", "phenelzine")
    assert "fluoxetine stopped" in finding.explanation
    assert course_counts_on(product, T)
    assert not course_counts_on(product, days(15))


def test_a_product_counts_its_ingredients_suicidality_warnings():
    product = course("symbyax", started_on=days(-10))
    assert black_box_window_open([product], T)
    assert [event.drug for event in black_box_events([product], T)] == ["fluoxetine"]
    assert not black_box_window_open([course("ultracet", started_on=days(-10))], T)


def test_unknown_names_are_reported_beside_findings():
    courses = [
        course("ultracet"),
        course("sertraline"),
        CourseFacts(name="Kratom", drug=None, started_on=days(-3)),
        CourseFacts(name="kratom ", drug=None, started_on=days(-2)),
    ]
    result = assess(courses, T)
    assert result.unknown == ("Kratom",)
    assert result.severity == "major"


# --- wording -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(a, b) for a, b, sev, *_ in PAIR_CASES if sev == "minor"])
def test_minor_findings_are_worth_mentioning_not_alarming(a, b):
    (finding,) = assess([course(a), course(b)], T).findings
    text = finding.patient_explanation
    assert "worth mentioning to your clinician" in text
    assert "serious" not in text and "syndrome" not in text and "dangerous" not in text


@pytest.mark.parametrize(("a", "b"), [(a, b) for a, b, _, mech, _ in PAIR_CASES if mech == H])
def test_hypertensive_findings_speak_of_blood_pressure(a, b):
    (finding,) = assess([course(a), course(b)], T).findings
    assert "blood pressure" in finding.patient_explanation
    assert "serotonin" not in finding.patient_explanation
    assert "hypertensive" in finding.explanation or "blood pressure" in finding.explanation


@pytest.mark.parametrize(
    ("a", "b", "source"),
    [
        ("rasagiline", "sertraline", "Aboukarr & Giudice, Can J Hosp Pharm 2018"),
        ("rasagiline", "sertraline", "Azilect (rasagiline) label"),
        ("safinamide", "duloxetine", "Xadago (safinamide) label"),
        ("phenelzine", "bupropion", "bupropion label"),
        ("phenelzine", "atomoxetine", "atomoxetine label"),
        ("phenelzine", "methylphenidate", "methylphenidate label"),
        ("phenelzine", "carbamazepine", "carbamazepine label"),
        ("phenelzine", "pseudoephedrine", "decongestant labels"),
        ("linezolid", "sumatriptan", "FDA DSC 2011-10-20"),
        ("sumatriptan", "ondansetron", "Gillman"),
        ("sertraline", "tramadol", "FDA DSC 2016-03-22"),
    ],
)
def test_findings_cite_the_published_source(a, b, source):
    (finding,) = assess([course(a), course(b)], T).findings
    assert source in finding.explanation
    assert "CLINICAL" not in finding.explanation and ".md" not in finding.explanation


def test_minor_raises_no_alert():
    assert "minor" not in SEVERITY_TO_ALERT
    assert SEVERITY_ORDER == ("none", "minor", "moderate", "major", "contraindicated")


@pytest.mark.parametrize(
    ("product", "listed"),
    [
        ("ultracet", ["tramadol", "acetaminophen"]),
        ("auvelity", ["dextromethorphan", "bupropion"]),
        ("symbyax", ["fluoxetine", "olanzapine"]),
    ],
)
def test_ingredients_are_listed_most_relevant_first(product, listed):
    parts = sorted(PRODUCTS[product].ingredients, key=ingredient_order)
    assert [part.name for part in parts] == listed


def test_random_regimens_do_not_depend_on_course_order_or_the_cache():
    import random

    from medications import interactions

    rng = random.Random(13)
    pool = [*DRUGS, *PRODUCTS]
    for _ in range(500):
        courses = []
        for _ in range(rng.randint(2, 7)):
            started = days(-rng.randint(0, 60))
            stopped = None
            if rng.random() < 0.4:
                stopped = started + timedelta(days=rng.randint(0, 40))
            courses.append(course(rng.choice(pool), started_on=started, stopped_on=stopped))
        warm = assess(courses, T)
        interactions._FINDING_CACHE.clear()
        cold = assess(list(reversed(courses)), T)
        assert warm == cold
        pair_severities = [f.severity for f in warm.findings if f.rule != "three_or_more"]
        worst = max(pair_severities, key=SEVERITY_ORDER.index, default="none")
        assert SEVERITY_ORDER.index(warm.severity) >= SEVERITY_ORDER.index(worst)
