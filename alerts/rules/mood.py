"""Mood and safety rules M1-M5 (docs/clinical-rules.md#mood-and-safety-alerts).

Pure: no Django imports.
"""

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, NamedTuple, cast

from django.utils.translation import gettext_noop

from alerts.rules.facts import AlertCandidate, EntryFacts, PatientSnapshot, Phq9Facts, severity_rank
from journal.instruments.phq9 import SEVERE_MIN, m1_applies
from medications.black_box import black_box_events

# 2: docs/clinical-rules.md version 2 (lowest 90-day baseline of the PHQ-9 rise, no earlier severe
# score in 90 days, low-mood runs ending in the last week, plain explanations).
RULE_VERSION = 2

# M1: PHQ-9 item 9 above 0, or the check-in's self-harm tick. Threshold and predicate have one
# home, `m1_applies` in journal/instruments/phq9.py: the patient's crisis notice asks it too.

# M2: 5 points is the individual minimal clinically important difference of the PHQ-9
# (Loewe et al., Med Care 2004). v2: compared with the LOWEST total of the 90 days before the
# response (a stepwise 5 -> 9 -> 13 is caught), or, with none in those days, the latest earlier
# response of any age.
M2_MIN_INCREASE = 5
PHQ9_HISTORY_DAYS = 90
M2_PREVIOUS_WITHIN_DAYS = PHQ9_HISTORY_DAYS  # old name, kept for importers

# M3: 20-27 is the "severe" PHQ-9 band (Kroenke et al., J Gen Intern Med 2001). v2: raised
# unless a total in that band was recorded in the 90 days before (a first severe score after a
# long gap alerts again).
M3_SEVERE_TOTAL = SEVERE_MIN

# M4 [design]: three consecutive daily moods (0 worst - 10 best) at or below 2. v2: the run may
# end on any day D with T-6 <= D <= T (a back-filled run of the last week alerts).
M4_LOW_MOOD = 2
M4_RUN_DAYS = 3
M4_LATEST_END_LAG_DAYS = 6

# M5 [design]: mean mood of the last 7 days (T-6..T, >= 4 entries) at least 2.0 below the mean
# of the 28 days before (T-34..T-7, >= 10 entries). Higher severity inside the FDA black-box
# window or under 25 (FDA antidepressant boxed warning: risk higher under age 25).
M5_RECENT_DAYS = 7
M5_RECENT_MIN_ENTRIES = 4
M5_BASELINE_DAYS = 28
M5_BASELINE_MIN_ENTRIES = 10
M5_MIN_DROP = 2
M5_YOUNG_AGE = 25


class M5Windows(NamedTuple):
    recent_first: date
    recent_last: date
    baseline_first: date
    baseline_last: date


def m5_windows(today: date) -> M5Windows:
    """The days M5 compares, inclusive: T-6..T against T-34..T-7 (the clinician dashboard's
    7-day means and 28-day baseline use the same windows)."""
    baseline_last = today - timedelta(days=M5_RECENT_DAYS)
    return M5Windows(
        recent_first=today - timedelta(days=M5_RECENT_DAYS - 1),
        recent_last=today,
        baseline_first=baseline_last - timedelta(days=M5_BASELINE_DAYS - 1),
        baseline_last=baseline_last,
    )


def m4_first_day(today: date) -> date:
    """The first day a low-mood run that ends in the last week can start on (T-8)."""
    return today - timedelta(days=M4_LATEST_END_LAG_DAYS + M4_RUN_DAYS - 1)


CRISIS_HINT = (
    "If you might act on these thoughts, or you are in danger now, get help straight away: "
    "see the crisis contacts on this page."
)
# Stored in English on the alert; shown in the patient's language (alerts.selectors).
SUICIDAL_IDEATION_PATIENT_MESSAGE = gettext_noop(
    "Your care team has been told about your answer about thoughts of being better off "
    "dead or of hurting yourself, and will follow up with you. "
    "If you might act on these thoughts, or you are in danger now, get help straight away: "
    "see the crisis contacts on this page."
)
MOOD_WORSENING_PATIENT_MESSAGE = gettext_noop(
    "Your recent answers show your mood has been lower, and your care team has been "
    "told. Talk to your clinician about how you are feeling."
)


