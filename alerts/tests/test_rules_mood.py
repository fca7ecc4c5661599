"""Rules M1-M5 (docs/clinical-rules.md#mood-and-safety-alerts) at their edges. Pure: no database."""

import re

import pytest

from alerts.rules.facts import ENTRY_LOOKBACK_DAYS, EntryFacts
from alerts.rules.mood import (
    M5_BASELINE_DAYS,
    M5_RECENT_DAYS,
    evaluate_mood,
    m5_windows,
    mood_worsening_candidate,
    rule_m2,
    rule_m3,
    rule_m4,
    rule_m5,
    suicidal_ideation_candidates,
)
from alerts.tests.rule_builders import course, day, entries, phq9, snapshot
from journal.tests.test_rule_m1 import M1_CASES

# --- M1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticked", "expected_keys"),
    [(False, []), (True, ["suicidal_ideation:entry:5"])],
)
def test_m1_daily_checkin_tick(ticked, expected_keys):
    entry = EntryFacts(id=5, date=day(0), mood=6, self_harm_thoughts=ticked)
    candidates = suicidal_ideation_candidates(snapshot(entries=[entry]))
    assert [c.dedupe_key for c in candidates] == expected_keys
    assert all(c.kind == "suicidal_ideation" and c.severity == "critical" for c in candidates)


@pytest.mark.parametrize(
    ("item9", "fires"),
    [(0, False), (1, True), (2, True), (3, True)],
)
def test_m1_phq9_item9(item9, fires):
    candidates = suicidal_ideation_candidates(snapshot(phq9=phq9((-1, 12, item9))))
    assert [c.dedupe_key for c in candidates] == (["suicidal_ideation:phq9:101"] if fires else [])
    if fires:
        hit = candidates[0].evidence["hits"][0]
        assert hit["response_id"] == 101 and hit["item9"] == item9
        assert candidates[0].rule == "M1"


@pytest.mark.parametrize(("item9", "ticked", "fires"), M1_CASES)
def test_m1_alert_follows_the_shared_table(item9, ticked, fires):
    # The same table as the patient's crisis notice (journal/tests/test_rule_m1.py::M1_CASES).
    entry = EntryFacts(id=5, date=day(0), mood=6, self_harm_thoughts=ticked)
    responses = () if item9 is None else phq9((0, item9, item9))
    candidates = suicidal_ideation_candidates(snapshot(entries=[entry], phq9=responses))
    assert bool(candidates) is fires
    assert all(c.kind == "suicidal_ideation" and c.rule == "M1" for c in candidates)


def test_m1_one_alert_per_triggering_entry_and_response():
    ticked = [
        EntryFacts(id=1, date=day(-2), mood=5, self_harm_thoughts=True),
        EntryFacts(id=2, date=day(-1), mood=5, self_harm_thoughts=False),
        EntryFacts(id=3, date=day(0), mood=5, self_harm_thoughts=True),
    ]
    candidates = suicidal_ideation_candidates(
        snapshot(entries=ticked, phq9=phq9((-20, 8, 1), (-3, 9, 2)))
    )
    assert sorted(c.dedupe_key for c in candidates) == [
        "suicidal_ideation:entry:1",
        "suicidal_ideation:entry:3",
        "suicidal_ideation:phq9:101",
        "suicidal_ideation:phq9:102",
    ]


def test_m1_patient_message_is_calm_and_never_says_stop():
    entry = EntryFacts(id=5, date=day(0), mood=6, self_harm_thoughts=True)
    (candidate,) = suicidal_ideation_candidates(snapshot(entries=[entry]))
    assert "care team" in candidate.patient_message
    assert "stop" not in candidate.patient_message.lower()
    assert "Simon 2013" in candidate.explanation


