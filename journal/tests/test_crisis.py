"""Crisis resources (rule M1) appear in the very response, exactly when they must."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from journal.models import DailyEntry, QuestionnaireResponse
from journal.tests.helpers import ACR_VALID, FIQR_VALID, VALID_ENTRY, phq9_with
from tests.builders import course

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def checkin_form(self_harm: bool, symptoms=()):
    data: dict[str, object] = {
        "date": TODAY.isoformat(),
        **{k: str(v) for k, v in VALID_ENTRY.items()},
    }
    if self_harm:
        data["self_harm_thoughts"] = "on"
    if symptoms:
        data["serotonin_symptoms"] = list(symptoms)
    return data


def phq9_form(total: int, item9: int):
    items = phq9_with(total, item9)["items"]
    return {f"item_{n}": str(value) for n, value in enumerate(items, start=1)}


@pytest.mark.parametrize(("self_harm", "crisis"), [(False, False), (True, True)])
def test_checkin_page(pat, client_for, self_harm, crisis):
    response = client_for(pat).post("/patient/checkin/", checkin_form(self_harm))
    assert DailyEntry.objects.get(patient=pat).self_harm_thoughts is self_harm
    if crisis:
        assert response.status_code == 200
        html = response.content.decode()
        assert "data-crisis" in html
        assert "Call or text" in html and 'href="tel:988"' in html
        assert "Veterans" in html and "838255" in html
        assert "local emergency number" in html
        assert 'href="/patient/"' in html  # a way back
        assert "stop" not in html.lower().replace("nonstop", "")
    else:
        assert response.status_code == 302
        assert response["Location"] == "/patient/"


@pytest.mark.parametrize(
    ("total", "item9", "crisis"),
    [(0, 0, False), (27 - 3, 0, False), (1, 1, True), (12, 2, True), (27, 3, True)],
)
def test_phq9_page(pat, client_for, total, item9, crisis):
    client = client_for(pat)
    response = client.post("/patient/questionnaires/phq9/", phq9_form(total, item9))
    stored = QuestionnaireResponse.objects.get(patient=pat)
    assert stored.score["item9"] == item9
    assert response.status_code == 302
    expected = f"/patient/questionnaires/saved/{stored.pk}/" if crisis else "/patient/"
    assert response["Location"] == expected
    next_page = client.get(response["Location"])
    assert ("data-crisis" in next_page.content.decode()) is crisis


def test_reloading_the_crisis_page_stores_nothing_twice(pat, client_for):
    client = client_for(pat)
    location = client.post("/patient/questionnaires/phq9/", phq9_form(3, 1))["Location"]
    for _ in range(2):
        assert "data-crisis" in client.get(location).content.decode()
    assert QuestionnaireResponse.objects.filter(patient=pat).count() == 1


def test_the_saved_page_is_private_to_its_patient(pat, sam, cleo, client_for):
    location = client_for(pat).post("/patient/questionnaires/phq9/", phq9_form(3, 1))["Location"]
    assert client_for(sam).get(location).status_code == 404
    assert client_for(cleo).get(location).status_code == 404


@pytest.mark.parametrize(("self_harm", "crisis"), [(False, False), (True, True)])
def test_entries_api(pat, api_client, self_harm, crisis):
    response = api_client(pat).post(
        "/api/v1/entries/", {**VALID_ENTRY, "self_harm_thoughts": self_harm}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert ("crisis" in body) is crisis
    if crisis:
        assert body["crisis"]["lines"][0]["call"] == "988"
        assert "message" in body["crisis"]


def test_entries_api_patch_that_ticks_the_question_carries_crisis(pat, api_client):
    entry = DailyEntry.objects.create(patient=pat, date=TODAY, **VALID_ENTRY)
    response = api_client(pat).patch(
        f"/api/v1/entries/{entry.pk}/", {"self_harm_thoughts": True}, format="json"
    )
    assert response.status_code == 200
    assert "crisis" in response.json()


@pytest.mark.parametrize(
    ("instrument", "answers", "crisis"),
    [
        ("phq9", phq9_with(0, 0), False),
        ("phq9", phq9_with(24, 0), False),
        ("phq9", phq9_with(1, 1), True),
        ("phq9", phq9_with(27, 3), True),
        ("fiqr", FIQR_VALID, False),
        ("acr2016", ACR_VALID, False),
    ],
)
def test_questionnaires_api(pat, api_client, instrument, answers, crisis):
    response = api_client(pat).post(
        "/api/v1/questionnaires/", {"instrument": instrument, "answers": answers}, format="json"
    )
    assert response.status_code == 201
    assert ("crisis" in response.json()) is crisis


def test_crisis_lines_come_from_configuration(pat, client_for, api_client):
    lines = [
        {"name": "Samaritans (UK)", "how": "Call 116 123, free.", "call": "116123", "text": ""}
    ]
    with override_settings(CRISIS_LINES=lines):
        html = client_for(pat).post("/patient/checkin/", checkin_form(True)).content.decode()
        body = api_client(pat).post(
            "/api/v1/questionnaires/",
            {"instrument": "phq9", "answers": phq9_with(1, 1)},
            format="json",
        )
    assert "Samaritans (UK)" in html and 'href="tel:116123"' in html
    assert body.json()["crisis"]["lines"] == lines


def test_crisis_does_not_wait_for_the_alert_job(
    pat, client_for, django_capture_on_commit_callbacks
):
    # The evaluation is only enqueued after commit; the crisis page is already in the response.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(pat).post("/patient/checkin/", checkin_form(True))
    assert "data-crisis" in response.content.decode()
    assert len(callbacks) == 1


THREE = ["sweating", "tremor", "fever"]


@pytest.mark.parametrize(
    ("symptoms", "started_days_ago", "urgent"),
    [(THREE, 2, True), (THREE[:2], 2, False), (THREE, 30, False)],
)
def test_urgent_care_notice_after_checkin(
    pat, client_for, api_client, symptoms, started_days_ago, urgent
):
    course(pat, "sertraline", TODAY - timedelta(days=started_days_ago))
    response = client_for(pat).post("/patient/checkin/", checkin_form(False, symptoms))
    html = response.content.decode()
    assert ("data-urgent-care" in html) is urgent
    assert "data-crisis" not in html
    if urgent:
        assert "emergency" in html and "talk to your clinician" in html
    DailyEntry.objects.all().delete()
    body = (
        api_client(pat)
        .post("/api/v1/entries/", {**VALID_ENTRY, "serotonin_symptoms": symptoms}, format="json")
        .json()
    )
    assert ("urgent_care" in body) is urgent
