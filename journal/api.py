"""API of the journal: /api/v1/entries/ and /api/v1/questionnaires/ (DESIGN.md).

Patients read and write their own record. Clinicians read, with ?patient=ID, the patients that
accounts.access lets them see (one AuditEvent per request) and may never write (403). Anything
outside the caller's scope answers 404.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import audit_page_read, patient_rows_for_request, visible_row_or_404
from accounts.models import Role, User
from core.api import PATIENT_PARAM
from core.http import AuthenticatedRequest
from journal import selectors, services
from journal.crisis import crisis_resources
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from journal.serializers import (
    EntrySerializer,
    EntryWithCrisisSerializer,
    EntryWriteSerializer,
    QuestionnaireSerializer,
    QuestionnaireWithCrisisSerializer,
    QuestionnaireWriteSerializer,
)

URGENT_CARE_MESSAGE = (
    "Some of the symptoms you ticked can be a sign of a reaction between medicines that affect "
    "serotonin. Please get medical help now: call your local emergency number or go to an "
    "emergency department, and take your list of medicines with you."
)

TELL_CLINICIAN_MESSAGE = (
    "Some of the symptoms you ticked for that day can be a sign of a reaction between medicines "
    "that affect serotonin. Your care team has been told. Please tell your clinician about "
    "them, sooner if they come back."
)


def _require_patient_writer(user: User) -> None:
    if user.role != Role.PATIENT:
        raise PermissionDenied("Only the patient can change their journal.")


def _scope(
    request: AuthenticatedRequest[User], model: type[DailyEntry] | type[QuestionnaireResponse]
) -> QuerySet[Any]:
    """Rows of `model` the caller may read, honouring ?patient=ID; audits clinician reads."""
    return patient_rows_for_request(
        request, model.objects.all(), action=f"api.{model._meta.model_name}.list"
    )


def _entry_payload(result: services.EntryResult) -> dict[str, Any]:
    data = EntrySerializer(result.entry).data
    if result.crisis:
        data["crisis"] = crisis_resources()
    if result.urgent_care:
        data["urgent_care"] = {"message": URGENT_CARE_MESSAGE}
    elif result.tell_clinician:
        data["tell_clinician"] = {"message": TELL_CLINICIAN_MESSAGE}
    return data


class EntryListView(GenericAPIView[DailyEntry]):
    @extend_schema(parameters=[PATIENT_PARAM], responses=EntrySerializer(many=True))
    def get(self, request: AuthenticatedRequest[User]) -> Response:
        rows = _scope(request, DailyEntry).order_by("-date", "-id")
        page = self.paginate_queryset(rows)
        audit_page_read(request, page, action="api.dailyentry.list")
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(request=EntryWriteSerializer, responses={201: EntryWithCrisisSerializer})
    def post(self, request: AuthenticatedRequest[User]) -> Response:
        _require_patient_writer(request.user)
        serializer = EntryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        result = services.daily_entry_save(
            patient=request.user,
            entry_date=values.pop("date", None) or selectors.patient_today(request.user),
            values=values,
            replace=False,
        )
        return Response(_entry_payload(result), status=status.HTTP_201_CREATED)


class EntryDetailView(APIView):
    @extend_schema(responses=EntrySerializer)
    def get(self, request: AuthenticatedRequest[User], pk: int) -> Response:
        entry = visible_row_or_404(
            request, DailyEntry.objects.all(), pk, audit="api.dailyentry.read"
        )
        return Response(EntrySerializer(entry).data)

    @extend_schema(request=EntryWriteSerializer, responses=EntryWithCrisisSerializer)
    def patch(self, request: AuthenticatedRequest[User], pk: int) -> Response:
        entry = visible_row_or_404(request, DailyEntry.objects.all(), pk)
        _require_patient_writer(request.user)
        serializer = EntryWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        result = services.daily_entry_update(entry=entry, values=serializer.validated_data)
        return Response(_entry_payload(result))

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest[User], pk: int) -> Response:
        entry = visible_row_or_404(request, DailyEntry.objects.all(), pk)
        _require_patient_writer(request.user)
        services.daily_entry_delete(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionnaireListView(GenericAPIView[QuestionnaireResponse]):
    @extend_schema(
        parameters=[
            PATIENT_PARAM,
            OpenApiParameter("instrument", OpenApiTypes.STR, enum=Instrument.values),
        ],
        responses=QuestionnaireSerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest[User]) -> Response:
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
    def post(self, request: AuthenticatedRequest[User]) -> Response:
        _require_patient_writer(request.user)
        serializer = QuestionnaireWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.questionnaire_submit(patient=request.user, **serializer.validated_data)
        data = QuestionnaireSerializer(result.response).data
        if result.crisis:
            data["crisis"] = crisis_resources()
        return Response(data, status=status.HTTP_201_CREATED)


class QuestionnaireDetailView(APIView):
    """DELETE: the patient removes a questionnaire response entered by mistake (204). The
    clinicians' record shows that a response of that date was removed; alerts are re-evaluated.
    Clinicians who can see the patient get 403; anyone else 404."""

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest[User], pk: int) -> Response:
        response = visible_row_or_404(request, QuestionnaireResponse.objects.all(), pk)
        _require_patient_writer(request.user)
        services.questionnaire_response_delete(response=response)
        return Response(status=status.HTTP_204_NO_CONTENT)