# --- M2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "latest", "fires"),
    [
        ((-14, 10), (0, 15), True),  # +5: the MCID exactly
        ((-14, 10), (0, 14), False),  # +4
        ((-14, 0), (0, 5), True),
        ((-14, 22), (0, 27), True),
        ((-90, 10), (0, 15), True),  # previous exactly 90 days before
        # v2: was False (91 days: outside the window). With no response in the 90 days before,
        # the baseline is the latest earlier response of any age.
        ((-91, 10), (0, 15), True),
        ((-400, 10), (0, 15), True),  # v2: any age
        ((-14, 15), (0, 10), False),  # improvement
    ],
)
def test_m2_increase_against_previous_within_90_days(previous, latest, fires):
    hit = rule_m2(snapshot(phq9=phq9(previous, latest)))
    assert (hit is not None) is fires
    if fires:
        assert hit["severity"] == "high"
        assert hit["response_ids"] == [101, 102]
        assert hit["totals"] == [previous[1], latest[1]]


def test_m2_compares_with_the_lowest_total_of_the_90_days_before():
    # v2: was None (v1 compared with the immediately previous response only). 8 -> 11 -> 14 is
    # +6 over the lowest of the 90 days before: the stepwise decline is caught.
    hit = rule_m2(snapshot(phq9=phq9((-28, 8), (-14, 11), (0, 14))))
    assert hit is not None
    assert (hit["response_ids"], hit["totals"]) == ([101, 103], [8, 14])


@pytest.mark.parametrize(
    ("rows", "baseline"),
    [
        # (day offset, total) of the earlier responses; the latest is (0, 13) in every row.
        ([(-42, 5), (-21, 9)], (101, 5)),  # 5 -> 9 -> 13: the example of the rules
        ([(-90, 5), (-21, 9)], (101, 5)),  # the low exactly 90 days before counts
        ([(-91, 5), (-21, 9)], None),  # 91 days: outside; baseline 9, +4 only
        ([(-91, 5)], (101, 5)),  # none in the 90 days: the latest earlier of any age
        ([(-200, 2), (-120, 8)], (102, 8)),  # of any age: the LATEST earlier, not the lowest
        ([(-60, 8), (-30, 3), (-10, 12)], (102, 3)),  # the lowest, wherever it lies
        ([(-60, 8), (-30, 8)], (102, 8)),  # equal lows: the later one
        ([(-30, 9)], None),  # +4
        ([(0, 8)], (101, 8)),  # same day, earlier in order
    ],
)
def test_m2_baseline_table(rows, baseline):
    hit = rule_m2(snapshot(phq9=phq9(*rows, (0, 13))))
    if baseline is None:
        assert hit is None
    else:
        assert hit is not None
        assert hit["response_ids"][0] == baseline[0] and hit["totals"] == [baseline[1], 13]


def test_m2_needs_a_previous_response():
    assert rule_m2(snapshot(phq9=phq9((0, 27)))) is None


def test_m2_ignores_a_response_dated_after_today():
    # The latest response as of today is the one of day -14 (no previous): no M2.
    assert rule_m2(snapshot(phq9=phq9((-14, 5), (1, 20)), today=day(-1))) is None


# --- M3 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "latest_total", "fires"),
    [
        (None, 20, True),  # first PHQ-9 is severe
        (None, 19, False),
        ((-14, 19), 20, True),  # crosses into severe
        ((-14, 19), 19, False),
        ((-14, 20), 21, False),  # already severe before
        ((-14, 20), 20, False),
        ((-14, 25), 20, False),
        # v2: was False (v1: a previous severe total of any age suppressed M3). A first severe
        # score after more than 90 days without one alerts.
        ((-200, 22), 21, True),
        ((-200, 12), 21, True),
        ((-90, 22), 21, False),  # severe exactly 90 days before: the same episode
        ((-91, 22), 21, True),  # 91 days before: outside the window
        ((-14, 5), 27, True),
    ],
)
def test_m3_severe_band_crossing(previous, latest_total, fires):
    # Table of v1 with the v2 expectations.
    rows = ([previous] if previous else []) + [(0, latest_total)]
    hit = rule_m3(snapshot(phq9=phq9(*rows)))
    assert (hit is not None) is fires
    if fires:
        assert hit["severity"] == "high"
        assert hit["items"] == [f"phq9:{100 + len(rows)}"]


