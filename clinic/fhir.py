"""FHIR R4 export of one patient's record, validated with fhir.resources.

fhir.resources 8 defaults to R5; its `R4B` package is used here (R4B only changed resources we do
not export, so the Patient, Observation, MedicationStatement and DetectedIssue shapes are R4's).
Callers pass a patient already checked by accounts.access.

Times carry the patient's UTC offset ("2026-11-28T08:00:00+11:00", core.timezones), so the
date a receiving system reads off a questionnaire is the patient's own, as on every page.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from accounts.models import User
from core.timezones import patient_isoformat, patient_today
from journal.instruments import phq9
from journal.models import DailyEntry, QuestionnaireResponse
from medications import interactions
from medications.catalog import course_facts, courses_facts
from medications.models import MedicationCourse

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Measures without a LOINC live in the portal's own code system
# (docs/clinical-rules.md#export-codes).
PORTAL_CODES = "https://portal.example.org/fhir/CodeSystem/instruments"
# docs/clinical-rules.md#export-codes
LOINC_PHQ9_TOTAL = "44261-6"
LOINC_PAIN_SEVERITY = "72514-3"
# DetectedIssue.severity is high | moderate | low.
FHIR_ISSUE_SEVERITY = {
    "contraindicated": "high",
    "major": "high",
    "moderate": "moderate",
    "minor": "low",
}
# What kind of combination a finding is (interactions.Finding.mechanism).
FHIR_ISSUE_KIND = {"serotonergic": "Serotonergic", "hypertensive": "Hypertensive (blood pressure)"}
_NAMESPACE = uuid.UUID("1b7d1f7e-5f0c-4c1e-9f0a-6a8f2f0e9c11")


def _urn(kind: str, pk: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}/{pk}')}"


def _survey() -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]


def _observation(subject: str, code: dict[str, Any], when: str, **value: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": _survey(),
        "code": code,
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        **value,
    }


def _portal_code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": PORTAL_CODES, "code": code, "display": display}], "text": display}


def _patient_resource(patient: User) -> dict[str, Any]:
    resource = {"resourceType": "Patient", "id": f"patient-{patient.pk}", "active": True}
    if patient.full_name:
        resource["name"] = [{"text": patient.full_name}]
    resource["telecom"] = [{"system": "email", "value": patient.email}]
    profile = getattr(patient, "patient_profile", None)
    if profile is not None and profile.date_of_birth:
        resource["birthDate"] = profile.date_of_birth.isoformat()
    return resource


def _response_observations(
    subject: str, patient: User, response: QuestionnaireResponse
) -> list[dict[str, Any]]:
    when = patient_isoformat(patient, response.completed_at)
    score = response.score or {}
    if response.instrument == "phq9":
        items = (response.answers or {}).get("items") or []
        components = [
            {
                "code": {
                    "coding": [{"system": PORTAL_CODES, "code": f"phq9-item-{i}"}],
                    "text": question,
                },
                "valueInteger": int(value),
            }
            for i, (question, value) in enumerate(zip(phq9.QUESTIONS, items, strict=False), 1)
        ]
        observation = _observation(
            subject,
            {
                "coding": [
                    {"system": LOINC, "code": LOINC_PHQ9_TOTAL, "display": "PHQ-9 total score"}
                ],
                "text": "PHQ-9 total score",
            },
            when,
            valueInteger=int(score.get("total", 0)),
        )
        observation["interpretation"] = [{"text": str(score.get("band", ""))}]
        if components:
            observation["component"] = components
        return [observation]
    if response.instrument == "fiqr":
        return [
            _observation(
                subject,
                _portal_code("fiqr-total", "FIQR total score (0-100)"),
                when,
                valueQuantity={"value": float(score.get("total", 0)), "unit": "score"},
            )
        ]
    if response.instrument == "acr2016":
        return [
            _observation(
                subject,
                _portal_code("wpi", "Widespread Pain Index (0-19)"),
                when,
                valueInteger=int(score.get("wpi", 0)),
            ),
            _observation(
                subject,
                _portal_code("sss", "Symptom Severity Scale (0-12)"),
                when,
                valueInteger=int(score.get("sss", 0)),
            ),
            _observation(
                subject,
                _portal_code("acr2016-criteria", "ACR 2016 fibromyalgia criteria met"),
                when,
                valueBoolean=bool(score.get("meets_criteria")),
            ),
        ]
    return []


def _medication_statement(subject: str, course: MedicationCourse, today: date) -> dict[str, Any]:
    drug = course.drug
    concept: dict[str, Any] = {"text": drug.name if drug is not None else course.name}
    if drug is not None and drug.rxcui:
        concept["coding"] = [{"system": RXNORM, "code": drug.rxcui, "display": drug.name}]
    period = {"start": course.started_on.isoformat()}
    if course.stopped_on:
        period["end"] = course.stopped_on.isoformat()
    active = course.stopped_on is None or course.stopped_on >= today
    dose = f"{course.dose.normalize():f} {course.unit} " if course.dose else ""
    return {
        "resourceType": "MedicationStatement",
        "status": "active" if active else "completed",
        "medicationCodeableConcept": concept,
        "subject": {"reference": subject},
        "effectivePeriod": period,
        "dosage": [{"text": f"{dose}{course.get_frequency_display()}".strip()}],
    }


def patient_bundle(patient: User, *, today: date | None = None) -> dict[str, Any]:
    """The full record as a validated FHIR R4 Bundle (type collection), as JSON-ready dict.
    `today` (the patient's own date by default) decides which medicines are active."""
    today = today or patient_today(patient)
    subject = _urn("patient", patient.pk)
    entries = [{"fullUrl": subject, "resource": _patient_resource(patient)}]
    responses = QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "id")
    for response in responses:
        for i, obs in enumerate(_response_observations(subject, patient, response)):
            entries.append({"fullUrl": _urn(f"response/{i}", response.pk), "resource": obs})
    daily = (
        DailyEntry.objects.filter(patient=patient)
        .order_by("date")
        .values_list("pk", "date", "pain")
    )
    for pk, day, pain in daily:
        obs = _observation(
            subject,
            {
                "coding": [{"system": LOINC, "code": LOINC_PAIN_SEVERITY}],
                "text": "Pain severity 0-10 (reported)",
            },
            day.isoformat(),
            valueInteger=int(pain),
        )
        entries.append({"fullUrl": _urn("entry-pain", pk), "resource": obs})
    courses = list(
        MedicationCourse.objects.filter(patient=patient)
        .select_related("drug")
        .prefetch_related("drug__ingredients")  # a combination product counts each ingredient
        .order_by("started_on", "id")
    )
    statement_urls: dict[str, list[str]] = {}
    for course in courses:
        url = _urn("course", course.pk)
        entries.append({"fullUrl": url, "resource": _medication_statement(subject, course, today)})
        facts = course_facts(course)
        if facts.drug is not None and interactions.course_counts_on(facts, today):
            # Findings name a combination product's ingredients: each points at the product.
            for part in interactions.ingredients_of(facts.drug):
                statement_urls.setdefault(part.name, []).append(url)
    assessment = interactions.assess(courses_facts(courses), today)
    for i, finding in enumerate(assessment.findings):
        implicated = [
            {"reference": url} for name in finding.drugs for url in statement_urls.get(name, [])
        ]
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "status": "final",
            # Plain words (the engine's rule name is internal): mechanism and drugs.
            "code": {
                "text": f"{FHIR_ISSUE_KIND.get(finding.mechanism, 'Drug')} combination: "
                f"{' + '.join(finding.drugs)}"
            },
            "severity": FHIR_ISSUE_SEVERITY[finding.severity],
            "patient": {"reference": subject},
            "identifiedDateTime": today.isoformat(),
            "detail": finding.explanation,
        }
        if implicated:
            issue["implicated"] = implicated
        entries.append(
            {"fullUrl": _urn(f"issue/{i}/{'+'.join(finding.drugs)}", patient.pk), "resource": issue}
        )
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    bundle = Bundle.model_validate(data)
    return bundle.model_dump(mode="json", exclude_none=True)


def bundle_filename(patient: User, *, today: date | None = None) -> str:
    """The download's file name: the patient's id and the patient's date."""
    return f"patient-{patient.pk}-fhir-{(today or patient_today(patient)).isoformat()}.json"
