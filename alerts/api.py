"""API of alerts: list, read and the clinician follow-up workflow (DESIGN.md, /api/v1/alerts/).

Clinicians see the alerts of their linked patients with evidence and explanation, and each
request writes one AuditEvent. Patients see their own alerts in plain words. Anything outside the
caller's scope answers 404; a patient trying a clinician action answers 403.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import access_patient, audit_page_read, visible_row_or_404
from accounts.audit import audit_read
from accounts.models import Role, User
from alerts import selectors, services
from alerts.models import Alert
from alerts.serializers import (
    AlertEventSerializer,
    ClinicianAlertDetailSerializer,
    ClinicianAlertSerializer,
    NoteSerializer,
    OptionalNoteSerializer,
    PatientAlertSerializer,
)
from core.api import PATIENT_PARAM
from core.pagination import StandardPagination

STATUS_PARAM = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=list(selectors.STATUSES),
    description="open, acknowledged or resolved",
)


def _user(request: Request) -> User:
    """The caller (every view here needs a signed-in user: IsAuthenticated, the default)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _is_patient(user: User) -> bool:
    return user.role == Role.PATIENT


KIND_PARAM = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=list(selectors.KINDS), description="alert kind"
)
SEVERITY_PARAM = OpenApiParameter(
    "severity", OpenApiTypes.STR, enum=list(selectors.SEVERITIES), description="alert severity"
)


def _choice_filter(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError({name: [f"Choose one of: {', '.join(choices)}."]})
    return value


def _status_filter(request: Request) -> str | None:
    return _choice_filter(request, "status", selectors.STATUSES)


def _visible_alert(request: Request, pk: object, *, audit: str) -> Alert:
    """An alert of a patient the caller may see (clinician: linked; patient: own), else 404."""
    return visible_row_or_404(
        request,
        Alert.objects.select_related("acknowledged_by", "resolved_by"),
        pk,
        audit=audit,
        object_type="alert",
    )


class AlertListView(GenericAPIView[Alert]):
    pagination_class = StandardPagination

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Alert]]:
        if getattr(self, "swagger_fake_view", False) or not _is_patient(_user(self.request)):
            return ClinicianAlertSerializer
        return PatientAlertSerializer

    @extend_schema(
        parameters=[STATUS_PARAM, KIND_PARAM, SEVERITY_PARAM, PATIENT_PARAM],
        responses=ClinicianAlertSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        alert_status = _status_filter(request)
        kind = _choice_filter(request, "kind", selectors.KINDS)
        severity = _choice_filter(request, "severity", selectors.SEVERITIES)
        requested = request.query_params.get("patient") or None
        patient: User | None
        if _is_patient(user):
            if requested is not None and requested != str(user.pk):
                raise NotFound("No such patient.")
            alerts = selectors.alerts_for_patient(user, status=alert_status)
            patient = user
        else:
            patient = access_patient(user, requested) if requested is not None else None
            alerts = selectors.alerts_for_clinician(
                user, status=alert_status, patient_id=patient.pk if patient else None
            )
            if patient is not None:
                audit_read(request, patient=patient, action="alerts.list", object_type="alert")
        if kind:
            alerts = alerts.filter(kind=kind)
        if severity:
            alerts = alerts.filter(severity=severity)
        page = self.paginate_queryset(alerts)
        if not _is_patient(user) and patient is None:
            audit_page_read(request, page, action="alerts.list", object_type="alert")
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class AlertDetailView(GenericAPIView[Alert]):
    def get_serializer_class(self) -> type[serializers.BaseSerializer[Alert]]:
        if getattr(self, "swagger_fake_view", False) or not _is_patient(_user(self.request)):
            return ClinicianAlertDetailSerializer
        return PatientAlertSerializer

    @extend_schema(responses=ClinicianAlertDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        alert = _visible_alert(request, pk, audit="alerts.read")
        return Response(self.get_serializer(alert).data)


# Any: the serializer here is the request's note, not a row of the view's model.
class _ClinicianActionView(GenericAPIView[Any]):
    serializer_class: type[serializers.Serializer[dict[str, Any]]] = NoteSerializer
    action_name = ""

    def _alert(self, request: Request, pk: int) -> Alert:
        if _is_patient(_user(request)):
            raise PermissionDenied("Only a clinician can follow up alerts.")
        return _visible_alert(request, pk, audit=f"alerts.{self.action_name}")

    def _note(
        self, request: Request, serializer_class: type[serializers.Serializer[dict[str, Any]]]
    ) -> str:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return str(serializer.validated_data.get("note", ""))

    def _alert_response(self, alert: Alert, code: int = status.HTTP_200_OK) -> Response:
        alert = selectors.alerts_for_clinician(_user(self.request)).get(pk=alert.pk)
        return Response(ClinicianAlertDetailSerializer(alert).data, status=code)


class AlertAcknowledgeView(_ClinicianActionView):
    serializer_class = OptionalNoteSerializer
    action_name = "acknowledge"

    @extend_schema(request=OptionalNoteSerializer, responses=ClinicianAlertDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        alert = self._alert(request, pk)
        note = self._note(request, OptionalNoteSerializer)
        alert = services.alert_acknowledge(alert=alert, actor=_user(request), note=note)
        return self._alert_response(alert)


class AlertResolveView(_ClinicianActionView):
    action_name = "resolve"

    @extend_schema(request=NoteSerializer, responses=ClinicianAlertDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        alert = self._alert(request, pk)
        note = self._note(request, NoteSerializer)
        alert = services.alert_resolve(alert=alert, actor=_user(request), note=note)
        return self._alert_response(alert)


class AlertNoteView(_ClinicianActionView):
    action_name = "note"

    @extend_schema(request=NoteSerializer, responses=AlertEventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        alert = self._alert(request, pk)
        note = self._note(request, NoteSerializer)
        event = services.alert_add_note(alert=alert, actor=_user(request), note=note)
        return Response(AlertEventSerializer(event).data, status=status.HTTP_201_CREATED)


class _OwnershipView(_ClinicianActionView):
    """No body: the caller is who takes the alert on or hands it back."""

    serializer_class = OptionalNoteSerializer  # unused: these actions read no body


class AlertAssignView(_OwnershipView):
    action_name = "assign"

    @extend_schema(
        request=None,
        responses=ClinicianAlertDetailSerializer,
        description=(
            '"I\'ll take it": the caller (a clinician or triage member who sees the patient) '
            "takes the alert on, also from a colleague (cover). A resolved alert is unchanged."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = self._alert(request, pk)
        alert = services.alert_assign(alert=alert, actor=_user(request))
        return self._alert_response(alert)


class AlertUnassignView(_OwnershipView):
    action_name = "unassign"

    @extend_schema(
        request=None,
        responses=ClinicianAlertDetailSerializer,
        description="The assignee hands the alert back to the team; anyone else changes nothing.",
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = self._alert(request, pk)
        alert = services.alert_unassign(alert=alert, actor=_user(request))
        return self._alert_response(alert)
