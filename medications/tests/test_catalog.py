import pytest

from medications.catalog import (
    catalog_load,
    catalog_rows,
    course_facts,
    drug_facts,
    drug_facts_of,
    drug_lookup,
    drug_search,
    drugs_lookup,
    ingredient_names,
)
from medications.interactions import DrugFacts
from medications.models import Drug, MedicationCourse

pytestmark = pytest.mark.django_db


def test_the_data_migration_loaded_every_catalog_row():
    rows = catalog_rows()
    assert Drug.objects.count() == len(rows) >= 250
    fields = ("brand_names", "rxcui", "rxcui_verified", "drug_class", "serotonergic",
              "washout_days", "suicidality_warning", "classes", "source", "note")  # fmt: skip
    for row in rows:
        drug = Drug.objects.get(name=row["name"])
        for field in fields:
            assert getattr(drug, field) == row[field], (row["name"], field)
        assert sorted(i.name for i in drug.ingredients.all()) == sorted(row["ingredients"])


def test_loading_again_changes_nothing_and_restores_edited_rows():
    Drug.objects.filter(name="fluoxetine").update(washout_days=3, search_keys="")
    before = Drug.objects.count()

    assert catalog_load(Drug) == len(catalog_rows())
    catalog_load(Drug)

    assert Drug.objects.count() == before
    fluoxetine = Drug.objects.get(name="fluoxetine")
    assert fluoxetine.washout_days == 35
    assert fluoxetine.search_keys == "|fluoxetine|prozac|sarafem|"


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("sertraline", "sertraline"),
        ("ZOLOFT", "sertraline"),
        ("Ultram", "tramadol"),
        ("St Johns wort", "st john's wort"),
        ("st. john's wort", "st john's wort"),
        ("Saint John's Wort", "st john's wort"),
        ("5-HTP", "5-htp"),
        ("5 htp", "5-htp"),
        ("Emsam", "selegiline"),
        ("selegiline", "selegiline"),  # plain: the stricter transdermal (MAOI) entry
        ("Eldepryl", "selegiline oral"),  # the MAO-B inhibitor tablets
        ("zelapar", "selegiline oral"),
        ("Silenor", "low-dose doxepin"),
        ("Sinequan", "doxepin"),
        ("Ultracet", "tramadol/acetaminophen"),
        ("tramadol/acetaminophen", "tramadol/acetaminophen"),
        ("Tramadol + Acetaminophen", "tramadol/acetaminophen"),
        ("kratom", "kratom"),
        ("l-tryptophan", "l-tryptophan"),
        ("Low-dose naltrexone", "low-dose naltrexone"),
        ("LDN", "low-dose naltrexone"),
        ("SAMe", "s-adenosylmethionine"),
        ("methylene-blue", "methylene blue"),
        ("  Cymbalta ", "duloxetine"),
    ],
)
def test_lookup_by_generic_or_brand_in_any_spelling(typed, generic):
    assert drug_lookup(typed).name == generic


@pytest.mark.parametrize("typed", ["", "   ", "turmeric", "sert", "zolo", "|", "st"])
def test_lookup_of_an_unknown_or_partial_name_is_none(typed):
    assert drug_lookup(typed) is None


def test_batch_lookup_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        found = drugs_lookup(["Zoloft", "ultram", "turmeric", "5 HTP"])
    assert {key: drug.name for key, drug in found.items()} == {
        "zoloft": "sertraline",
        "ultram": "tramadol",
        "5htp": "5-htp",
    }
    assert drugs_lookup([]) == {}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zol", ["sertraline", "zolmitriptan", "zolpidem"]),  # Zoloft is sertraline's brand
        ("FLUO", ["fluoxetine"]),
        ("FLU", ["fluconazole", "fludrocortisone", "fluoxetine", "fluticasone", "fluvoxamine"]),
        ("pethid", ["meperidine"]),  # international name
        ("paracet", ["acetaminophen"]),
        ("hyperic", ["st john's wort"]),
        ("ultrac", ["tramadol/acetaminophen"]),
        ("claritin", ["loratadine", "loratadine/pseudoephedrine"]),
        ("st j", ["st john's wort"]),
        ("5-h", ["5-htp"]),
        ("oxetine", []),  # a prefix, not a substring
        ("zzz", ["diphenhydramine"]),  # ZzzQuil
        ("xqz", []),
    ],
)
def test_search_by_prefix_of_generic_or_brand(query, expected):
    assert [drug.name for drug in drug_search(query)] == expected


def test_an_empty_search_lists_the_catalog_alphabetically_up_to_the_limit():
    names = [drug.name for drug in drug_search("")]
    assert len(names) == 20
    assert names == sorted(names)


