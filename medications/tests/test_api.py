from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from journal.selectors import patient_today
from medications.models import Drug, MedicationCourse
from medications.services import medication_course_create

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.django_db]

LIST = "/api/v1/medications/"
CHECK = "/api/v1/interactions/check/"
DRUGS = "/api/v1/drugs/"


def detail(course):
    return f"/api/v1/medications/{course.pk}/"


def change_dose(course):
    return f"/api/v1/medications/{course.pk}/change-dose/"


def add(patient, drug="duloxetine", **extra):
    values = {"dose": 60, "unit": "mg", "started_on": date(2026, 1, 5)} | extra
    return medication_course_create(patient=patient, drug=drug, **values)


@pytest.fixture
def pat_courses(pat):
    return [add(pat, "Cymbalta"), add(pat, "tramadol", dose=50, frequency="as_needed")]


# --- drugs/ -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pat", "cleo", "uma", "val", "ada"])
def test_any_signed_in_user_can_search_the_catalog(personas, api_client, who):
    response = api_client(personas[who]).get(DRUGS, {"q": "zol"})
    assert response.status_code == 200
    assert [d["name"] for d in response.json()] == ["sertraline", "zolmitriptan", "zolpidem"]
    sertraline = response.json()[0]
    assert sertraline["brand_names"] == ["Zoloft"]
    assert sertraline["serotonergic"] == "strong"
    assert sertraline["rxcui"] == "36437"


def test_search_normalises_the_query(pat, api_client):
    response = api_client(pat).get(DRUGS, {"q": "St. John"})
    assert [d["name"] for d in response.json()] == ["st john's wort"]


def test_anonymous_cannot_search(api_client, db):
    assert api_client(None).get(DRUGS, {"q": "zol"}).status_code in (401, 403)


# --- interactions/check/ ------------------------------------------------------------------


def test_check_with_the_drugs_form(pat, api_client):
    response = api_client(pat).post(
        CHECK, {"drugs": ["sertraline", "Ultram", "turmeric"]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["severity"] == "major"
    assert body["unknown"] == ["turmeric"]
    (finding,) = body["findings"]
    assert finding["drugs"] == ["sertraline", "tramadol"]
    assert finding["severity"] == "major"
    assert finding["rule"] == "strong_strong"
    assert "FDA DSC 2016-03-22 (opioids)" in finding["explanation"]
    assert MedicationCourse.objects.count() == 0


def test_check_with_the_medications_form_honours_washouts(cleo, api_client):
    stopped = {"drug": "Prozac", "started_on": "2026-01-01", "stopped_on": "2026-10-01"}
    maoi = {"drug": "Nardil", "started_on": "2026-11-04"}

    day_34 = api_client(cleo).post(
        CHECK, {"medications": [stopped, maoi], "on": "2026-11-04"}, format="json"
    )
    day_35 = api_client(cleo).post(
        CHECK, {"medications": [stopped, maoi | {"started_on": "2026-11-05"}], "on": "2026-11-05"},
        format="json",
    )  # fmt: skip

    assert day_34.status_code == 200
    assert day_34.json()["severity"] == "contraindicated"
    assert "its 35-day washout runs to 2026-11-04" in day_34.json()["findings"][0]["explanation"]
    assert day_34.json()["on"] == "2026-11-04"
    assert day_35.json()["severity"] == "none"
    assert day_35.json()["findings"] == []


def test_check_defaults_to_today(pat, api_client):
    response = api_client(pat).post(
        CHECK, {"medications": [{"drug": "sertraline"}, {"drug": "linezolid"}]}, format="json"
    )
    assert response.json()["severity"] == "contraindicated"
    assert response.json()["on"] == patient_today(pat).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"drugs": "sertraline"}, "drugs"),  # a string instead of a list
        ({"drugs": [""]}, "drugs"),
        ({"drugs": [["sertraline"]]}, "drugs"),
        ({"drugs": ["x"] * 101}, "drugs"),
        ({"medications": "sertraline"}, "medications"),
        ({"medications": [{"started_on": "2026-01-01"}]}, "medications"),
        ({"medications": [{"drug": "sertraline", "started_on": "2026-02-30"}]}, "medications"),
        (
            {
                "medications": [
                    {"drug": "x", "started_on": "2026-02-01", "stopped_on": "2026-01-01"}
                ]
            },
            "medications",
        ),
        ({"drugs": ["sertraline"], "on": "tomorrow"}, "on"),
        ({"drugs": ["sertraline"], "medications": []}, "non_field_errors"),
        ({}, "drugs"),
        (["sertraline"], "non_field_errors"),
    ],
)
def test_a_malformed_check_is_a_400_with_field_messages(pat, api_client, body, field):
    response = api_client(pat).post(CHECK, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_cannot_check(api_client, db):
    response = api_client(None).post(CHECK, {"drugs": ["sertraline"]}, format="json")
    assert response.status_code in (401, 403)


# --- medications/ list and scope ----------------------------------------------------------


def test_the_patient_lists_her_own_medicines(pat, sam, pat_courses, api_client):
    add(sam, "sertraline")
    response = api_client(pat).get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {course.pk for course in pat_courses}
    cymbalta = next(row for row in rows if row["drug"] == "Cymbalta")
    assert cymbalta["drug_id"] == Drug.objects.get(name="duloxetine").pk
    assert cymbalta["generic_name"] == "duloxetine"
    assert cymbalta["dose"] == 60
    assert AuditEvent.objects.count() == 0


def test_a_patient_cannot_ask_for_another_patient(pat, sam, pat_courses, api_client):
    assert api_client(sam).get(LIST, {"patient": pat.pk}).status_code == 404
    assert api_client(sam).get(LIST).json()["results"] == []


def test_a_linked_clinician_reads_with_an_audit_row(pat, cleo, sam, pat_courses, api_client):
    add(sam, "sertraline")
    response = api_client(cleo).get(LIST, {"patient": pat.pk})

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {c.pk for c in pat_courses}
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action) == (cleo, pat, "api.medicationcourse.list")


