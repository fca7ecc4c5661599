from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import services
from accounts.admin_audit import PatientDataAuditMixin
from accounts.audit import audit_event
from accounts.http import request_user
from accounts.models import (
    AuditEvent,
    CareLink,
    CareLinkStatus,
    ClinicianProfile,
    Invitation,
    PatientProfile,
    Role,
    User,
)
from core.timezones import format_time, timezone_choices

if TYPE_CHECKING:
    # The stubs' admin classes are generic over their model; at run time they are not
    # subscriptable (no django_stubs_ext in production), so the bases are named for mypy only.
    _PatientProfileInline = admin.StackedInline[PatientProfile, User]
    _ClinicianProfileInline = admin.StackedInline[ClinicianProfile, User]
    _PatientProfileForm = ModelForm[PatientProfile]
    _ClinicianProfileForm = ModelForm[ClinicianProfile]
    _BaseUserAdmin = BaseUserAdmin[User]
    _CareLinkAdmin = admin.ModelAdmin[CareLink]
    _InvitationAdmin = admin.ModelAdmin[Invitation]
    _AuditEventAdmin = admin.ModelAdmin[AuditEvent]
else:
    _PatientProfileInline = _ClinicianProfileInline = admin.StackedInline
    _PatientProfileForm = _ClinicianProfileForm = ModelForm
    _BaseUserAdmin = BaseUserAdmin
    _CareLinkAdmin = _InvitationAdmin = _AuditEventAdmin = admin.ModelAdmin


def _timezone_field() -> forms.ChoiceField:
    """The profiles' `timezone` as the sign-up's grouped select (valid IANA names only)."""
    return forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Patients: the dates of their data. Clinicians: the zone of the times they see.",
    )


class PatientProfileForm(_PatientProfileForm):
    timezone = _timezone_field()


class ClinicianProfileForm(_ClinicianProfileForm):
    timezone = _timezone_field()


class PatientProfileInline(_PatientProfileInline):
    model = PatientProfile
    form = PatientProfileForm
    can_delete = False
    extra = 0
    readonly_fields = ["consented_at", "data_changed_at", "last_evaluated_at"]


class ClinicianProfileInline(_ClinicianProfileInline):
    model = ClinicianProfile
    form = ClinicianProfileForm
    fk_name = "user"
    can_delete = False
    extra = 0
    readonly_fields = ["verified_at", "verified_by"]


@admin.action(description="Verify selected clinicians")
def verify_clinicians(
    modeladmin: "UserAdmin", request: HttpRequest, queryset: QuerySet[User]
) -> None:
    count = 0
    for user in queryset.filter(role="clinician"):
        services.clinician_verify(clinician=user, verified_by=request_user(request))
        count += 1
    modeladmin.message_user(request, f"{count} clinician(s) verified.", messages.SUCCESS)


