import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from accounts.models import AuditEvent
from clinic.fhir import LOINC_PAIN_SEVERITY, LOINC_PHQ9_TOTAL, RXNORM
from clinic.tests import factories as f

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock


@pytest.fixture
def record(pat):
    today = timezone.localdate()
    f.entries(pat, today, [5, 6, 7], [3, 4, 5])
    f.phq9_response(pat, [1, 2, 3, 0, 1, 2, 3, 0, 1], today)
    f.fiqr_response(pat, 4, today)
    f.acr_response(pat, today)
    f.course(pat, "sertraline", today - timedelta(days=30))
    f.course(pat, "tramadol", today - timedelta(days=2))
    f.course(pat, "Mystery tea", today - timedelta(days=2))
    return pat


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_it_exports_a_valid_r4_bundle(api_client, cleo, record):
    response = api_client(cleo).get(f"/api/v1/patients/{record.pk}/fhir/")

    assert response.status_code == 200
    bundle = response.json()
    Bundle.model_validate(bundle)  # raises when invalid
    assert bundle["type"] == "collection"
    (patient,) = _resources(bundle, "Patient")
    assert patient["name"][0]["text"] == "Pat Patient"
    assert patient["birthDate"] == "1980-05-17"
    observations = _resources(bundle, "Observation")
    codes = [o["code"]["coding"][0]["code"] for o in observations]
    assert codes.count(LOINC_PAIN_SEVERITY) == 3
    (phq9,) = [o for o in observations if o["code"]["coding"][0]["code"] == LOINC_PHQ9_TOTAL]
    assert phq9["valueInteger"] == 13
    assert [c["valueInteger"] for c in phq9["component"]] == [1, 2, 3, 0, 1, 2, 3, 0, 1]
    assert {"fiqr-total", "wpi", "sss", "acr2016-criteria"} <= set(codes)
    statements = _resources(bundle, "MedicationStatement")
    assert len(statements) == 3
    rx = {
        s["medicationCodeableConcept"]["text"]: s["medicationCodeableConcept"] for s in statements
    }
    assert rx["sertraline"]["coding"][0] == {
        "system": RXNORM,
        "code": "36437",
        "display": "sertraline",
    }
    assert "coding" not in rx["Mystery tea"]
    (issue,) = _resources(bundle, "DetectedIssue")
    assert issue["severity"] == "high"  # major
    assert len(issue["implicated"]) == 2
    assert "Source:" in issue["detail"]
    assert AuditEvent.objects.filter(actor=cleo, patient=record, action="fhir_export").count() == 1


def test_the_patient_may_export_their_own_record(api_client, record):
    response = api_client(record).get(f"/api/v1/patients/{record.pk}/fhir/")
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="fhir_export").exists()


@pytest.mark.parametrize("persona", ["uma", "rex", "val", "sam", "ada"])
def test_nobody_else_may_export_it(personas, api_client, persona):
    pat = personas["pat"]
    assert api_client(personas[persona]).get(f"/api/v1/patients/{pat.pk}/fhir/").status_code == 404


def test_anonymous_is_refused(api_client, pat):
    assert api_client(None).get(f"/api/v1/patients/{pat.pk}/fhir/").status_code in (401, 403)


def test_unknown_patient_is_404(api_client, cleo):
    assert api_client(cleo).get("/api/v1/patients/987654/fhir/").status_code == 404


@pytest.mark.parametrize("accept", ["application/json", "text/html,application/xhtml+xml", "*/*"])
@pytest.mark.parametrize("who", ["cleo", "pat"])
def test_it_downloads_as_a_fhir_json_file_whoever_asks_and_however(
    client_for, api_client, cleo, record, accept, who
):
    """A file, never DRF's browsable page: from the record page's link (a browser session
    asking for HTML) as from an API client."""
    user = cleo if who == "cleo" else record
    url = f"/api/v1/patients/{record.pk}/fhir/"
    for client in (client_for(user), api_client(user)):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename=")
        assert disposition.endswith('.json"')
        assert f"patient-{record.pk}-fhir-" in disposition
        assert "no-store" in response["Cache-Control"]
        assert b"<html" not in response.content[:200]
        Bundle.model_validate(json.loads(response.content))
    expected = 2 if who == "cleo" else 0  # clinicians' reads are audited, a patient's own not
    assert AuditEvent.objects.filter(action="fhir_export").count() == expected


def test_the_record_page_links_to_the_download(client_for, cleo, record):
    page = client_for(cleo).get(f"/clinician/patients/{record.pk}/").content.decode()
    assert f'href="/api/v1/patients/{record.pk}/fhir/"' in page


def test_a_refused_export_stays_a_json_error_not_a_file(client_for, uma, record):
    response = client_for(uma).get(f"/api/v1/patients/{record.pk}/fhir/")
    assert response.status_code == 404
    assert "Content-Disposition" not in response
    assert not AuditEvent.objects.filter(action="fhir_export").exists()


def test_v2_findings_export_their_severity_and_a_products_statement(api_client, cleo, pat):
    from medications.catalog import drug_search_keys
    from medications.models import Drug, MedicationCourse
    from tests.builders import drug

    today = timezone.localdate()
    product = Drug.objects.create(
        name="testracet product", search_keys=drug_search_keys("testracet product", [])
    )
    product.ingredients.set([drug("tramadol"), drug("acetaminophen")])
    MedicationCourse.objects.create(
        patient=pat, drug=product, name="Testracet", started_on=today - timedelta(days=3)
    )
    f.course(pat, "sertraline", today - timedelta(days=30))
    f.course(pat, "cyclobenzaprine", today - timedelta(days=30))
    f.course(pat, "sumatriptan", today - timedelta(days=30))

    bundle = api_client(cleo).get(f"/api/v1/patients/{pat.pk}/fhir/").json()

    Bundle.model_validate(bundle)
    # "Serotonergic combination: cyclobenzaprine + sumatriptan" -> the drugs
    issues = {
        tuple(i["code"]["text"].split(": ", 1)[1].split(" + ")): i
        for i in _resources(bundle, "DetectedIssue")
    }
    assert issues[("cyclobenzaprine", "sumatriptan")]["severity"] == "low"  # minor (weak + weak)
    statements = {
        e["fullUrl"]: e["resource"]["medicationCodeableConcept"]["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationStatement"
    }
    strong = issues[("sertraline", "tramadol")]  # strong + strong, tramadol from the product
    implicated = sorted(statements[ref["reference"]] for ref in strong["implicated"])
    assert implicated == ["sertraline", "testracet product"]