# --- M4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moods", "fires", "dates"),
    [
        ({-2: 2, -1: 2, 0: 2}, True, [-2, -1, 0]),  # D = T
        ({-3: 1, -2: 0, -1: 2}, True, [-3, -2, -1]),  # D = T-1
        # v2: was False (D = T-2 was too old); a run may end on any day of T-6..T.
        ({-4: 1, -3: 1, -2: 1}, True, [-4, -3, -2]),
        ({-4: 1, -3: 1, -2: 1, -1: 5, 0: 2}, True, [-4, -3, -2]),  # v2: was False, same reason
        ({-8: 1, -7: 1, -6: 1}, True, [-8, -7, -6]),  # D = T-6: the oldest end allowed
        ({-9: 1, -8: 1, -7: 1}, False, None),  # D = T-7: too old
        ({-9: 1, -8: 1, -7: 1, -5: 1}, False, None),
        ({-2: 2, -1: 3, 0: 2}, False, None),  # mood 3 breaks the run
        ({-2: 3, -1: 2, 0: 2}, False, None),
        ({-2: 2, 0: 2}, False, None),  # gap day: T-1 missing
        ({-3: 2, -2: 2, 0: 2}, False, None),  # gap day T-1 for D=T; D=T-1 has no entry
        ({-1: 1, 0: 1}, False, None),  # only two days
        ({-3: 0, -2: 0, -1: 0, 0: 0}, True, [-2, -1, 0]),  # four days: the latest run
    ],
)
def test_m4_three_consecutive_low_days_ending_in_the_last_week(moods, fires, dates):
    hit = rule_m4(snapshot(entries=entries(moods)))
    assert (hit is not None) is fires
    if fires:
        assert hit["dates"] == [day(offset).isoformat() for offset in dates]
        assert hit["severity"] == "high"
        assert len(hit["entry_ids"]) == 3


def test_m4_ignores_entries_without_mood():
    run = (
        EntryFacts(id=1, date=day(-2), mood=1),
        EntryFacts(id=2, date=day(-1), mood=None),
        EntryFacts(id=3, date=day(0), mood=1),
    )
    assert rule_m4(snapshot(entries=run)) is None


# --- M5 ----------------------------------------------------------------------------------


def m5_moods(recent: list[int], baseline: list[int], *, recent_start=0, baseline_start=-7):
    """recent moods on T, T-1, ...; baseline moods on T-7, T-8, ... (one per day)."""
    moods = {recent_start - i: m for i, m in enumerate(recent)}
    moods.update({baseline_start - i: m for i, m in enumerate(baseline)})
    return entries(moods)


@pytest.mark.parametrize(
    ("recent", "baseline", "fires"),
    [
        ([4] * 4, [6] * 10, True),  # 4 recent, 10 baseline, drop exactly 2.0
        ([4] * 3, [6] * 10, False),  # 3 recent entries: not enough
        ([4] * 4, [6] * 9, False),  # 9 baseline entries: not enough
        ([4] * 7, [6] * 28, True),
        ([5, 4, 4, 4], [6] * 10, False),  # drop 1.75
        ([4, 4, 4, 4], [6] * 9 + [7], True),  # drop 2.1
        ([5, 4, 4], [7, 6, 6] + [6] * 7, False),  # only 3 recent
        # means with no exact binary representation: 10/3 vs 16/3 is exactly -2.0
        ([3, 3, 4, 3, 3, 4], [5, 5, 6] * 4, True),
        ([3, 3, 4, 3, 3, 5], [5, 5, 6] * 4, False),
    ],
)
def test_m5_drop_of_two_against_the_28_day_baseline(recent, baseline, fires):
    hit = rule_m5(snapshot(entries=m5_moods(recent, baseline)))
    assert (hit is not None) is fires
    if fires:
        assert hit["recent_count"] == len(recent)
        assert hit["baseline_count"] == len(baseline)


