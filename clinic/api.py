"""Patients API: the dashboard summary as JSON, and the FHIR R4 export."""

import json
from collections.abc import Iterable

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import access_patient, is_verified_clinician
from accounts.audit import audit_read, audit_reads
from accounts.models import Role, User
from clinic import fhir, selectors
from clinic.forms import parse_dashboard_query
from core.http import AuthenticatedRequest


class PatientListApi(APIView):
    """Linked patients with their triage summary, in dashboard order."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="v1_patients_list",
        parameters=[
            OpenApiParameter("filter", str, many=True, enum=list(selectors.FILTERS)),
            OpenApiParameter("q", str),
            OpenApiParameter("page", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: AuthenticatedRequest[User]) -> Response:
        if not is_verified_clinician(request.user):
            # Patients and unverified clinicians see an empty list (nothing is in their scope).
            return Response(
                {
                    "count": 0,
                    "page": 1,
                    "pages": 1,
                    "next": None,
                    "previous": None,
                    "results": [],
                    "messages": [],
                }
            )
        query = parse_dashboard_query(request.query_params)
        page = selectors.dashboard_page(request.user, query)
        audit_reads(
            request,
            patient_ids=[row.patient.pk for row in page.rows],
            action="patients_api_list",
            object_type="patient_list",
        )
        return Response(
            {
                "count": page.paginator.count,
                "page": page.page.number,
                "pages": page.paginator.num_pages,
                "next": _page_link(request, page.page.next_page_number())
                if page.page.has_next()
                else None,
                "previous": _page_link(request, page.page.previous_page_number())
                if page.page.has_previous()
                else None,
                "results": [row.as_api() for row in page.rows],
                "messages": query.messages,
            }
        )


def _page_link(request: AuthenticatedRequest[User], number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class PatientDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedRequest[User], patient_id: int) -> Response:
        if request.user.role != Role.CLINICIAN:
            raise Http404("No such patient.")
        row = selectors.patient_summary(request.user, patient_id)
        if row is None:
            raise Http404("No such patient.")
        audit_read(
            request,
            patient=row.patient,
            action="patients_api_detail",
            object_type="patient",
            object_id=row.patient.pk,
        )
        return Response(row.as_api())


FHIR_CONTENT_TYPE = "application/fhir+json"


class _OneFormat(BaseContentNegotiation):
    """The export has one format whatever `Accept` says: a browser following the record page's
    link asks for HTML, and must get the file (or a JSON error), not 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PatientFhirApi(APIView):
    """FHIR R4 Bundle of the whole record: linked clinicians, and the patient (right of access).

    Always a file download (`application/fhir+json`, `Content-Disposition: attachment`), from
    the record page's link as from an API client: never DRF's browsable page, which would
    show the whole record in the browser and keep it in its history. Errors stay DRF's JSON.
    """

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _OneFormat

    @extend_schema(
        responses={(200, FHIR_CONTENT_TYPE): OpenApiTypes.OBJECT},
    )
    def get(self, request: AuthenticatedRequest[User], patient_id: int) -> HttpResponse:
        patient = access_patient(request.user, patient_id, export=True)
        bundle = fhir.patient_bundle(patient)
        audit_read(
            request,
            patient=patient,
            action="fhir_export",
            object_type="patient",
            object_id=patient.pk,
        )
        response = HttpResponse(json.dumps(bundle), content_type=FHIR_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{fhir.bundle_filename(patient)}"'
        response["Cache-Control"] = "no-store"
        return response
