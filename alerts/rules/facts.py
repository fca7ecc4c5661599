"""Plain input and output records of the alert rules (pure: no Django imports)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from medications.interactions import CourseFacts

# Ascending order of Alert.severity.
ALERT_SEVERITY_ORDER = ("low", "moderate", "high", "critical")

# Acute events, not trends: the rules raise one alert per triggering entry or response (never
# merged, never raised again once seen), and the patient's page lists them first as urgent.
PER_EVENT_KINDS = frozenset({"suicidal_ideation", "serotonin_toxicity_symptoms"})

# Combination alerts, one open alert of each kind per patient that grows with the set of drugs;
# after resolution only a re-exposure or a higher severity raises a new one
# (docs/clinical-rules.md#combination-alerts). Keyed by a finding's mechanism.
COMBINATION_KIND_BY_MECHANISM = {
    "serotonergic": "serotonergic_combination",
    "hypertensive": "hypertensive_combination",
}
COMBINATION_KINDS = frozenset(COMBINATION_KIND_BY_MECHANISM.values())

# How far back the entry loader reads (days before today, inclusive): M5 needs T-34..T
# (docs/clinical-rules.md#m5-falling-mood-average).
ENTRY_LOOKBACK_DAYS = 34


def severity_rank(severity: str) -> int:
    return ALERT_SEVERITY_ORDER.index(severity)


@dataclass(frozen=True, slots=True)
class EntryFacts:
    id: int
    date: date
    mood: int | None
    serotonin_symptoms: tuple[str, ...] = ()
    self_harm_thoughts: bool = False


@dataclass(frozen=True, slots=True)
class Phq9Facts:
    id: int
    completed_on: date  # the patient-local date of completed_at
    total: int
    item9: int


@dataclass(frozen=True, slots=True)
class PatientSnapshot:
    """What the rules see of one patient on `today` (patient-local date).

    `entries` and `phq9` are in chronological order. The loader must include at least: the
    entries of the last ENTRY_LOOKBACK_DAYS (or, given `mood_baseline`, those of T-8..T plus
    those of the window with symptoms or self-harm ticked) and, for a changed patient, every
    entry with self-harm or symptoms ticked; the two most recent PHQ-9 responses, every
    response of the 90 days before the latest, and every response with item 9 above 0; and all
    medication courses, with `dose_change` and `continued` filled in from their links.
    """

    patient_id: int
    today: date
    age: int | None
    entries: tuple[EntryFacts, ...] = ()
    phq9: tuple[Phq9Facts, ...] = ()
    courses: tuple[CourseFacts, ...] = ()
    # (number of entries, sum of their moods) over T-34..T-7 when the loader aggregated them in
    # the database; None: rule M5 computes it from `entries`.
    mood_baseline: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    kind: str
    severity: str
    dedupe_key: str
    title: str
    rule: str
    rule_version: int
    # JSON-serialisable. evidence["hits"] lists what triggered the rule; each hit has "rule" and
    # "items" (e.g. "entry:12", "phq9:3", "course:sertraline:2026-01-05"): hits of the same rule
    # sharing an item are the same episode (used to tell new evidence from old).
    evidence: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""
    patient_message: str = ""
    # The medication courses a combination candidate rests on (those of its drugs that count
    # today): the sync tells a re-exposure after a resolved alert from them. Not stored.
    courses: tuple[CourseFacts, ...] = ()
