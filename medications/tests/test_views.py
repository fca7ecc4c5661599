import re
from datetime import date, timedelta

import pytest

from journal.selectors import patient_today
from medications.models import MedicationCourse
from medications.services import medication_course_change_dose, medication_course_create

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.django_db]

PAGE = "/patient/medications/"


def add(patient, drug, **extra):
    values = {"dose": 50, "unit": "mg", "started_on": date(2026, 1, 5)} | extra
    return medication_course_create(patient=patient, drug=drug, **values)


def form_data(prefix="", **values):
    return {(f"{prefix}-{k}" if prefix else k): v for k, v in values.items()}


def test_the_page_lists_medicines_with_findings_in_patient_words(pat, client_for):
    duloxetine = add(pat, "Cymbalta", dose=30)
    medication_course_change_dose(course=duloxetine, dose=60, changed_on=date(2026, 2, 1))
    add(pat, "tramadol", frequency="as_needed")
    add(pat, "Turmeric", dose=None, unit="")
    add(pat, "ibuprofen", started_on=date(2025, 1, 1), stopped_on=date(2025, 2, 1))

    response = client_for(pat).get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cymbalta" in html and "(duloxetine)" in html
    assert "Earlier doses (1)" in html
    assert "Talk to your clinician before taking these together." in html
    assert "Not recognised, so it cannot be checked" in html
    assert "Medicines you took before" in html and "ibuprofen" in html
    assert 'list="drug-names"' in html
    assert '<option value="Zoloft">' in html
    assert 'id="drug-keys"' in html
    # Never tells the patient to stop a medicine.
    findings = html.split('id="findings-title"')[1].split("</section>")[0]
    assert "stop" not in findings.lower()


def test_a_drug_edited_in_the_catalog_shows_on_the_next_page_view(pat, client_for):
    """The datalist and the name keys are computed once per catalog content, never kept
    after the catalog changed."""
    import json

    from medications.catalog import drug_keys
    from medications.models import Drug

    client = client_for(pat)
    before = client.get(PAGE).content.decode()
    assert '<option value="Zoloft">' in before
    assert "Zolofty &amp; <co>" not in before
    Drug.objects.filter(name="sertraline").update(brand_names=["Zoloft", 'Zolofty & <co>"'])

    after = client.get(PAGE).content.decode()
    assert '<option value="Zolofty &amp; &lt;co&gt;&quot;"></option>' in after
    keys = json.loads(
        after.split('id="drug-keys" type="application/json">')[1].split("</script>")[0]
    )
    new_keys = set(drug_keys("sertraline", ["Zoloft", 'Zolofty & <co>"'])) - set(
        drug_keys("sertraline", ["Zoloft"])
    )
    assert new_keys and all(keys[key] == "sertraline" for key in new_keys)
    Drug.objects.filter(name="sertraline").update(brand_names=["Zoloft"])
    assert "Zolofty" not in client.get(PAGE).content.decode()


def test_the_page_follows_the_strict_csp(pat, client_for):
    add(pat, "sertraline")
    html = client_for(pat).get(PAGE).content.decode()
    assert "style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag


def test_every_input_has_a_label(pat, client_for):
    add(pat, "sertraline")
    html = client_for(pat).get(PAGE).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert ids
    for input_id in ids:
        assert f'for="{input_id}"' in html, input_id


