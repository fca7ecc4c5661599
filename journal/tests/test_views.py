import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.models import DailyEntry, QuestionnaireResponse
from journal.tests.helpers import VALID_ENTRY, phq9_with

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
PAGES = [
    "/patient/",
    "/patient/checkin/",
    "/patient/history/",
    "/patient/questionnaires/phq9/",
    "/patient/questionnaires/fiqr/",
    "/patient/questionnaires/acr2016/",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def form_data(**changes):
    data = {"date": TODAY.isoformat(), **{k: str(v) for k, v in VALID_ENTRY.items()}}
    data.update(changes)
    return data


def assert_csp_safe(html: str):
    """No inline script or style: every <script> has a src or is JSON data."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


@pytest.mark.parametrize("url", PAGES)
def test_patient_sees_every_page(pat, client_for, url):
    response = client_for(pat).get(url)
    assert response.status_code == 200
    assert_csp_safe(response.content.decode())


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["cleo", "uma", "ada"])
def test_other_roles_get_404(personas, client_for, url, who):
    assert client_for(personas[who]).get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client_for, url):
    response = client_for().get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_questionnaire_is_404(pat, client_for):
    assert client_for(pat).get("/patient/questionnaires/sf36/").status_code == 404
    assert client_for(pat).post("/patient/questionnaires/sf36/", {}).status_code == 404


def test_checkin_page_has_scales_body_map_and_fallback(pat, client_for):
    html = client_for(pat).get("/patient/checkin/").content.decode()
    for word in ("No pain", "Worst pain", "Very low", "Very good", "Exhausted"):
        assert word in html
    assert html.count('role="checkbox"') == 19
    assert html.count('name="pain_regions"') == 19  # the checkbox fallback
    assert 'aria-label="Left jaw"' in html
    assert "better off dead" in html
    assert html.count('name="serotonin_symptoms"') == 9


def test_checkin_creates_then_edits_in_place(pat, client_for):
    client = client_for(pat)
    response = client.post("/patient/checkin/", form_data(pain_regions=["neck", "hip_left"]))
    assert response.status_code == 302
    entry = DailyEntry.objects.get(patient=pat)
    assert (entry.date, entry.pain_regions) == (TODAY, ["hip_left", "neck"])
    client.post("/patient/checkin/", form_data(mood="9", notes="better"))
    entry = DailyEntry.objects.get(patient=pat)
    assert (entry.mood, entry.notes, entry.pain_regions) == (9, "better", [])
    # the page opens pre-filled for editing
    html = client.get("/patient/checkin/").content.decode()
    assert "Edit your check-in" in html and "better" in html


def test_checkin_without_a_date_is_for_today(pat, client_for):
    data = form_data()
    del data["date"]
    assert client_for(pat).post("/patient/checkin/", data).status_code == 302
    assert DailyEntry.objects.get(patient=pat).date == TODAY


def test_checkin_back_fills_a_past_day(pat, client_for):
    day = TODAY - timedelta(days=5)
    client = client_for(pat)
    client.post("/patient/checkin/", form_data(date=day.isoformat()))
    assert DailyEntry.objects.get(patient=pat).date == day
    html = client.get("/patient/checkin/", {"date": day.isoformat()}).content.decode()
    assert f'value="{day.isoformat()}"' in html


BAD_FORMS = [
    ({"pain": "11"}, "pain"),
    ({"pain": "-1"}, "pain"),
    ({"fatigue": "5.5"}, "fatigue"),
    ({"mood": "low"}, "mood"),
    ({"mood": ""}, "mood"),
    ({"pain_regions": ["knee_left"]}, "pain_regions"),
    ({"serotonin_symptoms": ["headache"]}, "serotonin_symptoms"),
    ({"date": "2026-03-11"}, "date"),
    ({"date": "not a date"}, "date"),
    ({"notes": "x" * 5001}, "notes"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FORMS)
def test_bad_checkin_shows_a_field_message_and_stores_nothing(pat, client_for, change, field):
    response = client_for(pat).post("/patient/checkin/", form_data(**change))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Some answers need another look" in response.content.decode()
    assert not DailyEntry.objects.exists()


def test_future_date_message_is_plain(pat, client_for):
    response = client_for(pat).post("/patient/checkin/", form_data(date="2026-03-11"))
    assert "in the future" in response.content.decode()


def phq9_form(total=0, item9=0):
    items = phq9_with(total, item9)["items"]
    return {f"item_{n}": str(value) for n, value in enumerate(items, start=1)}


def test_phq9_page_stores_the_score(pat, client_for):
    response = client_for(pat).post("/patient/questionnaires/phq9/", phq9_form(12))
    assert response.status_code == 302
    stored = QuestionnaireResponse.objects.get(patient=pat)
    assert stored.score == {"total": 12, "band": "moderate", "item9": 0}


def test_phq9_page_needs_every_answer(pat, client_for):
    data = phq9_form(5)
    del data["item_4"]
    response = client_for(pat).post("/patient/questionnaires/phq9/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["item_4"]
    assert not QuestionnaireResponse.objects.exists()


def fiqr_form(blank_function=0):
    data = {}
    for n in range(1, 10):
        data[f"function_{n}"] = "" if n <= blank_function else "6"
    data.update({"overall_1": "5", "overall_2": "5"})
    data.update({f"symptoms_{n}": "5" for n in range(1, 11)})
    return data


def test_fiqr_page_allows_one_blank_function_item(pat, client_for):
    response = client_for(pat).post("/patient/questionnaires/fiqr/", fiqr_form(blank_function=1))
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get().score["total"] == 18.0 + 10 + 25


def test_fiqr_page_refuses_two_blank_function_items(pat, client_for):
    response = client_for(pat).post("/patient/questionnaires/fiqr/", fiqr_form(blank_function=2))
    assert response.status_code == 400
    assert "2 function questions are unanswered" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_acr2016_page_stores_the_score(pat, client_for):
    data = {
        "regions": [
            "neck",
            "shoulder_girdle_left",
            "upper_arm_right",
            "hip_left",
            "lower_leg_right",
            "upper_back",
            "lower_back",
        ],
        "fatigue": "2",
        "waking_unrefreshed": "2",
        "cognitive": "1",
        "headaches": "on",
        "duration_3_months": "1",
    }
    response = client_for(pat).post("/patient/questionnaires/acr2016/", data)
    assert response.status_code == 302
    score = QuestionnaireResponse.objects.get().score
    assert (score["wpi"], score["sss"], score["meets_criteria"]) == (7, 6, True)


def test_home_says_what_is_due(pat, client_for):
    client = client_for(pat)
    html = client.get("/patient/").content.decode()
    assert "You have not checked in yet today" in html
    assert html.count("due now") == 2  # PHQ-9 and FIQR, never taken
    client.post("/patient/questionnaires/phq9/", phq9_form(3))
    client.post("/patient/checkin/", form_data())
    html = client.get("/patient/").content.decode()
    assert "Your check-in for today is saved" in html
    assert html.count("due now") == 1
    assert "next on 24 March" in html  # 14 days after today


def test_home_shows_the_last_7_days(pat, client_for):
    DailyEntry.objects.create(
        patient=pat, date=TODAY - timedelta(days=6), **{**VALID_ENTRY, "pain": 9}
    )
    DailyEntry.objects.create(
        patient=pat, date=TODAY - timedelta(days=7), **{**VALID_ENTRY, "pain": 1}
    )
    response = client_for(pat).get("/patient/")
    rows = response.context["glance_rows"]
    assert rows[0]["label"] == "Pain"
    assert rows[0]["values"] == [9, None, None, None, None, None, None]


@pytest.mark.parametrize(
    ("raw", "days"), [("30", 30), ("90", 90), ("365", 365), ("7", 30), ("x", 30)]
)
def test_history_range(pat, client_for, raw, days):
    DailyEntry.objects.create(patient=pat, date=TODAY - timedelta(days=40), **VALID_ENTRY)
    response = client_for(pat).get("/patient/history/", {"days": raw})
    assert response.context["days"] == days
    assert len(response.context["history"]["daily"]) == (0 if days == 30 else 1)


def test_history_has_data_for_charts_and_tables(pat, client_for):
    DailyEntry.objects.create(patient=pat, date=TODAY, **{**VALID_ENTRY, "pain_regions": ["neck"]})
    QuestionnaireResponse.objects.create(
        patient=pat,
        instrument="phq9",
        answers={},
        score={"total": 16, "band": "moderately_severe", "item9": 0},
    )
    html = client_for(pat).get("/patient/history/").content.decode()
    assert 'id="history-data" type="application/json"' in html
    assert "vendor/chart.umd.js" in html and "journal/history.js" in html
    assert '<table class="table" id="table-daily">' in html
    assert "Moderately severe" in html


def _history_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/patient/history/", {"days": 365}).status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow(pat, client_for, django_assert_max_num_queries):
    client = client_for(pat)
    client.get("/patient/history/")  # the first request of a session also loads the session
    counts = []
    for size in (10, 300):
        DailyEntry.objects.all().delete()
        QuestionnaireResponse.objects.all().delete()
        DailyEntry.objects.bulk_create(
            DailyEntry(patient=pat, date=TODAY - timedelta(days=n), **VALID_ENTRY)
            for n in range(size)
        )
        QuestionnaireResponse.objects.bulk_create(
            QuestionnaireResponse(
                patient=pat,
                instrument="phq9",
                answers={},
                score={"total": 5, "band": "mild"},
                completed_at=NOW - timedelta(days=n),
            )
            for n in range(0, min(size, 300), 14)
        )
        with django_assert_max_num_queries(8):
            counts.append(_history_queries(client))
    assert counts[0] == counts[1]


def test_home_query_count_does_not_grow(pat, client_for):
    client = client_for(pat)
    client.get("/patient/")  # the first request of a session also loads the session
    counts = []
    for size in (10, 300):
        DailyEntry.objects.all().delete()
        DailyEntry.objects.bulk_create(
            DailyEntry(patient=pat, date=TODAY - timedelta(days=n), **VALID_ENTRY)
            for n in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            client.get("/patient/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_back_filled_check_in_with_symptoms_shows_the_tell_your_clinician_notice(pat, client_for):
    from tests.builders import course

    course(pat, "sertraline", TODAY - timedelta(days=400))
    course(pat, "tramadol", TODAY - timedelta(days=400))
    day = TODAY - timedelta(days=3)
    symptoms = ["agitation", "sweating", "tremor"]
    response = client_for(pat).post(
        "/patient/checkin/", {**form_data(date=day.isoformat()), "serotonin_symptoms": symptoms}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-tell-clinician" in html and "Please tell your clinician" in html
    # The site footer always names the crisis line; the urgent-care section is absent.
    assert "data-urgent-care" not in html and "Please get medical help now" not in html


@pytest.mark.parametrize(
    ("day", "message"),
    [("2025-03-09", "more than 365 days ago"), ("1980-05-16", "before your date of birth")],
)
def test_check_in_date_bounds_on_the_form(pat, client_for, day, message):
    response = client_for(pat).post("/patient/checkin/", form_data(date=day))
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    assert message in response.content.decode()
    assert not DailyEntry.objects.exists()
