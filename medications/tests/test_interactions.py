"""The interaction engine against docs/clinical-rules.md (pure, no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from medications.black_box import (
    BLACK_BOX_WINDOW_DAYS,
    DOSE_CHANGE_UNKNOWN,
    DOSE_DECREASE,
    DOSE_INCREASE,
    BlackBoxEvent,
    black_box_events,
    black_box_window_open,
    dose_change_between,
)
from medications.interactions import (
    SEVERITY_ORDER,
    SEVERITY_TO_ALERT,
    CourseFacts,
    DrugFacts,
    assess,
    assess_current,
    course_counts_on,
)
from tests.builders import CATALOG_ROWS, drug_facts

CATALOG = {name: drug_facts(name) for name in CATALOG_ROWS}
T = date(2026, 11, 27)


def drug(name):
    return CATALOG[name]


def course(name, started_on=None, stopped_on=None, *, typed=None):
    facts = CATALOG.get(name)
    return CourseFacts(
        name=typed or name,
        drug=facts,
        started_on=started_on or T - timedelta(days=30),
        stopped_on=stopped_on,
    )


def days(n):
    return T + timedelta(days=n)


# Two distinct drugs per tier so that every tier pair (including same-tier pairs) is covered.
TIER_EXAMPLES = {
    "maoi": ("phenelzine", "linezolid"),
    "strong": ("duloxetine", "tramadol"),
    "weak": ("cyclobenzaprine", "sumatriptan"),
    "none": ("pregabalin", "ibuprofen"),
}


@pytest.mark.parametrize(
    ("tier_a", "tier_b", "severity", "rule"),
    [
        ("maoi", "maoi", "contraindicated", "maoi_combination"),
        ("maoi", "strong", "contraindicated", "maoi_combination"),
        # v2: maoi + weak is its own row (P2), still contraindicated.
        ("maoi", "weak", "contraindicated", "maoi_weak"),
        ("maoi", "none", "none", None),
        ("strong", "strong", "major", "strong_strong"),
        ("strong", "weak", "moderate", "strong_weak"),
        ("strong", "none", "none", None),
        # v2: weak + weak is minor (Gillman: weak agents do not cause toxicity together).
        ("weak", "weak", "minor", "weak_weak"),
        ("weak", "none", "none", None),
        ("none", "none", "none", None),
    ],
)
@pytest.mark.parametrize("reverse", [False, True])
def test_every_tier_pair(tier_a, tier_b, severity, rule, reverse):
    a = TIER_EXAMPLES[tier_a][0]
    b = TIER_EXAMPLES[tier_b][1]
    courses = [course(a), course(b)]
    if reverse:
        courses.reverse()

    result = assess(courses, T)

    assert result.severity == severity
    if rule is None:
        assert result.findings == ()
    else:
        (finding,) = result.findings
        assert finding.rule == rule
        assert finding.severity == severity
        assert finding.drugs == tuple(sorted((a, b)))
    expected_counted = sorted(name for name in (a, b) if CATALOG[name].serotonergic != "none")
    assert result.counted == tuple(expected_counted)
    assert assess_current([drug(a), drug(b)]) == result


@pytest.mark.parametrize(
    ("names", "severity", "rules"),
    [
        # v2: three weak: every pair minor -> overall moderate, not major (three-drug rule v2,
        # weak + weak minor per Gillman); one extra finding says why
        (
            ["cyclobenzaprine", "sumatriptan", "ondansetron"],
            "moderate",
            ["three_or_more", "weak_weak", "weak_weak", "weak_weak"],
        ),
        # a strong drug among three: moderate -> major (v2 lists the minor weak pair last)
        (
            ["duloxetine", "cyclobenzaprine", "sumatriptan"],
            "major",
            ["three_or_more", "strong_weak", "strong_weak", "weak_weak"],
        ),
        # a "none" drug does not count towards three (v2: the weak pair is minor)
        (["cyclobenzaprine", "sumatriptan", "pregabalin"], "minor", ["weak_weak"]),
        # already major: no extra finding
        (
            ["duloxetine", "tramadol", "cyclobenzaprine"],
            "major",
            ["strong_strong", "strong_weak", "strong_weak"],
        ),
        # contraindicated stays contraindicated and is listed first (v2: maoi + weak is P2)
        (
            ["sertraline", "phenelzine", "sumatriptan"],
            "contraindicated",
            ["maoi_combination", "maoi_weak", "strong_weak"],
        ),
        # the same drug twice is one drug: only two distinct serotonergic drugs (v2: minor)
        (["cyclobenzaprine", "cyclobenzaprine", "sumatriptan"], "minor", ["weak_weak"]),
        # v2: four weak -> moderate (was major)
        (
            ["cyclobenzaprine", "sumatriptan", "ondansetron", "granisetron"],
            "moderate",
            ["three_or_more"] + ["weak_weak"] * 6,
        ),
    ],
)
def test_three_or_more_rule(names, severity, rules):
    result = assess([course(name) for name in names], T)

    assert result.severity == severity
    assert [finding.rule for finding in result.findings] == rules
    assert [f.severity for f in result.findings] == sorted(
        (f.severity for f in result.findings), key=SEVERITY_ORDER.index, reverse=True
    )
    if rules[0] == "three_or_more":
        extra = result.findings[0]
        assert extra.severity == severity
        assert extra.drugs == tuple(sorted(set(names)))
        words = "minor to moderate" if severity == "moderate" else "moderate to major"
        assert words in extra.explanation


def test_same_drug_logged_twice_is_one_drug():
    result = assess(
        [course("sertraline"), course("sertraline", started_on=days(-3), typed="Zoloft")], T
    )
    assert result.severity == "none"
    assert result.findings == ()
    assert result.counted == ("sertraline",)


def test_same_drug_twice_with_a_partner_gives_one_finding():
    result = assess([course("sertraline"), course("tramadol"), course("sertraline")], T)
    assert [(f.drugs, f.rule) for f in result.findings] == [
        (("sertraline", "tramadol"), "strong_strong")
    ]


def test_two_ssris_are_a_therapeutic_duplication():
    (finding,) = assess([course("sertraline"), course("fluoxetine")], T).findings
    assert finding.severity == "major"
    assert "therapeutic duplication" in finding.explanation


# --- section 3: when a course counts --------------------------------------------------

WASHOUT_DRUGS = sorted((name, f.washout_days) for name, f in CATALOG.items() if f.washout_days)


@pytest.mark.parametrize(("name", "washout"), WASHOUT_DRUGS)
def test_each_washout_ends_exactly_on_its_boundary(name, washout):
    stopped = T
    last_counting = stopped + timedelta(days=max(washout, 1) - 1)
    first_free = stopped + timedelta(days=max(washout, 1))
    c = course(name, started_on=T - timedelta(days=100), stopped_on=stopped)

    assert course_counts_on(c, stopped)
    assert course_counts_on(c, last_counting)
    assert not course_counts_on(c, first_free)


@pytest.mark.parametrize(
    ("name", "offset", "counts"),
    [
        # washout 0: counts on its last day, not the day after
        ("tramadol", 0, True),
        ("tramadol", 1, False),
        ("cyclobenzaprine", 0, True),
        ("cyclobenzaprine", 1, False),
        # washout 1: the same
        ("linezolid", 0, True),
        ("linezolid", 1, False),
        ("moclobemide", 1, False),
        ("methylene blue", 0, True),
        # washout 5
        ("duloxetine", 4, True),
        ("duloxetine", 5, False),
        # washout 35
        ("fluoxetine", 34, True),
        ("fluoxetine", 35, False),
    ],
)
def test_counting_after_the_last_day(name, offset, counts):
    c = course(name, started_on=T - timedelta(days=60), stopped_on=T)
    assert course_counts_on(c, days(offset)) is counts


@pytest.mark.parametrize(
    ("started_offset", "stopped_offset", "counts"),
    [
        (0, None, True),  # starts today
        (1, None, False),  # starts tomorrow
        (-400, None, True),
        (0, 0, True),  # one-day course
    ],
)
def test_counting_around_the_start(started_offset, stopped_offset, counts):
    c = course(
        "sertraline",
        started_on=days(started_offset),
        stopped_on=None if stopped_offset is None else days(stopped_offset),
    )
    assert course_counts_on(c, T) is counts


@pytest.mark.parametrize(("phenelzine_day", "severity"), [(33, "contraindicated"),
    (34, "contraindicated"), (35, "none"), (36, "none")])  # fmt: skip
def test_fluoxetine_washout_before_an_maoi(phenelzine_day, severity):
    """docs/clinical-rules.md#washouts: fluoxetine last taken day 0; phenelzine day 34 vs 35."""
    day0 = date(2026, 10, 1)
    start = day0 + timedelta(days=phenelzine_day)
    courses = [
        course("fluoxetine", started_on=date(2026, 1, 1), stopped_on=day0),
        course("phenelzine", started_on=start),
    ]
    assert assess(courses, start).severity == severity


