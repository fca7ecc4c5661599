"""course_facts / courses_facts: dose-change direction and continued courses, never a query."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medications.black_box import DOSE_CHANGE_UNKNOWN, DOSE_DECREASE, DOSE_INCREASE
from medications.catalog import class_codes, course_facts, courses_facts, drug_facts
from medications.models import Drug, MedicationCourse
from tests.builders import course, drug

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(100, 50, DOSE_DECREASE), (50, 100, DOSE_INCREASE), (50, None, DOSE_CHANGE_UNKNOWN)],
)
def test_courses_facts_links_dose_changes_within_the_list(pat, first, second, expected):
    old = course(pat, "sertraline", date(2026, 1, 1), date(2026, 3, 31), dose=first)
    course(pat, "sertraline", date(2026, 4, 1), dose=second, previous=old)
    rows = list(
        MedicationCourse.objects.filter(patient=pat)
        .select_related("drug")
        .prefetch_related("drug__ingredients")
    )
    with CaptureQueriesContext(connection) as queries:
        facts = {f.started_on: f for f in courses_facts(rows)}
    assert len(queries) == 0  # the ingredients were prefetched
    assert facts[date(2026, 1, 1)].dose_change is None
    assert facts[date(2026, 1, 1)].continued is True  # its end is the dose change, not a stop
    assert facts[date(2026, 4, 1)].dose_change == expected
    assert facts[date(2026, 4, 1)].continued is False


def test_course_facts_alone_uses_loaded_relations_or_stays_unknown(pat):
    old = course(pat, "sertraline", date(2026, 1, 1), date(2026, 3, 31), dose=Decimal("100"))
    new = course(pat, "sertraline", date(2026, 4, 1), dose=Decimal("50"), previous=old)
    rows = MedicationCourse.objects.prefetch_related("drug__ingredients")
    plain = rows.select_related("drug").get(pk=new.pk)
    loaded = rows.select_related("drug", "previous_course").get(pk=new.pk)
    old_row = rows.select_related("drug").get(pk=old.pk)
    with CaptureQueriesContext(connection) as queries:
        assert course_facts(plain).dose_change == DOSE_CHANGE_UNKNOWN
        assert course_facts(loaded).dose_change == DOSE_DECREASE
        # Without a loaded next course the end counts as a stop (the black-box window's safe side).
        assert course_facts(old_row).continued is False
    assert len(queries) == 0


def _product(name, *ingredients, classes=()):
    product = Drug.objects.create(name=name, serotonergic="none", classes=list(classes))
    product.ingredients.set([drug(ingredient) for ingredient in ingredients])
    return product


def test_courses_facts_reads_ingredients_in_one_query_for_the_whole_list(pat):
    product = _product("test ultracet", "tramadol", "acetaminophen")
    for started in (date(2026, 1, 1), date(2026, 2, 1)):
        MedicationCourse.objects.create(
            patient=pat, drug=product, name="Ultracet", started_on=started
        )
    course(pat, "sertraline", date(2026, 1, 1))
    rows = list(MedicationCourse.objects.filter(patient=pat).select_related("drug"))
    with CaptureQueriesContext(connection) as queries:
        facts = courses_facts(rows)
    assert len(queries) == 1
    by_name = {f.name: f.drug for f in facts}
    assert [part.name for part in by_name["Ultracet"].ingredients] == ["acetaminophen", "tramadol"]
    assert by_name["sertraline"].ingredients == ()
    assert all(f.recorded_at is not None for f in facts)


def test_drug_facts_carry_classes_and_are_shared_immutable_objects():
    sertraline = drug("sertraline")
    sertraline.classes = ["ssri", "", 3, "ssri"]  # junk from an admin slip is ignored
    sertraline.save(update_fields=["classes"])
    row = Drug.objects.prefetch_related("ingredients").get(pk=sertraline.pk)
    first, second = drug_facts(row), drug_facts(row)
    assert first.classes == frozenset({"ssri"})
    assert first is second  # cached: the engine's pair cache recognises it by identity
    assert class_codes("ssri") == ()


def test_course_facts_of_a_product_names_what_it_contains(pat):
    product = _product("test symbyax", "fluoxetine")
    MedicationCourse.objects.create(
        patient=pat, drug=product, name="Symbyax", started_on=date(2026, 1, 1)
    )
    row = (
        MedicationCourse.objects.select_related("drug")
        .prefetch_related("drug__ingredients")
        .get(patient=pat)
    )
    with CaptureQueriesContext(connection) as queries:
        facts = course_facts(row)
    assert len(queries) == 0
    assert [part.name for part in facts.drug.ingredients] == ["fluoxetine"]
    assert facts.drug.ingredients[0].washout_days == 35
    assert facts.recorded_at == row.created_at


def test_ingredient_facts_for_gives_what_the_prefetch_gives_for_every_product(pat):
    """The dashboard reads products' ingredients as plain values (ingredient_facts_for):
    every combination product of the catalog, and every single drug, must come out as the
    prefetch path makes them."""
    from medications.catalog import ingredient_facts_for, with_drug_facts

    products = list(Drug.objects.filter(ingredients__isnull=False).distinct())
    assert len(products) >= 20
    singles = list(Drug.objects.filter(ingredients__isnull=True)[:20])
    # A product listed among its own ingredients (an admin slip) counts only its others.
    odd = products[0]
    odd.ingredients.add(odd)
    for day, row in enumerate([*products, *singles]):
        MedicationCourse.objects.create(
            patient=pat, drug=row, name=row.name, started_on=date(2026, 1, 1 + day % 28)
        )
    prefetched = courses_facts(
        MedicationCourse.objects.filter(patient=pat)
        .select_related("drug")
        .prefetch_related("drug__ingredients")
        .order_by("id")
    )
    rows = list(with_drug_facts(MedicationCourse.objects.filter(patient=pat).order_by("id")))
    with CaptureQueriesContext(connection) as queries:
        ingredients = ingredient_facts_for(row.drug_id for row in rows)
        plain = courses_facts(rows, ingredients=ingredients)
    assert len(queries) == 1
    assert plain == prefetched
    assert all(fact.drug.ingredients for fact in plain[: len(products)])
    assert not any(fact.drug.ingredients for fact in plain[len(products) :])
    assert odd.name not in {part.name for part in ingredients[odd.pk]}


def test_ingredient_facts_for_nothing_asks_nothing(db):
    from medications.catalog import ingredient_facts_for

    with CaptureQueriesContext(connection) as queries:
        assert ingredient_facts_for([None]) == {}
    assert len(queries) == 0
