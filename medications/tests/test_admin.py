import json

import pytest

from medications.models import Drug

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/medications/drug/"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("st johns", "st john&#x27;s wort"),
        ("ULTRAM", "tramadol"),
        ("Eldepryl", "selegiline oral"),
        ("Ultracet", "tramadol/acetaminophen"),
    ],
)
def test_the_catalog_is_searchable_by_generic_or_brand(ada, client_for, term, expected):
    response = client_for(ada).get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "1 result" in response.content.decode()


def test_saving_a_drug_in_the_admin_refreshes_its_look_up_names(ada, client_for):
    drug = Drug.objects.get(name="buspirone")
    response = client_for(ada).post(
        f"{CHANGELIST}{drug.pk}/change/",
        {
            "name": "buspirone",
            "brand_names": '["BuSpar", "Vanspar"]',
            "rxcui": "",
            "drug_class": "anxiolytic",
            "serotonergic": "weak",
            "washout_days": "14",
            "suicidality_warning": "",
            "source": "BuSpar label",
        },
    )
    assert response.status_code == 302
    drug.refresh_from_db()
    assert drug.search_keys == "|buspirone|buspar|vanspar|"


def test_a_brand_that_belongs_to_another_drug_is_refused(ada, client_for):
    drug = Drug.objects.get(name="buspirone")
    response = client_for(ada).post(
        f"{CHANGELIST}{drug.pk}/change/",
        {
            "name": "buspirone",
            "brand_names": '["Zoloft"]',
            "rxcui": "",
            "drug_class": "anxiolytic",
            "serotonergic": "weak",
            "washout_days": "14",
            "suicidality_warning": "",
            "source": "BuSpar label",
        },
    )
    assert response.status_code == 200
    assert "sertraline" in response.content.decode()
    drug.refresh_from_db()
    assert drug.brand_names == ["BuSpar"]


def _form(drug: Drug, **changes) -> dict:
    data = {
        "name": drug.name,
        "brand_names": json.dumps(drug.brand_names),
        "rxcui": drug.rxcui,
        "drug_class": drug.drug_class,
        "serotonergic": drug.serotonergic,
        "washout_days": str(drug.washout_days),
        "suicidality_warning": drug.suicidality_warning,
        "classes": list(drug.classes),
        "ingredients": [str(pk) for pk in drug.ingredients.values_list("pk", flat=True)],
        "source": drug.source,
        "note": drug.note,
    }
    return data | changes


def _ids(*names: str) -> list[str]:
    return [str(Drug.objects.get(name=name).pk) for name in names]


def test_the_change_page_shows_classes_ingredients_source_and_note(ada, client_for):
    drug = Drug.objects.get(name="tramadol/acetaminophen")
    page = client_for(ada).get(f"{CHANGELIST}{drug.pk}/change/").content.decode()
    for field in ("id_classes", "id_ingredients", "id_source", "id_note"):
        assert field in page
    assert "serotonergic_opioid" in page


def test_the_list_shows_ingredients_and_classes(ada, client_for, django_assert_max_num_queries):
    client = client_for(ada)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(12):
        page = client.get(CHANGELIST, {"q": "Claritin-D"}).content.decode()
    assert "loratadine, pseudoephedrine" in page
    assert "decongestant, hypertensive_with_maoi" in page


def test_classes_ingredients_source_and_note_are_saved(ada, client_for):
    drug = Drug.objects.get(name="tizanidine")
    data = _form(drug, classes=["hypertensive_with_maoi"], source="A label §4", note="Checked.")
    response = client_for(ada).post(f"{CHANGELIST}{drug.pk}/change/", data)
    assert response.status_code == 302
    drug.refresh_from_db()
    assert (drug.classes, drug.source, drug.note) == (
        ["hypertensive_with_maoi"],
        "A label §4",
        "Checked.",
    )

    product = Drug.objects.get(name="buprenorphine/naloxone")
    data = _form(product, ingredients=_ids("buprenorphine", "naloxone", "acetaminophen"))
    assert client_for(ada).post(f"{CHANGELIST}{product.pk}/change/", data).status_code == 302
    assert sorted(product.ingredients.values_list("name", flat=True)) == [
        "acetaminophen", "buprenorphine", "naloxone",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "changes", "field", "message"),
    [
        # an unknown class code
        ("tizanidine", {"classes": ["ssri", "maob_inhibitor"], "source": "x"}, "classes",
         "is not one of the available choices"),
        # a tier other than none needs a source
        ("tizanidine", {"serotonergic": "weak", "source": ""}, "source", "Cite the published"),
        ("tizanidine", {"serotonergic": "maob", "source": "  "}, "source", "Cite the published"),
        # so does any class, even with tier none
        ("tizanidine", {"classes": ["stimulant"], "source": ""}, "source", "Cite the published"),
        # a sourced tier is dropped to none: no source needed (tested below as accepted)
        # the drug itself as its ingredient
        ("tizanidine", {"ingredients": "self"}, "ingredients", "ingredient of itself"),
        # a combination product as an ingredient (not offered, so refused as a choice)
        ("buprenorphine/naloxone", {"ingredients": "product"}, "ingredients", "valid choice"),
        # an ingredient of a product cannot become a product itself
        ("acetaminophen", {"ingredients": "tramadol"}, "ingredients", "is an ingredient of"),
    ],
)  # fmt: skip
def test_admin_validation_refuses_bad_rows(ada, client_for, name, changes, field, message):
    drug = Drug.objects.get(name=name)
    before = Drug.objects.values().get(pk=drug.pk)
    before_ingredients = list(drug.ingredients.values_list("pk", flat=True))
    if changes.get("ingredients") == "self":
        changes["ingredients"] = [str(drug.pk)]
    elif changes.get("ingredients") == "product":
        changes["ingredients"] = _ids("tramadol/acetaminophen")
    elif changes.get("ingredients") == "tramadol":
        changes["ingredients"] = _ids("tramadol")

    response = client_for(ada).post(f"{CHANGELIST}{drug.pk}/change/", _form(drug, **changes))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert Drug.objects.values().get(pk=drug.pk) == before
    assert list(drug.ingredients.values_list("pk", flat=True)) == before_ingredients


def test_a_tier_of_none_without_classes_needs_no_source(ada, client_for):
    drug = Drug.objects.get(name="buspirone")
    data = _form(drug, serotonergic="none", classes=[], source="")
    assert client_for(ada).post(f"{CHANGELIST}{drug.pk}/change/", data).status_code == 302
    drug.refresh_from_db()
    assert (drug.serotonergic, drug.source) == ("none", "")


def test_the_class_codes_live_in_one_module():
    from medications.classes import CLASS_CODES, CLASSES, unknown_class_codes

    assert {
        "ssri", "snri", "tca", "tetracyclic", "triazolopyridine", "serotonergic_opioid",
        "triptan", "setron", "stimulant", "decongestant", "cyclobenzaprine", "st_johns_wort",
        "maoi_antimicrobial", "hypertensive_with_maoi",
    } == CLASS_CODES  # fmt: skip
    assert all(info.source and info.label for info in CLASSES.values())
    assert unknown_class_codes(["ssri", "maob", 3]) == ["'maob'", "3"]
    assert unknown_class_codes("ssri") == ["'ssri'"]


def test_the_course_admin_opens(ada, client_for, pat):
    assert client_for(ada).get("/admin/medications/medicationcourse/").status_code == 200