def test_a_washout_tail_is_explained():
    courses = [
        course("fluoxetine", started_on=date(2026, 1, 1), stopped_on=date(2026, 10, 1)),
        course("phenelzine", started_on=date(2026, 11, 4)),
    ]
    (finding,) = assess(courses, date(2026, 11, 4)).findings

    assert finding.rule == "maoi_combination"
    assert "fluoxetine stopped 2026-10-01; its 35-day washout runs to 2026-11-04" in (
        finding.explanation
    )
    assert "2026-11-04" in finding.patient_explanation


def test_a_drug_still_taken_has_no_washout_note_even_after_a_dose_change():
    courses = [
        course("fluoxetine", started_on=date(2026, 1, 1), stopped_on=date(2026, 10, 1)),
        course("fluoxetine", started_on=date(2026, 10, 2)),
        course("tramadol", started_on=date(2026, 11, 1)),
    ]
    (finding,) = assess(courses, T).findings
    assert "washout" not in finding.explanation


def test_the_latest_stop_of_a_drug_in_its_tail_is_reported():
    courses = [
        course("sertraline", started_on=date(2026, 9, 1), stopped_on=date(2026, 11, 20)),
        course("sertraline", started_on=date(2026, 1, 1), stopped_on=date(2026, 11, 15)),
        course("tramadol", started_on=T),
    ]
    (finding,) = assess(courses, T).findings
    assert "sertraline stopped 2026-11-20; its 14-day washout runs to 2026-12-03" in (
        finding.explanation
    )


