"""Combination alerts (docs/clinical-rules.md#combination-alerts), from the engine. Pure.

One assessment of the courses that count today gives at most two candidates: a
`serotonergic_combination` from the findings whose mechanism is serotonergic, and a
`hypertensive_combination` from the hypertensive ones. Each takes the highest severity of its
findings (the three-drug finding included), mapped as contraindicated -> critical, major ->
high, moderate -> moderate; `minor` findings are listed but never raise an alert on their own.

There is one open alert of each kind per patient (the dedupe key is the kind): a drug joining
the set adds a hit for the new set to that alert (an `evidence` event, an escalation when more
severe). After the alert is resolved, only a re-exposure (`reexposed_courses`) or a higher
severity raises a new one.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from alerts.rules.facts import COMBINATION_KIND_BY_MECHANISM, AlertCandidate, PatientSnapshot
from medications.black_box import DOSE_DECREASE
from medications.interactions import (
    SEVERITY_TO_ALERT,
    Assessment,
    CourseFacts,
    DrugFacts,
    Finding,
    assess,
    course_counts_on,
    display_name,
)

# 2: one alert per kind and patient, hypertensive combinations, re-exposure after resolution.
RULE_VERSION = 2
# The rule name stored in evidence hits and events (data, never shown to anyone).
RULE = "combination"

# Finding severities, ascending (the engine's `minor` is below `moderate`).
FINDING_SEVERITY_ORDER = ("minor", "moderate", "major", "contraindicated")
_FINDING_RANK = {severity: rank for rank, severity in enumerate(FINDING_SEVERITY_ORDER)}

TITLE_MAX_LENGTH = 200  # Alert.title
_TITLES = {
    "serotonergic": "Serotonergic combination",
    "hypertensive": "Hypertensive combination",
}
_EFFECTS = {
    "serotonergic": "",
    "hypertensive": " that can raise blood pressure",
}
_SET_LEADS = {
    "serotonergic": "Serotonergic medicines counted together on {on}: {names}.",
    "hypertensive": (
        "Medicines counted together on {on} that can raise blood pressure dangerously "
        "together: {names}."
    ),
}
MINOR_NOTE = "worth discussing, no alert on its own"


def finding_rank(severity: str) -> int:
    """Rank of a finding severity (-1 for "none" or anything unknown)."""
    return _FINDING_RANK.get(severity, -1)


def highest_severity(findings: Iterable[Finding]) -> str:
    """The highest severity of `findings`, "none" when there are none."""
    top = "none"
    for finding in findings:
        if finding_rank(finding.severity) > finding_rank(top):
            top = finding.severity
    return top


def mechanism_findings(assessment: Assessment, mechanism: str) -> list[Finding]:
    """The findings of one mechanism, most severe first (stable otherwise)."""
    found = [f for f in assessment.findings if f.mechanism == mechanism]
    return sorted(found, key=lambda f: -finding_rank(f.severity))


def mechanism_severity(assessment: Assessment, mechanism: str) -> str:
    """The overall severity of one mechanism: its highest finding ("none" without any)."""
    return highest_severity(mechanism_findings(assessment, mechanism))


def unchecked_text(names: Sequence[str]) -> str:
    """The sentence naming medicines the engine could not check ("" without any), e.g.
    "2 medicines could not be checked: Grandma's tea, Zz." (alphabetical order)."""
    if not names:
        return ""
    count = len(names)
    noun = "medicine" if count == 1 else "medicines"
    listed = ", ".join(sorted(names, key=str.casefold))
    return f"{count} {noun} could not be checked: {listed}."


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def drug_names_of(drug: DrugFacts) -> frozenset[str]:
    """The generic names a course of `drug` stands for: itself and, for a combination product,
    each ingredient (each counts in the engine)."""
    return frozenset({drug.name, *(ingredient.name for ingredient in drug.ingredients)})


def course_key(drug: str, started_on: date | str) -> str:
    """How evidence names a course of `drug` (a dose change starts a new course)."""
    day = started_on if isinstance(started_on, str) else started_on.isoformat()
    return f"{drug}:{day}"


def set_item(drugs: Sequence[str]) -> str:
    """The evidence item of a set of drugs: two hits with the same set are the same episode."""
    return "set:" + "+".join(sorted(drugs))


def _course_row(course: CourseFacts, drug: str) -> dict[str, Any]:
    return {
        "drug": drug,
        "name": course.name,
        "started_on": course.started_on.isoformat(),
        "stopped_on": course.stopped_on.isoformat() if course.stopped_on else None,
        "dose_change": course.dose_change,
        "recorded_at": course.recorded_at.isoformat() if course.recorded_at else None,
    }


def set_courses(
    courses: Iterable[CourseFacts], drugs: Iterable[str], on: date
) -> list[tuple[str, CourseFacts]]:
    """(generic name, course) of every course that counts on `on` and stands for a drug of the
    set, by name then start."""
    wanted = set(drugs)
    found = []
    for course in courses:
        if course.drug is None or not course_counts_on(course, on):
            continue
        for name in sorted(drug_names_of(course.drug) & wanted):
            found.append((name, course))
    found.sort(key=lambda pair: (pair[0], pair[1].started_on))
    return found


def combination_candidate(
    assessment: Assessment, courses: Sequence[CourseFacts], today: date, mechanism: str
) -> AlertCandidate | None:
    """The combination alert of one mechanism on `today`, or None (no finding, or minor only)."""
    findings = mechanism_findings(assessment, mechanism)
    severity = highest_severity(findings)
    alert_severity = SEVERITY_TO_ALERT.get(severity)
    if alert_severity is None:
        return None
    kind = COMBINATION_KIND_BY_MECHANISM[mechanism]
    drugs = sorted({name for finding in findings for name in finding.drugs})
    names = [display_name(name) for name in drugs]
    counted = set_courses(courses, drugs, today)
    parts = [_SET_LEADS[mechanism].format(on=today.isoformat(), names=", ".join(names))]
    for finding in findings:
        label = finding.severity.capitalize()
        if finding.severity == "minor":
            label += f" ({MINOR_NOTE})"
        parts.append(f"{label}: {finding.explanation}")
    unchecked = unchecked_text(assessment.unknown)
    if unchecked:
        parts.append(unchecked)
    title = f"{_TITLES[mechanism]}: {' + '.join(names)}"
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1] + "…"
    hit = {
        "rule": RULE,
        # One item per set of drugs: a drug joining the set is a new hit (new evidence); the
        # same set seen again is not.
        "items": [set_item(drugs)],
        "on": today.isoformat(),
        "mechanism": mechanism,
        "drugs": drugs,
        "interaction_severity": severity,
        "findings": [
            {
                "drugs": list(finding.drugs),
                "severity": finding.severity,
                "mechanism": finding.mechanism,
                "explanation": finding.explanation,
            }
            for finding in findings
        ],
        "courses": [_course_row(course, name) for name, course in counted],
        "unknown": list(assessment.unknown),
    }
    return AlertCandidate(
        kind=kind,
        severity=alert_severity,
        dedupe_key=kind,
        title=title,
        rule=RULE,
        rule_version=RULE_VERSION,
        evidence={
            "hits": [hit],
            # The set as of the latest evaluation that changed the alert (hits keep every set).
            "current": {"on": hit["on"], "drugs": drugs, "interaction_severity": severity},
        },
        explanation=" ".join(parts),
        patient_message=(
            "Your care team has been told about a possible interaction between "
            f"{_join_names(names)}{_EFFECTS[mechanism]}. Talk to your clinician if you have "
            "any questions, and before you make any change to your medicines."
        ),
        courses=tuple(course for _, course in counted),
    )


def combination_candidates(
    assessment: Assessment, courses: Sequence[CourseFacts], today: date
) -> list[AlertCandidate]:
    """Both kinds' candidates from one assessment (serotonergic first)."""
    found = []
    for mechanism in COMBINATION_KIND_BY_MECHANISM:
        candidate = combination_candidate(assessment, courses, today, mechanism)
        if candidate is not None:
            found.append(candidate)
    return found


