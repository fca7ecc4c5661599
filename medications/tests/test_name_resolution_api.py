"""Name resolution v2 through the API, the medicines page and the admin
(docs/clinical-rules.md#name-resolution): `resolved` and `suggestions`, confirming a suggestion, and
admin aliases that re-evaluate the patients who typed the name."""

from datetime import date, timedelta

import pytest

from accounts.models import PatientProfile
from alerts.models import Alert
from core.timezones import patient_today
from medications.aliases import drug_alias_apply, unrecognised_names
from medications.models import Drug, DrugAlias, MedicationCourse
from medications.services import medication_course_create

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/interactions/check/"
LIST = "/api/v1/medications/"
PAGE = "/patient/medications/"
ALIASES = "/admin/medications/drugalias/"
START = date(2026, 1, 5)


def confirm_url(course):
    return f"/patient/medications/{course.pk}/confirm-drug/"


def add(patient, name, **extra):
    return medication_course_create(patient=patient, drug=name, started_on=START, **extra)


# --- interactions/check ------------------------------------------------------------------


def test_check_resolves_decorated_names_and_reports_them(pat, api_client):
    response = api_client(pat).post(
        CHECK, {"drugs": ["Zoloft 50 mg", "tramadol hydrochloride", "sertaline"]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["resolved"] == {
        "Zoloft 50 mg": ["sertraline"],
        "tramadol hydrochloride": ["tramadol"],
    }
    assert body["unknown"] == ["sertaline"]
    assert body["suggestions"] == {"sertaline": ["sertraline"]}
    assert body["severity"] == "major"  # sertraline + tramadol: the risk is no longer hidden
    assert body["findings"][0]["drugs"] == ["sertraline", "tramadol"]


def test_check_with_courses_reports_resolved_and_suggestions(pat, api_client):
    today = patient_today(pat)
    response = api_client(pat).post(
        CHECK,
        {
            "medications": [
                {"drug": "Effexor XR 75 mg", "started_on": (today - timedelta(5)).isoformat()},
                {"drug": "cymbolta"},
                {"drug": "turmeric"},
            ]
        },
        format="json",
    )
    body = response.json()
    assert body["resolved"] == {"Effexor XR 75 mg": ["venlafaxine"]}
    assert body["suggestions"] == {"cymbolta": ["duloxetine"]}
    assert body["unknown"] == ["cymbolta", "turmeric"]


def test_check_answers_empty_maps_when_everything_resolves(pat, api_client):
    body = api_client(pat).post(CHECK, {"drugs": ["pethidine"]}, format="json").json()
    assert body["resolved"] == {"pethidine": ["meperidine"]}
    assert body["suggestions"] == {}
    assert body["unknown"] == []


# --- medications/ ----------------------------------------------------------------------


def test_adding_a_decorated_name_links_the_drug_and_keeps_what_was_typed(pat, api_client):
    response = api_client(pat).post(
        LIST, {"drug": "Wellbutrin XL 150 mg", "started_on": "2026-01-05"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["drug"], body["generic_name"]) == ("Wellbutrin XL 150 mg", "bupropion")
    assert body["suggestions"] == {}
    course = MedicationCourse.objects.get(pk=body["id"])
    assert (course.name, course.drug.name) == ("Wellbutrin XL 150 mg", "bupropion")


def test_adding_a_misspelling_keeps_free_text_and_suggests(pat, api_client):
    response = api_client(pat).post(
        LIST, {"drug": "duloxatine", "started_on": "2026-01-05"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["drug_id"] is None
    assert body["suggestions"] == {"duloxatine": ["duloxetine"]}
    assert body["assessment"]["unknown"] == ["duloxatine"]
    assert MedicationCourse.objects.get(pk=body["id"]).drug is None


def test_the_api_confirms_a_suggestion_with_patch(pat, api_client):
    course = add(pat, "sertaline")
    response = api_client(pat).patch(
        f"/api/v1/medications/{course.pk}/", {"drug": "sertraline"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["generic_name"] == "sertraline"
    course.refresh_from_db()
    assert course.drug.name == "sertraline"


# --- the medicines page: "Did you mean sertraline?" -----------------------------------


def test_the_page_asks_did_you_mean(pat, client_for):
    course = add(pat, "sertaline")
    html = client_for(pat).get(PAGE).content.decode()
    assert "Did you mean <strong>sertraline</strong>?" in html
    assert confirm_url(course) in html


def test_confirming_links_the_course_and_its_earlier_doses(pat, client_for):
    first = add(pat, "sertaline", dose=50, unit="mg")
    latest = MedicationCourse.objects.create(
        patient=pat, name="sertaline", started_on=START + timedelta(30), previous_course=first
    )
    response = client_for(pat).post(confirm_url(latest), {"drug": "sertraline"})
    assert response.status_code == 302
    sertraline = Drug.objects.get(name="sertraline")
    for course in (first, latest):
        course.refresh_from_db()
        assert (course.name, course.drug) == ("sertaline", sertraline)  # the name stays
    assert PatientProfile.objects.get(user=pat).data_changed_at is not None
    html = client_for(pat).get(PAGE).content.decode()
    assert "Did you mean" not in html


@pytest.mark.parametrize("chosen", ["tramadol", "", "sertaline"])
def test_only_a_suggested_drug_can_be_confirmed(pat, client_for, chosen):
    course = add(pat, "sertaline")
    response = client_for(pat).post(confirm_url(course), {"drug": chosen})
    assert response.status_code == 400
    assert "Choose one of the suggested medicines." in response.content.decode()
    course.refresh_from_db()
    assert course.drug is None


def test_a_recognised_course_cannot_be_confirmed_again(pat, client_for):
    course = add(pat, "Zoloft")
    response = client_for(pat).post(confirm_url(course), {"drug": "sertraline"})
    assert response.status_code == 400
    course.refresh_from_db()
    assert course.drug.name == "sertraline"


@pytest.mark.parametrize("who", ["sam", "cleo", "ada"])
def test_nobody_else_can_confirm_a_patients_course(personas, client_for, who):
    course = add(personas["pat"], "sertaline")
    response = client_for(personas[who]).post(confirm_url(course), {"drug": "sertraline"})
    assert response.status_code == 404 if who == "sam" else response.status_code in (403, 404)
    course.refresh_from_db()
    assert course.drug is None


# --- DrugAlias: the admin's list of unrecognised names and re-evaluation ----------------


def test_the_admin_lists_unrecognised_names_with_patient_counts(ada, pat, sam, client_for):
    add(pat, "Lustral 50 mg")
    add(pat, "lustral")
    add(sam, "LUSTRAL tablets")
    add(sam, "turmeric")
    add(sam, "Zoloft")
    names = {item.key: item for item in unrecognised_names()}
    assert set(names) == {"lustral", "turmeric"}
    assert (names["lustral"].patients, names["lustral"].courses) == (2, 3)
    assert unrecognised_names()[0].key == "lustral"  # most patients first

    response = client_for(ada).get(f"{ALIASES}unrecognised/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "lustral" in html and "turmeric" in html
    assert f"{ALIASES}add/?name=" in html


def test_the_unrecognised_list_is_for_staff_only(pat, client_for):
    response = client_for(pat).get(f"{ALIASES}unrecognised/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_saving_an_alias_links_the_courses_and_re_evaluates_the_patients(
    ada, pat, sam, client_for, django_capture_on_commit_callbacks
):
    today = patient_today(pat)
    with django_capture_on_commit_callbacks(execute=True):
        medication_course_create(patient=pat, drug="tramadol", started_on=today)
        medication_course_create(patient=pat, drug="Lustral 50 mg", started_on=today)
        medication_course_create(patient=sam, drug="aspirin", started_on=today)
    assert not Alert.objects.filter(patient=pat).exists()  # the risk is hidden

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ada).post(
            f"{ALIASES}add/", {"name": "Lustral", "drug": Drug.objects.get(name="sertraline").pk}
        )
    assert response.status_code == 302
    assert DrugAlias.objects.get().name == "lustral"
    course = MedicationCourse.objects.get(patient=pat, name="Lustral 50 mg")
    assert course.drug.name == "sertraline"
    assert Alert.objects.get(patient=pat).kind == "serotonergic_combination"
    assert not Alert.objects.filter(patient=sam).exists()
    # New courses resolve through the alias too.
    assert add(sam, "lustral 100mg").drug.name == "sertraline"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Zoloft 50 mg", "already recognised as sertraline"),
        ("50 mg", "not only a strength or form"),
    ],
)
def test_an_alias_for_a_catalog_name_or_nothing_is_refused(ada, client_for, name, message):
    response = client_for(ada).post(
        f"{ALIASES}add/", {"name": name, "drug": Drug.objects.get(name="tramadol").pk}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DrugAlias.objects.exists()


def test_applying_an_alias_touches_only_matching_free_text(pat):
    lustral = add(pat, "Lustral")
    other = add(pat, "Lustrous")
    alias = DrugAlias.objects.create(name="lustral", drug=Drug.objects.get(name="sertraline"))
    assert drug_alias_apply(alias) == [pat.pk]
    lustral.refresh_from_db()
    other.refresh_from_db()
    assert lustral.drug.name == "sertraline"
    assert other.drug is None
    assert drug_alias_apply(alias) == []  # nothing left to link
