"""API of the journal: /api/v1/entries/ and /api/v1/questionnaires/ (DESIGN.md).

Patients read and write their own record. Clinicians read, with ?patient=ID, the patients that
accounts.access lets them see (one AuditEvent per request) and may never write (403). Anything
outside the caller's scope answers 404.
"""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import audit_page_read, patient_rows_for_request, patients_visible_to
from accounts.audit import audit_read
from accounts.models import Role
from journal import selectors, services
from journal.crisis import crisis_resources
from journal.instruments import InstrumentError
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from journal.serializers import (
    EntrySerializer,
    EntryWithCrisisSerializer,
    EntryWriteSerializer,
    QuestionnaireSerializer,
    QuestionnaireWithCrisisSerializer,
    QuestionnaireWriteSerializer,
)

# Output fields a client may echo back unchanged; they are never written from input.
READ_ONLY_INPUT_FIELDS = frozenset({"id", "patient", "created_at", "updated_at", "crisis"})
URGENT_CARE_MESSAGE = (
    "Some of the symptoms you ticked can be a sign of a reaction between medicines that affect "
    "serotonin. Please get medical help now: call your local emergency number or go to an "
    "emergency department, and take your list of medicines with you."
)

PATIENT_PARAM = OpenApiParameter(
    "patient",
    OpenApiTypes.INT,
    description="Clinicians: the patient's id (required to read one patient's record).",
)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise _Invalid({"non_field_errors": ["Expected a JSON object."]})
    return request.data


class _Invalid(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


def _parse_date(value, *, default: date | None = None) -> date:
    if value is None and default is not None:
        return default
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid({"date": ["Enter a valid date as YYYY-MM-DD."]})


def _require_patient_writer(user) -> None:
    if user.role != Role.PATIENT:
        raise PermissionDenied("Only the patient can change their journal.")


def _scope(request, model):
    """Rows of `model` the caller may read, honouring ?patient=ID; audits clinician reads."""
    return patient_rows_for_request(
        request, model.objects.all(), action=f"api.{model._meta.model_name}.list"
    )


def _visible_object(request, model, pk):
    obj = (
        model.objects.filter(pk=pk, patient__in=patients_visible_to(request.user))
        .select_related("patient")
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def _entry_payload(result: services.EntryResult) -> dict:
    data = EntrySerializer(result.entry).data
    if result.crisis:
        data["crisis"] = crisis_resources()
    if result.urgent_care:
        data["urgent_care"] = {"message": URGENT_CARE_MESSAGE}
    return data


def _entry_values(body: dict) -> dict:
    return {
        key: value
        for key, value in body.items()
        if key not in READ_ONLY_INPUT_FIELDS and key != "date"
    }


class EntryListView(GenericAPIView):
    @extend_schema(parameters=[PATIENT_PARAM], responses=EntrySerializer(many=True))
    def get(self, request):
        rows = _scope(request, DailyEntry).order_by("-date", "-id")
        page = self.paginate_queryset(rows)
        audit_page_read(request, page, action="api.dailyentry.list")
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(request=EntryWriteSerializer, responses={201: EntryWithCrisisSerializer})
    def post(self, request):
        _require_patient_writer(request.user)
        try:
            body = _body(request)
            entry_date = _parse_date(
                body.get("date"), default=selectors.patient_today(request.user)
            )
            result = services.daily_entry_save(
                patient=request.user,
                entry_date=entry_date,
                values=_entry_values(body),
                replace=False,
            )
        except (InstrumentError, _Invalid) as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(_entry_payload(result), status=status.HTTP_201_CREATED)


class EntryDetailView(APIView):
    @extend_schema(responses=EntrySerializer)
    def get(self, request, pk: int):
        entry = _visible_object(request, DailyEntry, pk)
        if request.user.role == Role.CLINICIAN:
            audit_read(
                request,
                patient=entry.patient,
                action="api.dailyentry.read",
                object_type="DailyEntry",
                object_id=entry.pk,
            )
        return Response(EntrySerializer(entry).data)

    @extend_schema(request=EntryWriteSerializer, responses=EntryWithCrisisSerializer)
    def patch(self, request, pk: int):
        entry = _visible_object(request, DailyEntry, pk)
        _require_patient_writer(request.user)
        try:
            body = _body(request)
            values = _entry_values(body)
            if "date" in body:
                values["date"] = _parse_date(body["date"])
            result = services.daily_entry_update(entry=entry, values=values)
        except (InstrumentError, _Invalid) as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(_entry_payload(result))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        entry = _visible_object(request, DailyEntry, pk)
        _require_patient_writer(request.user)
        services.daily_entry_delete(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _answers_errors(errors: dict) -> dict:
    """Scoring errors belong to `answers`; keep `instrument` errors at the top level."""
    if "instrument" in errors:
        return errors
    if set(errors) == {"answers"}:
        return errors
    return {"answers": errors}


class QuestionnaireListView(GenericAPIView):
    @extend_schema(
        parameters=[
            PATIENT_PARAM,
            OpenApiParameter("instrument", OpenApiTypes.STR, enum=Instrument.values),
        ],
        responses=QuestionnaireSerializer(many=True),
    )
    def get(self, request):
        rows = _scope(request, QuestionnaireResponse).order_by("-completed_at", "-id")
        instrument = request.query_params.get("instrument")
        if instrument:
            rows = rows.filter(instrument=instrument)
        page = self.paginate_queryset(rows)
        audit_page_read(request, page, action="api.questionnaireresponse.list")
        return self.get_paginated_response(QuestionnaireSerializer(page, many=True).data)

    @extend_schema(
        request=QuestionnaireWriteSerializer, responses={201: QuestionnaireWithCrisisSerializer}
    )
    def post(self, request):
        _require_patient_writer(request.user)
        try:
            body = _body(request)
            errors = {}
            for field in ("instrument", "answers"):
                if field not in body:
                    errors[field] = ["This field is required."]
            if errors:
                raise _Invalid(errors)
            instrument = body["instrument"]
            if instrument not in Instrument.values:
                raise _Invalid({"instrument": ["Choose one of: phq9, fiqr, acr2016."]})
            result = services.questionnaire_submit(
                patient=request.user, instrument=instrument, answers=body["answers"]
            )
        except _Invalid as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        except InstrumentError as error:
            return Response(_answers_errors(error.errors), status=status.HTTP_400_BAD_REQUEST)
        data = QuestionnaireSerializer(result.response).data
        if result.crisis:
            data["crisis"] = crisis_resources()
        return Response(data, status=status.HTTP_201_CREATED)