def test_a_course_stopped_before_its_washout_ends_no_longer_counts():
    courses = [
        course("tramadol", started_on=date(2026, 11, 1), stopped_on=days(-1)),
        course("sertraline"),
    ]
    result = assess(courses, T)
    assert result.severity == "none"
    assert result.counted == ("sertraline",)


# --- unknown free text ------------------------------------------------------------------


def test_unknown_names_are_reported_deduplicated_in_input_order():
    courses = [
        CourseFacts(name="Turmeric", drug=None, started_on=days(-10)),
        course("sertraline"),
        CourseFacts(name="CBD oil", drug=None, started_on=days(-10)),
        CourseFacts(name="turmeric ", drug=None, started_on=days(-3)),
        CourseFacts(name="Kratom", drug=None, started_on=days(1)),  # not started yet
        CourseFacts(name="Ashwagandha", drug=None, started_on=days(-9), stopped_on=days(-1)),
        CourseFacts(name="Valerian", drug=None, started_on=days(-9), stopped_on=T),
    ]
    result = assess(courses, T)
    assert result.unknown == ("Turmeric", "CBD oil", "Valerian")
    assert result.severity == "none"


def test_assess_current_reports_unknown_names():
    result = assess_current([drug("sertraline"), drug("tramadol")], ["Kratom", "kratom"])
    assert result.severity == "major"
    assert result.unknown == ("Kratom",)


def test_nothing_counts_on_an_empty_regimen():
    result = assess([], T)
    assert result.severity == "none"
    assert (result.findings, result.unknown, result.counted) == ((), (), ())


# --- wording ----------------------------------------------------------------------------

ALL_PAIRS = [
    (a, b)
    for tier_a, (a, _) in TIER_EXAMPLES.items()
    for tier_b, (_, b) in TIER_EXAMPLES.items()
    if tier_a != "none" and tier_b != "none"
]


