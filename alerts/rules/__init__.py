"""Pure alert rules over plain data. No Django imports here.

What each rule does and why: docs/clinical-rules.md#mood-and-safety-alerts.
"""

from alerts.rules.facts import AlertCandidate, PatientSnapshot
from alerts.rules.mood import evaluate_mood
from alerts.rules.serotonergic import evaluate_combinations
from alerts.rules.symptoms import evaluate_symptoms


def evaluate(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    """Every alert candidate for the patient on snapshot.today, each dedupe key at most once."""
    candidates = [
        *evaluate_mood(snapshot),
        *evaluate_symptoms(snapshot),
        *evaluate_combinations(snapshot),
    ]
    by_key: dict[str, AlertCandidate] = {}
    for candidate in candidates:
        by_key.setdefault(candidate.dedupe_key, candidate)
    return list(by_key.values())