def evaluate_combinations(snapshot: PatientSnapshot) -> list[AlertCandidate]:
    assessment = assess(snapshot.courses, snapshot.today)
    return combination_candidates(assessment, snapshot.courses, snapshot.today)


def courses_seen(details: Iterable[dict[str, Any]]) -> set[str]:
    """course_key of every course in the stored evidence of these alerts' details."""
    seen = set()
    for detail in details:
        evidence = detail.get("evidence") if isinstance(detail, dict) else None
        hits = evidence.get("hits", ()) if isinstance(evidence, dict) else ()
        for hit in hits:
            for row in hit.get("courses", ()) if isinstance(hit, dict) else ():
                if isinstance(row, dict) and row.get("drug") and row.get("started_on"):
                    seen.add(course_key(row["drug"], row["started_on"]))
    return seen


def reexposed_courses(
    courses: Iterable[CourseFacts],
    *,
    resolved_at: datetime,
    resolved_on: date,
    seen: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[CourseFacts]:
    """Courses of a combination's set that are a new exposure after a resolution.

    A start, a restart or a dose change that is not a decrease (an increase, or a change whose
    direction is unknown: other unit or frequency) is new when it was recorded after the
    resolution (`resolved_at`), or when it starts on or after the patient-local day of the
    resolution (`resolved_on`) and was not already in the resolved alerts' evidence (`seen`,
    course_key values: the clinician resolved the alert knowing it). A dose decrease or an
    unchanged regimen is never new. `recorded_at` None (unknown) is taken as long ago.
    """
    found = []
    for course in courses:
        if course.drug is None or course.dose_change == DOSE_DECREASE:
            continue
        recorded_after = course.recorded_at is not None and course.recorded_at > resolved_at
        started_after = course.started_on >= resolved_on and not any(
            course_key(name, course.started_on) in seen for name in drug_names_of(course.drug)
        )
        if recorded_after or started_after:
            found.append(course)
    return found