@pytest.mark.parametrize(("a", "b"), ALL_PAIRS)
def test_patient_wording_is_calm_and_never_says_stop(a, b):
    courses = [course(a, started_on=days(-60), stopped_on=days(-1)), course(b)]
    for finding in assess(courses, T).findings + assess([course(a), course(b)], T).findings:
        # v2: a minor finding is "worth mentioning", not "before taking these together".
        advice = (
            "It is worth mentioning to your clinician at your next visit."
            if finding.severity == "minor"
            else "Talk to your clinician before taking these together."
        )
        assert finding.patient_explanation.endswith(advice)
        assert "stop" not in finding.patient_explanation.lower()
        # v2: each row cites its own source (Gillman for weak + weak, FDA 2011 for linezolid).
        assert "Source: " in finding.explanation


@pytest.mark.parametrize(
    ("a", "b", "source"),
    [
        ("sertraline", "tramadol", "FDA DSC 2016-03-22 (opioids)"),
        ("linezolid", "sertraline", "FDA DSC 2011-10-20 (linezolid, methylene blue)"),
        ("methylene blue", "duloxetine", "FDA DSC 2011-10-20 (linezolid, methylene blue)"),
        ("phenelzine", "sertraline", "ONC high-priority DDI list (Phansalkar, JAMIA 2012)"),
        ("cyclobenzaprine", "duloxetine", "2013 cyclobenzaprine label"),
        ("amitriptyline", "tramadol", "Gillman, Br J Pharmacol 2006"),
    ],
)
def test_clinician_wording_cites_its_source(a, b, source):
    (finding,) = assess([course(a), course(b)], T).findings
    assert source in finding.explanation


def test_severity_maps_to_alert_severity():
    assert SEVERITY_TO_ALERT == {
        "contraindicated": "critical",
        "major": "high",
        "moderate": "moderate",
    }
    # v2: `minor` below moderate, shown on pages only (no alert).
    assert SEVERITY_ORDER == ("none", "minor", "moderate", "major", "contraindicated")


# --- section 4: black-box window ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "started_days_ago", "is_open"),
    [
        ("sertraline", 0, True),
        ("sertraline", BLACK_BOX_WINDOW_DAYS, True),
        ("sertraline", 84, True),
        ("sertraline", 85, False),
        ("sertraline", -1, False),  # starts tomorrow
        ("pregabalin", 10, True),  # "warning" counts too
        ("bupropion", 84, True),
        ("tramadol", 3, False),  # no suicidality warning
        ("cyclobenzaprine", 3, False),
    ],
)
def test_black_box_window(name, started_days_ago, is_open):
    c = course(name, started_on=days(-started_days_ago))
    assert black_box_window_open([c], T) is is_open


def test_black_box_window_opens_on_a_dose_change():
    courses = [
        course("duloxetine", started_on=days(-300), stopped_on=days(-11)),
        course("duloxetine", started_on=days(-10)),  # the dose change
    ]
    assert black_box_window_open(courses, T)
    # v2: was closed (v1 ignored stops); a course stopped 11 days ago opens the window itself.
    assert black_box_window_open(courses[:1], T)


@pytest.mark.parametrize(
    ("name", "stopped_days_ago", "is_open"),
    [
        ("sertraline", 0, True),  # last taken today
        ("sertraline", 84, True),
        ("sertraline", 85, False),
        ("sertraline", -5, False),  # a stop planned for the future has not happened
        ("pregabalin", 84, True),  # "warning" counts too
        ("pregabalin", 85, False),
        ("tramadol", 3, False),  # no suicidality warning
    ],
)
def test_black_box_window_opens_on_a_stop(name, stopped_days_ago, is_open):
    # docs/clinical-rules.md#black-box-window v2: D = stopped_on, the last day taken.
    c = course(name, started_on=days(-400), stopped_on=days(-stopped_days_ago))
    assert black_box_window_open([c], T) is is_open
    assert bool(black_box_events([c], T)) is is_open


def _changed(name, *, stop_ago, change, continued=False):
    """A course started 400 days ago that ends `stop_ago` days ago, then the next dose."""
    return [
        CourseFacts(name, drug(name), days(-400), days(-stop_ago - 1), continued=continued),
        CourseFacts(name, drug(name), days(-stop_ago), dose_change=change),
    ]


