"""Serotonin toxicity symptoms, rule S1. Pure: no Django imports.

See docs/clinical-rules.md#serotonin-toxicity-symptoms.
"""

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext_noop

from alerts.rules.facts import AlertCandidate, EntryFacts, PatientSnapshot
from alerts.rules.serotonergic import finding_rank, mechanism_findings, mechanism_severity
from journal.instruments.codes import SEROTONIN_SYMPTOMS
from medications.interactions import DISPLAY_NAMES, CourseFacts, DrugFacts, assess, ingredients_of

# 2: docs/clinical-rules.md version 2 (back-filled entries: high, no urgent-care notice; a
# combination counts from `moderate` up; plain explanations).
RULE_VERSION = 2

# S1: 3 or more of the FDA 2016 patient-list / Sternbach features ticked on one check-in.
S1_MIN_SYMPTOMS = 3
# ... while a serotonergic combination of at least `moderate` counts that day (v2: a `minor`
# one does not, nor does a hypertensive-only one), or a strong/MAOI/MAO-B drug was started or
# its dose changed within the last 7 days (0 <= T - D <= 7).
S1_RECENT_START_DAYS = 7
S1_START_TIERS = frozenset({"strong", "maoi", "maob"})
S1_MIN_COMBINATION = "moderate"
# v2: entries dated T-2..T are current (critical, urgent care now); older, back-filled entries
# are `high` and the patient is asked to tell their clinician instead.
S1_CURRENT_DAYS = 2

# The same values as journal.safety's (the journal cannot import alerts, and the pure rules
# import no Django).
NOTICE_URGENT_CARE = "urgent_care"
NOTICE_TELL_CLINICIAN = "tell_clinician"


def _start_drugs(course: CourseFacts) -> list[DrugFacts]:
    """The strong/MAOI/MAO-B drugs a course stands for (a combination product: its
    ingredients, each counting on its own)."""
    if course.drug is None:
        return []
    return [unit for unit in ingredients_of(course.drug) if unit.serotonergic in S1_START_TIERS]


def recent_strong_starts(courses: tuple[CourseFacts, ...], on: date) -> list[CourseFacts]:
    return [
        c
        for c in courses
        if _start_drugs(c) and 0 <= (on - c.started_on).days <= S1_RECENT_START_DAYS
    ]


def _name(drug: str) -> str:
    return DISPLAY_NAMES.get(drug, drug)


def _counts_as_combination(severity: str) -> bool:
    # A `minor` severity (below moderate), "none" or anything unknown never counts.
    return finding_rank(severity) >= finding_rank(S1_MIN_COMBINATION)


def is_back_filled(entry_date: date, today: date) -> bool:
    """An entry dated before T-2 (patient-local today)."""
    return (today - entry_date).days > S1_CURRENT_DAYS


def s1_applies(symptoms: Iterable[str], courses: tuple[CourseFacts, ...], on: date) -> bool:
    """S1's conditions as a yes/no for an entry dated `on` (same as `s1_candidate`)."""
    if len({s for s in symptoms if s in SEROTONIN_SYMPTOMS}) < S1_MIN_SYMPTOMS:
        return False
    severity = mechanism_severity(assess(courses, on), "serotonergic")
    return _counts_as_combination(severity) or bool(recent_strong_starts(courses, on))


def s1_notice(
    symptoms: Iterable[str], courses: tuple[CourseFacts, ...], on: date, today: date
) -> str | None:
    """What the patient is told right after saving an entry dated `on`: NOTICE_URGENT_CARE for
    an entry of T-2..T, NOTICE_TELL_CLINICIAN for a back-filled one, None when S1 does not
    apply."""
    if not s1_applies(symptoms, courses, on):
        return None
    return NOTICE_TELL_CLINICIAN if is_back_filled(on, today) else NOTICE_URGENT_CARE


def s1_candidate(
    entry: EntryFacts, courses: tuple[CourseFacts, ...], today: date | None = None
) -> AlertCandidate | None:
    """`today` (patient-local T) tells a back-filled entry from a current one; None treats the
    entry as current (the stricter answer)."""
    if len(entry.serotonin_symptoms) < S1_MIN_SYMPTOMS:
        return None
    symptoms = sorted({s for s in entry.serotonin_symptoms if s in SEROTONIN_SYMPTOMS})
    if len(symptoms) < S1_MIN_SYMPTOMS:
        return None
    on = entry.date
    findings = mechanism_findings(assess(courses, on), "serotonergic")
    severity = findings[0].severity if findings else "none"  # most severe first
    starts = recent_strong_starts(courses, on)
    has_combination = _counts_as_combination(severity)
    if not has_combination and not starts:
        return None
    back_filled = today is not None and is_back_filled(on, today)
    combination_drugs = sorted({d for f in findings for d in f.drugs})
    started = sorted({unit.name for c in starts for unit in _start_drugs(c)})
    reasons = []
    if has_combination:
        reasons.append(
            f"a {severity} serotonergic combination was being taken that day "
            f"({' + '.join(_name(d) for d in combination_drugs)})"
        )
    if started:
        reasons.append(
            f"{', '.join(_name(d) for d in started)} had been started or had its dose "
            f"changed in the {S1_RECENT_START_DAYS} days before"
        )
    timing = ""
    if back_filled and today is not None:
        timing = (
            f" The check-in was filled in {(today - on).days} days after that date (on "
            f"{today.isoformat()}); the symptoms may have passed, so ask how the patient is now."
        )
    return AlertCandidate(
        kind="serotonin_toxicity_symptoms",
        severity="high" if back_filled else "critical",
        dedupe_key=f"serotonin_toxicity_symptoms:entry:{entry.id}",
        title="Possible serotonin toxicity symptoms",
        rule="S1",
        rule_version=RULE_VERSION,
        evidence={
            "hits": [
                {
                    "rule": "S1",
                    "items": [f"entry:{entry.id}"],
                    "entry_id": entry.id,
                    "date": on.isoformat(),
                    "symptoms": symptoms,
                    "combination_severity": severity,
                    "combination_drugs": combination_drugs,
                    "recently_started": started,
                    "back_filled": back_filled,
                }
            ]
        },
        explanation=(
            f"Check-in of {on.isoformat()} reports {len(symptoms)} symptoms of serotonin "
            f"toxicity ({', '.join(s.replace('_', ' ') for s in symptoms)}) while "
            + " and ".join(reasons)
            + ". These symptoms are listed in the FDA Drug Safety Communication of 2016-03-22 "
            "and by Sternbach (1991); assess with the Hunter criteria (Dunkley 2003)." + timing
        ),
        patient_message=(
            TELL_CLINICIAN_PATIENT_MESSAGE if back_filled else URGENT_CARE_PATIENT_MESSAGE
        ),
    )


URGENT_CARE_PATIENT_MESSAGE = gettext_noop(
    "You reported several symptoms that can happen with some medicines. Please get urgent "
    "medical care now (an urgent care clinic, emergency department or your local emergency "
    "number), and talk to your clinician. Your care team has been told."
)
TELL_CLINICIAN_PATIENT_MESSAGE = gettext_noop(
    "On an earlier day you had several symptoms that can happen with some medicines. Your "
    "care team has been told. Please tell your clinician about them, sooner if they come back."
)


def evaluate_symptoms(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    return [
        candidate
        for entry in snapshot.entries
        if (candidate := s1_candidate(entry, snapshot.courses, snapshot.today)) is not None
    ]
