"""Serotonergic combinations (docs/clinical-rules.md#combination-severity), via the engine. Pure."""

from typing import cast

from alerts.rules.facts import AlertCandidate, PatientSnapshot
from medications.interactions import (
    SEVERITY_TO_ALERT,
    CourseFacts,
    DrugFacts,
    assess,
    course_counts_on,
)

RULE_VERSION = 1


def _join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _drug_name(course: CourseFacts) -> str:
    # Only courses of catalog drugs (drug not None) are picked below; the cast is for the types.
    return cast(DrugFacts, course.drug).name


def combination_candidate(snapshot: PatientSnapshot) -> AlertCandidate | None:
    """One alert per set of drugs in the findings on today (patient-local)."""
    today = snapshot.today
    assessment = assess(snapshot.courses, today)
    if assessment.severity == "none" or not assessment.findings:
        return None
    drugs = sorted({name for finding in assessment.findings for name in finding.drugs})
    courses = sorted(
        (
            c
            for c in snapshot.courses
            if c.drug is not None and c.drug.name in drugs and course_counts_on(c, today)
        ),
        key=lambda c: (_drug_name(c), c.started_on),
    )
    severity = SEVERITY_TO_ALERT[assessment.severity]
    explanation = " ".join(finding.explanation for finding in assessment.findings)
    if assessment.unknown:
        explanation += (
            " Not in the catalog, so not assessed: " + ", ".join(assessment.unknown) + "."
        )
    return AlertCandidate(
        kind="serotonergic_combination",
        severity=severity,
        dedupe_key="serotonergic_combination:" + "+".join(drugs),
        title="Serotonergic combination: " + " + ".join(drugs),
        rule="combination",
        rule_version=RULE_VERSION,
        evidence={
            "hits": [
                {
                    "rule": "combination",
                    # A course is identified by its drug and start (a dose change starts a new
                    # course); a combination sharing a course with an earlier one is the same one.
                    "items": [
                        f"course:{_drug_name(c)}:{c.started_on.isoformat()}" for c in courses
                    ],
                    "on": today.isoformat(),
                    "drugs": drugs,
                    "interaction_severity": assessment.severity,
                    "findings": [
                        {
                            "drugs": list(finding.drugs),
                            "severity": finding.severity,
                            "rule": finding.rule,
                            "explanation": finding.explanation,
                        }
                        for finding in assessment.findings
                    ],
                    "courses": [
                        {
                            "drug": _drug_name(c),
                            "name": c.name,
                            "started_on": c.started_on.isoformat(),
                            "stopped_on": c.stopped_on.isoformat() if c.stopped_on else None,
                        }
                        for c in courses
                    ],
                    "unknown": list(assessment.unknown),
                }
            ]
        },
        explanation=explanation,
        patient_message=(
            "Your care team has been told about a possible interaction between "
            f"{_join_names(drugs)}. Talk to your clinician if you have any questions, and "
            "before you make any change to your medicines."
        ),
    )


def evaluate_combinations(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    candidate = combination_candidate(snapshot)
    return [] if candidate is None else [candidate]
