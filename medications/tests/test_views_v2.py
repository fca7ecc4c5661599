"""The patient's medicines page shows the v2 findings in plain words: minor ones as "worth
mentioning to your clinician", blood-pressure risks as such, and what each combination product
contains. Test drugs with v2 data are made here (the catalog data changes independently)."""

from datetime import date

import pytest

from medications.catalog import drug_search_keys
from medications.models import Drug
from medications.services import medication_course_create
from tests.builders import drug

pytestmark = [pytest.mark.clock, pytest.mark.django_db]

PAGE = "/patient/medications/"


def make_drug(name, tier="none", *, brands=(), classes=(), ingredients=()):
    row = Drug.objects.create(
        name=name,
        brand_names=list(brands),
        serotonergic=tier,
        classes=list(classes),
        search_keys=drug_search_keys(name, brands),
    )
    row.ingredients.set([drug(part) for part in ingredients])
    return row


def add(patient, name, **extra):
    values = {"dose": 50, "unit": "mg", "started_on": date(2026, 1, 5)} | extra
    return medication_course_create(patient=patient, drug=name, **values)


def findings_html(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode().split('id="findings-title"')[1].split("</section>")[0]


def test_a_minor_finding_is_worth_mentioning_not_alarming(pat, client_for):
    add(pat, "cyclobenzaprine")
    add(pat, "Imitrex")

    html = findings_html(client_for(pat))

    assert "Worth mentioning" in html and "sev-low" in html
    assert "worth mentioning to your clinician" in html
    assert "Important" not in html and "serious" not in html and "sev-critical" not in html


def test_a_blood_pressure_risk_is_worded_as_one(pat, client_for):
    make_drug("testephedrine", brands=["Testafed"], classes=["decongestant"])
    add(pat, "Nardil")
    add(pat, "Testafed")

    html = findings_html(client_for(pat))

    assert "Blood pressure risk" in html
    assert "can raise your blood pressure to a dangerous level" in html
    assert "Important" in html
    assert "stop" not in html.lower()


def test_each_combination_product_names_what_it_contains(pat, client_for):
    make_drug("testracet product", brands=["Testracet"], ingredients=["tramadol", "acetaminophen"])
    add(pat, "Testracet")
    add(pat, "Testracet", started_on=date(2025, 1, 1), stopped_on=date(2025, 2, 1))
    add(pat, "sertraline")

    response = client_for(pat).get(PAGE)
    html = response.content.decode()

    assert html.count("Testracet contains tramadol and acetaminophen") == 2  # now and before
    assert "Sertraline and tramadol both raise serotonin" in html
    findings = html.split('id="findings-title"')[1].split("</section>")[0]
    assert "Tramadol is in Testracet." in findings
    assert "sertraline contains" not in html.lower()


def test_the_page_query_count_does_not_grow_with_products(
    pat, client_for, django_assert_max_num_queries
):
    for i in range(5):
        make_drug(f"test product {i}", brands=[f"Testprod{i}"], ingredients=["tramadol"])
        add(pat, f"Testprod{i}")
    client = client_for(pat)
    client.get(PAGE)
    # session, user, profile, courses, ingredients of combination products, catalog names
    with django_assert_max_num_queries(7):
        assert client.get(PAGE).status_code == 200
