import pytest

from medications.models import Drug

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/medications/drug/"


@pytest.mark.parametrize(
    ("term", "expected"),
    [("st johns", "st john&#x27;s wort"), ("ULTRAM", "tramadol"), ("Eldepryl", "selegiline")],
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
            "washout_days": "0",
            "suicidality_warning": "",
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
            "washout_days": "0",
            "suicidality_warning": "",
        },
    )
    assert response.status_code == 200
    assert "sertraline" in response.content.decode()
    drug.refresh_from_db()
    assert drug.brand_names == ["BuSpar"]


def test_the_course_admin_opens(ada, client_for, pat):
    assert client_for(ada).get("/admin/medications/medicationcourse/").status_code == 200
