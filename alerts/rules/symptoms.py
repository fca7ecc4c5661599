"""Serotonin toxicity symptoms, rule S1. Pure: no Django imports.

See docs/clinical-rules.md#serotonin-toxicity-symptoms.
"""

from collections.abc import Iterable
from datetime import date

from alerts.rules.facts import AlertCandidate, EntryFacts, PatientSnapshot
from journal.instruments.codes import SEROTONIN_SYMPTOMS
from medications.interactions import CourseFacts, assess

RULE_VERSION = 1

# S1: 3 or more of the FDA 2016 patient-list / Sternbach features ticked on one check-in.
S1_MIN_SYMPTOMS = 3
# ... while a combination counts that day, or a strong/MAOI drug was started or its dose changed
# within the last 7 days (0 <= T - D <= 7).
S1_RECENT_START_DAYS = 7
S1_START_TIERS = frozenset({"strong", "maoi"})


def recent_strong_starts(courses: tuple[CourseFacts, ...], on: date) -> list[CourseFacts]:
    return [
        c
        for c in courses
        if c.drug is not None
        and c.drug.serotonergic in S1_START_TIERS
        and 0 <= (on - c.started_on).days <= S1_RECENT_START_DAYS
    ]


def s1_applies(symptoms: Iterable[str], courses: tuple[CourseFacts, ...], on: date) -> bool:
    """S1 as a yes/no (the patient's urgent-care notice): same conditions as `s1_candidate`."""
    if len({s for s in symptoms if s in SEROTONIN_SYMPTOMS}) < S1_MIN_SYMPTOMS:
        return False
    return assess(courses, on).severity != "none" or bool(recent_strong_starts(courses, on))


def s1_candidate(entry: EntryFacts, courses: tuple[CourseFacts, ...]) -> AlertCandidate | None:
    if len(entry.serotonin_symptoms) < S1_MIN_SYMPTOMS:
        return None
    symptoms = sorted({s for s in entry.serotonin_symptoms if s in SEROTONIN_SYMPTOMS})
    if len(symptoms) < S1_MIN_SYMPTOMS:
        return None
    on = entry.date
    combination = assess(courses, on)
    starts = recent_strong_starts(courses, on)
    has_combination = combination.severity != "none"
    if not has_combination and not starts:
        return None
    combination_drugs = sorted({d for f in combination.findings for d in f.drugs})
    started = sorted({c.drug.name for c in starts if c.drug is not None})
    reasons = []
    if has_combination:
        reasons.append(
            f"a {combination.severity} serotonergic combination counts that day "
            f"({' + '.join(combination_drugs)})"
        )
    if started:
        reasons.append(
            f"{', '.join(started)} started or dose changed within {S1_RECENT_START_DAYS} days"
        )
    return AlertCandidate(
        kind="serotonin_toxicity_symptoms",
        severity="critical",
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
                    "combination_severity": combination.severity,
                    "combination_drugs": combination_drugs,
                    "recently_started": started,
                }
            ]
        },
        explanation=(
            f"S1: check-in of {on.isoformat()} reports {len(symptoms)} serotonin toxicity "
            f"symptoms ({', '.join(symptoms)}) while " + " and ".join(reasons) + ". "
            "Features per FDA Drug Safety Communication 2016-03-22 and Sternbach; assess with "
            "the Hunter criteria (Dunkley 2003)."
        ),
        patient_message=(
            "You reported several symptoms that can happen with some medicines. Please get "
            "urgent medical care now (an urgent care clinic, emergency department or your "
            "local emergency number), and talk to your clinician. Your care team has been told."
        ),
    )


def evaluate_symptoms(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    return [
        candidate
        for entry in snapshot.entries
        if (candidate := s1_candidate(entry, snapshot.courses)) is not None
    ]
