"""API of medications (DESIGN.md): drugs/, interactions/check/, medications/.

Patients read and write their own medicines. Clinicians read, with ?patient=ID, patients that
accounts.access lets them see (one AuditEvent per request) and never write (403 on the list;
a course is changed only by its patient, anyone else gets 404). Missing and forbidden: 404.
"""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import audit_page_read, patient_rows_for_request, visible_row_or_404
from accounts.models import Role
from core.api import PATIENT_PARAM
from core.timezones import patient_today
from medications import selectors, services
from medications.catalog import (
    INGREDIENTS_PREFETCH,
    drug_facts,
    drug_search,
    name_suggestions,
    resolve_names,
)
from medications.interactions import CourseFacts, assess, assess_current, ingredient_order
from medications.models import MedicationCourse
from medications.serializers import (
    ChangeDoseSerializer,
    DrugSerializer,
    InteractionCheckResponseSerializer,
    InteractionCheckSerializer,
    MedicationCourseSerializer,
    MedicationCourseUpdateSerializer,
    MedicationCourseWithAssessmentSerializer,
    MedicationCourseWriteSerializer,
)


def _today(user):
    if user.role == Role.PATIENT:
        return patient_today(user)
    return timezone.localdate()


def _with_assessment(course: MedicationCourse) -> dict:
    data = MedicationCourseSerializer(course).data
    today = patient_today(course.patient)
    data["assessment"] = selectors.assessment_data(
        selectors.patient_assessment(course.patient, on=today), on=today
    )
    # "Did you mean ...?" for a name saved as free text (docs/clinical-rules.md#name-resolution).
    data["suggestions"] = name_suggestions([course.name]) if course.drug_id is None else {}
    return data


def _own_course(request, pk: int) -> MedicationCourse:
    """A course the caller may change: only the patient's own (anyone else: 404)."""
    if request.user.role != Role.PATIENT:
        raise NotFound()
    return visible_row_or_404(request, MedicationCourse.objects.all(), pk)


class DrugSearchView(GenericAPIView):
    """A short list for type-ahead (at most catalog.SEARCH_LIMIT drugs), not paginated."""

    serializer_class = DrugSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Prefix of a generic or brand name."
            )
        ],
        responses=DrugSerializer(many=True),
    )
    def get(self, request):
        drugs = drug_search(request.query_params.get("q", ""))
        return Response(DrugSerializer(drugs, many=True).data)


class InteractionCheckView(APIView):
    @extend_schema(request=InteractionCheckSerializer, responses=InteractionCheckResponseSerializer)
    def post(self, request):
        serializer = InteractionCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        on = data.get("on") or _today(request.user)
        items = data.get("medications", [])
        names = data["drugs"] if "drugs" in data else [item["drug"] for item in items]
        found = resolve_names(names)
        # A combination product's ingredients for every resolved drug, in one query.
        prefetch_related_objects(list(found.values()), INGREDIENTS_PREFETCH)
        facts = {name: drug_facts(drug) for name, drug in found.items()}
        if "drugs" in data:
            known = [facts[name] for name in names if name in facts]
            assessment = assess_current(known, [name for name in names if name not in facts])
        else:
            courses = [
                CourseFacts(
                    name=item["drug"],
                    drug=facts.get(item["drug"]),
                    started_on=item.get("started_on") or on,
                    stopped_on=item.get("stopped_on"),
                )
                for item in items
            ]
            assessment = assess(courses, on)
        response = selectors.assessment_data(assessment, on=on)
        # docs/clinical-rules.md#name-resolution: a combination product resolves to every
        # ingredient (Ultracet -> acetaminophen, tramadol).
        response["resolved"] = {
            name: [part.name for part in sorted(drug.ingredients, key=ingredient_order)]
            or [drug.name]
            for name, drug in facts.items()
        }
        response["suggestions"] = name_suggestions(n for n in names if n not in found)
        return Response(response)


class MedicationListView(GenericAPIView):
    serializer_class = MedicationCourseSerializer

    @extend_schema(parameters=[PATIENT_PARAM], responses=MedicationCourseSerializer(many=True))
    def get(self, request):
        rows = patient_rows_for_request(
            request, MedicationCourse.objects.all(), action="api.medicationcourse.list"
        )
        rows = (
            rows.select_related("drug")
            .prefetch_related("drug__ingredients")
            .order_by("patient_id", "-started_on", "-id")
        )
        page = self.paginate_queryset(rows)
        audit_page_read(request, page, action="api.medicationcourse.list")
        return self.get_paginated_response(MedicationCourseSerializer(page, many=True).data)

    @extend_schema(
        request=MedicationCourseWriteSerializer,
        responses={201: MedicationCourseWithAssessmentSerializer},
    )
    def post(self, request):
        if request.user.role != Role.PATIENT:
            raise PermissionDenied("Only the patient can change their medicines.")
        serializer = MedicationCourseWriteSerializer(
            data=request.data, context={"today": patient_today(request.user)}
        )
        serializer.is_valid(raise_exception=True)
        course = services.medication_course_create(
            patient=request.user, **serializer.validated_data
        )
        return Response(_with_assessment(course), status=status.HTTP_201_CREATED)


class MedicationDetailView(APIView):
    @extend_schema(responses=MedicationCourseSerializer)
    def get(self, request, pk: int):
        course = visible_row_or_404(
            request,
            MedicationCourse.objects.select_related("drug").prefetch_related("drug__ingredients"),
            pk,
            audit="api.medicationcourse.read",
        )
        return Response(MedicationCourseSerializer(course).data)

    @extend_schema(
        request=MedicationCourseUpdateSerializer,
        responses=MedicationCourseWithAssessmentSerializer,
    )
    def patch(self, request, pk: int):
        course = _own_course(request, pk)
        serializer = MedicationCourseUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = services.medication_course_update(course=course, changes=serializer.validated_data)
        return Response(_with_assessment(course))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Delete a course entered by mistake (to record that the patient stopped taking it,
        PATCH `stopped_on` instead). Patients only; leaves a tombstone for the clinicians."""
        course = _own_course(request, pk)
        services.medication_course_delete(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeDoseView(APIView):
    @extend_schema(
        request=ChangeDoseSerializer,
        responses={201: MedicationCourseWithAssessmentSerializer},
    )
    def post(self, request, pk: int):
        course = _own_course(request, pk)
        serializer = ChangeDoseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values["changed_on"] = values["changed_on"] or patient_today(request.user)
        new_course = services.medication_course_change_dose(course=course, **values)
        return Response(_with_assessment(new_course), status=status.HTTP_201_CREATED)
