"""API of the interaction engine v2: minor, mechanism, combination products, resolved names
(DESIGN.md "Medications v2").

Drugs whose v2 data (classes, products, the maob tier) the catalog file may not hold yet are
made here under test names, so these tests do not depend on the catalog data."""

import pytest

from medications.catalog import drug_search_keys
from medications.models import Drug, MedicationCourse
from medications.services import medication_course_create
from tests.builders import drug

CHECK = "/api/v1/interactions/check/"
LIST = "/api/v1/medications/"


def make_drug(name, tier="none", *, brands=(), classes=(), ingredients=(), washout=0):
    row = Drug.objects.create(
        name=name,
        brand_names=list(brands),
        serotonergic=tier,
        classes=list(classes),
        washout_days=washout,
        search_keys=drug_search_keys(name, brands),
    )
    row.ingredients.set([drug(part) for part in ingredients])
    return row


@pytest.fixture
def testracet(db):
    return make_drug("testracet product", brands=["Testracet"], ingredients=["tramadol",
                     "acetaminophen"])  # fmt: skip


@pytest.fixture
def v2_drugs(db):
    return {
        "maob": make_drug("testagiline", "maob", washout=14),
        "decongestant": make_drug("testephedrine", classes=["decongestant"]),
    }


def check(client, names):
    response = client.post(CHECK, {"drugs": names}, format="json")
    assert response.status_code == 200
    return response.json()


def test_a_product_resolves_to_every_ingredient_and_counts_each(pat, api_client, testracet):
    body = check(api_client(pat), ["Testracet", "sertraline"])

    assert body["resolved"] == {
        "Testracet": ["tramadol", "acetaminophen"],
        "sertraline": ["sertraline"],
    }
    assert body["severity"] == "major"
    (finding,) = body["findings"]
    assert finding["drugs"] == ["sertraline", "tramadol"]
    assert (finding["severity"], finding["mechanism"]) == ("major", "serotonergic")
    assert finding["rule"] == "strong_strong"
    assert body["unknown"] == [] and body["suggestions"] == {}


def test_a_product_beside_its_own_ingredient_is_one_drug(pat, api_client, testracet):
    body = check(api_client(pat), ["Testracet", "Ultram"])
    assert (body["severity"], body["findings"], body["counted"]) == ("none", [], ["tramadol"])


def test_the_medications_form_counts_a_products_ingredients(pat, api_client, testracet):
    response = api_client(pat).post(
        CHECK,
        {
            "medications": [
                {"drug": "Testracet", "started_on": "2026-11-01"},
                {"drug": "Zoloft", "started_on": "2026-10-01", "stopped_on": "2026-11-20"},
            ],
            "on": "2026-11-27",
        },
        format="json",
    )
    body = response.json()
    assert body["severity"] == "major"  # sertraline's 14-day washout still counts
    assert body["findings"][0]["drugs"] == ["sertraline", "tramadol"]
    assert body["resolved"]["Zoloft"] == ["sertraline"]


def test_weak_plus_weak_is_minor_and_worth_mentioning(pat, api_client):
    body = check(api_client(pat), ["cyclobenzaprine", "Imitrex"])
    assert body["severity"] == "minor"
    (finding,) = body["findings"]
    assert (finding["severity"], finding["mechanism"]) == ("minor", "serotonergic")
    assert "worth mentioning to your clinician" in finding["patient_explanation"]
    assert "Gillman" in finding["explanation"]


@pytest.mark.parametrize(
    ("names", "severity", "mechanisms"),
    [
        (["Nardil", "testephedrine"], "contraindicated", ["hypertensive"]),
        (["testagiline", "testephedrine"], "moderate", ["hypertensive"]),
        (["testagiline", "sertraline"], "moderate", ["serotonergic"]),
        (["testagiline", "sertraline", "testephedrine"], "moderate",
         ["hypertensive", "serotonergic"]),
        (["testagiline", "sumatriptan"], "minor", ["serotonergic"]),
    ],
)  # fmt: skip
def test_maob_and_blood_pressure_rules_through_the_api(
    pat, api_client, v2_drugs, names, severity, mechanisms
):
    body = check(api_client(pat), names)
    assert body["severity"] == severity
    assert sorted(f["mechanism"] for f in body["findings"]) == mechanisms
    for finding in body["findings"]:
        if finding["mechanism"] == "hypertensive":
            assert "blood pressure" in finding["patient_explanation"]


def test_misspellings_are_unknown_with_suggestions_and_never_resolved(pat, api_client):
    body = check(api_client(pat), ["sertaline", "tramadol", "turmeric"])
    assert body["unknown"] == ["sertaline", "turmeric"]
    assert body["suggestions"] == {"sertaline": ["sertraline"]}
    assert body["resolved"] == {"tramadol": ["tramadol"]}
    assert body["severity"] == "none"


def test_the_check_reads_ingredients_in_one_query_however_many_products(
    pat, api_client, testracet, django_assert_max_num_queries
):
    make_drug("testcough product", brands=["Testcough DM"], ingredients=["dextromethorphan"])
    client = api_client(pat)
    client.post(CHECK, {"drugs": ["sertraline"]}, format="json")
    # session/user, catalog look-up, ingredients, suggestions catalog (none here)
    with django_assert_max_num_queries(5):
        body = check(client, ["Testracet", "Testcough DM", "sertraline", "Ultram"])
    assert body["severity"] == "major"


def test_a_course_of_a_product_says_what_it_contains(pat, api_client, testracet):
    medication_course_create(patient=pat, drug="Testracet", started_on="2026-01-05")
    medication_course_create(patient=pat, drug="sertraline", started_on="2026-01-05")
    medication_course_create(patient=pat, drug="turmeric", started_on="2026-01-05")

    results = api_client(pat).get(LIST).json()["results"]

    by_name = {row["drug"]: row for row in results}
    assert by_name["Testracet"]["ingredients"] == ["tramadol", "acetaminophen"]
    assert by_name["Testracet"]["generic_name"] == "testracet product"
    assert by_name["sertraline"]["ingredients"] == []
    assert by_name["turmeric"]["ingredients"] == []
    course = MedicationCourse.objects.get(name="Testracet")
    detail = api_client(pat).get(f"{LIST}{course.pk}/").json()
    assert detail["ingredients"] == ["tramadol", "acetaminophen"]


def test_adding_a_product_returns_an_assessment_naming_the_ingredient(pat, api_client, testracet):
    api_client(pat).post(LIST, {"drug": "sertraline", "started_on": "2026-01-05"}, format="json")
    response = api_client(pat).post(
        LIST, {"drug": "Testracet 37.5/325 mg", "started_on": "2026-01-05"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["ingredients"] == ["tramadol", "acetaminophen"]
    assert body["assessment"]["findings"][0]["drugs"] == ["sertraline", "tramadol"]
    assert body["assessment"]["findings"][0]["mechanism"] == "serotonergic"


def test_the_schema_describes_the_v2_fields(pat, api_client):
    schema = api_client(pat).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    finding = components["Finding"]["properties"]
    assert {"drugs", "severity", "mechanism", "rule", "explanation"} <= set(finding)
    enums = {name: body.get("enum") for name, body in components.items()}
    assert ["serotonergic", "hypertensive"] in enums.values()
    assert any(
        values and "minor" in values and "contraindicated" in values for values in enums.values()
    )
    course = components["MedicationCourse"]["properties"]
    assert course["ingredients"]["type"] == "array"
    check_response = components["InteractionCheckResponse"]["properties"]
    assert {"unknown", "suggestions", "resolved", "severity", "findings"} <= set(check_response)
