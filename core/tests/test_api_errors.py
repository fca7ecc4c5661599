"""The API's one error path: core.api_errors.api_exception_handler (DESIGN.md "Errors")."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from clinic.reports import PeriodError
from core.api_errors import api_exception_handler
from core.errors import FieldErrors
from journal.instruments import InstrumentError
from medications.services import MedicationInputError

HANDLED = [
    (
        FieldErrors({"dose": ["The dose must be more than 0."]}),
        400,
        {"dose": ["The dose must be more than 0."]},
    ),
    (
        InstrumentError({"mood": ["Must be from 0 to 10."]}),
        400,
        {"mood": ["Must be from 0 to 10."]},
    ),
    (MedicationInputError({"unit": ["Choose the unit."]}), 400, {"unit": ["Choose the unit."]}),
    (PeriodError({"start": ["Too early."]}), 400, {"start": ["Too early."]}),
    (DjangoValidationError({"note": ["Write a note."]}), 400, {"note": ["Write a note."]}),
    (DjangoValidationError("Not now."), 400, {"non_field_errors": ["Not now."]}),
    (Http404("No such patient."), 404, {"detail": "No such patient."}),
    (DjangoPermissionDenied("Only the patient."), 403, {"detail": "Only the patient."}),
    (exceptions.MethodNotAllowed("PUT"), 405, {"detail": 'Method "PUT" not allowed.'}),
    (
        exceptions.UnsupportedMediaType("text/plain"),
        415,
        {"detail": 'Unsupported media type "text/plain" in request.'},
    ),
]


def as_json(data) -> object:
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize(("exc", "status", "body"), HANDLED)
def test_it_answers_json_with_the_contract_shape(exc, status, body):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert as_json(response.data) == body


def test_it_keeps_retry_after_on_429():
    response = api_exception_handler(exceptions.Throttled(wait=30), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert set(as_json(response.data)) == {"detail"}


def test_it_leaves_unexpected_errors_to_django():
    assert api_exception_handler(RuntimeError("boom"), {}) is None


def test_every_domain_error_is_a_field_error():
    for error_class in (InstrumentError, MedicationInputError, PeriodError):
        assert issubclass(error_class, FieldErrors)


# --- through the real stack --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("put", "/api/v1/entries/", {"data": {}, "format": "json"}, 405),
        ("delete", "/api/v1/medications/", {}, 405),
        ("post", "/api/v1/entries/", {"data": "pain=3", "content_type": "text/plain"}, 415),
        ("get", "/api/v1/entries/999999/", {}, 404),
        ("get", "/api/v1/entries/?patient=999999", {}, 404),
    ],
)
def test_framework_errors_answer_json_detail(pat, api_client, method, path, kwargs, status):
    response = getattr(api_client(pat), method)(path, **kwargs)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


@pytest.mark.django_db
def test_a_service_field_error_reaches_the_client_as_a_400(pat, api_client):
    """A duplicate date is found by journal.services (not the serializer): the handler shows it."""
    client = api_client(pat)
    body = {
        # Check-ins reach back at most 365 days (v2): a date of last week, whatever the clock.
        "date": (timezone.localdate() - timedelta(days=7)).isoformat(),
        "pain": 1,
        "fatigue": 1,
        "sleep_quality": 1,
        "cognition": 1,
        "mood": 1,
    }
    assert client.post("/api/v1/entries/", body, format="json").status_code == 201
    response = client.post("/api/v1/entries/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