@pytest.mark.parametrize(
    ("field", "offset"),
    [("recent_first", -6), ("recent_last", 0), ("baseline_first", -34), ("baseline_last", -7)],
)
def test_m5_windows_are_t_minus_6_to_t_and_t_minus_34_to_t_minus_7(field, offset):
    # One home for the windows: rule M5 and the clinician dashboard's 7-day means and 28-day
    # baseline both read m5_windows().
    assert getattr(m5_windows(day(0)), field) == day(offset)


def test_the_entry_loader_reaches_back_over_both_m5_windows():
    assert ENTRY_LOOKBACK_DAYS == M5_RECENT_DAYS + M5_BASELINE_DAYS - 1
    assert m5_windows(day(0)).baseline_first == day(-ENTRY_LOOKBACK_DAYS)


def test_m5_window_edges():
    # Entries on T-6 (recent), T-7 and T-34 (baseline) count; T-35 and T+1 do not.
    base = {-7 - i: 6 for i in range(9)}  # T-7..T-15: 9 baseline entries
    recent = {0: 4, -1: 4, -2: 4}  # 3 recent entries
    outside = {-35: 6, 1: 4}
    assert rule_m5(snapshot(entries=entries({**base, **recent, **outside}))) is None
    with_edges = {**base, **recent, **outside, -6: 4, -34: 6}
    hit = rule_m5(snapshot(entries=entries(with_edges)))
    assert hit is not None
    assert (hit["recent_count"], hit["baseline_count"]) == (4, 10)


@pytest.mark.parametrize(
    ("age", "courses", "severity"),
    [
        (40, [], "moderate"),
        (None, [], "moderate"),
        (25, [], "moderate"),
        (24, [], "high"),  # under 25
        (40, [course("sertraline", -84)], "high"),  # black-box window: day 84 is inside
        (40, [course("sertraline", -85)], "moderate"),  # day 85: closed
        (40, [course("pregabalin", -10)], "high"),  # "warning" drugs count too
        (40, [course("tramadol", -10)], "moderate"),  # no suicidality warning
        (40, [course("sertraline", -200, -101), course("sertraline", -100)], "moderate"),
        (40, [course("sertraline", -200, -31), course("sertraline", -30)], "high"),  # dose change
        # v2: a stop opens the window too (D = stopped_on, the last day taken).
        (40, [course("sertraline", -200, -84)], "high"),
        (40, [course("sertraline", -200, -85)], "moderate"),
    ],
)
def test_m5_severity(age, courses, severity):
    hit = rule_m5(snapshot(entries=m5_moods([3] * 4, [6] * 10), age=age, courses=courses))
    assert hit["severity"] == severity


# --- merge --------------------------------------------------------------------------------


def test_mood_worsening_merges_rules_into_one_candidate_with_the_max_severity():
    snap = snapshot(
        entries=m5_moods([3] * 4, [6] * 10),  # M5 moderate
        phq9=phq9((-14, 12), (-1, 21)),  # M2 and M3 high
    )
    candidate = mood_worsening_candidate(snap)
    assert candidate.dedupe_key == "mood_worsening"
    assert candidate.severity == "high"
    assert candidate.rule == "M2+M3+M5"
    assert [hit["rule"] for hit in candidate.evidence["hits"]] == ["M2", "M3", "M5"]
    assert "Löwe 2004" in candidate.explanation and "Kroenke 2001" in candidate.explanation
    assert "stop" not in candidate.patient_message.lower()