def test_adding_a_medicine_stores_it_and_shows_the_new_findings(pat, client_for):
    add(pat, "duloxetine")
    client = client_for(pat)
    today = patient_today(pat)

    response = client.post(
        PAGE,
        form_data(drug="Ultram", dose="50", unit="mg", frequency="as_needed",
                  started_on=today.isoformat(), stopped_on="", reason="", prescriber=""),
    )  # fmt: skip

    assert response.status_code == 302
    course = MedicationCourse.objects.get(name="Ultram")
    assert (course.patient, course.drug.name, course.frequency) == (pat, "tramadol", "as_needed")
    html = client.get(PAGE).content.decode()
    assert "Added Ultram." in html
    assert "Duloxetine and tramadol both raise serotonin" in html


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"drug": ""}, "This field is required."),
        ({"dose": "0"}, "The dose must be more than 0."),
        ({"dose": "-1"}, "The dose must be more than 0."),
        ({"dose": "ten"}, "Enter the dose as a number"),
        ({"unit": ""}, "Choose the unit of the dose."),
        ({"stopped_on": "2026-01-01"}, "cannot be before the start date"),
        ({"started_on": "2099-01-01"}, "more than a year from today"),
        ({"started_on": "someday"}, "Enter a valid date."),
    ],
)
def test_bad_input_shows_field_messages_and_stores_nothing(pat, client_for, values, message):
    data = form_data(drug="sertraline", dose="50", unit="mg", frequency="daily",
                     started_on="2026-01-05", stopped_on="") | values  # fmt: skip
    response = client_for(pat).post(PAGE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MedicationCourse.objects.count() == 0


def test_changing_the_dose_keeps_the_history(pat, client_for):
    course = add(pat, "sertraline")
    response = client_for(pat).post(
        f"{PAGE}{course.pk}/change-dose/",
        form_data(f"dose-{course.pk}", dose="100", unit="mg", frequency="daily",
                  changed_on="2026-02-01"),
    )  # fmt: skip
    assert response.status_code == 302
    course.refresh_from_db()
    new = MedicationCourse.objects.get(previous_course=course)
    assert course.stopped_on == date(2026, 1, 31)
    assert new.dose == 100
    assert "Earlier doses (1)" in client_for(pat).get(PAGE).content.decode()


def test_a_bad_dose_change_shows_the_message_and_changes_nothing(pat, client_for):
    course = add(pat, "sertraline")
    response = client_for(pat).post(
        f"{PAGE}{course.pk}/change-dose/",
        form_data(f"dose-{course.pk}", dose="0", unit="mg", frequency="daily",
                  changed_on="2026-02-01"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "The dose must be more than 0." in response.content.decode()
    assert MedicationCourse.objects.count() == 1


def test_marking_a_medicine_as_no_longer_taken(pat, client_for):
    course = add(pat, "sertraline")
    day = patient_today(pat) - timedelta(days=1)
    response = client_for(pat).post(
        f"{PAGE}{course.pk}/stop/", form_data(f"stop-{course.pk}", stopped_on=day.isoformat())
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.stopped_on == day


def test_a_stop_before_the_start_is_refused(pat, client_for):
    course = add(pat, "sertraline")
    response = client_for(pat).post(
        f"{PAGE}{course.pk}/stop/", form_data(f"stop-{course.pk}", stopped_on="2025-12-31")
    )
    assert response.status_code == 400
    course.refresh_from_db()
    assert course.stopped_on is None


def test_a_patient_cannot_change_another_patients_medicine(pat, sam, client_for):
    course = add(pat, "sertraline")
    client = client_for(sam)
    assert (
        client.post(
            f"{PAGE}{course.pk}/stop/", {f"stop-{course.pk}-stopped_on": "2026-02-01"}
        ).status_code
        == 404
    )  # noqa: E501
    assert client.post(f"{PAGE}{course.pk}/change-dose/", {}).status_code == 404
    course.refresh_from_db()
    assert course.stopped_on is None
    assert "You have not added any medicines yet." in client.get(PAGE).content.decode()


@pytest.mark.parametrize("who", ["cleo", "uma", "ada"])
def test_the_page_is_for_patients_only(personas, client_for, who):
    assert client_for(personas[who]).get(PAGE).status_code == 404


def test_anonymous_is_sent_to_sign_in(client_for, db):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_count_does_not_grow_with_the_data(
    pat, client_for, django_assert_max_num_queries, size
):
    names = ["sertraline", "turmeric", "pregabalin"]
    for i in range(size):
        add(pat, names[i % 3], started_on=date(2025, 1, 1) + timedelta(days=i))
    client = client_for(pat)
    client.get(PAGE)  # the first request of a session also writes it
    # session, user, profile, courses, ingredients of combination products, catalog names
    with django_assert_max_num_queries(7):
        response = client.get(PAGE)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("50.000", "50"), ("0.500", "0.5"), ("0.001", "0.001"), ("100", "100"), ("1E+2", "100")],
)
def test_doses_are_shown_without_trailing_zeros(stored, shown):
    from decimal import Decimal

    from medications.templatetags.medications_tags import dose_text

    assert dose_text(Decimal(stored)) == shown
    assert dose_text(None) == ""


def test_the_change_dose_form_starts_from_the_current_dose(pat, client_for):
    course = add(pat, "sertraline", dose="50")
    html = client_for(pat).get(PAGE).content.decode()
    assert f'name="dose-{course.pk}-dose" value="50"' in html
