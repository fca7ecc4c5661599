"""alerts.snapshots loads courses with the drugs' classes, a combination product's ingredients
and when each course was recorded, in a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.snapshots import Profile, _load_courses
from medications.models import Drug, MedicationCourse
from tests.builders import course, drug

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


def _profile(patient):
    return Profile(patient_id=patient.pk, tz="UTC", today=TODAY, age=40)


def _product(name, *ingredients):
    product = Drug.objects.create(name=name, serotonergic="none")
    product.ingredients.set([drug(ingredient) for ingredient in ingredients])
    return product


def test_courses_carry_classes_ingredients_and_recorded_at(pat, sam):
    sertraline = drug("sertraline")
    sertraline.classes = ["ssri"]
    sertraline.save(update_fields=["classes"])
    ultracet = _product("test ultracet", "tramadol", "acetaminophen")
    MedicationCourse.objects.create(
        patient=pat, drug=ultracet, name="Ultracet", started_on=date(2026, 11, 1)
    )
    course(pat, "sertraline", date(2026, 10, 1))
    course(sam, "Kratom", date(2026, 10, 1))

    with CaptureQueriesContext(connection) as queries:
        loaded = _load_courses([_profile(pat), _profile(sam)])

    assert len(queries) == 2  # the courses, and the ingredients of the one product
    by_name = {c.name: c for c in loaded[pat.pk]}
    assert by_name["sertraline"].drug.classes == frozenset({"ssri"})
    assert [p.name for p in by_name["Ultracet"].drug.ingredients] == ["acetaminophen", "tramadol"]
    assert by_name["Ultracet"].recorded_at is not None
    (kratom,) = loaded[sam.pk]
    assert kratom.drug is None


def test_no_product_no_ingredient_query_and_constant_for_more_patients(pat, sam):
    course(pat, "sertraline", date(2026, 10, 1))
    course(sam, "tramadol", date(2026, 10, 1))
    with CaptureQueriesContext(connection) as queries:
        _load_courses([_profile(pat), _profile(sam)])
    assert len(queries) == 1

    for patient in (pat, sam):
        MedicationCourse.objects.create(
            patient=patient,
            drug=_product(f"test product {patient.pk}", "tramadol"),
            name="product",
            started_on=date(2026, 11, 1),
        )
    with CaptureQueriesContext(connection) as queries:
        loaded = _load_courses([_profile(pat), _profile(sam)])
    assert len(queries) == 2
    assert all(any(c.drug and c.drug.ingredients for c in loaded[p.pk]) for p in (pat, sam))
