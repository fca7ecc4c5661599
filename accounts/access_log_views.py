"""/patient/access-log/ ("Who viewed my record") and GET /api/v1/me/access-log/."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access_log import PAGE_SIZE, access_log_rows, access_row
from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest, request_user
from accounts.models import Role
from core.pagination import StandardPagination, page_number
from core.timezones import patient_zone


@login_required
@role_required(Role.PATIENT)
@require_GET
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = request.user
    try:
        number = page_number(request.GET.get("page"))
    except ValueError:
        number = 1
    page = Paginator(access_log_rows(patient=patient), PAGE_SIZE).get_page(number)
    zone = patient_zone(patient)
    rows = [access_row(event, zone=zone) for event in page.object_list]
    return render(
        request,
        "accounts/access_log.html",
        {"page": page, "rows": rows, "zone_name": zone.key},
    )


class AccessLogRowSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField()
    who = serializers.CharField()
    role = serializers.CharField()
    team = serializers.CharField()
    when = serializers.DateTimeField()
    what = serializers.CharField()
    action = serializers.CharField()


class AccessLogPagination(StandardPagination):
    page_size = PAGE_SIZE
    max_page_size = 100


class AccessLogView(APIView):
    """GET: who read the caller's record (clinicians and administrators), newest first,
    paginated. Patients only (403 for other roles)."""

    @extend_schema(
        responses=inline_serializer(
            "AccessLogPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": AccessLogRowSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        if user.role != Role.PATIENT:
            raise PermissionDenied(_("Only patients have an access log."))
        paginator = AccessLogPagination()
        events = paginator.paginate_queryset(access_log_rows(patient=user), request, view=self)
        zone = patient_zone(user)
        rows = [access_row(event, zone=zone) for event in events or []]
        data = AccessLogRowSerializer(rows, many=True).data
        return paginator.get_paginated_response(data)