def test_a_linked_clinician_without_patient_sees_only_linked_patients(
    pat, cleo, sam, pat_courses, api_client
):
    add(sam, "sertraline")
    rows = api_client(cleo).get(LIST).json()["results"]
    assert {row["patient"] for row in rows} == {pat.pk}


@pytest.mark.parametrize("who", ["uma", "rex", "val", "ada"])
def test_others_get_404_for_the_patient(personas, pat_courses, api_client, who):
    pat = personas["pat"]
    client = api_client(personas[who])

    assert client.get(LIST, {"patient": pat.pk}).status_code == 404
    assert client.get(detail(pat_courses[0])).status_code == 404
    assert client.get(LIST).json()["results"] == []
    assert (
        client.patch(
            detail(pat_courses[0]), {"stopped_on": "2026-02-01"}, format="json"
        ).status_code
        == 404
    )  # noqa: E501
    assert client.post(change_dose(pat_courses[0]), {"dose": 90}, format="json").status_code == 404
    assert AuditEvent.objects.filter(patient=pat).count() == 0
    assert MedicationCourse.objects.get(pk=pat_courses[0].pk).stopped_on is None


def test_unknown_patient_id_and_garbage_are_404(pat, cleo, api_client):
    assert api_client(cleo).get(LIST, {"patient": 999999}).status_code == 404
    assert api_client(cleo).get(LIST, {"patient": "abc"}).status_code == 404
    assert api_client(pat).get("/api/v1/medications/999999/").status_code == 404


def test_anonymous_is_refused_everywhere(pat_courses, api_client):
    client = api_client(None)
    assert client.get(LIST).status_code in (401, 403)
    assert client.post(LIST, {"drug": "x"}, format="json").status_code in (401, 403)
    assert client.patch(detail(pat_courses[0]), {}, format="json").status_code in (401, 403)
    assert MedicationCourse.objects.count() == 2