@pytest.mark.parametrize(
    ("change", "days_ago", "is_open", "what"),
    [
        (DOSE_DECREASE, 84, True, DOSE_DECREASE),
        (DOSE_DECREASE, 85, False, None),
        (DOSE_INCREASE, 84, True, DOSE_INCREASE),
        (DOSE_INCREASE, 85, False, None),
        (DOSE_CHANGE_UNKNOWN, 10, True, DOSE_CHANGE_UNKNOWN),
    ],
)
def test_black_box_window_on_a_dose_change_names_its_direction(change, days_ago, is_open, what):
    courses = _changed("sertraline", stop_ago=days_ago, change=change, continued=True)
    assert black_box_window_open(courses, T) is is_open
    events = black_box_events(courses, T)
    # A course continued at another dose has no stop of its own: one event, the change.
    assert [e.what for e in events] == ([what] if what else [])
    if is_open:
        assert events[0].on == days(-days_ago)


@pytest.mark.parametrize(
    ("what", "words"),
    [
        ("start", "was started on"),
        (DOSE_INCREASE, "was raised on"),
        (DOSE_DECREASE, "was lowered on"),
        (DOSE_CHANGE_UNKNOWN, "was changed on"),
        ("stop", "was stopped (last taken"),
    ],
)
def test_black_box_reasons_are_plain_words_citing_the_label(what, words):
    reason = BlackBoxEvent("sertraline", what, days(-3)).reason
    assert words in reason and days(-3).isoformat() in reason
    if what != "start":
        assert "dose changes, either increases or decreases" in reason
    assert "CLINICAL" not in reason and ".md" not in reason


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ((Decimal("50"), "mg", "daily"), (Decimal("100"), "mg", "daily"), DOSE_INCREASE),
        ((Decimal("100"), "mg", "daily"), (Decimal("50"), "mg", "daily"), DOSE_DECREASE),
        ((Decimal("50"), "mg", "daily"), (Decimal("50.000"), "mg", "daily"), DOSE_CHANGE_UNKNOWN),
        ((None, "mg", "daily"), (Decimal("50"), "mg", "daily"), DOSE_CHANGE_UNKNOWN),
        ((Decimal("50"), "mg", "daily"), (None, "", "daily"), DOSE_CHANGE_UNKNOWN),
        ((Decimal("1"), "tablets", "daily"), (Decimal("50"), "mg", "daily"), DOSE_CHANGE_UNKNOWN),
        ((Decimal("50"), "mg", "daily"), (Decimal("50"), "mg", "twice_daily"), DOSE_CHANGE_UNKNOWN),
    ],
)
def test_dose_change_direction(previous, current, expected):
    assert dose_change_between(previous, current) == expected


def test_black_box_window_ignores_unknown_drugs():
    assert not black_box_window_open([CourseFacts(name="x", drug=None, started_on=T)], T)


def test_sentences_write_some_names_the_usual_way_but_findings_keep_catalog_names():
    (finding,) = assess([course("st john's wort"), course("5-htp")], T).findings
    assert finding.drugs == ("5-htp", "st john's wort")
    assert finding.patient_explanation.startswith("5-HTP and St John's wort both raise serotonin")
    assert finding.explanation.startswith("5-HTP (strong) + St John's wort (strong)")


def test_cached_wording_never_outlives_changed_facts():
    """The finding cache is keyed by names; facts edited in the catalog must still win."""
    tramadol = drug("tramadol")
    courses = [course("tramadol"), course("sertraline")]
    assert assess(courses, T).findings[0].rule == "strong_strong"

    edited = DrugFacts(name="sertraline", serotonergic="weak", washout_days=14)
    result = assess([course("tramadol"), CourseFacts("sertraline", edited, days(-3))], T)
    assert (result.severity, result.findings[0].rule) == ("moderate", "strong_weak")

    equal_copy = DrugFacts(name="tramadol", serotonergic="strong")
    result = assess([CourseFacts("tramadol", equal_copy, days(-3)), course("sertraline")], T)
    assert result.findings[0].rule == "strong_strong"
    assert tramadol == equal_copy
