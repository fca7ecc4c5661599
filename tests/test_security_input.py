"""Bad input on every write operation of the API: oversized bodies, wrong content types, invalid
JSON, SQL-like, script and control-character strings: 4xx or stored as inert text, never a 500,
and rendered escaped on the pages."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from alerts.models import Alert
from journal.models import DailyEntry
from journal.selectors import patient_today
from medications.models import MedicationCourse

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

HOSTILE = [
    "'; DROP TABLE journal_dailyentry; --",
    '" OR 1=1 --',
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{{ settings.SECRET_KEY }}",
    "\u202etxt.exe",
    "nul\x00byte",
    "x" * 6000,
]


@pytest.fixture
def objects(pat, cleo):
    day = patient_today(pat)
    entry = DailyEntry.objects.create(
        patient=pat,
        date=day - timedelta(days=3),
        pain=4,
        fatigue=4,
        sleep_quality=4,
        cognition=4,
        mood=4,
    )
    course = MedicationCourse.objects.create(
        patient=pat,
        name="sertraline",
        dose=50,
        unit="mg",
        frequency="daily",
        started_on=day - timedelta(days=20),
    )
    alert = Alert.objects.create(
        patient=pat,
        kind="mood_worsening",
        severity="moderate",
        title="Mood",
        details={},
        dedupe_key="input-test",
    )
    return {"entry": entry, "course": course, "alert": alert, "pat": pat, "cleo": cleo}


def write_operations():
    """(path template, method) of every API operation that takes a body, from the schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in sorted(schema["paths"].items()):
        for method, operation in item.items():
            if method in ("post", "patch", "put") and "requestBody" in operation:
                yield path, method


def fill(path: str, objects) -> str:
    if "/entries/" in path:
        pk = objects["entry"].pk
    elif "/medications/" in path:
        pk = objects["course"].pk
    elif "/alerts/" in path:
        pk = objects["alert"].pk
    else:
        pk = objects["pat"].pk
    return re.sub(r"\{[^}]+\}", str(pk), path)


def caller_for(path: str, objects) -> Client:
    client = Client()
    user = objects["cleo"] if "/alerts/" in path else objects["pat"]
    client.force_login(user)
    return client


OPERATIONS = list(write_operations())


def test_there_are_write_operations_to_check():
    assert len(OPERATIONS) >= 8


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_oversized_invalid_and_wrongly_typed_bodies_are_refused(objects, path, method):
    client = caller_for(path, objects)
    url = fill(path, objects)
    send = getattr(client, method)
    big = json.dumps({"notes": "x" * 1_200_000, "note": "x" * 1_200_000})
    response = send(url, data=big, content_type="application/json")
    assert response.status_code in (400, 413), f"oversized: {response.status_code}"
    response = send(url, data='{"notes": ', content_type="application/json")
    assert response.status_code == 400, f"invalid JSON: {response.status_code}"
    response = send(url, data="notes=hello", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415, f"form body: {response.status_code}"
    response = send(url, data="<xml/>", content_type="text/xml")
    assert response.status_code == 415, f"xml body: {response.status_code}"
    response = send(url, data="[1, 2, 3]", content_type="application/json")
    assert 400 <= response.status_code < 500, f"a list body: {response.status_code}"
    response = send(url, data='"just a string"', content_type="application/json")
    assert 400 <= response.status_code < 500, f"a string body: {response.status_code}"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_an_entry_is_refused_or_stored_verbatim(pat, text):
    client = Client()
    client.force_login(pat)
    body = {
        "date": (patient_today(pat) - timedelta(days=1)).isoformat(),
        "pain": 3,
        "fatigue": 3,
        "sleep_quality": 5,
        "cognition": 3,
        "mood": 6,
        "pain_regions": [],
        "serotonin_symptoms": [],
        "self_harm_thoughts": False,
        "notes": text,
    }
    response = client.post(
        "/api/v1/entries/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (201, 400), response.status_code
    if response.status_code == 201:
        assert DailyEntry.objects.get(patient=pat).notes == text
    else:
        assert not DailyEntry.objects.filter(patient=pat).exists()
        assert "notes" in response.json()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_as_a_medicine_name_is_refused_or_stored_verbatim(pat, text):
    client = Client()
    client.force_login(pat)
    body = {
        "drug": text,
        "dose": "10",
        "unit": "mg",
        "frequency": "daily",
        "started_on": patient_today(pat).isoformat(),
    }
    response = client.post(
        "/api/v1/medications/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (201, 400), response.status_code
    if response.status_code == 201:
        assert MedicationCourse.objects.get(patient=pat).name == text.strip()
    else:
        assert not MedicationCourse.objects.filter(patient=pat).exists()


@pytest.mark.parametrize("field", ["date", "pain", "pain_regions", "self_harm_thoughts"])
@pytest.mark.parametrize("value", ["'; DROP TABLE x; --", -1, 10**12, [], {}, None, "2026-02-30"])
def test_wrong_types_in_entry_fields_get_field_errors(pat, field, value):
    client = Client()
    client.force_login(pat)
    body = {
        "date": (patient_today(pat) - timedelta(days=1)).isoformat(),
        "pain": 3,
        "fatigue": 3,
        "sleep_quality": 5,
        "cognition": 3,
        "mood": 6,
        "pain_regions": [],
        "serotonin_symptoms": [],
        "self_harm_thoughts": False,
        field: value,
    }
    response = client.post(
        "/api/v1/entries/", data=json.dumps(body), content_type="application/json"
    )
    if response.status_code == 201:
        return  # a value the field legitimately accepts (e.g. [] for regions)
    assert response.status_code == 400
    assert field in response.json()
    assert not DailyEntry.objects.filter(patient=pat).exists()


SCRIPT = "<script>alert('pwned')</script>"


def test_script_text_is_rendered_escaped_to_the_patient_and_the_clinician(pat, cleo):
    day = patient_today(pat)
    DailyEntry.objects.create(
        patient=pat,
        date=day - timedelta(days=1),
        pain=4,
        fatigue=4,
        sleep_quality=4,
        cognition=4,
        mood=4,
        notes=SCRIPT,
    )
    MedicationCourse.objects.create(
        patient=pat,
        name=SCRIPT,
        dose=1,
        unit="mg",
        frequency="daily",
        started_on=day - timedelta(days=5),
    )
    patient = Client()
    patient.force_login(pat)
    clinician = Client()
    clinician.force_login(cleo)
    pages = [
        (patient, "/patient/"),
        (patient, "/patient/history/"),
        (patient, "/patient/medications/"),
        (clinician, "/clinician/"),
        (clinician, f"/clinician/patients/{pat.pk}/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SCRIPT not in body, f"unescaped script on {url}"
        assert "<script>alert" not in body, url