def test_a_linked_clinician_reads_one_course_with_an_audit_row(pat, cleo, pat_courses, api_client):
    response = api_client(cleo).get(detail(pat_courses[0]))
    assert response.status_code == 200
    assert response.json()["id"] == pat_courses[0].pk
    event = AuditEvent.objects.get()
    assert (event.object_type, event.object_id) == ("MedicationCourse", str(pat_courses[0].pk))


# --- POST ---------------------------------------------------------------------------------


def test_the_patient_adds_a_medicine_and_gets_her_assessment(pat, pat_courses, api_client):
    response = api_client(pat).post(
        LIST,
        {"drug": "ZOLOFT", "dose": "50", "unit": "mg", "frequency": "daily",
         "started_on": "2026-03-01", "stopped_on": None},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    course = MedicationCourse.objects.get(pk=body["id"])
    assert (course.patient, course.name, course.drug.name) == (pat, "ZOLOFT", "sertraline")
    assert body["drug_id"] == course.drug_id
    assert body["assessment"]["severity"] == "major"
    assert body["assessment"]["counted"] == ["duloxetine", "sertraline", "tramadol"]
    rules = [finding["rule"] for finding in body["assessment"]["findings"]]
    assert rules == ["strong_strong"] * 3


def test_an_unknown_name_is_stored_with_a_null_drug_id_and_reported(pat, api_client):
    response = api_client(pat).post(
        LIST, {"drug": "Turmeric", "started_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["drug_id"] is None
    assert response.json()["assessment"]["unknown"] == ["Turmeric"]
    assert MedicationCourse.objects.get().drug is None


@pytest.mark.parametrize("who", ["cleo", "uma", "ada"])
def test_only_patients_can_add(personas, api_client, who):
    response = api_client(personas[who]).post(
        LIST, {"drug": "sertraline", "started_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 403
    assert MedicationCourse.objects.count() == 0


def _far_future():
    return (timezone.localdate() + timedelta(days=400)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"drug": "", "started_on": "2026-03-01"}, "drug"),
        ({"started_on": "2026-03-01"}, "drug"),
        ({"drug": "sertraline"}, "started_on"),
        ({"drug": "sertraline", "started_on": "03/01/2026"}, "started_on"),
        ({"drug": "sertraline", "started_on": "FUTURE"}, "started_on"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "stopped_on": "2026-02-28"},
         "stopped_on"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "dose": 0, "unit": "mg"}, "dose"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "dose": -50, "unit": "mg"}, "dose"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "dose": "lots", "unit": "mg"}, "dose"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "dose": 50, "unit": "spoons"}, "unit"),
        ({"drug": "sertraline", "started_on": "2026-03-01", "frequency": "hourly"}, "frequency"),
        ({"drug": ["sertraline"], "started_on": "2026-03-01"}, "drug"),
    ],
)  # fmt: skip
def test_bad_input_is_400_with_field_messages_and_nothing_is_stored(pat, api_client, body, field):
    body = {k: (_far_future() if v == "FUTURE" else v) for k, v in body.items()}
    response = api_client(pat).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert MedicationCourse.objects.count() == 0


def test_a_body_that_is_not_an_object_is_400(pat, api_client):
    response = api_client(pat).post(LIST, ["sertraline"], format="json")
    assert response.status_code == 400
    assert MedicationCourse.objects.count() == 0


# --- PATCH and change-dose ----------------------------------------------------------------


def test_the_patient_stops_a_medicine(pat, pat_courses, api_client):
    tramadol = pat_courses[1]
    response = api_client(pat).patch(detail(tramadol), {"stopped_on": "2026-03-01"}, format="json")
    assert response.status_code == 200
    tramadol.refresh_from_db()
    assert tramadol.stopped_on == date(2026, 3, 1)
    assert response.json()["assessment"]["severity"] == "none"


