"""Mood and safety rules M1-M5 (docs/clinical-rules.md#mood-and-safety-alerts).

Pure: no Django imports.
"""

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, NamedTuple, cast

from alerts.rules.facts import AlertCandidate, EntryFacts, PatientSnapshot, Phq9Facts, severity_rank
from journal.instruments.phq9 import SEVERE_MIN, m1_applies
from medications.interactions import black_box_window_open

RULE_VERSION = 1

# M1: PHQ-9 item 9 above 0, or the check-in's self-harm tick. Threshold and predicate have one
# home, `m1_applies` in journal/instruments/phq9.py: the patient's crisis notice asks it too.

# M2: 5 points is the individual minimal clinically important difference of the PHQ-9
# (Loewe et al., Med Care 2004), compared with the previous response within 90 days.
M2_MIN_INCREASE = 5
M2_PREVIOUS_WITHIN_DAYS = 90

# M3: 20-27 is the "severe" PHQ-9 band (Kroenke et al., J Gen Intern Med 2001).
M3_SEVERE_TOTAL = SEVERE_MIN

# M4 [design]: three consecutive daily moods (0 worst - 10 best) at or below 2, ending today or
# yesterday.
M4_LOW_MOOD = 2
M4_RUN_DAYS = 3
M4_LATEST_END_LAG_DAYS = 1

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


CRISIS_HINT = (
    "If you might act on these thoughts, or you are in danger now, get help straight away: "
    "see the crisis contacts on this page."
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
        patient_message=(
            "Your care team has been told about your answer about thoughts of being better off "
            "dead or of hurting yourself, and will follow up with you. " + CRISIS_HINT
        ),
    )


def latest_phq9_pair(
    snapshot: PatientSnapshot,
) -> tuple[Phq9Facts | None, Phq9Facts | None]:
    """The latest PHQ-9 completed on or before today, and the one before it."""
    done = [r for r in snapshot.phq9 if r.completed_on <= snapshot.today]
    if not done:
        return None, None
    return done[-1], (done[-2] if len(done) > 1 else None)


def rule_m2(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    latest, previous = latest_phq9_pair(snapshot)
    if latest is None or previous is None:
        return None
    if (latest.completed_on - previous.completed_on).days > M2_PREVIOUS_WITHIN_DAYS:
        return None
    if latest.total < previous.total + M2_MIN_INCREASE:
        return None
    return {
        "rule": "M2",
        "severity": "high",
        "items": [f"phq9:{latest.id}"],
        "response_ids": [previous.id, latest.id],
        "dates": [previous.completed_on.isoformat(), latest.completed_on.isoformat()],
        "totals": [previous.total, latest.total],
        "explanation": (
            f"M2: PHQ-9 total rose from {previous.total} ({previous.completed_on.isoformat()}) "
            f"to {latest.total} ({latest.completed_on.isoformat()}), >= {M2_MIN_INCREASE} points "
            "within 90 days: the individual minimal clinically important difference "
            "(Loewe 2004)."
        ),
    }


def rule_m3(snapshot: PatientSnapshot) -> dict[str, Any] | None:
    latest, previous = latest_phq9_pair(snapshot)
    if latest is None or latest.total < M3_SEVERE_TOTAL:
        return None
    if previous is not None and previous.total >= M3_SEVERE_TOTAL:
        return None
    hit: dict[str, Any] = {
        "rule": "M3",
        "severity": "high",
        "items": [f"phq9:{latest.id}"],
        "response_ids": [latest.id],
        "dates": [latest.completed_on.isoformat()],
        "totals": [latest.total],
        "explanation": (
            f"M3: PHQ-9 total {latest.total} ({latest.completed_on.isoformat()}) is in the "
            "severe band 20-27 (Kroenke 2001)"
            + (
                f"; the previous total was {previous.total}."
                if previous is not None
                else "; first PHQ-9 on record."
            )
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
                    f"M4: mood <= {M4_LOW_MOOD} (0 worst - 10 best) on {M4_RUN_DAYS} consecutive "
                    f"days, {low_run[0].date.isoformat()} to {low_run[-1].date.isoformat()} "
                    "(the portal's own threshold, not a published cut-off)."
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
    window_open = black_box_window_open(snapshot.courses, today)
    young = snapshot.age is not None and snapshot.age < M5_YOUNG_AGE
    severity = "high" if window_open or young else "moderate"
    reasons = []
    if window_open:
        reasons.append(
            "a medicine with a suicidality warning was started or changed in the last 12 weeks"
        )
    if young:
        reasons.append(f"the patient is under {M5_YOUNG_AGE}")
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
            f"M5: mean mood {float(recent_mean):.1f} over {len(recent)} entries of the last 7 days "
            f"vs {float(baseline_mean):.1f} over {n_baseline} entries of the 28 days before "
            "(drop >= 2.0; the portal's own threshold, not a published cut-off)."
            + (
                " Severity high: " + " and ".join(reasons) + " (FDA antidepressant boxed warning)."
                if reasons
                else ""
            )
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
        patient_message=(
            "Your recent answers show your mood has been lower, and your care team has been "
            "told. Talk to your clinician about how you are feeling."
        ),
    )


def evaluate_mood(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    candidates = suicidal_ideation_candidates(snapshot)
    worsening = mood_worsening_candidate(snapshot)
    if worsening is not None:
        candidates.append(worsening)
    return candidates