def test_mood_worsening_alone_takes_the_rule_severity():
    candidate = mood_worsening_candidate(snapshot(entries=m5_moods([3] * 4, [6] * 10)))
    assert (candidate.severity, candidate.rule) == ("moderate", "M5")


def test_no_mood_rule_no_candidate():
    assert evaluate_mood(snapshot(entries=entries({0: 5, -1: 6}), phq9=phq9((0, 6)))) == []


@pytest.mark.parametrize(
    ("recent", "baseline"),
    [([4] * 4, [6] * 10), ([4] * 3, [6] * 10), ([4] * 4, [6] * 9), ([5, 4, 4, 4], [6] * 10)],
)
def test_m5_gives_the_same_answer_from_a_database_aggregated_baseline(recent, baseline):
    from dataclasses import replace

    full = snapshot(entries=m5_moods(recent, baseline))
    recent_only = tuple(e for e in full.entries if e.date >= day(-6))
    aggregated = replace(full, entries=recent_only, mood_baseline=(len(baseline), sum(baseline)))
    assert rule_m5(full) == rule_m5(aggregated)


# --- explanations --------------------------------------------------------------------------


def _m1_entry_explanation():
    entry = EntryFacts(id=5, date=day(0), mood=6, self_harm_thoughts=True)
    return suicidal_ideation_candidates(snapshot(entries=[entry]))[0].explanation


def _m1_phq9_explanation():
    return suicidal_ideation_candidates(snapshot(phq9=phq9((-1, 12, 2))))[0].explanation


def _m4_explanation():
    return rule_m4(snapshot(entries=entries({0: 1, -1: 2, -2: 0})))["explanation"]


def _m5_explanation():
    return rule_m5(snapshot(entries=m5_moods([3] * 4, [6] * 10), age=24))["explanation"]


def _m2_explanation():
    return rule_m2(snapshot(phq9=phq9((-42, 5), (-21, 9), (0, 13))))["explanation"]


def _m3_explanation():
    return rule_m3(snapshot(phq9=phq9((-200, 22), (0, 21))))["explanation"]


def _m5_window_explanation():
    snap = snapshot(entries=m5_moods([3] * 4, [6] * 10), courses=[course("sertraline", -200, -10)])
    return rule_m5(snap)["explanation"]


def _merged_explanation():
    snap = snapshot(entries=m5_moods([3] * 4, [6] * 10), phq9=phq9((-14, 12), (-1, 21)))
    return mood_worsening_candidate(snap).explanation


@pytest.mark.parametrize(
    ("explain", "cites"),
    [
        (_m1_entry_explanation, "(Simon 2013)"),
        (_m1_phq9_explanation, "(Simon 2013)"),
        (_m4_explanation, "the portal's own threshold, not a published cut-off"),
        (_m5_explanation, "the portal's own threshold, not a published cut-off"),
        (_m5_explanation, "(FDA antidepressant boxed warning)"),
        (
            _m2_explanation,
            f"PHQ-9 rose from 5 ({day(-42).isoformat()}) to 13 ({day(0).isoformat()}) in 6 "
            "weeks; a rise of 5 or more is a clinically important change (Löwe 2004).",
        ),
        (_m3_explanation, "(20-27, Kroenke 2001)"),
        (_m3_explanation, "more than 90 days before"),
        (_m5_window_explanation, "dose changes, either increases or decreases"),
        (_m5_window_explanation, "was stopped"),
        (_merged_explanation, "(Löwe 2004)"),
    ],
)
def test_explanations_cite_a_published_source_or_say_the_threshold_is_ours(explain, cites):
    # Clinicians read these; they cite the literature in plain words, never an internal file.
    explanation = explain()
    assert cites in explanation
    assert ".md" not in explanation and "CLINICAL" not in explanation
    # v2: no rule ids ("M2:", "Rule M1") in anything a clinician reads.
    assert not re.search(r"\b[MS][1-5]\b", explanation), explanation