def suicidal_ideation_candidates(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    """M1: one critical alert per triggering entry or PHQ-9 response."""
    candidates = []
    for entry in snapshot.entries:
        if not m1_applies(self_harm_thoughts=entry.self_harm_thoughts):
            continue
        candidates.append(
            _m1_candidate(
                key=f"suicidal_ideation:entry:{entry.id}",
                hit={
                    "rule": "M1",
                    "items": [f"entry:{entry.id}"],
                    "source": "daily_checkin",
                    "entry_id": entry.id,
                    "date": entry.date.isoformat(),
                },
                explanation=(
                    f"Daily check-in of {entry.date.isoformat()}: the patient ticked thoughts of "
                    "being better off dead or of hurting themselves (the question of PHQ-9 "
                    "item 9); item 9 > 0 carries ~10x one-year suicide-attempt risk (Simon 2013)."
                ),
            )
        )
    for response in snapshot.phq9:
        if not m1_applies(item9=response.item9):
            continue
        candidates.append(
            _m1_candidate(
                key=f"suicidal_ideation:phq9:{response.id}",
                hit={
                    "rule": "M1",
                    "items": [f"phq9:{response.id}"],
                    "source": "phq9",
                    "response_id": response.id,
                    "date": response.completed_on.isoformat(),
                    "item9": response.item9,
                    "total": response.total,
                },
                explanation=(
                    f"PHQ-9 of {response.completed_on.isoformat()}: item 9 = {response.item9} "
                    f"(total {response.total}); item 9 > 0 carries "
                    "~10x one-year suicide-attempt risk (Simon 2013)."
                ),
            )
        )
    return candidates


def _m1_candidate(*, key: str, hit: dict[str, Any], explanation: str) -> AlertCandidate:
    return AlertCandidate(
        kind="suicidal_ideation",
        severity="critical",
        dedupe_key=key,
        title="Thoughts of self-harm reported",
        rule="M1",
        rule_version=RULE_VERSION,
        evidence={"hits": [hit]},
        explanation=explanation,
        patient_message=SUICIDAL_IDEATION_PATIENT_MESSAGE,
    )


def latest_phq9_pair(
    snapshot: PatientSnapshot,
) -> tuple[Phq9Facts | None, Phq9Facts | None]:
    """The latest PHQ-9 completed on or before today, and the one before it."""
    done = [r for r in snapshot.phq9 if r.completed_on <= snapshot.today]
    if not done:
        return None, None
    return done[-1], (done[-2] if len(done) > 1 else None)


def _latest_and_earlier(snapshot: PatientSnapshot) -> tuple[Phq9Facts | None, list[Phq9Facts]]:
    """The latest PHQ-9 completed on or before today, and every response before it (oldest
    first)."""
    done = [r for r in snapshot.phq9 if r.completed_on <= snapshot.today]
    if not done:
        return None, []
    return done[-1], done[:-1]


def _within_history(response: Phq9Facts, earlier: Phq9Facts) -> bool:
    # "In the 90 days before": 0 <= days between <= 90 (a 90-day-old response counts, 91 not).
    return (response.completed_on - earlier.completed_on).days <= PHQ9_HISTORY_DAYS


def _span(days: int) -> str:
    """A time span in plain words: "on the same day", "in 9 days", "in 6 weeks"."""
    if days == 0:
        return "on the same day"
    if days % 7 == 0 and days >= 14:
        return f"in {days // 7} weeks"
    return f"in {days} day" + ("s" if days != 1 else "")


def m2_baseline(latest: Phq9Facts, earlier: list[Phq9Facts]) -> Phq9Facts | None:
    """The lowest total of the 90 days before `latest` (the latest of equal lows), else the
    latest earlier response of any age."""
    recent = [r for r in earlier if _within_history(latest, r)]
    if recent:
        lowest = min(r.total for r in recent)
        return [r for r in recent if r.total == lowest][-1]
    return earlier[-1] if earlier else None


def rule_m2(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    latest, earlier = _latest_and_earlier(snapshot)
    if latest is None:
        return None
    baseline = m2_baseline(latest, earlier)
    if baseline is None or latest.total < baseline.total + M2_MIN_INCREASE:
        return None
    days = (latest.completed_on - baseline.completed_on).days
    return {
        "rule": "M2",
        "severity": "high",
        "items": [f"phq9:{latest.id}"],
        "response_ids": [baseline.id, latest.id],
        "dates": [baseline.completed_on.isoformat(), latest.completed_on.isoformat()],
        "totals": [baseline.total, latest.total],
        "explanation": (
            f"PHQ-9 rose from {baseline.total} ({baseline.completed_on.isoformat()}) to "
            f"{latest.total} ({latest.completed_on.isoformat()}) {_span(days)}; a rise of "
            f"{M2_MIN_INCREASE} or more is a clinically important change (Löwe 2004)."
        ),
    }


def rule_m3(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    latest, earlier = _latest_and_earlier(snapshot)
    if latest is None or latest.total < M3_SEVERE_TOTAL:
        return None
    recent = [r for r in earlier if _within_history(latest, r)]
    if any(r.total >= M3_SEVERE_TOTAL for r in recent):
        return None  # already severe within 90 days: the same episode, not a new one
    previous = earlier[-1] if earlier else None
    if previous is None:
        context = " This is the patient's first PHQ-9."
    elif recent:
        context = f" No PHQ-9 in the 90 days before was 20 or more (latest {previous.total})."
    else:
        context = (
            f" The previous PHQ-9 was {previous.total}, on {previous.completed_on.isoformat()}, "
            "more than 90 days before."
        )
    hit: dict[str, Any] = {
        "rule": "M3",
        "severity": "high",
        "items": [f"phq9:{latest.id}"],
        "response_ids": [latest.id],
        "dates": [latest.completed_on.isoformat()],
        "totals": [latest.total],
        "explanation": (
            f"PHQ-9 of {latest.total} on {latest.completed_on.isoformat()} is in the severe "
            f"range ({M3_SEVERE_TOTAL}-27, Kroenke 2001)." + context
        ),
    }
    if previous is not None:
        hit["response_ids"].insert(0, previous.id)
        hit["dates"].insert(0, previous.completed_on.isoformat())
        hit["totals"].insert(0, previous.total)
    return hit


def _entries_by_date(entries: tuple[EntryFacts, ...]) -> dict[date, EntryFacts]:
    # The journal keeps one entry per patient and date; if a caller passes two, the later wins.
    return {entry.date: entry for entry in entries}


def _is_low(entry: EntryFacts | None) -> bool:
    return entry is not None and entry.mood is not None and entry.mood <= M4_LOW_MOOD


def rule_m4(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    by_date = _entries_by_date(snapshot.entries)
    for lag in range(M4_LATEST_END_LAG_DAYS + 1):
        end = snapshot.today - timedelta(days=lag)
        run = [by_date.get(end - timedelta(days=back)) for back in range(M4_RUN_DAYS - 1, -1, -1)]
        if all(_is_low(entry) for entry in run):
            low_run = cast(list[EntryFacts], run)  # _is_low is false for a day without entry
            return {
                "rule": "M4",
                "severity": "high",
                "items": [f"entry:{entry.id}" for entry in low_run],
                "entry_ids": [entry.id for entry in low_run],
                "dates": [entry.date.isoformat() for entry in low_run],
                "moods": [entry.mood for entry in low_run],
                "explanation": (
                    f"Mood of {M4_LOW_MOOD} or less (0 very low, 10 very good) on "
                    f"{M4_RUN_DAYS} days in a row, {low_run[0].date.isoformat()} to "
                    f"{low_run[-1].date.isoformat()} (the portal's own threshold, not a "
                    "published cut-off)."
                ),
            }
    return None


def rule_m5(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    today = snapshot.today
    window = m5_windows(today)
    recent: list[EntryFacts] = []
    baseline_moods: list[int] = []
    for day_, entry in sorted(_entries_by_date(snapshot.entries).items()):
        if entry.mood is None:
            continue
        if window.recent_first <= day_ <= window.recent_last:
            recent.append(entry)
        elif window.baseline_first <= day_ <= window.baseline_last:
            baseline_moods.append(entry.mood)
    if snapshot.mood_baseline is not None:
        # The loader aggregated T-34..T-7 in the database (the nightly sweep).
        n_baseline, baseline_sum = snapshot.mood_baseline
    else:
        n_baseline, baseline_sum = len(baseline_moods), sum(baseline_moods)
    n_recent = len(recent)
    if n_recent < M5_RECENT_MIN_ENTRIES or n_baseline < M5_BASELINE_MIN_ENTRIES:
        return None
    recent_sum = sum(cast(int, e.mood) for e in recent)  # entries without mood skipped above
    # Exact integer arithmetic, so a drop of exactly 2.0 counts whatever the float rounding:
    # sum_r / n_r <= sum_b / n_b - 2  <=>  sum_r * n_b <= sum_b * n_r - 2 * n_r * n_b.
    if recent_sum * n_baseline > baseline_sum * n_recent - M5_MIN_DROP * n_recent * n_baseline:
        return None
    recent_mean = Fraction(recent_sum, n_recent)
    baseline_mean = Fraction(baseline_sum, n_baseline)
    window_events = black_box_events(snapshot.courses, today)
    window_open = bool(window_events)
    young = snapshot.age is not None and snapshot.age < M5_YOUNG_AGE
    severity = "high" if window_open or young else "moderate"
    reasons = []
    if young:
        reasons.append(
            f"The patient is under {M5_YOUNG_AGE}, when the risk is higher (FDA antidepressant "
            "boxed warning)."
        )
    # The latest event is the reason; older ones add nothing a clinician needs here.
    if window_events:
        reasons.append(window_events[0].reason)
    return {
        "rule": "M5",
        "severity": severity,
        "items": [f"entry:{e.id}" for e in recent],
        "entry_ids": [e.id for e in recent],
        "recent_mean": round(float(recent_mean), 2),
        "recent_count": len(recent),
        "baseline_mean": round(float(baseline_mean), 2),
        "baseline_count": n_baseline,
        "black_box_window_open": window_open,
        "under_25": young,
        "explanation": (
            f"Average mood fell from {float(baseline_mean):.1f} ({n_baseline} check-ins in the "
            f"4 weeks before) to {float(recent_mean):.1f} ({len(recent)} check-ins in the last "
            "7 days), a drop of 2 points or more (the portal's own threshold, not a published "
            "cut-off)." + ("".join(" " + reason for reason in reasons) if reasons else "")
        ),
    }


MOOD_RULES = (rule_m2, rule_m3, rule_m4, rule_m5)


def mood_worsening_candidate(snapshot: PatientSnapshot) -> AlertCandidate | None:
    """M2-M5 merged into the patient's one `mood_worsening` candidate (max severity)."""
    hits = [hit for rule in MOOD_RULES if (hit := rule(snapshot)) is not None]
    if not hits:
        return None
    severity = max((hit["severity"] for hit in hits), key=severity_rank)
    return AlertCandidate(
        kind="mood_worsening",
        severity=severity,
        dedupe_key="mood_worsening",
        title="Mood worsening",
        rule="+".join(hit["rule"] for hit in hits),
        rule_version=RULE_VERSION,
        evidence={"hits": hits},
        explanation=" ".join(hit["explanation"] for hit in hits),
        patient_message=MOOD_WORSENING_PATIENT_MESSAGE,
    )


def evaluate_mood(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    candidates = suicidal_ideation_candidates(snapshot)
    worsening = mood_worsening_candidate(snapshot)
    if worsening is not None:
        candidates.append(worsening)
    return candidates
