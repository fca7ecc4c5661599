from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .models import AuditEvent, CareLink, ClinicianProfile, Invitation, PatientProfile, User


class PatientProfileInline(admin.StackedInline):
    model = PatientProfile
    can_delete = False
    extra = 0
    readonly_fields = ["consented_at", "data_changed_at", "last_evaluated_at"]


class ClinicianProfileInline(admin.StackedInline):
    model = ClinicianProfile
    fk_name = "user"
    can_delete = False
    extra = 0
    readonly_fields = ["verified_at", "verified_by"]


@admin.action(description="Verify selected clinicians")
def verify_clinicians(modeladmin, request, queryset):
    count = 0
    for user in queryset.filter(role="clinician"):
        services.clinician_verify(clinician=user, verified_by=request.user)
        count += 1
    modeladmin.message_user(request, f"{count} clinician(s) verified.", messages.SUCCESS)


class VerifiedFilter(admin.SimpleListFilter):
    title = "clinician verification"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Awaiting verification")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(clinician_profile__verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(role="clinician", clinician_profile__verified_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "date_joined"]
    list_filter = ["role", VerifiedFilter, "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    actions = [verify_clinicians]
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


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "clinician", "status", "created_at", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["patient__email", "clinician__email"]
    raw_id_fields = ["patient", "clinician"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["code", "clinician", "created_at", "expires_at", "used_at"]
    search_fields = ["code", "clinician__email"]
    raw_id_fields = ["clinician", "used_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be changed or deleted from the admin."""

    list_display = ["created_at", "actor", "patient", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor__email", "patient__email", "action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