def test_facts_for_the_engine(pat, django_assert_num_queries):
    MedicationCourse.objects.create(
        patient=pat, drug=Drug.objects.get(name="fluoxetine"), name="Prozac",
        started_on="2026-01-01", stopped_on="2026-02-01",
    )  # fmt: skip
    MedicationCourse.objects.create(patient=pat, name="turmeric", started_on="2026-01-01")
    courses = list(
        MedicationCourse.objects.select_related("drug")
        .prefetch_related("drug__ingredients")  # v2: course_facts reads a product's ingredients
        .order_by("id")
    )

    with django_assert_num_queries(0):
        facts = [course_facts(course) for course in courses]

    assert facts[0].drug == DrugFacts("fluoxetine", "strong", 35, "boxed", frozenset({"ssri"}))
    assert facts[0].name == "Prozac"
    assert str(facts[0].stopped_on) == "2026-02-01"
    assert facts[1].drug is None
    assert drug_facts(Drug.objects.get(name="pregabalin")).suicidality_warning == "warning"


@pytest.mark.parametrize(
    ("warning", "expected"), [("boxed", "boxed"), ("warning", "warning"), ("", ""), (None, "")]
)
def test_drug_facts_of_reads_the_drug_columns(warning, expected):
    facts = drug_facts_of("sertraline", "strong", 14, warning)
    assert facts == DrugFacts("sertraline", "strong", 14, expected)


def test_rows_and_column_values_give_the_same_facts():
    """The pages build facts from Drug rows, the alert sweep from values(): one builder."""
    from medications.catalog import class_codes

    # Single drugs (a product's facts also carry its ingredients': loaders read them apart).
    drugs = Drug.objects.filter(ingredients__isnull=True).order_by("name")
    columns = drugs.values_list(
        "name", "serotonergic", "washout_days", "suicidality_warning", "classes"
    )
    from_columns = [drug_facts_of(*row[:4], class_codes(row[4])) for row in columns]
    assert from_columns == [drug_facts(drug) for drug in drugs.prefetch_related("ingredients")]
    assert any(facts.classes for facts in from_columns)


def test_an_edited_catalog_row_gives_new_facts():
    drug = Drug.objects.get(name="sertraline")
    assert drug_facts(drug).washout_days == 14
    Drug.objects.filter(pk=drug.pk).update(washout_days=21)
    assert drug_facts(Drug.objects.get(pk=drug.pk)).washout_days == 21


def test_the_management_command_reloads_the_catalog():
    from io import StringIO

    from django.core.management import call_command

    Drug.objects.filter(name="tramadol").update(serotonergic="none")
    out = StringIO()
    call_command("load_drug_catalog", stdout=out)
    assert Drug.objects.get(name="tramadol").serotonergic == "strong"
    assert f"{len(catalog_rows())} drugs" in out.getvalue()


def test_loading_again_restores_edited_ingredients():
    ultracet = Drug.objects.get(name="tramadol/acetaminophen")
    ultracet.ingredients.set([Drug.objects.get(name="sertraline")])
    Drug.objects.get(name="sertraline").ingredients.set([Drug.objects.get(name="tramadol")])

    catalog_load(Drug)

    assert sorted(ultracet.ingredients.values_list("name", flat=True)) == [
        "acetaminophen",
        "tramadol",
    ]
    assert not Drug.objects.get(name="sertraline").ingredients.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tramadol/acetaminophen", ["acetaminophen", "tramadol"]),
        (
            "acetaminophen/dextromethorphan/doxylamine",
            ["acetaminophen", "dextromethorphan", "doxylamine"],
        ),
        ("sertraline", ["sertraline"]),
    ],
)
def test_ingredient_names_of_a_product_and_of_a_single_drug(name, expected):
    assert ingredient_names(Drug.objects.get(name=name)) == expected


def test_ingredient_names_does_not_query_when_prefetched(django_assert_num_queries):
    drugs = list(Drug.objects.prefetch_related("ingredients").order_by("name"))
    with django_assert_num_queries(0):
        names = {drug.name: ingredient_names(drug) for drug in drugs}
    assert names["loratadine/pseudoephedrine"] == ["loratadine", "pseudoephedrine"]
    assert names["tramadol"] == ["tramadol"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pethid", "meperidine"),
        ("paracet", "acetaminophen"),
        ("Claritin-D", "loratadine/pseudoephedrine"),
    ],
)
def test_the_drug_search_api_finds_international_names_and_products(
    pat, api_client, query, expected
):
    response = api_client(pat).get("/api/v1/drugs/", {"q": query})
    assert response.status_code == 200
    assert expected in [drug["name"] for drug in response.json()]
