"""Audit for the Django admin: an administrator reading or changing patient data is recorded
like a clinician's read (one AuditEvent per patient, ids only)."""

from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.audit import audit_read, audit_reads
from accounts.models import User

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    # For mypy the mixin is the ModelAdmin it is mixed into (self.model, super().change_view);
    # at run time ModelAdmin is not subscriptable, and the mixin must stay a plain class.
    _AdminBase = ModelAdmin[Any]
else:
    _AdminBase = object


class PatientDataAuditMixin(_AdminBase):
    """For a ModelAdmin whose rows belong to a patient. Lists write one row per patient on the
    page; the change page writes one row when shown; every saved change or deletion one more.

    `audit_patient_id(obj)` says whose data a row is (the `patient` key by default).
    """

    audit_lists = True

    def audit_patient_id(self, obj: Model) -> int | None:
        patient_id: int | None = getattr(obj, "patient_id", None)
        return patient_id

    def _audit_name(self, what: str) -> str:
        return f"admin.{self.model._meta.model_name}.{what}"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if self.audit_lists else None
        if changelist is not None:
            audit_reads(
                request,
                patient_ids=[self.audit_patient_id(obj) for obj in changelist.result_list],
                action=self._audit_name("list"),
                object_type=self.model._meta.model_name or "",
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = getattr(response, "context_data", {}).get("original")
            if obj is None:
                obj = self.get_object(request, unquote(object_id))
            self._audit_object(request, obj, "view")
        return response

    def _audit_object(self, request: HttpRequest, obj: Model | None, what: str) -> None:
        if obj is None:
            return
        patient_id = self.audit_patient_id(obj)
        if patient_id is None:
            return
        audit_read(
            request,
            patient=User(pk=patient_id),
            action=self._audit_name(what),
            object_type=self.model._meta.model_name or "",
            object_id=obj.pk,
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: object) -> LogEntry:
        self._audit_object(request, obj, "add")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: object) -> LogEntry:
        self._audit_object(request, obj, "change")
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> list[LogEntry]:
        for obj in queryset:
            self._audit_object(request, obj, "delete")
        return super().log_deletions(request, queryset)
