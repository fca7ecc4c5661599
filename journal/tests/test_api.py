from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from journal.models import DailyEntry, QuestionnaireResponse
from journal.tests.helpers import ACR_VALID, FIQR_VALID, PHQ9_MINIMAL, VALID_ENTRY, phq9_with

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)  # also in New York at 15:00 UTC
ENTRIES = "/api/v1/entries/"
QUESTIONNAIRES = "/api/v1/questionnaires/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_entry(patient, day=TODAY, **values):
    return DailyEntry.objects.create(patient=patient, date=day, **{**VALID_ENTRY, **values})


def test_patient_creates_an_entry(pat, api_client):
    response = api_client(pat).post(
        ENTRIES, {**VALID_ENTRY, "date": "2026-03-09", "pain_regions": ["neck"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    entry = DailyEntry.objects.get(patient=pat)
    body = response.json()
    assert body["id"] == entry.pk and body["patient"] == pat.pk
    assert (entry.date, entry.pain, entry.pain_regions) == (date(2026, 3, 9), 6, ["neck"])
    assert "crisis" not in body


def test_date_defaults_to_the_patients_today(pat, api_client):
    assert api_client(pat).post(ENTRIES, VALID_ENTRY, format="json").status_code == 201
    assert DailyEntry.objects.get(patient=pat).date == TODAY


def test_a_second_entry_for_a_date_is_a_400_on_date(pat, api_client):
    make_entry(pat, mood=4)
    response = api_client(pat).post(
        ENTRIES, {**VALID_ENTRY, "mood": 9, "date": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "date" in response.json()
    assert DailyEntry.objects.get(patient=pat).mood == 4


BAD_ENTRIES = [
    ({"pain": 11}, "pain"),
    ({"mood": -1}, "mood"),
    ({"fatigue": 5.5}, "fatigue"),
    ({"fatigue": "5"}, "fatigue"),
    ({"cognition": True}, "cognition"),
    ({"sleep_quality": None}, "sleep_quality"),
    ({"pain_regions": ["knee_left"]}, "pain_regions"),
    ({"pain_regions": "neck"}, "pain_regions"),
    ({"serotonin_symptoms": ["headache"]}, "serotonin_symptoms"),
    ({"self_harm_thoughts": "no"}, "self_harm_thoughts"),
    ({"date": "2026-03-11"}, "date"),  # future
    ({"date": "11/03/2026"}, "date"),
    ({"date": 20260309}, "date"),
    ({"notes": "x" * 5001}, "notes"),
    ({"weather": "rain"}, "weather"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ENTRIES)
def test_bad_entry_input_is_a_400_with_a_field_message(pat, api_client, change, field):
    response = api_client(pat).post(ENTRIES, {**VALID_ENTRY, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body[field], list) and body[field][0]
    assert not DailyEntry.objects.exists()


@pytest.mark.parametrize("missing", list(VALID_ENTRY))
def test_every_scale_is_required(pat, api_client, missing):
    data = {k: v for k, v in VALID_ENTRY.items() if k != missing}
    response = api_client(pat).post(ENTRIES, data, format="json")
    assert response.status_code == 400
    assert missing in response.json()
    assert not DailyEntry.objects.exists()


@pytest.mark.parametrize("payload", [[1, 2], "text", 5])
def test_a_body_that_is_not_an_object_is_a_400(pat, api_client, payload):
    response = api_client(pat).post(ENTRIES, payload, format="json")
    assert response.status_code == 400
    assert not DailyEntry.objects.exists()


def test_malformed_json_is_a_400(pat, api_client):
    response = api_client(pat).post(ENTRIES, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_patient_lists_only_own_entries(pat, sam, api_client):
    mine = [make_entry(pat, TODAY - timedelta(days=n)) for n in range(3)]
    make_entry(sam)
    body = api_client(pat).get(ENTRIES).json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [entry.pk for entry in mine]


def test_patient_cannot_name_another_patient(pat, sam, api_client):
    make_entry(pat)
    assert api_client(sam).get(ENTRIES, {"patient": pat.pk}).status_code == 404
    assert api_client(sam).get(ENTRIES, {"patient": "abc"}).status_code == 404


def test_linked_clinician_reads_with_one_audit_event(pat, cleo, api_client):
    make_entry(pat)
    make_entry(pat, TODAY - timedelta(days=1))
    response = api_client(cleo).get(ENTRIES, {"patient": pat.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert (events[0].actor, events[0].patient) == (cleo, pat)


def test_linked_clinician_reads_one_entry_with_an_audit_event(pat, cleo, api_client):
    entry = make_entry(pat)
    response = api_client(cleo).get(f"{ENTRIES}{entry.pk}/")
    assert response.status_code == 200
    assert response.json()["mood"] == entry.mood
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.object_id) == (cleo, pat, str(entry.pk))


def test_patient_reads_are_not_audited(pat, api_client):
    entry = make_entry(pat)
    api_client(pat).get(ENTRIES)
    api_client(pat).get(f"{ENTRIES}{entry.pk}/")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["sam", "uma", "rex", "val", "ada"])
def test_entries_are_hidden_from_everyone_else(personas, api_client, who):
    entry = make_entry(personas["pat"])
    client = api_client(personas[who])
    assert client.get(ENTRIES, {"patient": personas["pat"].pk}).status_code == 404
    assert client.get(f"{ENTRIES}{entry.pk}/").status_code == 404
    assert client.patch(f"{ENTRIES}{entry.pk}/", {"mood": 0}, format="json").status_code == 404
    assert client.delete(f"{ENTRIES}{entry.pk}/").status_code == 404
    listed = client.get(ENTRIES).json()
    assert entry.pk not in [row["id"] for row in listed["results"]]
    entry.refresh_from_db()
    assert entry.mood == VALID_ENTRY["mood"]
    assert not AuditEvent.objects.filter(patient=personas["pat"]).exists()


def test_clinician_writes_are_forbidden(pat, cleo, api_client):
    entry = make_entry(pat)
    client = api_client(cleo)
    assert client.post(ENTRIES, VALID_ENTRY, format="json").status_code == 403
    assert client.patch(f"{ENTRIES}{entry.pk}/", {"mood": 0}, format="json").status_code == 403
    assert client.delete(f"{ENTRIES}{entry.pk}/").status_code == 403
    body = {"instrument": "phq9", "answers": PHQ9_MINIMAL}
    assert client.post(QUESTIONNAIRES, body, format="json").status_code == 403
    assert DailyEntry.objects.get().mood == VALID_ENTRY["mood"]
    assert DailyEntry.objects.count() == 1
    assert not QuestionnaireResponse.objects.exists()


def test_anonymous_gets_nothing(pat, api_client):
    entry = make_entry(pat)
    assert api_client().get(ENTRIES).status_code in (401, 403)
    assert api_client().get(f"{ENTRIES}{entry.pk}/").status_code in (401, 403)
    assert api_client().post(ENTRIES, VALID_ENTRY, format="json").status_code in (401, 403)
    assert DailyEntry.objects.count() == 1


def test_patient_patches_and_deletes_own_entry(pat, api_client):
    entry = make_entry(pat)
    response = api_client(pat).patch(
        f"{ENTRIES}{entry.pk}/", {"mood": 1, "notes": "rough"}, format="json"
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.mood, entry.notes, entry.pain) == (1, "rough", VALID_ENTRY["pain"])
    assert api_client(pat).delete(f"{ENTRIES}{entry.pk}/").status_code == 204
    assert not DailyEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"mood": 12}, "mood"), ({"date": "2026-03-09"}, "date"), ({"date": "2026-04-01"}, "date")],
)
def test_bad_patch_is_a_400_and_changes_nothing(pat, api_client, change, field):
    make_entry(pat, TODAY - timedelta(days=1))
    entry = make_entry(pat)
    response = api_client(pat).patch(f"{ENTRIES}{entry.pk}/", change, format="json")
    assert response.status_code == 400
    assert field in response.json()
    entry.refresh_from_db()
    assert (entry.date, entry.mood) == (TODAY, VALID_ENTRY["mood"])


# --- questionnaires ---


@pytest.mark.parametrize(
    ("instrument", "answers", "score"),
    [
        ("phq9", phq9_with(12), {"total": 12, "band": "moderate", "item9": 0}),
        ("fiqr", FIQR_VALID, {"total": 50.0}),
        (
            "fiqr",
            {**FIQR_VALID, "function": [None] + [6] * 8},
            {"total": 18.0 + 10 + 25},
        ),
        (
            "acr2016",
            ACR_VALID,
            {"wpi": 5, "sss": 6, "psd": 11, "generalized_pain": True, "meets_criteria": False},
        ),
    ],
)
def test_patient_submits_a_questionnaire(pat, api_client, instrument, answers, score):
    response = api_client(pat).post(
        QUESTIONNAIRES, {"instrument": instrument, "answers": answers}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body["score"][key] for key in score} == score
    stored = QuestionnaireResponse.objects.get(patient=pat)
    assert (stored.instrument, stored.answers, stored.score) == (instrument, answers, body["score"])


BAD_QUESTIONNAIRES = [
    ({"instrument": "phq9", "answers": {"items": [0] * 8}}, "answers"),
    ({"instrument": "phq9", "answers": {"items": [0] * 10}}, "answers"),
    ({"instrument": "phq9", "answers": {"items": [0] * 8 + [4]}}, "answers"),
    ({"instrument": "phq9", "answers": {"items": [0] * 8 + [1.5]}}, "answers"),
    ({"instrument": "phq9", "answers": {"items": [0] * 8 + ["1"]}}, "answers"),
    ({"instrument": "phq9", "answers": [0] * 9}, "answers"),
    (
        {"instrument": "fiqr", "answers": {**FIQR_VALID, "function": [None, None] + [5] * 7}},
        "answers",
    ),
    ({"instrument": "fiqr", "answers": {**FIQR_VALID, "symptoms": [None] + [5] * 9}}, "answers"),
    ({"instrument": "fiqr", "answers": {**FIQR_VALID, "overall": [11, 5]}}, "answers"),
    ({"instrument": "acr2016", "answers": {**ACR_VALID, "regions": ["knee_left"]}}, "answers"),
    ({"instrument": "acr2016", "answers": {**ACR_VALID, "fatigue": 4}}, "answers"),
    ({"instrument": "sf36", "answers": {}}, "instrument"),
    ({"instrument": ["phq9"], "answers": PHQ9_MINIMAL}, "instrument"),
    ({"answers": PHQ9_MINIMAL}, "instrument"),
    ({"instrument": "phq9"}, "answers"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_QUESTIONNAIRES)
def test_bad_questionnaire_is_a_400_with_a_field_message(pat, api_client, payload, field):
    response = api_client(pat).post(QUESTIONNAIRES, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not QuestionnaireResponse.objects.exists()


def test_fiqr_missing_items_message_names_the_problem(pat, api_client):
    payload = {"instrument": "fiqr", "answers": {**FIQR_VALID, "function": [None, None] + [5] * 7}}
    body = api_client(pat).post(QUESTIONNAIRES, payload, format="json").json()
    assert body == {
        "answers": {
            "function": ["2 function questions are unanswered; at most 1 may be left blank."]
        }
    }


def test_questionnaires_list_and_scope(pat, sam, cleo, uma, api_client):
    api_client(pat).post(
        QUESTIONNAIRES, {"instrument": "phq9", "answers": PHQ9_MINIMAL}, format="json"
    )
    api_client(sam).post(
        QUESTIONNAIRES, {"instrument": "fiqr", "answers": FIQR_VALID}, format="json"
    )
    own = api_client(pat).get(QUESTIONNAIRES).json()
    assert [row["instrument"] for row in own["results"]] == ["phq9"]
    assert api_client(pat).get(QUESTIONNAIRES, {"instrument": "fiqr"}).json()["count"] == 0
    assert api_client(cleo).get(QUESTIONNAIRES, {"patient": pat.pk}).json()["count"] == 1
    assert AuditEvent.objects.filter(actor=cleo, patient=pat).count() == 1
    assert api_client(uma).get(QUESTIONNAIRES, {"patient": pat.pk}).status_code == 404
    assert api_client(cleo).get(QUESTIONNAIRES, {"patient": sam.pk}).status_code == 404


def test_clinician_list_without_patient_covers_only_linked_patients(pat, sam, cleo, api_client):
    make_entry(pat)
    make_entry(sam)
    body = api_client(cleo).get(ENTRIES).json()
    assert [row["patient"] for row in body["results"]] == [pat.pk]
    assert AuditEvent.objects.filter(actor=cleo).count() == 1


@pytest.mark.parametrize("size", [10, 300])
def test_list_query_count_does_not_grow(pat, cleo, api_client, size):
    DailyEntry.objects.bulk_create(
        DailyEntry(patient=pat, date=TODAY - timedelta(days=n), **VALID_ENTRY) for n in range(size)
    )
    client = api_client(cleo)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ENTRIES, {"patient": pat.pk, "page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) == size
    # access check, audit insert, count, page: the same whatever the size
    assert len(queries) <= 5, [q["sql"] for q in queries.captured_queries]


def test_list_query_count_is_equal_at_two_sizes(pat, api_client, django_assert_max_num_queries):
    client = api_client(pat)
    counts = []
    for size in (10, 300):
        DailyEntry.objects.all().delete()
        DailyEntry.objects.bulk_create(
            DailyEntry(patient=pat, date=TODAY - timedelta(days=n), **VALID_ENTRY)
            for n in range(size)
        )
        with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as queries:
            assert client.get(ENTRIES, {"page_size": 500}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- S1 notices (docs/clinical-rules.md#serotonin-toxicity-symptoms, v2) ---------------------

SYMPTOMS = ["agitation", "sweating", "tremor"]


@pytest.mark.parametrize(
    ("days_back", "notice"),
    [(0, "urgent_care"), (2, "urgent_care"), (3, "tell_clinician"), (100, "tell_clinician")],
)
def test_symptoms_on_a_back_filled_entry_tell_the_clinician_not_urgent_care(
    pat, api_client, days_back, notice
):
    from tests.builders import course

    course(pat, "sertraline", TODAY - timedelta(days=400))
    course(pat, "tramadol", TODAY - timedelta(days=400))
    day = TODAY - timedelta(days=days_back)
    response = api_client(pat).post(
        ENTRIES,
        {**VALID_ENTRY, "date": day.isoformat(), "serotonin_symptoms": SYMPTOMS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    other = {"urgent_care", "tell_clinician"} - {notice}
    assert notice in body and not other & set(body)
    message = body[notice]["message"]
    if notice == "tell_clinician":
        assert "tell your clinician" in message.lower()
        assert "emergency" not in message.lower() and "urgent" not in message.lower()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-03-10", None),  # 365 days back
        ("2025-03-09", "more than 365 days ago"),  # 366
        ("1980-05-16", "before your date of birth"),  # the day before Pat's birth
    ],
)
def test_check_in_date_bounds_are_field_errors(pat, api_client, day, message):
    response = api_client(pat).post(ENTRIES, {**VALID_ENTRY, "date": day}, format="json")
    if message is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert message in response.json()["date"][0]
    assert not DailyEntry.objects.exists()