class VerifiedFilter(admin.SimpleListFilter):
    title = "clinician verification"
    parameter_name = "verified"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        return [("yes", "Verified"), ("no", "Awaiting verification")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(clinician_profile__verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(role="clinician", clinician_profile__verified_at__isnull=True)
        return queryset


def _deactivate_instead(modeladmin: "UserAdmin", request: HttpRequest, users: list[User]) -> int:
    for user in users:
        services.user_deactivate(user=user, by=request_user(request), request=request)
    if users:
        modeladmin.message_user(
            request,
            f"{len(users)} user(s) appear in the audit trail, so they were deactivated instead "
            "of deleted: they can no longer sign in, and the record of who read what is kept.",
            messages.WARNING,
        )
    return len(users)


@admin.action(
    description="Delete selected users (those in the audit trail are deactivated instead)",
    permissions=["delete"],
)
def delete_selected(
    modeladmin: "UserAdmin", request: HttpRequest, queryset: QuerySet[User]
) -> TemplateResponse | None:
    """Django's delete action, except for users the audit trail names: those are deactivated
    (their rows are PROTECTed, and who read what must outlive the account)."""
    in_trail = [user for user in queryset if services.user_in_audit_trail(user)]
    if "post" not in request.POST:
        # First step: deactivate now (reversible), ask to confirm deleting the rest.
        _deactivate_instead(modeladmin, request, in_trail)
    rest = queryset.exclude(pk__in=[user.pk for user in in_trail])
    if not rest.exists():
        return None
    return django_delete_selected(modeladmin, request, rest)


@admin.register(User)
class UserAdmin(PatientDataAuditMixin, _BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "date_joined"]
    list_filter = ["role", VerifiedFilter, "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    actions = [verify_clinicians, delete_selected]
    # The change page shows a patient's profile (date of birth): audited. The list is not.
    audit_lists = False
    inlines = [PatientProfileInline, ClinicianProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "password1", "password2"),
            },
        ),
    )

    def audit_patient_id(self, obj: Model) -> int | None:
        return obj.pk if isinstance(obj, User) and obj.role == Role.PATIENT else None

    def save_model(
        self, request: HttpRequest, obj: User, form: "ModelForm[User]", change: bool
    ) -> None:
        before = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if services.privileges_changed(before=before, after=obj):
            # A patient's token or session must not carry over into clinician or admin access.
            services.user_credentials_revoke(user=obj)
            self.message_user(
                request,
                f"{obj.email}: access changed, so every session and API token was ended.",
                messages.INFO,
            )

    def user_change_password(
        self,
        request: HttpRequest,
        id: str,
        form_url: str = "",
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # The new password already ends the user's sessions; their API tokens end too.
            user = self.get_object(request, unquote(id))
            if user is not None:
                services.user_credentials_revoke(user=user)
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user = self.get_object(request, unquote(object_id))
        if user is None or not services.user_in_audit_trail(user):
            return super().delete_view(request, object_id, extra_context)
        if not self.has_delete_permission(request, user):
            return super().delete_view(request, object_id, extra_context)
        if request.method == "POST":
            _deactivate_instead(self, request, [user])
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Deactivate instead of delete",
            "opts": self.opts,
            "object": user,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/accounts/user/deactivate_instead.html", context)


@admin.register(CareLink)
class CareLinkAdmin(PatientDataAuditMixin, _CareLinkAdmin):
    """Administrators may propose a link; it stays pending until the patient accepts it on their
    sharing page. The status is never set here: only the patient shares their record."""

    list_display = ["id", "patient", "clinician", "status", "created_at", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["patient__email", "clinician__email"]
    raw_id_fields = ["patient", "clinician"]
    fields = ["patient", "clinician", "status", "created_at", "activated_at", "revoked_at"]
    readonly_fields = ["status", "created_at", "activated_at", "revoked_at"]
    actions = ["revoke_links"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CareLink | None = None
    ) -> list[str] | tuple[str, ...]:
        if obj is not None:
            return [*self.readonly_fields, "patient", "clinician"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: CareLink | None = None) -> bool:
        return False

    @transaction.atomic
    def save_model(
        self, request: HttpRequest, obj: CareLink, form: "ModelForm[CareLink]", change: bool
    ) -> None:
        if not change:
            obj.status = CareLinkStatus.PENDING
            obj.activated_at = None
        super().save_model(request, obj, form, change)
        if not change:
            audit_event(
                actor=request_user(request),
                patient=obj.patient,
                action="care_link_proposed_by_admin",
                object_type="care_link",
                object_id=obj.pk,
                request=request,
            )

    @admin.action(description="Revoke selected links")
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[CareLink]) -> None:
        count = 0
        actor = request_user(request)
        for link in queryset.exclude(status=CareLinkStatus.REVOKED):
            services.care_link_revoke(patient=link.patient, link_id=link.pk, actor=actor)
            count += 1
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(_InvitationAdmin):
    list_display = ["code", "clinician", "created_at", "expires_at", "used_at"]
    search_fields = ["code", "clinician__email"]
    raw_id_fields = ["clinician", "used_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(_AuditEventAdmin):
    """Read-only: the audit trail cannot be changed or deleted from the admin."""

    list_display = ["when", "actor", "patient", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor__email", "patient__email", "action"]
    date_hierarchy = "created_at"

    @admin.display(description="When", ordering="created_at")
    def when(self, obj: AuditEvent) -> str:
        # In the viewer's zone, labelled (core.timezones.format_time).
        return format_time(obj.created_at)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
