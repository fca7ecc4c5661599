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


# --- Hostile input that used to give a 500 (issue 11 section 5) ---------------------------------

SCHEMA = None


def _schema():
    global SCHEMA
    if SCHEMA is None:
        from drf_spectacular.generators import SchemaGenerator

        SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
    return SCHEMA


def text_fields(path: str, method: str) -> list[str]:
    """The string properties of an operation's JSON request body, from the schema."""
    schema = _schema()
    body = schema["paths"][path][method]["requestBody"]["content"]
    ref = next(iter(body.values()))["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return sorted(
        name
        for name, prop in component.get("properties", {}).items()
        if prop.get("type") == "string" and not prop.get("readOnly")
    )


def written_rows() -> tuple:
    from alerts.models import AlertEvent
    from journal.models import QuestionnaireResponse

    return (
        DailyEntry.objects.count(),
        list(DailyEntry.objects.values_list("notes", flat=True)),
        MedicationCourse.objects.count(),
        QuestionnaireResponse.objects.count(),
        AlertEvent.objects.count(),
        Alert.objects.filter(status="open").count(),
    )


def _deep(levels: int) -> str:
    return '{"notes": ' + "[" * levels + "]" * levels + ', "note": "x"}'


def _is_json_error(response, status: int) -> bool:
    return response.status_code == status and response["Content-Type"].startswith(
        "application/json"
    )


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_deep_nesting_huge_bodies_and_lone_surrogates_answer_json_4xx(objects, path, method):
    client = caller_for(path, objects)
    url = fill(path, objects)
    send = getattr(client, method)
    before = written_rows()

    for levels in (900, 5_000, 200_000):  # 200 000 made json.loads raise RecursionError
        response = send(url, data=_deep(levels), content_type="application/json")
        assert _is_json_error(response, 400), (levels, response.status_code)
        assert "nested" in response.json()["detail"]

    big = json.dumps({"notes": "x" * 10_000_000, "note": "x"})
    response = send(url, data=big, content_type="application/json")
    assert _is_json_error(response, 413), response.status_code
    assert response.json() == {"detail": "The request body is too large."}

    fields = text_fields(path, method) or ["note"]
    for field in fields:
        body = json.dumps({field: "before \ud800 after"})  # ASCII JSON: "\\ud800"
        response = send(url, data=body, content_type="application/json")
        assert _is_json_error(response, 400), (field, response.status_code)
        assert "surrogate" in json.dumps(response.json()[field]), field
    nested = '{"answers": {"items": ["\\udfff"]}, "drugs": ["\\ud800"], "note": "ok"}'
    response = send(url, data=nested, content_type="application/json")
    assert _is_json_error(response, 400), response.status_code

    response = send(f"{url}?patient=1%00", data="{}", content_type="application/json")
    assert _is_json_error(response, 400), response.status_code
    assert "NUL" in response.json()["detail"]

    assert written_rows() == before, "a refused request wrote something"


def test_the_unauthenticated_token_endpoint_refuses_hostile_json_with_json(db):
    from accounts.models import User

    client = Client()
    for body in (
        "[" * 200_000 + "]" * 200_000,
        '{"email": ' + "[" * 900 + "]" * 900 + ', "password": "x"}',
        '{"email": "\\ud800@example.com", "password": "\\udc00"}',
        json.dumps({"email": "a@example.com", "password": "x" * 10_000_000}),
    ):
        response = client.post("/api/v1/auth/token/", data=body, content_type="application/json")
        assert response.status_code in (400, 413), response.status_code
        assert response["Content-Type"].startswith("application/json")
        assert response.json()
    assert not User.objects.exists()


def test_a_lone_surrogate_in_an_entry_is_a_field_error_and_nothing_is_stored(pat):
    client = Client()
    client.force_login(pat)
    entry = {
        "date": (patient_today(pat) - timedelta(days=1)).isoformat(),
        "pain": 3,
        "fatigue": 3,
        "sleep_quality": 5,
        "cognition": 3,
        "mood": 6,
        "notes": "fine \ud83d today",
    }
    body = json.dumps(entry)  # ensure_ascii: the lone surrogate travels as "\\ud83d"
    response = client.post("/api/v1/entries/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "notes": ["Text may not contain unpaired surrogate characters (such as \\ud800)."]
    }
    assert not DailyEntry.objects.filter(patient=pat).exists()
    # A correctly paired surrogate (an emoji) is ordinary text.
    ok = body.replace("\\ud83d today", "\\ud83d\\ude00 today")
    response = client.post("/api/v1/entries/", data=ok, content_type="application/json")
    assert response.status_code == 201, response.content
    assert DailyEntry.objects.get(patient=pat).notes == "fine \U0001f600 today"


@pytest.mark.parametrize(
    ("url", "user"),
    [("/patient/checkin/", "pat"), (None, "cleo")],
    ids=["patient page", "clinician page"],
)
def test_pages_answer_413_or_400_to_oversized_and_nul_requests_not_500(objects, url, user):
    client = Client()
    client.force_login(objects[user])
    url = url or f"/clinician/alerts/{objects['alert'].pk}/note/"
    response = client.post(url, data="note=" + "x" * 3_000_000, content_type="text/plain")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    response = client.post(url, {"note": "x" * 1_100_000})
    assert response.status_code in (400, 413)
    response = client.get(url + "?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"notes": "fine"}, ""),
        ({"notes": "emoji \U0001f600"}, "SURROGATE-FREE"),
        ({"notes": "a\x00b"}, "NUL"),
        ({"a\x00": "x"}, "NUL"),
        ({"answers": {"items": ["\ud800"]}}, "surrogate"),
        ([[["\udfff"]]], "surrogate"),
        ([1, 2.5, None, True], ""),
    ],
)
def test_the_parser_finds_text_the_database_cannot_hold(value, problem):
    from core.parsers import first_problem

    found = first_problem(value)
    if problem in ("", "SURROGATE-FREE"):
        assert found == ""
    else:
        assert problem in found


def test_the_parser_accepts_32_levels_and_refuses_33():
    from core.parsers import MAX_JSON_DEPTH, TooDeep, first_problem

    def nested(levels):
        value = "x"
        for _ in range(levels):
            value = [value]
        return value

    assert first_problem(nested(MAX_JSON_DEPTH)) == ""
    with pytest.raises(TooDeep):
        first_problem(nested(MAX_JSON_DEPTH + 1))