def test_echoed_read_only_fields_are_ignored(pat, pat_courses, api_client):
    course = pat_courses[0]
    body = api_client(pat).get(detail(course)).json() | {"dose": 90, "patient": 12345}
    response = api_client(pat).patch(detail(course), body, format="json")
    assert response.status_code == 200
    course.refresh_from_db()
    assert (course.dose, course.patient_id) == (90, pat.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stopped_on": "2025-01-01"}, "stopped_on"),
        ({"dose": 0}, "dose"),
        ({"drug": ""}, "drug"),
        ({"unit": "bags"}, "unit"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_patch_is_400_and_changes_nothing(pat, pat_courses, api_client, body, field):
    response = api_client(pat).patch(detail(pat_courses[0]), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    course = MedicationCourse.objects.get(pk=pat_courses[0].pk)
    assert (course.stopped_on, course.dose, course.name) == (None, 60, "Cymbalta")


@pytest.mark.parametrize("who", ["sam", "cleo"])
def test_patch_by_anyone_but_the_owner_is_404(personas, pat_courses, api_client, who):
    course = pat_courses[0]
    response = api_client(personas[who]).patch(detail(course), {"dose": 5}, format="json")
    assert response.status_code == 404
    course.refresh_from_db()
    assert course.dose == 60


def test_change_dose_keeps_the_history(pat, pat_courses, api_client):
    first = pat_courses[0]
    response = api_client(pat).post(
        change_dose(first), {"dose": 90, "changed_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 201
    second = MedicationCourse.objects.get(pk=response.json()["id"])
    first.refresh_from_db()
    assert first.stopped_on == date(2026, 2, 28)
    assert (second.previous_course, second.dose, second.started_on) == (first, 90, date(2026, 3, 1))
    assert response.json()["previous_course"] == first.pk
    assert response.json()["assessment"]["severity"] == "major"


@pytest.mark.parametrize(
    "body",
    [{"dose": 0}, {"dose": "x"}, {}, {"dose": 90, "changed_on": "2026-01-05"}, {"dose": 90,
     "changed_on": "bad"}, {"dose": 90, "unit": "cups"}],
)  # fmt: skip
def test_a_bad_dose_change_is_400_and_stores_nothing(pat, pat_courses, api_client, body):
    response = api_client(pat).post(change_dose(pat_courses[0]), body, format="json")
    assert response.status_code == 400
    assert MedicationCourse.objects.count() == 2
    assert MedicationCourse.objects.get(pk=pat_courses[0].pk).stopped_on is None


@pytest.mark.parametrize("who", ["sam", "cleo"])
def test_change_dose_by_anyone_but_the_owner_is_404(personas, pat_courses, api_client, who):
    response = api_client(personas[who]).post(
        change_dose(pat_courses[0]), {"dose": 90}, format="json"
    )
    assert response.status_code == 404
    assert MedicationCourse.objects.count() == 2


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow_with_the_data(
    pat, cleo, api_client, django_assert_max_num_queries, size
):
    names = ["sertraline", "turmeric", "pregabalin"]
    for i in range(size):
        add(pat, names[i % 3], started_on=date(2026, 1, 1) + timedelta(days=i))

    # count + page + ingredients of combination products (patient: no access query)
    with django_assert_max_num_queries(3):
        response = api_client(pat).get(LIST)
    assert response.json()["count"] == size

    # access + audit (granting team + row) + count + page + ingredients of products
    with django_assert_max_num_queries(6):
        response = api_client(cleo).get(LIST, {"patient": pat.pk})
    assert len(response.json()["results"]) == size


def test_schema_lists_the_medication_endpoints(pat, api_client):
    response = api_client(pat).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/drugs/", "/api/v1/interactions/check/", "/api/v1/medications/",
                 "/api/v1/medications/{id}/", "/api/v1/medications/{id}/change-dose/"):  # fmt: skip
        assert path in text


def test_the_schema_describes_drug_search_as_a_plain_list(pat, api_client):
    schema = api_client(pat).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    ok = schema["paths"]["/api/v1/drugs/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["type"] == "array"
